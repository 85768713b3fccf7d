"""OWASP API1:2023 Broken Object Level Authorization — albums, shares, private photos, image URLs.

Covers: another user's album (private: 404 everywhere; public: 403 for every change), another
user's share (404 for reads and changes, absent from their list, no new shares on another
user's photo or album), a private photo (404 for the photo, its comments, ratings and links,
and for adding to an album or sharing it), the signed image URLs of hidden photos (unsigned:
404; tampered, moved to another image or transformation, or expired: 403), and guessing share
slugs (throttled per address, after which a hit looks exactly like a miss). Refused attempts
are checked to have changed nothing.

Out of scope: share passwords and view limits as such (tests/integration/test_shares_api.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from litestar.testing import AsyncTestClient

from photoshare.adapters.signing import HmacUrlSigner
from photoshare.application.ports.images import variant_signed_as
from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.jobs import drain
from tests.integration.photo_helpers import linked, path_of, uploaded
from tests.unit.fakes import FixedClock


@dataclass(frozen=True)
class Sharing:
    alice: str
    bob: str
    admin: str
    private_photo: dict[str, Any]
    public_photo: dict[str, Any]
    private_album: str
    public_album: str
    share: dict[str, Any]


async def _sharing(client: Client) -> Sharing:
    admin = (await member(client, "root"))["access_token"]
    alice = (await member(client, "alice"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    private_photo = await uploaded(client, alice, visibility="private")
    public_photo = await uploaded(client, alice)
    albums = []
    for visibility in ("private", "public"):
        response = await client.post(
            "/api/albums", json={"title": visibility, "visibility": visibility}, headers=bearer(alice)
        )
        albums.append(response.json()["id"])
        await client.put(f"/api/albums/{albums[-1]}/photos/{public_photo['id']}", headers=bearer(alice))
    share = await client.post(
        f"/api/albums/{albums[1]}/shares", json={"label": "family"}, headers=bearer(alice)
    )
    return Sharing(alice, bob, admin, private_photo, public_photo, albums[0], albums[1], share.json())


async def _state(client: Client, s: Sharing) -> Any:
    albums = [
        (await client.get(f"/api/albums/{a}", headers=bearer(s.alice))).json()
        for a in (s.private_album, s.public_album)
    ]
    photos = [
        (await client.get(f"/api/albums/{a}/photos", headers=bearer(s.alice))).json()
        for a in (s.private_album, s.public_album)
    ]
    share = (await client.get(f"/api/shares/{s.share['id']}", headers=bearer(s.alice))).json()
    photo = (await client.get(f"/api/photos/{s.private_photo['id']}", headers=bearer(s.alice))).json()
    return albums, photos, share, photo["updated_at"]


async def test_another_users_albums_are_hidden_or_read_only(client: Client) -> None:
    s = await _sharing(client)
    before = await _state(client, s)
    bob = bearer(s.bob)
    private, public, photo = s.private_album, s.public_album, s.public_photo["id"]
    attempts = [
        ("GET", f"/api/albums/{private}", None, 404),
        ("GET", f"/api/albums/{private}/photos", None, 404),
        ("PATCH", f"/api/albums/{private}", {"title": "mine"}, 404),
        ("DELETE", f"/api/albums/{private}", None, 404),
        ("PUT", f"/api/albums/{private}/photos/{photo}", None, 404),
        ("DELETE", f"/api/albums/{private}/photos/{photo}", None, 404),
        ("POST", f"/api/albums/{private}/shares", {}, 404),
        ("PATCH", f"/api/albums/{public}", {"title": "mine"}, 403),
        ("PATCH", f"/api/albums/{public}", {"cover_photo_id": photo}, 403),
        ("DELETE", f"/api/albums/{public}", None, 403),
        ("PUT", f"/api/albums/{public}/photos/{photo}", None, 403),
        ("DELETE", f"/api/albums/{public}/photos/{photo}", None, 403),
        ("POST", f"/api/albums/{public}/shares", {}, 403),
    ]
    for method, path, body, status in attempts:
        response = await client.request(method, path, json=body, headers=bob)
        assert response.status_code == status, (method, path, response.text)
    for method, path, body, _ in attempts:  # anonymous: writes need a token, reads see no private album
        response = await client.request(method, path, json=body)
        assert response.status_code in (401, 404), (method, path)
    assert await _state(client, s) == before
    assert (await client.get(f"/api/albums/{private}", headers=bearer(s.admin))).status_code == 200


async def test_another_users_share_is_unknown_to_them(client: Client) -> None:
    s = await _sharing(client)
    before = await _state(client, s)
    share = s.share["id"]
    for method, path, body in (
        ("GET", f"/api/shares/{share}", None),
        ("PATCH", f"/api/shares/{share}", {"max_views": 1}),
        ("DELETE", f"/api/shares/{share}", None),
    ):
        assert_problem(await client.request(method, path, json=body, headers=bearer(s.bob)), 404)
        assert_problem(await client.request(method, path, json=body), 401)
    assert (await client.get("/api/shares", headers=bearer(s.bob))).json()["total"] == 0
    assert_problem(
        await client.post(f"/api/photos/{s.public_photo['id']}/shares", json={}, headers=bearer(s.bob)), 403
    )
    assert await _state(client, s) == before
    assert (await client.get(f"/api/shares/{share}", headers=bearer(s.admin))).status_code == 200


async def test_a_private_photo_is_unknown_to_everyone_else(client: Client) -> None:
    s = await _sharing(client)
    photo = s.private_photo["id"]
    own_album = (await client.post("/api/albums", json={"title": "bob's"}, headers=bearer(s.bob))).json()[
        "id"
    ]
    for who in (None, s.bob):
        headers = bearer(who) if who else {}
        for path in (f"/api/photos/{photo}", f"/api/photos/{photo}/comments"):
            assert_problem(await client.get(path, headers=headers), 404)
    for method, path, body in (
        ("GET", f"/api/photos/{photo}/transformations", None),
        ("POST", f"/api/photos/{photo}/transformations", {"width": 10}),
        ("POST", f"/api/photos/{photo}/shares", {}),
        ("POST", f"/api/photos/{photo}/comments", {"text": "hi"}),
        ("POST", f"/api/photos/{photo}/ratings", {"value": 5}),
        ("PUT", f"/api/albums/{own_album}/photos/{photo}", None),
    ):
        assert_problem(await client.request(method, path, json=body, headers=bearer(s.bob)), 404)
    search = (await client.get("/api/photos", headers=bearer(s.bob))).json()
    assert photo not in {p["id"] for p in search["items"]}


def _tampered(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


async def test_signed_image_urls_cannot_be_forged_moved_or_reused_after_expiry(
    client: Client, settings: Settings
) -> None:
    s = await _sharing(client)
    url = s.private_photo["url"]
    query = parse_qs(urlsplit(url).query)
    signature, expires = query["signature"][0], query["expires"][0]
    assert (await client.get(path_of(url))).status_code == 200
    assert_problem(await client.get(urlsplit(url).path), 404)  # unsigned
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_problem(await client.get(_tampered(url, signature=flipped)), 403)
    assert_problem(await client.get(_tampered(url, expires=str(int(expires) + 900))), 403)
    assert_problem(await client.get(path_of(url) + "x"), 403)
    assert_problem(await client.get(_tampered(url, signature="")), 403)
    # The same signature on another private image, or on a transformation of this one.
    other = await uploaded(client, s.alice, visibility="private")
    moved = urlsplit(other["url"]).path + "?" + urlsplit(url).query
    assert_problem(await client.get(moved), 403)
    link = await linked(client, s.alice, s.private_photo["id"], width=20)
    assert_problem(await client.get(urlsplit(link["url"]).path + "?" + urlsplit(url).query), 403)
    assert (await client.get(path_of(link["url"]))).status_code == 200
    # A URL signed with the service's key a day ago has expired.
    assert settings.secret_key
    old_clock = FixedClock(datetime.now(UTC) - timedelta(days=1))
    key = urlsplit(url).path.rsplit("/", 1)[1]
    old_expires, old_signature = HmacUrlSigner(settings.secret_key, old_clock).sign(key, "")
    expired = f"{urlsplit(url).path}?expires={old_expires}&signature={old_signature}"
    assert_problem(await client.get(expired), 403)
    # ...and a signature made with another key is worth nothing.
    _, forged = HmacUrlSigner("another-key-that-is-at-least-32-bytes!", FixedClock(datetime.now(UTC))).sign(
        key, ""
    )
    assert_problem(await client.get(_tampered(url, signature=forged)), 403)


async def test_signed_variant_urls_cannot_be_forged_moved_or_reused_after_expiry(
    client: Client, settings: Settings
) -> None:
    s = await _sharing(client)
    await drain(settings)
    photo = (await client.get(f"/api/photos/{s.private_photo['id']}", headers=bearer(s.alice))).json()
    url = next(v["url"] for v in photo["variants"] if v["name"] == "thumb")
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    assert (await client.get(path_of(url))).status_code == 200
    assert_problem(await client.get(urlsplit(url).path), 404)  # unsigned
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_problem(await client.get(_tampered(url, signature=flipped)), 403)
    # Another size of the same photo, or its original, with this variant's signature.
    assert_problem(
        await client.get(urlsplit(url).path.replace("/thumb/", "/large/") + "?" + urlsplit(url).query), 403
    )
    assert_problem(await client.get(urlsplit(s.private_photo["url"]).path + "?" + urlsplit(url).query), 403)
    key = urlsplit(url).path.rsplit("/", 1)[1]
    old_clock = FixedClock(datetime.now(UTC) - timedelta(days=1))
    assert settings.secret_key
    old_expires, old_signature = HmacUrlSigner(settings.secret_key, old_clock).sign(
        key, variant_signed_as("thumb")
    )
    assert_problem(
        await client.get(f"{urlsplit(url).path}?expires={old_expires}&signature={old_signature}"), 403
    )


async def test_guessing_share_slugs_is_throttled_and_then_tells_nothing(settings: Settings) -> None:
    app = create_app(replace(settings, rate_limits=replace(RateLimits(), share_miss=5)))
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        s = await _sharing(client)
        guesses = [await client.get(f"/api/shared/{'G' * 20}{n:02d}") for n in range(8)]
        assert [r.status_code for r in guesses] == [404] * 5 + [429] * 3
        assert all(r.headers["cache-control"] == "no-store" for r in guesses)
        assert_problem(await client.get(f"/api/shared/{s.share['slug']}"), 429)
