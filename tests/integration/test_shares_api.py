"""Share links through HTTP: every route and status in API.md "Share links"."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import psycopg
import zxingcpp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from photoshare.config import RateLimits, Settings, libpq_url
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import path_of, uploaded

SHARE_FIELDS = {
    "id",
    "slug",
    "url",
    "qr_url",
    "kind",
    "target_id",
    "label",
    "expires_at",
    "max_views",
    "view_count",
    "last_viewed_at",
    "has_password",
    "created_at",
}
SHARED_FIELDS = {"kind", "photo", "album", "photos", "expires_at"}
BOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


async def _share(client: Client, token: str, target: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/{target}/shares", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    share: dict[str, Any] = response.json()
    return share


async def _owner_with_photo(client: Client, **form: Any) -> tuple[str, dict[str, Any]]:
    token = (await member(client, "alice"))["access_token"]
    return token, await uploaded(client, token, **form)


async def test_a_photo_share_is_made_and_opened(client: Client) -> None:
    alice, photo = await _owner_with_photo(client, visibility="private")
    share = await _share(client, alice, f"photos/{photo['id']}", label="for grandma", expires_in=3600)
    assert set(share) == SHARE_FIELDS
    assert (share["kind"], share["target_id"], share["label"]) == ("photo", photo["id"], "for grandma")
    assert (share["view_count"], share["last_viewed_at"], share["has_password"]) == (0, None, False)
    assert share["url"] == f"http://testserver.local/s/{share['slug']}"
    assert len(share["slug"]) >= 16  # at least 96 random bits
    assert "password" not in share
    opened = await client.get(f"/api/shared/{share['slug']}")
    assert opened.status_code == 200
    assert opened.headers["cache-control"] == "no-store"
    body = opened.json()
    assert set(body) == SHARED_FIELDS
    assert (body["kind"], body["album"], body["photos"]) == ("photo", None, None)
    assert body["photo"]["id"] == photo["id"]  # private, but the link is the permission
    assert (await client.get(path_of(body["photo"]["url"]))).status_code == 200
    seen = (await client.get(f"/api/shares/{share['id']}", headers=bearer(alice))).json()
    assert seen["view_count"] == 1
    assert seen["last_viewed_at"] is not None


async def test_an_album_share_shows_a_page_of_its_photos_private_ones_included(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    album = (
        await client.post(
            "/api/albums", json={"title": "Trip", "visibility": "private"}, headers=bearer(alice)
        )
    ).json()
    photos = [await uploaded(client, alice, visibility=v) for v in ("public", "private", "unlisted")]
    for photo in photos:
        await client.put(f"/api/albums/{album['id']}/photos/{photo['id']}", headers=bearer(alice))
    share = await _share(client, alice, f"albums/{album['id']}")
    assert share["kind"] == "album"
    body = (await client.get(f"/api/shared/{share['slug']}", params={"limit": 2})).json()
    assert (body["kind"], body["photo"], body["album"]["id"]) == ("album", None, album["id"])
    assert body["photos"]["total"] == 3
    assert [p["id"] for p in body["photos"]["items"]] == [photos[0]["id"], photos[1]["id"]]
    rest = (await client.get(f"/api/shared/{share['slug']}", params={"limit": 2, "offset": 2})).json()
    assert [p["id"] for p in rest["photos"]["items"]] == [photos[2]["id"]]


async def test_a_password_is_asked_for_checked_and_never_shown(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    share = await _share(client, alice, f"photos/{photo['id']}", password="open sesame")
    assert share["has_password"] is True
    missing = assert_problem(await client.get(f"/api/shared/{share['slug']}"), 401)
    assert missing["password_required"] is True
    wrong = await client.get(f"/api/shared/{share['slug']}", headers={"X-Share-Password": "not the one"})
    assert_problem(wrong, 401)
    assert wrong.headers["cache-control"] == "no-store"
    right = await client.get(f"/api/shared/{share['slug']}", headers={"X-Share-Password": "open sesame"})
    assert right.status_code == 200
    listed = (await client.get(f"/api/shares/{share['id']}", headers=bearer(alice))).json()
    assert listed["view_count"] == 1  # failures are not views
    cleared = await client.patch(f"/api/shares/{share['id']}", json={"password": None}, headers=bearer(alice))
    assert cleared.json()["has_password"] is False
    assert (await client.get(f"/api/shared/{share['slug']}")).status_code == 200


async def test_views_are_limited_and_bots_are_not_counted(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    share = await _share(client, alice, f"photos/{photo['id']}", max_views=2)
    assert (await client.get(f"/api/shared/{share['slug']}", headers={"User-Agent": BOT})).status_code == 200
    for _ in range(2):
        assert (await client.get(f"/api/shared/{share['slug']}")).status_code == 200
    assert_problem(await client.get(f"/api/shared/{share['slug']}"), 410)
    assert_problem(await client.get(f"/api/shared/{share['slug']}", headers={"User-Agent": BOT}), 410)
    assert (await client.get(f"/api/shares/{share['id']}", headers=bearer(alice))).json()["view_count"] == 2
    # Raising the limit opens it again.
    await client.patch(f"/api/shares/{share['id']}", json={"max_views": 3}, headers=bearer(alice))
    assert (await client.get(f"/api/shared/{share['slug']}")).status_code == 200


async def test_an_expired_share_is_410_and_a_revoked_one_404(client: Client, database_url: str) -> None:
    alice, photo = await _owner_with_photo(client)
    share = await _share(
        client,
        alice,
        f"photos/{photo['id']}",
        expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )
    assert (await client.get(f"/api/shared/{share['slug']}")).status_code == 200
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.execute(
            "UPDATE shares SET expires_at = now() - interval '1 second' WHERE id = %s", (share["id"],)
        )
    assert_problem(await client.get(f"/api/shared/{share['slug']}"), 410)
    assert (await client.delete(f"/api/shares/{share['id']}", headers=bearer(alice))).status_code == 204
    gone = await client.get(f"/api/shared/{share['slug']}")
    assert_problem(gone, 404)
    assert gone.headers["cache-control"] == "no-store"
    assert_problem(await client.get(f"/api/shares/{share['id']}", headers=bearer(alice)), 404)


async def test_managing_shares(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    first = await _share(client, alice, f"photos/{photo['id']}")
    second = await _share(client, alice, f"photos/{photo['id']}", label="b")
    page = await client.get("/api/shares", headers=bearer(alice))
    assert page.headers["cache-control"] == "no-store"
    assert [s["id"] for s in page.json()["items"]] == [second["id"], first["id"]]
    assert page.json()["total"] == 2
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    edited = await client.patch(
        f"/api/shares/{first['id']}",
        json={"label": "grandma", "expires_at": later, "max_views": 5},
        headers=bearer(alice),
    )
    assert edited.status_code == 200
    assert (edited.json()["label"], edited.json()["max_views"]) == ("grandma", 5)
    assert edited.json()["expires_at"] is not None
    cleared = await client.patch(
        f"/api/shares/{first['id']}", json={"expires_at": None, "label": None}, headers=bearer(alice)
    )
    assert (cleared.json()["expires_at"], cleared.json()["label"], cleared.json()["max_views"]) == (
        None,
        None,
        5,
    )
    bob = (await member(client, "bob"))["access_token"]
    assert (await client.get("/api/shares", headers=bearer(bob))).json()["total"] == 0
    assert_problem(await client.get("/api/shares"), 401)


async def test_bad_share_input_is_400(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    target = f"/api/photos/{photo['id']}/shares"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for body in (
        {"expires_in": 59},
        {"expires_in": 31_536_001},
        {"expires_at": past},
        {"expires_at": soon, "expires_in": 600},
        {"password": "short"},
        {"max_views": 0},
        {"label": "x" * 101},
        {"view_count": 5},
    ):
        assert_problem(await client.post(target, json=body, headers=bearer(alice)), 400)
    share = await _share(client, alice, f"photos/{photo['id']}")
    assert_problem(
        await client.patch(f"/api/shares/{share['id']}", json={"expires_at": past}, headers=bearer(alice)),
        400,
    )
    assert_problem(
        await client.post(f"/api/photos/{uuid.uuid4()}/shares", json={}, headers=bearer(alice)), 404
    )
    assert_problem(
        await client.post(f"/api/albums/{uuid.uuid4()}/shares", json={}, headers=bearer(alice)), 404
    )
    assert_problem(await client.get("/api/shared/no"), 400)


async def test_the_qr_code_scans_to_the_share_url_and_the_page_opens(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    share = await _share(client, alice, f"photos/{photo['id']}")
    png = await client.get(path_of(share["qr_url"]))
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store"
    with Image.open(io.BytesIO(png.content)) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image)] == [share["url"]]
    svg = await client.get(path_of(share["qr_url"]), params={"format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml")
    page = await client.get(path_of(share["url"]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert_problem(await client.get("/api/shared/AAAAAAAAAAAAAAAAAAAAAA/qr"), 404)
    # Showing the QR code is not a view.
    assert (await client.get(f"/api/shares/{share['id']}", headers=bearer(alice))).json()["view_count"] == 0


async def test_deleting_the_photo_ends_its_shares(client: Client) -> None:
    alice, photo = await _owner_with_photo(client)
    share = await _share(client, alice, f"photos/{photo['id']}")
    await client.delete(f"/api/photos/{photo['id']}", headers=bearer(alice))
    assert_problem(await client.get(f"/api/shared/{share['slug']}"), 404)


async def test_with_max_views_ten_exactly_ten_of_fifty_at_once_succeed(
    concurrent_client: httpx.AsyncClient,
) -> None:
    client = concurrent_client
    await client.post(
        "/api/auth/signup", json={"username": "alice", "email": "a@example.org", "password": "password123"}
    )
    token = (
        await client.post("/api/auth/login", json={"username": "alice", "password": "password123"})
    ).json()["access_token"]
    from tests.integration.photo_helpers import encoded

    photo = (
        await client.post(
            "/api/photos", files={"file": ("a.jpg", encoded(), "image/jpeg")}, headers=bearer(token)
        )
    ).json()
    share = (
        await client.post(f"/api/photos/{photo['id']}/shares", json={"max_views": 10}, headers=bearer(token))
    ).json()
    statuses: list[int] = []

    async def view() -> None:
        statuses.append((await client.get(f"/api/shared/{share['slug']}")).status_code)

    async with anyio.create_task_group() as group:
        for _ in range(50):
            group.start_soon(view)

    assert sorted(statuses) == [200] * 10 + [410] * 40
    seen = (await client.get(f"/api/shares/{share['id']}", headers=bearer(token))).json()
    assert seen["view_count"] == 10


def _limited_app(settings: Settings, **limits: int) -> Litestar:
    return create_app(replace(settings, rate_limits=replace(RateLimits(), **limits)))


async def test_unknown_slugs_are_throttled_then_every_slug_is_refused(settings: Settings) -> None:
    async with AsyncTestClient(
        _limited_app(settings, share_miss=3), base_url="http://testserver.local"
    ) as client:
        alice, photo = await _owner_with_photo(client)
        share = await _share(client, alice, f"photos/{photo['id']}")
        assert (await client.get(f"/api/shared/{share['slug']}")).status_code == 200
        for n in range(3):
            assert_problem(await client.get(f"/api/shared/{'A' * 21}{n}"), 404)
        refused = await client.get(f"/api/shared/{'B' * 22}")
        assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        # Now a real slug gets the same answer: a 429 does not tell a hit from a miss.
        assert_problem(await client.get(f"/api/shared/{share['slug']}"), 429)
        assert_problem(await client.get(f"/api/shared/{share['slug']}/qr"), 429)


async def test_wrong_passwords_are_throttled_then_the_right_one_is_refused_too(settings: Settings) -> None:
    async with AsyncTestClient(
        _limited_app(settings, share_password=2), base_url="http://testserver.local"
    ) as client:
        alice, photo = await _owner_with_photo(client)
        share = await _share(client, alice, f"photos/{photo['id']}", password="open sesame")
        for _ in range(2):
            assert_problem(
                await client.get(f"/api/shared/{share['slug']}", headers={"X-Share-Password": "guess one"}),
                401,
            )
        assert_problem(
            await client.get(f"/api/shared/{share['slug']}", headers={"X-Share-Password": "guess two"}), 429
        )
        assert_problem(
            await client.get(f"/api/shared/{share['slug']}", headers={"X-Share-Password": "open sesame"}), 429
        )


async def test_a_busy_album_is_not_throttled_below_hundreds_of_views_a_minute(settings: Settings) -> None:
    async with AsyncTestClient(_limited_app(settings), base_url="http://testserver.local") as client:
        alice, photo = await _owner_with_photo(client)
        share = await _share(client, alice, f"photos/{photo['id']}")
        statuses = {(await client.get(f"/api/shared/{share['slug']}")).status_code for _ in range(300)}
        assert statuses == {200}
