"""Tags are service-wide: reused by name, normalised, found by prefix, and shared safely under races."""

from __future__ import annotations

import asyncio
import random
from typing import Any, cast

import httpx
import pytest
from litestar import Litestar

from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import BASE, upload, uploaded


@pytest.fixture
async def token(client: Client) -> str:
    return str((await member(client, "alice"))["access_token"])


async def tag_page(client: Client, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/tags", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_tag_is_reused_by_name_across_photos(client: Client, token: str) -> None:
    await uploaded(client, token, tags="Sea, sun")
    await uploaded(client, token, tags=["  SEA "])

    page = await tag_page(client)

    assert page == {
        "items": [{"name": "sea", "photo_count": 2}, {"name": "sun", "photo_count": 1}],
        "total": 2,
        "limit": 20,
        "offset": 0,
    }


async def test_q_matches_by_prefix_case_insensitively(client: Client, token: str) -> None:
    await uploaded(client, token, tags="sea, seal, sun")
    await uploaded(client, token, tags="beach, 100%, a_b")

    assert_problem(await upload(client, token, form={"tags": "a,b,c,d,e,f"}), 400)  # nothing created
    names = {}
    for q in ("se", "SE", " su", "ea", "f", "100%", "%", "a_", "_"):
        items = (await tag_page(client, q=q))["items"]
        names[q] = [t["name"] for t in items]

    assert names == {
        "se": ["sea", "seal"],
        "SE": ["sea", "seal"],
        " su": ["sun"],
        "ea": [],
        "f": [],
        "100%": ["100%"],
        "%": [],
        "a_": ["a_b"],
        "_": [],
    }


async def test_counts_follow_edits_and_deletes(client: Client, token: str) -> None:
    first = await uploaded(client, token, tags="sea, sun")
    second = await uploaded(client, token, tags="sea")

    await client.put(
        f"/api/photos/{first['id']}", json={"description": "", "tags": ["sun"]}, headers=bearer(token)
    )
    await client.delete(f"/api/photos/{second['id']}", headers=bearer(token))

    counts = {t["name"]: t["photo_count"] for t in (await tag_page(client))["items"]}
    assert counts.get("sun") == 1
    assert counts.get("sea", 0) == 0


async def test_tag_pages(client: Client, token: str, subtests: pytest.Subtests) -> None:
    await uploaded(client, token, tags="a, b, c")

    page = await tag_page(client, limit=2, offset=1)

    assert page == {
        "items": [{"name": "b", "photo_count": 1}, {"name": "c", "photo_count": 1}],
        "total": 3,
        "limit": 2,
        "offset": 1,
    }
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"q": "q" * 33}):
        with subtests.test(params=str(params)):
            assert_problem(await client.get("/api/tags", params=params), 400)


async def test_concurrent_uploads_creating_the_same_new_tags_share_them(app: Litestar) -> None:
    # Litestar's test client runs one request at a time; httpx's ASGI transport on this
    # event loop lets the eight uploads really overlap.
    transport = httpx.ASGITransport(app=cast("Any", app))
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=BASE) as raw:
        client = raw
        token = (await member(client, "alice"))["access_token"]
        # Every upload brings the same two new tags, in a different order, to race on both rows.
        orders = [random.sample(["fresh", "wave", f"own{i}"], 3) for i in range(8)]

        responses = await asyncio.gather(*(upload(client, token, form={"tags": tags}) for tags in orders))

        assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
        fresh = (await tag_page(client, q="fresh"))["items"]
        wave = (await tag_page(client, q="wave"))["items"]
        assert fresh == [{"name": "fresh", "photo_count": 8}]
        assert wave == [{"name": "wave", "photo_count": 8}]
        assert (await tag_page(client))["total"] == 10
