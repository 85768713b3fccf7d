"""OWASP API5:2023 Broken Function Level Authorization.

Covers: every admin function (change a role, ban, unban) refused to users and moderators (403)
and to anonymous callers (401); every moderator function (list and delete a photo's ratings,
delete a comment, filter photos by uploader) refused to users (403) and anonymous callers
(401, or 403 for the public list's `owner` filter); roles are read from the account on every
request, so a promotion or a demotion takes effect at once on tokens already issued; and no
method-override header turns a permitted method into a forbidden one.

Out of scope: rules that depend on who owns an object (API1).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.accounts import Client, assert_problem
from tests.integration.engagement import promote
from tests.security.world import World, snapshot

ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("PUT", "/api/users/carol/role", {"role": "moderator"}),
    ("PUT", "/api/users/mod/role", {"role": "user"}),
    ("POST", "/api/users/carol/ban", None),
    ("POST", "/api/users/carol/unban", None),
]
STAFF_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/photos/{photo}/ratings", None),
    ("DELETE", "/api/photos/{photo}/ratings/bob", None),
    ("DELETE", "/api/comments/{comment}", None),
]


async def test_admin_functions_are_refused_to_everyone_but_admins(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    before = await snapshot(client, world)
    for method, path, body in ADMIN_ROUTES:
        for who, status in (("carol", 403), ("mod", 403), (None, 401)):
            with subtests.test(msg=f"{who or 'anonymous'} {method} {path}"):
                response = await client.request(method, path, json=body, headers=world.headers(who))
                assert_problem(response, status)
    assert await snapshot(client, world) == before
    for method, path, body in ADMIN_ROUTES:  # the control: an admin may
        response = await client.request(method, path, json=body, headers=world.headers("admin"))
        assert response.status_code == 200, response.text


async def test_moderator_functions_are_refused_to_users_and_anonymous_callers(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    before = await snapshot(client, world)
    for method, template, body in STAFF_ROUTES:
        for who, status in (("alice", 403), ("bob", 403), ("carol", 403), (None, 401)):
            with subtests.test(msg=f"{who or 'anonymous'} {method} {template}"):
                response = await client.request(
                    method, world.path(template), json=body, headers=world.headers(who)
                )
                assert_problem(response, status)
    assert await snapshot(client, world) == before
    for method, template, body in STAFF_ROUTES:  # the control: a moderator may
        response = await client.request(method, world.path(template), json=body, headers=world.headers("mod"))
        assert response.status_code in (200, 204), response.text


async def test_filtering_photos_by_uploader_is_for_staff_only(client: Client, world: World) -> None:
    for who, status in (("alice", 403), ("bob", 403), (None, 403)):
        response = await client.get("/api/photos?owner=alice", headers=world.headers(who))
        assert_problem(response, status)
    for who in ("mod", "admin"):
        response = await client.get("/api/photos?owner=alice", headers=world.headers(who))
        assert response.status_code == 200
        assert [p["id"] for p in response.json()["items"]] == [world.photo]


async def test_a_role_change_applies_at_once_to_tokens_already_issued(client: Client, world: World) -> None:
    ratings = world.path("/api/photos/{photo}/ratings")
    assert_problem(await client.get(ratings, headers=world.headers("carol")), 403)
    await promote(client, world.tokens["admin"], "carol", "moderator")
    assert (await client.get(ratings, headers=world.headers("carol"))).status_code == 200
    await promote(client, world.tokens["admin"], "carol", "user")
    assert_problem(await client.get(ratings, headers=world.headers("carol")), 403)
    # A moderator promoted to admin gains the admin functions with the same token.
    await promote(client, world.tokens["admin"], "mod", "admin")
    response = await client.post("/api/users/carol/ban", headers=world.headers("mod"))
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"])
async def test_method_override_headers_change_nothing(client: Client, world: World, header: str) -> None:
    # GET on a comment is public; with an override it must still be a GET, not a DELETE.
    response = await client.get(world.path("/api/comments/{comment}"), headers={header: "DELETE"})
    assert response.status_code == 200
    response = await client.post(
        world.path("/api/comments/{comment}"), headers=world.headers("carol") | {header: "DELETE"}
    )
    assert_problem(response, 405)
    assert (await client.get(world.path("/api/comments/{comment}"))).status_code == 200
