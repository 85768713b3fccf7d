"""Visibility of photos through HTTP: public, unlisted and private, in every read."""

from __future__ import annotations

from typing import Any

from photoshare.config import Settings
from tests.integration.accounts import Client, bearer, member
from tests.integration.jobs import drain
from tests.integration.photo_helpers import linked, opened, path_of, uploaded


async def _world(client: Client) -> dict[str, Any]:
    admin = (await member(client, "root"))["access_token"]
    alice = (await member(client, "alice"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    photos = {
        v: await uploaded(client, alice, description=f"{v} sunset", tags=f"{v}tag,shared", visibility=v)
        for v in ("public", "unlisted", "private")
    }
    return {"admin": admin, "alice": alice, "bob": bob, "photos": photos}


async def test_visibility_is_set_at_upload_and_shown(client: Client) -> None:
    world = await _world(client)
    assert {v: p["visibility"] for v, p in world["photos"].items()} == {
        "public": "public",
        "unlisted": "unlisted",
        "private": "private",
    }
    default = await uploaded(client, world["bob"])
    assert default["visibility"] == "public"


async def test_an_unknown_visibility_is_400(client: Client) -> None:
    token = (await member(client, "carol"))["access_token"]
    response = await client.post(
        "/api/photos",
        files={"file": ("a.png", b"x", "image/png")},
        data={"visibility": "secret"},
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "visibility"


async def test_a_private_photo_is_404_for_everyone_but_owner_and_admin(client: Client) -> None:
    world = await _world(client)
    private = world["photos"]["private"]["id"]
    assert (await client.get(f"/api/photos/{private}")).status_code == 404
    assert (await client.get(f"/api/photos/{private}", headers=bearer(world["bob"]))).status_code == 404
    assert (await client.get(f"/api/photos/{private}", headers=bearer(world["alice"]))).status_code == 200
    assert (await client.get(f"/api/photos/{private}", headers=bearer(world["admin"]))).status_code == 200
    unlisted = world["photos"]["unlisted"]["id"]
    assert (await client.get(f"/api/photos/{unlisted}")).status_code == 200


async def test_lists_search_and_counts_show_public_photos_only(client: Client) -> None:
    world = await _world(client)
    public = world["photos"]["public"]["id"]
    for token in (None, world["alice"], world["admin"]):
        headers = bearer(token) if token else {}
        page = (await client.get("/api/photos", headers=headers)).json()
        assert [p["id"] for p in page["items"]] == [public]
        assert page["total"] == 1
        found = (await client.get("/api/photos", params={"q": "sunset"}, headers=headers)).json()
        assert [p["id"] for p in found["items"]] == [public]
        assert found["total"] == 1
    for tag, expected in (("shared", 1), ("privatetag", 0), ("unlistedtag", 0)):
        page = (await client.get("/api/photos", params={"tag": tag})).json()
        assert page["total"] == expected, tag
    tags = (await client.get("/api/tags")).json()
    assert {t["name"]: t["photo_count"] for t in tags["items"]} == {"publictag": 1, "shared": 1}
    assert tags["total"] == 2
    profile = (await client.get("/api/users/alice")).json()
    assert profile["photo_count"] == 1
    me = (await client.get("/api/users/me", headers=bearer(world["alice"]))).json()
    assert me["photo_count"] == 3


async def test_changing_visibility_moves_a_photo_in_and_out_of_lists(client: Client) -> None:
    world = await _world(client)
    private = world["photos"]["private"]
    response = await client.put(
        f"/api/photos/{private['id']}",
        json={"description": "now public", "visibility": "public"},
        headers=bearer(world["alice"]),
    )
    assert response.status_code == 200
    assert response.json()["visibility"] == "public"
    page = (await client.get("/api/photos")).json()
    assert page["total"] == 2
    assert private["id"] in {p["id"] for p in page["items"]}
    await client.put(
        f"/api/photos/{private['id']}",
        json={"description": "hidden again", "visibility": "private"},
        headers=bearer(world["alice"]),
    )
    assert (await client.get("/api/photos")).json()["total"] == 1
    bad = await client.put(
        f"/api/photos/{private['id']}",
        json={"description": "x", "visibility": "nope"},
        headers=bearer(world["alice"]),
    )
    assert bad.status_code == 400


async def test_comments_and_ratings_of_a_private_photo_are_as_hidden_as_it(client: Client) -> None:
    world = await _world(client)
    private = world["photos"]["private"]["id"]
    comment = await client.post(
        f"/api/photos/{private}/comments", json={"text": "mine"}, headers=bearer(world["admin"])
    )
    assert comment.status_code == 201
    comment_id = comment.json()["id"]
    assert (await client.get(f"/api/photos/{private}/comments")).status_code == 404
    assert (await client.get(f"/api/comments/{comment_id}")).status_code == 404
    bob = bearer(world["bob"])
    assert (await client.get(f"/api/photos/{private}/comments", headers=bob)).status_code == 404
    assert (
        await client.post(f"/api/photos/{private}/comments", json={"text": "hi"}, headers=bob)
    ).status_code == 404
    assert (
        await client.post(f"/api/photos/{private}/ratings", json={"value": 5}, headers=bob)
    ).status_code == 404
    assert (
        await client.get(f"/api/photos/{private}/comments", headers=bearer(world["alice"]))
    ).status_code == 200
    assert (
        await client.get(f"/api/photos/{private}/ratings", headers=bearer(world["admin"]))
    ).status_code == 200
    # A moderator is not an admin: a private photo stays unknown to them.
    await client.put("/api/users/bob/role", json={"role": "moderator"}, headers=bearer(world["admin"]))
    assert (await client.get(f"/api/photos/{private}/ratings", headers=bob)).status_code == 404
    assert (await client.delete(f"/api/comments/{comment_id}", headers=bob)).status_code == 404
    assert (
        await client.get(f"/api/comments/{comment_id}", headers=bearer(world["alice"]))
    ).status_code == 200


async def test_others_cannot_edit_or_delete_a_private_photo_they_cannot_see(client: Client) -> None:
    world = await _world(client)
    private = world["photos"]["private"]["id"]
    bob = bearer(world["bob"])
    assert (
        await client.put(f"/api/photos/{private}", json={"description": "x"}, headers=bob)
    ).status_code == 404
    assert (await client.delete(f"/api/photos/{private}", headers=bob)).status_code == 404
    unlisted = world["photos"]["unlisted"]["id"]
    assert (await client.delete(f"/api/photos/{unlisted}", headers=bob)).status_code == 403


async def test_images_of_hidden_photos_need_a_valid_signature(client: Client) -> None:
    world = await _world(client)
    public = world["photos"]["public"]["url"]
    assert "signature=" not in public
    assert (await client.get(path_of(public))).status_code == 200
    for visibility in ("unlisted", "private"):
        url = world["photos"][visibility]["url"]
        assert "expires=" in url
        assert "signature=" in url
        signed = await client.get(path_of(url))
        assert signed.status_code == 200
        assert signed.headers["cache-control"].startswith("private")
        unsigned = path_of(url).split("?")[0]
        assert (await client.get(unsigned)).status_code == 404


async def test_variants_of_hidden_photos_are_signed_like_their_originals(
    client: Client, settings: Settings
) -> None:
    world = await _world(client)
    await drain(settings)
    for visibility in ("public", "unlisted", "private"):
        photo = world["photos"][visibility]
        variants = (await client.get(f"/api/photos/{photo['id']}", headers=bearer(world["alice"]))).json()[
            "variants"
        ]
        assert {v["name"] for v in variants} >= {"thumb"}
        for variant in variants:
            url = variant["url"]
            got = await client.get(path_of(url))
            assert got.status_code == 200, (visibility, url)
            if visibility == "public":
                assert "signature=" not in url
                continue
            assert "expires=" in url
            assert "signature=" in url
            assert got.headers["cache-control"].startswith("private")
            assert (await client.get(path_of(url).split("?")[0])).status_code == 404
            # The original's signature is not the variant's.
            original_query = photo["url"].split("?", 1)[1]
            assert (await client.get(path_of(url).split("?")[0] + "?" + original_query)).status_code == 403


async def test_a_transformed_link_of_a_private_photo_keeps_working(client: Client) -> None:
    world = await _world(client)
    private = world["photos"]["private"]
    link = await linked(client, world["alice"], private["id"], width=20, crop="fill")
    assert "signature=" in link["url"]
    redirect = await client.get(f"/t/{link['slug']}", follow_redirects=False)
    assert redirect.status_code == 302
    image = await client.get(path_of(redirect.headers["location"]))
    assert image.status_code == 200
    assert opened(image.content).width == 20
    assert (await client.get(path_of(redirect.headers["location"]).split("?")[0])).status_code == 404
