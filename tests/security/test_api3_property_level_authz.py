"""OWASP API3:2023 Broken Object Property Level Authorization.

Covers mass assignment: every JSON body refuses fields it does not define (400, naming the
field) and applies nothing of a refused body, so `role`, `is_active`, `id`, `username`,
`owner`, counters and timestamps cannot be set through sign-up, `PATCH /api/users/me`, a
photo edit, a transformed link, a comment, a rating or a role change; an upload cannot name
its owner. Covers excessive data exposure: a `Profile` never carries an email, `Me` is only
ever the caller's own, people appear elsewhere only as `{username}`, and no answer carries a
password, its hash or token internals.

Out of scope: which objects a caller may reach at all (API1) and role-only rules (API5).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.accounts import (
    ME_FIELDS,
    PASSWORD,
    PROFILE_FIELDS,
    Client,
    assert_problem,
    bearer,
    signup,
)
from tests.integration.photo_helpers import upload
from tests.security.world import World, snapshot

EMAIL = re.compile(r"[A-Za-z0-9._-]+@example\.org")
SECRETS = ("password", "$2b$", "token_version", "password_hash")


async def test_patch_me_refuses_every_field_but_its_own_and_applies_nothing(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    headers = world.headers("alice")
    before = (await client.get("/api/users/me", headers=headers)).json()
    refused: dict[str, Any] = {
        "role": "admin",
        "is_active": False,
        "id": "00000000-0000-0000-0000-000000000001",
        "username": "mallory",
        "password": "new-password-123",
        "password_hash": "$2b$04$abcdefghijklmnopqrstuv",
        "created_at": "2000-01-01T00:00:00Z",
        "photo_count": 1000,
        "token_version": 0,
    }
    for name, value in refused.items():
        with subtests.test(msg=name):
            # Alongside a legitimate change: the whole body is refused, not just the bad field.
            response = await client.patch(
                "/api/users/me", json={"bio": "changed", name: value}, headers=headers
            )
            assert assert_problem(response, 400)["field"] == name
    assert (await client.get("/api/users/me", headers=headers)).json() == before


@pytest.mark.parametrize(
    "extra",
    [
        {"role": "admin"},
        {"role": "moderator"},
        {"is_active": False},
        {"id": "00000000-0000-0000-0000-000000000001"},
    ],
)
async def test_signup_refuses_role_and_status_and_creates_nothing(
    client: Client, extra: dict[str, Any]
) -> None:
    await signup(client, "first")  # the first account is the admin; this one would be a user
    body = {"username": "mallory", "email": "mallory@example.org", "password": PASSWORD} | extra
    response = await client.post("/api/auth/signup", json=body)
    assert assert_problem(response, 400)["field"] == next(iter(extra))
    assert_problem(await client.get("/api/users/mallory"), 404)
    login = await client.post("/api/auth/login", json={"username": "mallory", "password": PASSWORD})
    assert_problem(login, 401)


async def test_writes_to_photos_links_comments_ratings_and_roles_refuse_foreign_fields(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    before = await snapshot(client, world)
    attempts: list[tuple[str, str, str, dict[str, Any], str]] = [
        ("alice", "PUT", "/api/photos/{photo}", {"description": "x", "owner": {"username": "bob"}}, "owner"),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "x", "id": world.bobs_photo}, "id"),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "x", "url": "http://evil.example/"}, "url"),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "x", "rating": {"average": 5}}, "rating"),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "x", "comment_count": 0}, "comment_count"),
        (
            "alice",
            "PUT",
            "/api/photos/{photo}",
            {"description": "x", "created_at": "2000-01-01"},
            "created_at",
        ),
        (
            "alice",
            "POST",
            "/api/photos/{photo}/transformations",
            {"width": 9, "photo_id": world.bobs_photo},
            "photo_id",
        ),
        (
            "alice",
            "POST",
            "/api/photos/{photo}/transformations",
            {"width": 9, "slug": "chosen-slug-0001"},
            "slug",
        ),
        ("carol", "PUT", "/api/comments/{comment}", {"text": "x", "author": {"username": "bob"}}, "author"),
        ("carol", "PUT", "/api/comments/{comment}", {"text": "x", "photo_id": world.bobs_photo}, "photo_id"),
        ("carol", "PUT", "/api/comments/{comment}", {"text": "x", "created_at": "2000-01-01"}, "created_at"),
        (
            "carol",
            "POST",
            "/api/photos/{photo}/comments",
            {"text": "x", "author": {"username": "bob"}},
            "author",
        ),
        ("carol", "POST", "/api/photos/{photo}/ratings", {"value": 5, "user": {"username": "bob"}}, "user"),
        (
            "carol",
            "POST",
            "/api/photos/{photo}/ratings",
            {"value": 5, "photo_id": world.bobs_photo},
            "photo_id",
        ),
        ("admin", "PUT", "/api/users/bob/role", {"role": "moderator", "is_active": False}, "is_active"),
        ("admin", "PUT", "/api/users/bob/role", {"role": "moderator", "username": "robert"}, "username"),
    ]
    for who, method, template, body, field in attempts:
        with subtests.test(msg=f"{method} {template} with {field}"):
            response = await client.request(
                method, world.path(template), json=body, headers=world.headers(who)
            )
            assert assert_problem(response, 400)["field"] == field
    assert await snapshot(client, world) == before


async def test_an_upload_cannot_name_its_owner(client: Client, world: World) -> None:
    """Multipart fields other than file, description and tags are ignored: the owner is the caller."""
    response = await upload(client, world.tokens["alice"], form={"owner": "bob", "owner_id": "1"})
    assert response.status_code == 201
    assert response.json()["owner"] == {"username": "alice"}
    bobs = await client.get("/api/users/bob")
    assert bobs.json()["photo_count"] == 1  # only the one bob uploaded himself


async def test_me_is_always_the_callers_own(client: Client, world: World) -> None:
    for name in world.tokens:
        response = await client.get("/api/users/me", headers=world.headers(name))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == ME_FIELDS
        assert (body["username"], body["email"]) == (name, f"{name}@example.org")


async def test_no_answer_shows_anyones_email_or_secrets_outside_their_me(
    client: Client, world: World
) -> None:
    """Read everything there is, as everyone (and as nobody), and look for what must not be there."""
    paths = [
        "/api/photos",
        "/api/photos?sort=-rating",
        f"/api/photos/{world.photo}",
        f"/api/photos/{world.photo}/comments",
        f"/api/comments/{world.comment}",
        f"/api/photos/{world.photo}/ratings",
        f"/api/photos/{world.photo}/transformations",
        "/api/tags",
        *[f"/api/users/{name}" for name in world.tokens],
    ]
    seen = 0
    for who in (None, *world.tokens):
        for path in paths:
            response = await client.get(path, headers=world.headers(who))
            if response.status_code != 200:
                continue
            seen += 1
            assert not EMAIL.search(response.text), (who, path, response.text)
            assert not any(secret in response.text for secret in SECRETS), (who, path)
            if path.startswith("/api/users/"):
                assert set(response.json()) == PROFILE_FIELDS
    # People appear as usernames only: the owner of a photo, the author of a comment, a rater.
    photo = (await client.get(f"/api/photos/{world.photo}")).json()
    comment = (await client.get(f"/api/comments/{world.comment}")).json()
    ratings = (await client.get(f"/api/photos/{world.photo}/ratings", headers=world.headers("mod"))).json()
    assert photo["owner"] == {"username": "alice"}
    assert comment["author"] == {"username": "carol"}
    assert [entry["user"] for entry in ratings] == [{"username": "bob"}]
    assert seen >= len(paths)


async def test_tokens_and_me_never_carry_the_password_or_its_hash(client: Client) -> None:
    created = await client.post(
        "/api/auth/signup", json={"username": "alice", "email": "alice@example.org", "password": PASSWORD}
    )
    tokens = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    me = await client.get("/api/users/me", headers=bearer(tokens.json()["access_token"]))
    for response in (created, tokens, me):
        assert PASSWORD not in response.text
        assert not any(secret in response.text for secret in SECRETS)
    assert set(tokens.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
