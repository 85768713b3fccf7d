"""The Ratings rows of the contract through the real app and the embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.engagement import cast, photo, photo_by

RATING_FIELDS = {"photo_id", "value", "created_at"}


def mean(values: list[int]) -> float:
    """The stored average: the exact mean rounded half up to two decimals (PostgreSQL's numeric round)."""
    exact = Decimal(sum(values)) / Decimal(len(values))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture
async def tokens(client: Client) -> dict[str, str]:
    return await cast(client)


@pytest.fixture
async def photo_id(client: Client, tokens: dict[str, str]) -> str:
    """A photo owned by alice."""
    return await photo_by(client, tokens["alice"])


@pytest.fixture
async def concurrent(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, driven in this event loop, so gathered requests really
    overlap (the test client runs them one by one). Being its own app, with its own pools, it
    can be used next to `client` in one test."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c
    await app.state.dishka_container.close()  # its engine and read pool, as on_shutdown does


async def rate(client: Client | httpx.AsyncClient, token: str, photo_id: str, value: Any) -> Any:
    return await client.post(f"/api/photos/{photo_id}/ratings", json={"value": value}, headers=bearer(token))


# --- rating ---------------------------------------------------------------------------------------


async def test_rating_someone_elses_photo_is_201_with_photo_id_value_and_created_at(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    response = await rate(client, tokens["bob"], photo_id, 4)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == RATING_FIELDS
    assert (body["photo_id"], body["value"]) == (photo_id, 4)
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert (await photo(client, photo_id))["rating"] == {"average": 4.0, "count": 1}


async def test_rating_your_own_photo_is_403_and_changes_nothing(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    assert_problem(await rate(client, tokens["alice"], photo_id, 5), 403)
    assert (await photo(client, photo_id))["rating"] == {"average": None, "count": 0}


async def test_an_admin_cannot_rate_their_own_photo_either(client: Client, tokens: dict[str, str]) -> None:
    own = await photo_by(client, tokens["admin"])
    assert_problem(await rate(client, tokens["admin"], own, 5), 403)


async def test_a_second_rating_by_the_same_user_is_409_and_the_first_stands(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    assert (await rate(client, tokens["bob"], photo_id, 4)).status_code == 201
    assert_problem(await rate(client, tokens["bob"], photo_id, 1), 409)
    assert (await photo(client, photo_id))["rating"] == {"average": 4.0, "count": 1}


async def test_rating_without_a_token_is_401(client: Client, photo_id: str) -> None:
    assert_problem(await client.post(f"/api/photos/{photo_id}/ratings", json={"value": 3}), 401)


async def test_rating_an_unknown_photo_is_404(client: Client, tokens: dict[str, str]) -> None:
    assert_problem(await rate(client, tokens["bob"], str(uuid.uuid4()), 3), 404)


@pytest.mark.parametrize(
    "value", [0, 6, -1, 100, 3.5, 5.5, 0.0, 1e308, "3", True, False, None, [3], {"v": 3}]
)
async def test_a_value_that_is_not_an_integer_from_1_to_5_is_400(
    client: Client, tokens: dict[str, str], photo_id: str, value: Any
) -> None:
    problem = assert_problem(await rate(client, tokens["bob"], photo_id, value), 400)
    assert problem["field"] == "value"
    assert (await photo(client, photo_id))["rating"]["count"] == 0


async def test_a_value_written_as_an_integral_float_is_that_integer(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    """JSON Schema (and so the document) calls 4.0 an integer: schemathesis sent it and got 400."""
    created = await rate(client, tokens["bob"], photo_id, 4.0)
    assert created.status_code == 201, created.text
    assert created.json()["value"] == 4
    assert (await photo(client, photo_id))["rating"] == {"average": 4.0, "count": 1}


@pytest.mark.parametrize("body", [{}, {"value": 3, "extra": 1}])
async def test_a_body_without_value_or_with_unknown_fields_is_400(
    client: Client, tokens: dict[str, str], photo_id: str, body: dict[str, Any]
) -> None:
    response = await client.post(f"/api/photos/{photo_id}/ratings", json=body, headers=bearer(tokens["bob"]))
    assert_problem(response, 400)


@pytest.mark.parametrize("value", [1, 5])
async def test_the_bounds_1_and_5_are_valid_values(
    client: Client, tokens: dict[str, str], photo_id: str, value: int
) -> None:
    assert (await rate(client, tokens["bob"], photo_id, value)).status_code == 201


async def test_the_average_is_the_mean_of_the_ratings_rounded_to_two_decimals(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    for name, value in (("bob", 5), ("carol", 4), ("mod", 4)):
        assert (await rate(client, tokens[name], photo_id, value)).status_code == 201
    assert (await photo(client, photo_id))["rating"] == {"average": 4.33, "count": 3}


# --- concurrency ----------------------------------------------------------------------------------


async def test_two_concurrent_ratings_by_one_user_give_exactly_one_201_and_one_409(
    client: Client, concurrent: httpx.AsyncClient, tokens: dict[str, str], photo_id: str
) -> None:
    first, second = await asyncio.gather(
        rate(concurrent, tokens["bob"], photo_id, 2), rate(concurrent, tokens["bob"], photo_id, 5)
    )

    assert sorted([first.status_code, second.status_code]) == [201, 409]
    winner = first if first.status_code == 201 else second
    assert (await photo(client, photo_id))["rating"] == {"average": float(winner.json()["value"]), "count": 1}


async def test_many_users_rating_one_photo_at_once_keep_count_and_average_exact(
    client: Client, concurrent: httpx.AsyncClient, tokens: dict[str, str], photo_id: str
) -> None:
    raters = [(await member(client, f"rater{i}"))["access_token"] for i in range(24)]
    values = [(i * 7) % 5 + 1 for i in range(len(raters))]

    responses = await asyncio.gather(
        *(rate(concurrent, t, photo_id, v) for t, v in zip(raters, values, strict=True))
    )

    assert [r.status_code for r in responses] == [201] * len(raters)
    assert (await photo(client, photo_id))["rating"] == {"average": mean(values), "count": len(values)}
    listed = await client.get(f"/api/photos/{photo_id}/ratings", headers=bearer(tokens["mod"]))
    assert sorted(e["value"] for e in listed.json()) == sorted(values)


# --- listing and moderation -----------------------------------------------------------------------


@pytest.mark.parametrize("staff", ["mod", "admin"])
async def test_moderators_and_admins_list_a_photos_ratings_oldest_first(
    client: Client, tokens: dict[str, str], photo_id: str, staff: str
) -> None:
    await rate(client, tokens["bob"], photo_id, 5)
    await rate(client, tokens["carol"], photo_id, 2)

    response = await client.get(f"/api/photos/{photo_id}/ratings", headers=bearer(tokens[staff]))

    assert response.status_code == 200, response.text
    entries = response.json()
    assert [(e["user"], e["value"]) for e in entries] == [
        ({"username": "bob"}, 5),
        ({"username": "carol"}, 2),
    ]
    assert all(set(e) == {"user", "value", "created_at"} for e in entries)
    assert entries[0]["created_at"] <= entries[1]["created_at"]


async def test_a_photo_without_ratings_lists_an_empty_list(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    response = await client.get(f"/api/photos/{photo_id}/ratings", headers=bearer(tokens["mod"]))
    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.parametrize("name", ["bob", "alice"])
async def test_users_who_are_not_staff_cannot_list_ratings_not_even_the_owner(
    client: Client, tokens: dict[str, str], photo_id: str, name: str
) -> None:
    assert_problem(await client.get(f"/api/photos/{photo_id}/ratings", headers=bearer(tokens[name])), 403)


async def test_listing_ratings_without_a_token_is_401(client: Client, photo_id: str) -> None:
    assert_problem(await client.get(f"/api/photos/{photo_id}/ratings"), 401)


async def test_listing_ratings_of_an_unknown_photo_is_404(client: Client, tokens: dict[str, str]) -> None:
    response = await client.get(f"/api/photos/{uuid.uuid4()}/ratings", headers=bearer(tokens["mod"]))
    assert_problem(response, 404)


async def test_a_moderator_deletes_a_rating_by_username_and_the_average_follows_at_once(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    await rate(client, tokens["bob"], photo_id, 5)
    await rate(client, tokens["carol"], photo_id, 2)
    assert (await photo(client, photo_id))["rating"] == {"average": 3.5, "count": 2}

    response = await client.delete(f"/api/photos/{photo_id}/ratings/carol", headers=bearer(tokens["mod"]))

    assert response.status_code == 204, response.text
    assert (await photo(client, photo_id))["rating"] == {"average": 5.0, "count": 1}
    listed = await client.get(f"/api/photos/{photo_id}/ratings", headers=bearer(tokens["mod"]))
    assert [e["user"]["username"] for e in listed.json()] == ["bob"]


async def test_deleting_the_last_rating_makes_the_average_null_and_the_user_may_rate_again(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    await rate(client, tokens["bob"], photo_id, 3)

    response = await client.delete(f"/api/photos/{photo_id}/ratings/BOB", headers=bearer(tokens["admin"]))

    assert response.status_code == 204, response.text
    assert (await photo(client, photo_id))["rating"] == {"average": None, "count": 0}
    assert (await rate(client, tokens["bob"], photo_id, 1)).status_code == 201
    assert (await photo(client, photo_id))["rating"] == {"average": 1.0, "count": 1}


@pytest.mark.parametrize("name", ["bob", "alice"])
async def test_users_who_are_not_staff_cannot_delete_ratings_not_even_their_own(
    client: Client, tokens: dict[str, str], photo_id: str, name: str
) -> None:
    await rate(client, tokens["bob"], photo_id, 3)
    response = await client.delete(f"/api/photos/{photo_id}/ratings/bob", headers=bearer(tokens[name]))
    assert_problem(response, 403)
    assert (await photo(client, photo_id))["rating"]["count"] == 1


async def test_deleting_a_rating_without_a_token_is_401(client: Client, photo_id: str) -> None:
    assert_problem(await client.delete(f"/api/photos/{photo_id}/ratings/bob"), 401)


@pytest.mark.parametrize("username", ["carol", "ghost"])
async def test_deleting_a_rating_that_does_not_exist_is_404(
    client: Client, tokens: dict[str, str], photo_id: str, username: str
) -> None:
    await rate(client, tokens["bob"], photo_id, 3)
    response = await client.delete(
        f"/api/photos/{photo_id}/ratings/{username}", headers=bearer(tokens["mod"])
    )
    assert_problem(response, 404)
    assert (await photo(client, photo_id))["rating"]["count"] == 1


async def test_deleting_a_rating_on_an_unknown_photo_is_404(client: Client, tokens: dict[str, str]) -> None:
    response = await client.delete(f"/api/photos/{uuid.uuid4()}/ratings/bob", headers=bearer(tokens["mod"]))
    assert_problem(response, 404)
