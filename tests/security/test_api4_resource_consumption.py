"""OWASP API4:2023 Unrestricted Resource Consumption.

Covers: request size (JSON bodies over 64 KiB and log-in bodies over 4 KiB are 413 before
they are parsed, uploads over 10 MiB are 413), work per request (pages of at most 100, bounded
offsets, every string and list bounded, at most 5 tags, huge query strings refused, images
whose header or frames claim more pixels than allowed refused before they are decoded,
transformations bounded to 4000 pixels a side), and rate limits: log-in per client address
and per targeted account, sign-up and refresh per client, uploads, links, comments and ratings per
client and per account, each answered 429 problem+json with `Retry-After` and `retry_after`.

Out of scope: bcrypt and Pillow concurrency (bounded thread pools answering 503 with
Retry-After, tested in tests/integration), and volumetric denial of service, which is the
deployment's (reverse proxy, load balancer) to absorb.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from PIL import Image

from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member, signup
from tests.integration.engagement import photo_by, small_jpeg
from tests.integration.photo_helpers import BASE, png_claiming, upload
from tests.security.world import World

MIB = 1024 * 1024
LIMIT = 3
WINDOW = 60
ClientAt = Callable[[str], Awaitable[httpx.AsyncClient]]


@asynccontextmanager
async def throttled_app(settings: Settings, **limits: int) -> AsyncIterator[ClientAt]:
    """The app with `limits` (the rest high); yields a factory of clients at given addresses."""
    app = create_app(replace(settings, rate_limits=replace(RateLimits.every(1000, WINDOW), **limits)))
    async with app.lifespan(), AsyncExitStack() as stack:

        async def client_at(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
            return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=BASE))

        yield client_at


def assert_throttled(response: httpx.Response) -> None:
    body = assert_problem(response, 429)
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= WINDOW
    assert body["retry_after"] == retry_after


# --- sizes ----------------------------------------------------------------------------------------


async def test_json_bodies_over_64_kib_are_413(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    big = "x" * (65 * 1024)
    attempts: list[tuple[str | None, str, str, dict[str, Any]]] = [
        (None, "POST", "/api/auth/signup", {"username": "big", "email": "big@example.org", "password": big}),
        (None, "POST", "/api/auth/refresh", {"refresh_token": big}),
        ("alice", "PATCH", "/api/users/me", {"bio": big}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": big}),
        ("alice", "POST", "/api/photos/{photo}/transformations", {"effect": big}),
        ("carol", "POST", "/api/photos/{photo}/comments", {"text": big}),
        ("carol", "PUT", "/api/comments/{comment}", {"text": big}),
        ("carol", "POST", "/api/photos/{photo}/ratings", {"value": 5, "padding": big}),
        ("admin", "PUT", "/api/users/bob/role", {"role": big}),
    ]
    for who, method, template, body in attempts:
        with subtests.test(msg=f"{method} {template}"):
            response = await client.request(
                method, world.path(template), json=body, headers=world.headers(who)
            )
            assert_problem(response, 413)


async def test_login_bodies_over_4_kib_are_413(refusing_client: Client) -> None:
    response = await refusing_client.post("/api/auth/login", json={"username": "a", "password": "p" * 5000})
    assert_problem(response, 413)
    form = await refusing_client.post("/api/auth/login", data={"username": "a", "password": "p" * 5000})
    assert_problem(form, 413)


async def test_an_upload_over_10_mib_is_413(client: Client, world: World) -> None:
    response = await upload(client, world.tokens["alice"], small_jpeg() + b"\0" * (10 * MIB))
    assert_problem(response, 413)


async def test_images_claiming_too_many_pixels_are_refused_before_decoding(
    client: Client, world: World, settings: Settings
) -> None:
    bomb = png_claiming(60_000, 60_000)  # 3.6 gigapixels in a few hundred bytes
    assert len(bomb) < 1000
    response = await upload(client, world.tokens["alice"], bomb, filename="b.png", content_type="image/png")
    assert_problem(response, 400)
    # An animation whose frames are each small but add up to more than the limit.
    frames = [
        Image.new("P", (1000, 1000), colour) for colour in range(settings.max_image_pixels // 10**6 + 2)
    ]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert len(out.getvalue()) < 2 * MIB
    response = await upload(
        client, world.tokens["alice"], out.getvalue(), filename="a.gif", content_type="image/gif"
    )
    assert_problem(response, 400)


# --- work per request -----------------------------------------------------------------------------


async def test_pages_and_strings_are_bounded(client: Client, world: World, subtests: pytest.Subtests) -> None:
    refused: list[tuple[str | None, str, str, dict[str, Any] | None]] = [
        (None, "GET", "/api/photos?limit=101", None),
        (None, "GET", "/api/photos?limit=0", None),
        (None, "GET", "/api/photos?limit=1000000000000000000000", None),
        (None, "GET", "/api/photos?offset=-1", None),
        (None, "GET", "/api/photos?offset=1000001", None),
        (None, "GET", "/api/tags?limit=101", None),
        (None, "GET", "/api/photos/{photo}/comments?limit=101", None),
        (None, "GET", "/api/photos?q=" + "a" * 101, None),
        (None, "GET", "/api/photos?tag=" + "t" * 65, None),
        (None, "GET", "/api/tags?q=" + "t" * 33, None),
        (None, "GET", "/api/photos?q=" + "a" * 60_000, None),
        (None, "GET", "/api/photos?created_from=" + "2" * 41, None),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "d" * 2001}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "", "tags": ["a", "b", "c", "d", "e", "f"]}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "", "tags": ["t" * 33]}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "", "tags": ["x"] * 51}),
        ("alice", "PATCH", "/api/users/me", {"bio": "b" * 501}),
        ("alice", "PATCH", "/api/users/me", {"full_name": "f" * 101}),
        ("alice", "POST", "/api/photos/{photo}/transformations", {"width": 4001}),
        ("alice", "POST", "/api/photos/{photo}/transformations", {"height": 10**9}),
        ("alice", "POST", "/api/photos/{photo}/transformations", {"radius": 2001}),
        ("carol", "POST", "/api/photos/{photo}/comments", {"text": "c" * 2001}),
        (
            None,
            "POST",
            "/api/auth/signup",
            {"username": "u" * 33, "email": "u@example.org", "password": PASSWORD},
        ),
        (
            None,
            "POST",
            "/api/auth/signup",
            {"username": "uuu", "email": "u@example.org", "password": "p" * 129},
        ),
        (None, "POST", "/api/auth/login", {"username": "alice", "password": "p" * 129}),
    ]
    for who, method, template, body in refused:
        with subtests.test(msg=f"{method} {template[:60]}"):
            response = await client.request(
                method, world.path(template), json=body, headers=world.headers(who)
            )
            assert_problem(response, 400)
    # A name longer than any username names nobody: one indexed lookup, then 404.
    assert_problem(await client.get("/api/users/" + "u" * 5000), 404)
    page = await client.get("/api/photos?limit=100")
    assert page.status_code == 200
    assert page.json()["limit"] == 100


async def test_too_many_tags_on_upload_is_400(client: Client, world: World) -> None:
    response = await upload(client, world.tokens["alice"], form={"tags": "a,b,c,d,e,f"})
    assert_problem(response, 400)
    response = await upload(
        client, world.tokens["alice"], form={"tags": ["t"] * 6 + ["a", "b", "c", "d", "e"]}
    )
    assert_problem(response, 400)


async def test_deeply_nested_json_is_400_not_a_crash(client: Client, world: World) -> None:
    nested = "[" * 20_000 + "]" * 20_000
    response = await client.patch(
        "/api/users/me",
        content=f'{{"bio": {nested}}}'.encode(),
        headers=world.headers("alice") | {"content-type": "application/json"},
    )
    assert_problem(response, 400)


# --- rate limits ----------------------------------------------------------------------------------


async def test_login_is_limited_per_client_address(settings: Settings) -> None:
    async with throttled_app(settings, login=LIMIT) as client_at:
        attacker, bystander = await client_at("203.0.113.7"), await client_at("198.51.100.20")
        await signup(attacker, "alice")
        for n in range(LIMIT):
            response = await attacker.post(
                "/api/auth/login", json={"username": f"guess{n}", "password": "x" * 8}
            )
            assert response.status_code == 401
        assert_throttled(
            await attacker.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        )
        # Another address is not affected: the limit is per client, not global.
        response = await bystander.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        assert response.status_code == 200


async def test_login_is_limited_per_targeted_account_across_addresses(settings: Settings) -> None:
    async with throttled_app(settings, login=LIMIT) as client_at:
        first = await client_at("192.0.2.1")
        await signup(first, "alice")
        await signup(first, "bob")
        guess = {"username": "alice", "password": "wrong-password"}
        for n in range(LIMIT):
            assert (
                await (await client_at(f"192.0.2.{10 + n}")).post("/api/auth/login", json=guess)
            ).status_code == 401
        # A fresh address, but the account has had its share: even the right password waits.
        fresh = await client_at("192.0.2.99")
        response = await fresh.post("/api/auth/login", json={"username": "ALICE", "password": PASSWORD})
        assert_throttled(response)
        # Other accounts are unaffected.
        response = await fresh.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
        assert response.status_code == 200


async def test_signup_is_limited_per_client_address(settings: Settings) -> None:
    async with throttled_app(settings, signup=LIMIT) as client_at:
        client = await client_at("203.0.113.8")
        for n in range(LIMIT):
            await signup(client, f"user{n}")
        body = {"username": "one_more", "email": "one_more@example.org", "password": PASSWORD}
        assert_throttled(await client.post("/api/auth/signup", json=body))
        assert_problem(await client.get("/api/users/one_more"), 404)
        assert (
            await (await client_at("198.51.100.21")).post("/api/auth/signup", json=body)
        ).status_code == 201


async def test_refresh_is_limited_per_client_address(settings: Settings) -> None:
    async with throttled_app(settings, refresh=LIMIT) as client_at:
        client = await client_at("203.0.113.9")
        tokens = await member(client, "alice")
        for _ in range(LIMIT):
            response = await client.post("/api/auth/refresh", json={"refresh_token": "not-a-token"})
            assert response.status_code == 401
        response = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert_throttled(response)


async def test_uploads_are_limited_per_account_and_per_address(settings: Settings) -> None:
    async with throttled_app(settings, upload=LIMIT) as client_at:
        home = await client_at("203.0.113.10")
        alice = await member(home, "alice")
        bob = await member(home, "bob")
        for _ in range(LIMIT):
            await photo_by(home, alice["access_token"])
        assert_throttled(await upload(home, alice["access_token"]))
        # Alice from another address: still her account's limit.
        assert_throttled(await upload(await client_at("198.51.100.22"), alice["access_token"]))
        # Bob from alice's address: that address has had its share too.
        assert_throttled(await upload(home, bob["access_token"]))
        # Bob elsewhere is fine.
        response = await upload(await client_at("198.51.100.23"), bob["access_token"])
        assert response.status_code == 201


@pytest.mark.parametrize(
    ("action", "path", "body"),
    [
        ("comment", "/api/photos/{photo}/comments", {"text": "spam"}),
        ("rating", "/api/photos/{photo}/ratings", {"value": 1}),
    ],
)
async def test_comments_and_ratings_are_limited_per_account(
    settings: Settings, action: str, path: str, body: dict[str, Any]
) -> None:
    async with throttled_app(settings, **{action: LIMIT}) as client_at:
        home = await client_at("203.0.113.11")
        owner = await member(home, "owner")
        spammer = await member(home, "spammer")
        photos = [await photo_by(home, owner["access_token"]) for _ in range(LIMIT + 1)]
        headers = bearer(spammer["access_token"])
        for photo in photos[:LIMIT]:
            response = await home.post(path.format(photo=photo), json=body, headers=headers)
            assert response.status_code == 201, response.text
        elsewhere = await client_at("198.51.100.24")
        response = await elsewhere.post(path.format(photo=photos[LIMIT]), json=body, headers=headers)
        assert_throttled(response)


async def test_searches_are_limited_per_client_address(settings: Settings) -> None:
    async with throttled_app(settings, search=LIMIT) as client_at:
        searcher = await client_at("203.0.113.50")
        for _ in range(LIMIT):
            assert (await searcher.get("/api/photos", params={"q": "sunset"})).status_code == 200
        assert_throttled(await searcher.get("/api/photos", params={"q": "sunset"}))
        other = await client_at("203.0.113.51")
        assert (await other.get("/api/photos", params={"q": "sunset"})).status_code == 200


async def test_link_creation_is_limited_per_account_and_per_address(settings: Settings) -> None:
    async with throttled_app(settings, link=LIMIT) as client_at:
        home = await client_at("203.0.113.12")
        alice = await member(home, "alice")
        bob = await member(home, "bob")
        photo_id = await photo_by(home, alice["access_token"])
        bobs_photo = await photo_by(home, bob["access_token"])
        path = f"/api/photos/{photo_id}/transformations"
        for width in range(1, LIMIT + 1):
            response = await home.post(path, json={"width": width}, headers=bearer(alice["access_token"]))
            assert response.status_code == 201, response.text
        assert_throttled(await home.post(path, json={"width": 99}, headers=bearer(alice["access_token"])))
        # Alice from another address: still her account's limit.
        elsewhere = await client_at("198.51.100.25")
        assert_throttled(
            await elsewhere.post(path, json={"width": 99}, headers=bearer(alice["access_token"]))
        )
        # Bob elsewhere is fine.
        bobs = await (await client_at("198.51.100.26")).post(
            f"/api/photos/{bobs_photo}/transformations",
            json={"width": 5},
            headers=bearer(bob["access_token"]),
        )
        assert bobs.status_code == 201, bobs.text
