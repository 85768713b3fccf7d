"""Albums through HTTP: every route and status in API.md "Albums"."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import path_of, uploaded

ALBUM_FIELDS = {
    "id",
    "title",
    "description",
    "owner",
    "visibility",
    "photo_count",
    "cover_url",
    "created_at",
    "updated_at",
}


async def _album(client: Client, token: str, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/albums", json={"title": "Trip", **body}, headers=bearer(token))
    assert response.status_code == 201, response.text
    album: dict[str, Any] = response.json()
    return album


async def _ids(client: Client, album_id: str, token: str | None = None) -> list[str]:
    response = await client.get(f"/api/albums/{album_id}/photos", headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


async def test_create_read_edit_delete(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    album = await _album(client, alice, description="Summer", visibility="unlisted")
    assert set(album) == ALBUM_FIELDS
    assert album["owner"] == {"username": "alice"}
    assert (album["visibility"], album["photo_count"], album["cover_url"]) == ("unlisted", 0, None)
    assert (await client.get(f"/api/albums/{album['id']}")).json() == album
    edited = await client.patch(
        f"/api/albums/{album['id']}", json={"title": "Trip 2", "visibility": "public"}, headers=bearer(alice)
    )
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["visibility"], edited.json()["description"]) == (
        "Trip 2",
        "public",
        "Summer",
    )
    photo = await uploaded(client, alice)
    assert (
        await client.put(f"/api/albums/{album['id']}/photos/{photo['id']}", headers=bearer(alice))
    ).status_code == 204
    assert (await client.delete(f"/api/albums/{album['id']}", headers=bearer(alice))).status_code == 204
    assert_problem(await client.get(f"/api/albums/{album['id']}"), 404)
    assert (await client.get(f"/api/photos/{photo['id']}")).status_code == 200  # the photos stay


async def test_bad_input_is_400_and_writes_need_a_token(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    for body in (
        {"title": ""},
        {"title": "x" * 201},
        {"title": "t", "visibility": "secret"},
        {"title": "t", "role": 1},
    ):
        assert_problem(await client.post("/api/albums", json=body, headers=bearer(alice)), 400)
    assert_problem(await client.post("/api/albums", json={"title": "t"}), 401)
    album = await _album(client, alice)
    assert_problem(
        await client.patch(
            f"/api/albums/{album['id']}", json={"description": "x" * 2001}, headers=bearer(alice)
        ),
        400,
    )
    assert_problem(await client.get(f"/api/albums/{uuid.uuid4()}"), 404)


async def test_photos_are_ordered_and_placed_by_position(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    album = await _album(client, alice)
    a, b, c = [(await uploaded(client, alice))["id"] for _ in range(3)]
    for photo in (a, b, c):
        await client.put(f"/api/albums/{album['id']}/photos/{photo}", headers=bearer(alice))
    assert await _ids(client, album["id"]) == [a, b, c]
    # Idempotent: putting it again changes nothing.
    assert (
        await client.put(f"/api/albums/{album['id']}/photos/{a}", headers=bearer(alice))
    ).status_code == 204
    assert await _ids(client, album["id"]) == [a, b, c]
    moved = await client.put(
        f"/api/albums/{album['id']}/photos/{c}", json={"position": 0}, headers=bearer(alice)
    )
    assert moved.status_code == 204
    assert await _ids(client, album["id"]) == [c, a, b]
    assert_problem(
        await client.put(
            f"/api/albums/{album['id']}/photos/{a}", json={"position": -1}, headers=bearer(alice)
        ),
        400,
    )
    assert (
        await client.delete(f"/api/albums/{album['id']}/photos/{a}", headers=bearer(alice))
    ).status_code == 204
    assert await _ids(client, album["id"]) == [c, b]
    assert_problem(await client.delete(f"/api/albums/{album['id']}/photos/{a}", headers=bearer(alice)), 404)
    page = (await client.get(f"/api/albums/{album['id']}/photos", params={"limit": 1, "offset": 1})).json()
    assert ([p["id"] for p in page["items"]], page["total"]) == ([b], 2)


async def test_a_photo_in_many_albums_leaves_all_of_them_when_deleted(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    first, second = await _album(client, alice), await _album(client, alice)
    photo = await uploaded(client, alice)
    for album in (first, second):
        await client.put(f"/api/albums/{album['id']}/photos/{photo['id']}", headers=bearer(alice))
    cover = await client.patch(
        f"/api/albums/{first['id']}", json={"cover_photo_id": photo["id"]}, headers=bearer(alice)
    )
    assert cover.json()["cover_url"] == photo["url"]
    assert (await client.delete(f"/api/photos/{photo['id']}", headers=bearer(alice))).status_code == 204
    for album in (first, second):
        view = (await client.get(f"/api/albums/{album['id']}")).json()
        assert (view["photo_count"], view["cover_url"]) == (0, None)
        assert await _ids(client, album["id"]) == []


async def test_the_cover_must_be_in_the_album_and_null_removes_it(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    album = await _album(client, alice)
    photo = await uploaded(client, alice)
    assert_problem(
        await client.patch(
            f"/api/albums/{album['id']}", json={"cover_photo_id": photo["id"]}, headers=bearer(alice)
        ),
        400,
    )
    await client.put(f"/api/albums/{album['id']}/photos/{photo['id']}", headers=bearer(alice))
    await client.patch(
        f"/api/albums/{album['id']}", json={"cover_photo_id": photo["id"]}, headers=bearer(alice)
    )
    cleared = await client.patch(
        f"/api/albums/{album['id']}", json={"cover_photo_id": None}, headers=bearer(alice)
    )
    assert cleared.json()["cover_url"] is None


async def test_who_may_change_an_album_and_add_which_photo(client: Client) -> None:
    admin = (await member(client, "root"))["access_token"]
    alice = (await member(client, "alice"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    album = await _album(client, alice)
    bobs_photo = await uploaded(client, bob)
    alices_photo = await uploaded(client, alice)
    # Bob may not change Alice's album, nor add his photo to it; Alice may not add Bob's photo.
    assert_problem(
        await client.patch(f"/api/albums/{album['id']}", json={"title": "x"}, headers=bearer(bob)), 403
    )
    assert_problem(await client.delete(f"/api/albums/{album['id']}", headers=bearer(bob)), 403)
    assert_problem(
        await client.put(f"/api/albums/{album['id']}/photos/{bobs_photo['id']}", headers=bearer(bob)), 403
    )
    assert_problem(
        await client.put(f"/api/albums/{album['id']}/photos/{bobs_photo['id']}", headers=bearer(alice)), 403
    )
    await client.put(f"/api/albums/{album['id']}/photos/{alices_photo['id']}", headers=bearer(alice))
    assert_problem(
        await client.delete(f"/api/albums/{album['id']}/photos/{alices_photo['id']}", headers=bearer(bob)),
        403,
    )
    # Admins may do all of it.
    assert (
        await client.put(f"/api/albums/{album['id']}/photos/{bobs_photo['id']}", headers=bearer(admin))
    ).status_code == 204
    assert (
        await client.patch(f"/api/albums/{album['id']}", json={"title": "ok"}, headers=bearer(admin))
    ).status_code == 200
    assert_problem(
        await client.put(f"/api/albums/{album['id']}/photos/{uuid.uuid4()}", headers=bearer(alice)), 404
    )


async def test_an_album_shows_only_the_photos_the_viewer_may_see(client: Client) -> None:
    alice = (await member(client, "alice"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    album = await _album(client, alice)
    public = await uploaded(client, alice)
    unlisted = await uploaded(client, alice, visibility="unlisted")
    private = await uploaded(client, alice, visibility="private")
    for photo in (public, unlisted, private):
        await client.put(f"/api/albums/{album['id']}/photos/{photo['id']}", headers=bearer(alice))
    await client.patch(
        f"/api/albums/{album['id']}", json={"cover_photo_id": private["id"]}, headers=bearer(alice)
    )
    assert await _ids(client, album["id"]) == [public["id"], unlisted["id"]]
    assert await _ids(client, album["id"], bob) == [public["id"], unlisted["id"]]
    assert await _ids(client, album["id"], alice) == [public["id"], unlisted["id"], private["id"]]
    seen_by_anyone = (await client.get(f"/api/albums/{album['id']}")).json()
    assert (seen_by_anyone["photo_count"], seen_by_anyone["cover_url"]) == (2, None)
    seen_by_owner = (await client.get(f"/api/albums/{album['id']}", headers=bearer(alice))).json()
    assert seen_by_owner["photo_count"] == 3
    assert "signature=" in seen_by_owner["cover_url"]
    assert (await client.get(path_of(seen_by_owner["cover_url"]))).status_code == 200


async def test_a_private_album_is_404_for_others_and_lists_follow_visibility(client: Client) -> None:
    admin = (await member(client, "root"))["access_token"]
    alice = (await member(client, "alice"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    public = await _album(client, alice, title="open")
    unlisted = await _album(client, alice, title="by link", visibility="unlisted")
    private = await _album(client, alice, title="mine", visibility="private")
    assert_problem(await client.get(f"/api/albums/{private['id']}"), 404)
    assert_problem(await client.get(f"/api/albums/{private['id']}", headers=bearer(bob)), 404)
    assert_problem(await client.get(f"/api/albums/{private['id']}/photos", headers=bearer(bob)), 404)
    assert (await client.get(f"/api/albums/{private['id']}", headers=bearer(admin))).status_code == 200
    assert (await client.get(f"/api/albums/{unlisted['id']}")).status_code == 200
    for token in (None, bob):
        page = (await client.get("/api/users/alice/albums", headers=bearer(token) if token else {})).json()
        assert ([a["id"] for a in page["items"]], page["total"]) == ([public["id"]], 1)
    for token in (alice, admin):
        page = (await client.get("/api/users/alice/albums", headers=bearer(token))).json()
        assert [a["id"] for a in page["items"]] == [private["id"], unlisted["id"], public["id"]]
    assert_problem(await client.get("/api/users/nobody/albums"), 404)
    # Bob cannot change what he cannot see: 404, not 403.
    assert_problem(
        await client.patch(f"/api/albums/{private['id']}", json={"title": "x"}, headers=bearer(bob)), 404
    )
