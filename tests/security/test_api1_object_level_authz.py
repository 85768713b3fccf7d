"""OWASP API1:2023 Broken Object Level Authorization.

Covers: every route that takes the id of an object someone owns (photos, their transformed
links, comments, ratings, user accounts) refuses the wrong caller: another user, a moderator
where the rule is "owner or admin", the object's owner where the rule is "moderator", and an
anonymous caller; ids of one owner's objects cannot be reached through another owner's path.
Every refused attempt is checked to have changed nothing, and the allowed callers are shown to
succeed, so the refusals come from the object's ownership and not from a broken route.

Out of scope: role-only rules that do not depend on the object (API5), which fields of an
object a caller may see or set (API3), and guessing ids (ids are random UUIDs, slugs carry
96 random bits; the public reads by id are public by contract).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.accounts import Client, assert_problem
from tests.security.world import World, snapshot

# (who, method, path, JSON body, expected status). `None` is an anonymous caller.
ATTEMPTS: list[tuple[str | None, str, str, dict[str, Any] | None, int]] = [
    # A photo: its owner or an admin.
    *[(who, "PUT", "/api/photos/{photo}", {"description": "mine now"}, 403) for who in ("bob", "mod")],
    (None, "PUT", "/api/photos/{photo}", {"description": "mine now"}, 401),
    *[(who, "DELETE", "/api/photos/{photo}", None, 403) for who in ("bob", "carol", "mod")],
    (None, "DELETE", "/api/photos/{photo}", None, 401),
    # Its transformed links: the photo's owner or an admin.
    *[(who, "GET", "/api/photos/{photo}/transformations", None, 403) for who in ("bob", "mod")],
    (None, "GET", "/api/photos/{photo}/transformations", None, 401),
    *[(who, "POST", "/api/photos/{photo}/transformations", {"width": 9}, 403) for who in ("bob", "mod")],
    (None, "POST", "/api/photos/{photo}/transformations", {"width": 9}, 401),
    *[(who, "DELETE", "/api/photos/{photo}/transformations/{link}", None, 403) for who in ("bob", "mod")],
    (None, "DELETE", "/api/photos/{photo}/transformations/{link}", None, 401),
    # Bob owns his photo, but alice's link is not one of its links.
    ("bob", "DELETE", "/api/photos/{bobs_photo}/transformations/{link}", None, 404),
    # A comment: only its author edits it (not the photo's owner, not staff).
    *[
        (who, "PUT", "/api/comments/{comment}", {"text": "edited by someone else"}, 403)
        for who in ("alice", "bob", "mod", "admin")
    ],
    (None, "PUT", "/api/comments/{comment}", {"text": "edited by someone else"}, 401),
    # ... and only staff delete it: not its author, not the photo's owner.
    *[(who, "DELETE", "/api/comments/{comment}", None, 403) for who in ("carol", "alice")],
    (None, "DELETE", "/api/comments/{comment}", None, 401),
    # Ratings of a photo: staff only, not the photo's owner nor the rater.
    *[(who, "GET", "/api/photos/{photo}/ratings", None, 403) for who in ("alice", "bob")],
    (None, "GET", "/api/photos/{photo}/ratings", None, 401),
    *[(who, "DELETE", "/api/photos/{photo}/ratings/bob", None, 403) for who in ("alice", "bob")],
    (None, "DELETE", "/api/photos/{photo}/ratings/bob", None, 401),
    # Accounts: nobody but an admin changes one, not even its own holder.
    *[
        (who, "PUT", f"/api/users/{target}/role", {"role": "admin"}, 403)
        for who in ("alice", "bob", "mod")
        for target in ("alice", "bob", "mod")
    ],
    (None, "PUT", "/api/users/bob/role", {"role": "admin"}, 401),
    *[
        (who, "POST", f"/api/users/{target}/{action}", None, 403)
        for who in ("alice", "mod")
        for target in ("bob", "admin")
        for action in ("ban", "unban")
    ],
    *[(None, "POST", f"/api/users/bob/{action}", None, 401) for action in ("ban", "unban")],
]


async def test_no_caller_reaches_an_object_that_is_not_theirs(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    before = await snapshot(client, world)
    for who, method, template, body, status in ATTEMPTS:
        path = world.path(template)
        with subtests.test(msg=f"{who or 'anonymous'} {method} {template}"):
            response = await client.request(method, path, json=body, headers=world.headers(who))
            assert_problem(response, status)
    assert await snapshot(client, world) == before


async def test_a_photos_links_list_shows_only_that_photos_links(client: Client, world: World) -> None:
    response = await client.get(
        world.path("/api/photos/{bobs_photo}/transformations"), headers=world.headers("bob")
    )
    assert response.status_code == 200
    assert [link["id"] for link in response.json()] == [world.bobs_link]


async def test_the_allowed_callers_succeed_on_the_same_objects(client: Client, world: World) -> None:
    """The control group: the same requests by the people the rules allow."""
    allowed: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
        ("alice", "PUT", "/api/photos/{photo}", {"description": "by its owner"}, 200),
        ("admin", "PUT", "/api/photos/{photo}", {"description": "by an admin"}, 200),
        ("alice", "GET", "/api/photos/{photo}/transformations", None, 200),
        ("admin", "POST", "/api/photos/{photo}/transformations", {"width": 9}, 201),
        ("carol", "PUT", "/api/comments/{comment}", {"text": "edited by its author"}, 200),
        ("mod", "GET", "/api/photos/{photo}/ratings", None, 200),
        ("mod", "DELETE", "/api/photos/{photo}/ratings/bob", None, 204),
        ("mod", "DELETE", "/api/comments/{comment}", None, 204),
        ("alice", "DELETE", "/api/photos/{photo}/transformations/{link}", None, 204),
        ("admin", "PUT", "/api/users/bob/role", {"role": "moderator"}, 200),
        ("admin", "POST", "/api/users/carol/ban", None, 200),
        ("admin", "POST", "/api/users/carol/unban", None, 200),
        ("admin", "DELETE", "/api/photos/{bobs_photo}", None, 204),
        ("alice", "DELETE", "/api/photos/{photo}", None, 204),
    ]
    for who, method, template, body, status in allowed:
        response = await client.request(method, world.path(template), json=body, headers=world.headers(who))
        assert response.status_code == status, f"{who} {method} {template}: {response.text}"
