"""Behind a reverse proxy every client arrives from the proxy's address.

`PHOTOSHARE_TRUSTED_PROXIES` names the proxies whose `X-Forwarded-For` is believed: the
client is then the right-most address that is not itself a trusted proxy. From anyone
else the header is ignored, so a client cannot dodge its limit by inventing addresses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from ipaddress import ip_network
from itertools import count

import httpx

from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, assert_problem

PROXY = "10.0.0.7"
_names = count()
ClientAt = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def proxied_app(settings: Settings) -> AsyncIterator[ClientAt]:
    """Clients of one app (sign-up limited to 1 a minute) connecting from a given address."""
    limits = replace(RateLimits.every(1000), signup=1)
    app = create_app(replace(settings, rate_limits=limits, trusted_proxies=(ip_network("10.0.0.0/29"),)))
    async with app.lifespan(), AsyncExitStack() as stack:

        def make(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
            stack.push_async_callback(client.aclose)
            return client

        yield make


async def sign_up(client: httpx.AsyncClient, forwarded_for: str | None = None) -> httpx.Response:
    name = f"proxied{next(_names)}"
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = {"username": name, "email": f"{name}@example.org", "password": PASSWORD}
    return await client.post("/api/auth/signup", json=body, headers=headers)


async def test_clients_behind_a_trusted_proxy_are_limited_one_by_one(settings: Settings) -> None:
    async with proxied_app(settings) as client_at:
        await _test_clients_behind_a_trusted_proxy_are_limited_one_by_one(client_at)


async def _test_clients_behind_a_trusted_proxy_are_limited_one_by_one(client_at: ClientAt) -> None:
    proxy = client_at(PROXY)
    assert (await sign_up(proxy, "203.0.113.5")).status_code == 201
    assert (await sign_up(proxy, "203.0.113.6")).status_code == 201
    assert_problem(await sign_up(proxy, "203.0.113.5"), 429)


async def test_the_right_most_untrusted_address_is_the_client(settings: Settings) -> None:
    async with proxied_app(settings) as client_at:
        await _test_the_right_most_untrusted_address_is_the_client(client_at)


async def _test_the_right_most_untrusted_address_is_the_client(client_at: ClientAt) -> None:
    proxy = client_at(PROXY)
    # A client may put anything on the left; the proxies append what they saw on the right.
    assert (await sign_up(proxy, "198.51.100.1, 203.0.113.9, 10.0.0.3")).status_code == 201
    assert_problem(await sign_up(proxy, "192.0.2.44, 203.0.113.9"), 429)


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Settings) -> None:
    async with proxied_app(settings) as client_at:
        await _test_forwarded_for_from_an_untrusted_peer_is_ignored(client_at)


async def _test_forwarded_for_from_an_untrusted_peer_is_ignored(client_at: ClientAt) -> None:
    stranger = client_at("198.51.100.20")
    assert (await sign_up(stranger, "203.0.113.70")).status_code == 201
    assert_problem(await sign_up(stranger, "203.0.113.71"), 429)


async def test_without_trusted_proxies_the_header_is_never_read(settings: Settings) -> None:
    app = create_app(replace(settings, rate_limits=replace(RateLimits.every(1000), signup=1)))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=(PROXY, 40000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as proxy:
            assert (await sign_up(proxy, "203.0.113.5")).status_code == 201
            assert_problem(await sign_up(proxy, "203.0.113.6"), 429)
