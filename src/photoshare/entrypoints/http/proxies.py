"""Client addresses behind a reverse proxy: `X-Forwarded-For` counts only from a trusted proxy.

Per-address rate limits would otherwise throttle every user behind the proxy together. The
header parsing is granian's (right-most address that is not itself a trusted proxy); a
connection from anyone else keeps its own address, whatever headers it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from litestar.types import ASGIApp, Receive, Scope, Send


def trusted_proxy_headers(
    networks: tuple[IPv4Network | IPv6Network, ...],
) -> Callable[[ASGIApp], ASGIApp]:
    """A Litestar middleware factory; with no trusted proxy the header is never read."""
    trusted = [str(network) for network in networks]

    def middleware(app: ASGIApp) -> ASGIApp:
        wrapped = wrap_asgi_with_proxy_headers(app, trusted_hosts=trusted)

        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            await wrapped(scope, receive, send)

        return handle

    return middleware
