"""Reads the web client needs beyond the contract: a user's photos, your own rating of a photo,
the admins' user list and the albums holding a photo, through the real app."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import uploaded


@pytest.fixture
async def root(client: Client) -> dict[str, Any]:
    """The first account: the admin."""
    return await member(client, "root")


@pytest.fixture
async def alice(client: Client, root: dict[str, Any]) -> dict[str, Any]:
    return await member(client, "alice")


@pytest.fixture
async def bob(client: Client, root: dict[str, Any]) -> dict[str, Any]:
    return await member(client, "bob")


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


# --- GET /api/users/{username}/photos ----------------------------------------------------------


async def test_a_users_photos_show_only_what_the_viewer_may_see(
    client: Client, root: dict[str, Any], alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    token = alice["access_token"]
    public = await uploaded(client, token, description="public one")
    unlisted = await uploaded(client, token, description="unlisted one", visibility="unlisted")
    private = await uploaded(client, token, description="private one", visibility="private")
    await uploaded(client, bob["access_token"], description="not alice's")
    newest_first = [private["id"], unlisted["id"], public["id"]]

    assert _ids(await client.get("/api/users/alice/photos")) == [public["id"]]
    assert _ids(await client.get("/api/users/ALICE/photos", headers=bearer(bob["access_token"]))) == [
        public["id"]
    ]
    assert _ids(await client.get("/api/users/alice/photos", headers=bearer(token))) == newest_first
    assert (
        _ids(await client.get("/api/users/alice/photos", headers=bearer(root["access_token"])))
        == newest_first
    )


async def test_a_users_photos_are_paged(client: Client, alice: dict[str, Any]) -> None:
    made = [(await uploaded(client, alice["access_token"], description=f"n{i}"))["id"] for i in range(3)]
    response = await client.get("/api/users/alice/photos", params={"limit": 2, "offset": 1})
    assert _ids(response) == [made[1], made[0]]
    assert response.json()["total"] == 3
    assert response.json()["limit"] == 2
    assert response.json()["offset"] == 1
    assert_problem(await client.get("/api/users/alice/photos", params={"limit": 101}), 400)


async def test_photos_of_an_unknown_user_are_404(client: Client) -> None:
    assert_problem(await client.get("/api/users/nobody/photos"), 404)


# --- GET /api/photos/{id}/ratings/me -----------------------------------------------------------


async def test_your_own_rating_is_null_until_you_rate(
    client: Client, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    photo = await uploaded(client, alice["access_token"])
    path = f"/api/photos/{photo['id']}/ratings/me"
    before = await client.get(path, headers=bearer(bob["access_token"]))
    assert before.status_code == 200
    assert before.json() == {"photo_id": photo["id"], "value": None, "created_at": None}
    rated = await client.post(
        f"/api/photos/{photo['id']}/ratings", json={"value": 4}, headers=bearer(bob["access_token"])
    )
    assert rated.status_code == 201
    after = (await client.get(path, headers=bearer(bob["access_token"]))).json()
    assert after["value"] == 4
    assert after["created_at"] == rated.json()["created_at"]
    # Someone else's rating is not yours.
    assert (await client.get(path, headers=bearer(alice["access_token"]))).json()["value"] is None


async def test_your_rating_needs_a_token_and_a_photo_you_may_see(
    client: Client, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    private = await uploaded(client, alice["access_token"], visibility="private")
    assert_problem(await client.get(f"/api/photos/{private['id']}/ratings/me"), 401)
    assert_problem(
        await client.get(f"/api/photos/{private['id']}/ratings/me", headers=bearer(bob["access_token"])), 404
    )


# --- GET /api/users (admins) -------------------------------------------------------------------


async def test_admins_list_users_filtered_by_role_banned_and_name(
    client: Client, root: dict[str, Any], alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    admin = bearer(root["access_token"])
    await member(client, "alfred")
    assert (
        await client.put("/api/users/bob/role", json={"role": "moderator"}, headers=admin)
    ).status_code == 200
    assert (await client.post("/api/users/alice/ban", headers=admin)).status_code == 200

    everyone = await client.get("/api/users", headers=admin)
    assert everyone.status_code == 200
    body = everyone.json()
    assert [u["username"] for u in body["items"]] == ["alfred", "alice", "bob", "root"]
    assert body["total"] == 4
    assert body["items"][1]["email"] == "alice@example.org"
    assert body["items"][1]["is_active"] is False

    def names(**params: Any) -> Any:
        return client.get("/api/users", params=params, headers=admin)

    assert [u["username"] for u in (await names(role="moderator")).json()["items"]] == ["bob"]
    assert [u["username"] for u in (await names(banned="true")).json()["items"]] == ["alice"]
    assert [u["username"] for u in (await names(banned="false", q="AL")).json()["items"]] == ["alfred"]
    assert [u["username"] for u in (await names(q="%")).json()["items"]] == []
    paged = (await names(limit=1, offset=1)).json()
    assert [u["username"] for u in paged["items"]] == ["alice"]
    assert paged["total"] == 4
    assert_problem(await names(role="superuser"), 400)


async def test_only_admins_list_users(client: Client, root: dict[str, Any], bob: dict[str, Any]) -> None:
    assert_problem(await client.get("/api/users"), 401)
    assert_problem(await client.get("/api/users", headers=bearer(bob["access_token"])), 403)


# --- GET /api/photos/{id}/albums ---------------------------------------------------------------


async def _album_holding(
    client: Client, token: str, photo_id: str, title: str, visibility: str, placer: str | None = None
) -> str:
    """An album of `token`'s holding the photo, put there by `placer` (the owner by default)."""
    made = await client.post(
        "/api/albums", json={"title": title, "visibility": visibility}, headers=bearer(token)
    )
    assert made.status_code == 201, made.text
    album_id: str = made.json()["id"]
    put = await client.put(f"/api/albums/{album_id}/photos/{photo_id}", headers=bearer(placer or token))
    assert put.status_code == 204, put.text
    return album_id


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [a["title"] for a in response.json()["items"]]


async def test_a_photos_albums_show_only_those_the_viewer_may_see(
    client: Client, root: dict[str, Any], alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    a, b = alice["access_token"], bob["access_token"]
    photo = (await uploaded(client, a, description="in many albums"))["id"]
    for title, visibility in (("a-pub", "public"), ("a-unl", "unlisted"), ("a-priv", "private")):
        await _album_holding(client, a, photo, title, visibility)
    other = await client.post("/api/albums", json={"title": "a-other"}, headers=bearer(a))
    assert other.status_code == 201  # public, but without the photo
    # Only an admin puts someone else's photo in an album: bob's albums hold alice's photo.
    for title, visibility in (("b-pub", "public"), ("b-priv", "private")):
        await _album_holding(client, b, photo, title, visibility, placer=root["access_token"])
    path = f"/api/photos/{photo}/albums"

    # Newest first; public albums for everyone, your own too, admins all; others' unlisted never.
    assert _titles(await client.get(path)) == ["b-pub", "a-pub"]
    assert _titles(await client.get(path, headers=bearer(b))) == ["b-priv", "b-pub", "a-pub"]
    assert _titles(await client.get(path, headers=bearer(a))) == ["b-pub", "a-priv", "a-unl", "a-pub"]
    everything = await client.get(path, headers=bearer(root["access_token"]))
    assert _titles(everything) == ["b-priv", "b-pub", "a-priv", "a-unl", "a-pub"]
    # The same `Album` as GET /api/albums/{id} answers that viewer.
    first = everything.json()["items"][0]
    assert (
        first == (await client.get(f"/api/albums/{first['id']}", headers=bearer(root["access_token"]))).json()
    )

    paged = await client.get(path, params={"limit": 2, "offset": 1}, headers=bearer(root["access_token"]))
    assert _titles(paged) == ["b-pub", "a-priv"]
    assert (paged.json()["total"], paged.json()["limit"], paged.json()["offset"]) == (5, 2, 1)
    assert_problem(await client.get(path, params={"limit": 0}), 400)


async def test_a_photos_albums_are_404_for_whoever_may_not_see_the_photo(
    client: Client, root: dict[str, Any], alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    a = alice["access_token"]
    private = (await uploaded(client, a, visibility="private"))["id"]
    await _album_holding(client, a, private, "public album, private photo", "public")
    path = f"/api/photos/{private}/albums"
    assert_problem(await client.get(path), 404)
    assert_problem(await client.get(path, headers=bearer(bob["access_token"])), 404)
    assert _titles(await client.get(path, headers=bearer(a))) == ["public album, private photo"]
    assert _titles(await client.get(path, headers=bearer(root["access_token"]))) == [
        "public album, private photo"
    ]
    assert_problem(await client.get(f"/api/photos/{uuid.uuid4()}/albums"), 404)
    assert_problem(await client.get(path, headers=bearer("not-a-token")), 401)
    # A photo in no album is an empty page, not a 404.
    alone = (await uploaded(client, a))["id"]
    empty = await client.get(f"/api/photos/{alone}/albums")
    assert empty.status_code == 200
    assert empty.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
