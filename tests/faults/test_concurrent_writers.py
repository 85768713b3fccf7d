"""Many writers at once keep every counter exact.

Ratings by many users, and uploads that create the same new tags, are raced in
tests/integration (test_ratings_api, test_tags_api). Here: many comments at once (the photo's
and each author's counter), all kinds of writers on one photo at once (ratings, comments,
comment deletions, a retag, uploads sharing its tags), and comments racing the photo's deletion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import anyio
import httpx

from tests.integration.accounts import bearer, member
from tests.integration.engagement import cast, small_jpeg

Client = httpx.AsyncClient
T = TypeVar("T")


def mean(values: list[int]) -> float:
    """The stored average: the exact mean rounded half up to two decimals."""
    exact = Decimal(sum(values)) / Decimal(len(values))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


async def all_at_once(*requests: Awaitable[T]) -> list[T]:
    """Start every request before any answers (they overlap through the ASGI transport)."""
    responses: list[T | None] = [None] * len(requests)

    async def run(i: int) -> None:
        responses[i] = await requests[i]

    async with anyio.create_task_group() as group:
        for i in range(len(requests)):
            group.start_soon(run, i)
    return [r for r in responses if r is not None]


async def users(client: Client, prefix: str, n: int) -> dict[str, str]:
    names = [f"{prefix}{i}" for i in range(n)]
    tokens = await all_at_once(*(member(client, name) for name in names))
    return {name: t["access_token"] for name, t in zip(names, tokens, strict=True)}


async def upload(client: Client, token: str, tags: list[str] | None = None) -> httpx.Response:
    return await client.post(
        "/api/photos",
        files={"file": ("a.jpg", small_jpeg(), "image/jpeg")},
        data={"tags": tags or []},
        headers=bearer(token),
    )


async def comment(client: Client, token: str, photo_id: str, text: str) -> httpx.Response:
    return await client.post(f"/api/photos/{photo_id}/comments", json={"text": text}, headers=bearer(token))


async def get(client: Client, path: str, token: str | None = None) -> Any:
    response = await client.get(path, headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    return response.json()


async def comment_counts(client: Client, names: list[str]) -> dict[str, int]:
    return {name: (await get(client, f"/api/users/{name}"))["comment_count"] for name in names}


async def test_thirty_comments_at_once_count_exactly_on_the_photo_and_on_each_author(
    concurrent_client: Client,
) -> None:
    client = concurrent_client
    tokens = await cast(client)
    photo_id = (await upload(client, tokens["alice"])).json()["id"]
    authors = await users(client, "author", 12)
    # Authors write 1, 2 or 3 comments each, all at the same moment: 24 in all, plus 6 by the owner.
    plan = [name for i, name in enumerate(authors) for _ in range(i % 3 + 1)] + ["alice"] * 6
    tokens |= authors
    assert len(plan) == 30

    responses = await all_at_once(
        *(comment(client, tokens[a], photo_id, f"#{n} by {a}") for n, a in enumerate(plan))
    )

    assert [r.status_code for r in responses] == [201] * 30, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.json()["id"] for r in responses}) == 30
    assert (await get(client, f"/api/photos/{photo_id}"))["comment_count"] == 30
    assert (await get(client, f"/api/photos/{photo_id}/comments", None))["total"] == 30
    assert await comment_counts(client, [*authors, "alice"]) == dict(Counter(plan))


async def test_every_kind_of_writer_on_one_photo_at_once_leaves_exact_counters(
    concurrent_client: Client,
) -> None:
    client = concurrent_client
    tokens = await cast(client)
    photo_id = (await upload(client, tokens["alice"], ["old"])).json()["id"]
    early = [(await comment(client, tokens["carol"], photo_id, f"early {i}")).json()["id"] for i in range(6)]
    crowd = await users(client, "writer", 20)
    values = {name: i % 5 + 1 for i, name in enumerate(crowd)}

    writes = [
        *(  # 20 ratings
            client.post(f"/api/photos/{photo_id}/ratings", json={"value": v}, headers=bearer(crowd[name]))
            for name, v in values.items()
        ),
        *(
            comment(client, token, photo_id, f"hello from {name}") for name, token in crowd.items()
        ),  # 20 comments
        *(
            client.delete(f"/api/comments/{cid}", headers=bearer(tokens["mod"])) for cid in early
        ),  # 6 deletions
        client.put(  # the owner retags: "old" goes, "shared" and "solo" come
            f"/api/photos/{photo_id}",
            json={"description": "retagged", "tags": ["shared", "solo"]},
            headers=bearer(tokens["alice"]),
        ),
        *(upload(client, tokens["bob"], ["shared", f"new{i % 2}"]) for i in range(6)),  # 6 uploads
    ]
    responses = await all_at_once(*writes)

    expected = [201] * 40 + [204] * 6 + [200] + [201] * 6
    assert [r.status_code for r in responses] == expected, [r.text for r in responses if r.status_code >= 300]
    photo = await get(client, f"/api/photos/{photo_id}")
    assert photo["rating"] == {"average": mean(list(values.values())), "count": 20}
    assert photo["comment_count"] == 20
    assert (await get(client, f"/api/photos/{photo_id}/comments"))["total"] == 20
    listed = await get(client, f"/api/photos/{photo_id}/ratings", tokens["mod"])
    assert sorted(e["value"] for e in listed) == sorted(values.values())
    assert await comment_counts(client, [*crowd, "carol"]) == {**dict.fromkeys(crowd, 1), "carol": 0}
    tags = {t["name"]: t["photo_count"] for t in (await get(client, "/api/tags"))["items"]}
    assert {name: n for name, n in tags.items() if n} == {"shared": 7, "solo": 1, "new0": 3, "new1": 3}
    assert (await get(client, "/api/users/bob"))["photo_count"] == 6


async def test_comments_racing_the_photos_deletion_leave_no_count_behind(concurrent_client: Client) -> None:
    client = concurrent_client
    tokens = await cast(client)
    photo_id = (await upload(client, tokens["alice"])).json()["id"]
    crowd = await users(client, "racer", 20)
    for token in list(crowd.values())[:5]:  # some were there before the race began
        assert (await comment(client, token, photo_id, "first")).status_code == 201

    responses = await all_at_once(
        *(comment(client, token, photo_id, "racing") for token in crowd.values()),
        client.delete(f"/api/photos/{photo_id}", headers=bearer(tokens["alice"])),
    )

    *comments, deletion = responses
    assert deletion.status_code == 204
    assert {r.status_code for r in comments} <= {201, 404}  # before the deletion, or after it
    assert (await client.get(f"/api/photos/{photo_id}")).status_code == 404
    # Every comment went with the photo, and so did its count on its author's profile.
    assert await comment_counts(client, list(crowd)) == dict.fromkeys(crowd, 0)
    assert (await get(client, "/api/users/alice"))["photo_count"] == 0
