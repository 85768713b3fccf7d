"""The Comments rows of the contract through the real app and the embedded PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

from tests.integration.accounts import Client, assert_problem, bearer
from tests.integration.engagement import cast, photo, photo_by, profile

COMMENT_FIELDS = {"id", "photo_id", "author", "text", "created_at", "updated_at"}


@pytest.fixture
async def tokens(client: Client) -> dict[str, str]:
    return await cast(client)


@pytest.fixture
async def photo_id(client: Client, tokens: dict[str, str]) -> str:
    """A photo owned by alice."""
    return await photo_by(client, tokens["alice"])


async def comment(client: Client, token: str, photo_id: str, text: Any) -> Any:
    return await client.post(f"/api/photos/{photo_id}/comments", json={"text": text}, headers=bearer(token))


async def commented(client: Client, token: str, photo_id: str, text: str) -> dict[str, Any]:
    response = await comment(client, token, photo_id, text)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def comments_of(client: Client, photo_id: str, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/photos/{photo_id}/comments{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- adding ---------------------------------------------------------------------------------------


async def test_a_logged_in_user_comments_and_gets_201_with_the_comment(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    response = await comment(client, tokens["bob"], photo_id, "  Lovely light  ")

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == COMMENT_FIELDS
    assert uuid.UUID(body["id"])
    assert (body["photo_id"], body["author"], body["text"]) == (photo_id, {"username": "bob"}, "Lovely light")
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() is not None
    assert created == datetime.fromisoformat(body["updated_at"])


async def test_the_owner_may_comment_on_their_own_photo(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    assert (await comment(client, tokens["alice"], photo_id, "thanks!")).status_code == 201


async def test_commenting_without_a_token_is_401(client: Client, photo_id: str) -> None:
    assert_problem(await client.post(f"/api/photos/{photo_id}/comments", json={"text": "hi"}), 401)


async def test_commenting_on_an_unknown_photo_is_404(client: Client, tokens: dict[str, str]) -> None:
    assert_problem(await comment(client, tokens["bob"], str(uuid.uuid4()), "hello"), 404)


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, 42, None, ["hi"]])
async def test_text_that_is_not_1_to_2000_characters_is_400_naming_text(
    client: Client, tokens: dict[str, str], photo_id: str, text: Any
) -> None:
    problem = assert_problem(await comment(client, tokens["bob"], photo_id, text), 400)
    assert problem["field"] == "text"
    assert (await photo(client, photo_id))["comment_count"] == 0


@pytest.mark.parametrize("body", [{}, {"text": "hi", "extra": 1}])
async def test_a_body_without_text_or_with_unknown_fields_is_400(
    client: Client, tokens: dict[str, str], photo_id: str, body: dict[str, Any]
) -> None:
    response = await client.post(f"/api/photos/{photo_id}/comments", json=body, headers=bearer(tokens["bob"]))
    assert_problem(response, 400)


async def test_a_comment_of_exactly_2000_characters_is_accepted(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    assert (await commented(client, tokens["bob"], photo_id, "x" * 2000))["text"] == "x" * 2000


async def test_each_comment_counts_on_the_photo_and_on_the_authors_profile(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    await commented(client, tokens["bob"], photo_id, "one")
    await commented(client, tokens["bob"], photo_id, "two")
    await commented(client, tokens["carol"], photo_id, "three")

    assert (await photo(client, photo_id))["comment_count"] == 3
    assert (await profile(client, "bob"))["comment_count"] == 2
    assert (await profile(client, "carol"))["comment_count"] == 1
    assert (await profile(client, "alice"))["comment_count"] == 0


# --- listing --------------------------------------------------------------------------------------


async def test_listing_is_public_oldest_first_as_a_page(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    texts = ["first", "second", "third"]
    for name, text in zip(("bob", "carol", "bob"), texts, strict=True):
        await commented(client, tokens[name], photo_id, text)

    page = await comments_of(client, photo_id)

    assert (page["total"], page["limit"], page["offset"]) == (3, 20, 0)
    assert [c["text"] for c in page["items"]] == texts
    assert [c["author"]["username"] for c in page["items"]] == ["bob", "carol", "bob"]
    assert all(set(c) == COMMENT_FIELDS for c in page["items"])


async def test_limit_and_offset_select_a_slice_and_total_counts_all(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    for n in range(5):
        await commented(client, tokens["bob"], photo_id, f"c{n}")

    page = await comments_of(client, photo_id, "?limit=2&offset=1")

    assert [c["text"] for c in page["items"]] == ["c1", "c2"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    beyond = await comments_of(client, photo_id, "?offset=10")
    assert (beyond["items"], beyond["total"]) == ([], 5)


async def test_a_photo_without_comments_lists_an_empty_page(client: Client, photo_id: str) -> None:
    assert await comments_of(client, photo_id) == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?offset=-1", "?limit=ten"])
async def test_a_limit_outside_1_to_100_or_a_negative_offset_is_400(
    client: Client, photo_id: str, query: str
) -> None:
    assert_problem(await client.get(f"/api/photos/{photo_id}/comments{query}"), 400)


async def test_a_limit_of_100_is_accepted(client: Client, photo_id: str) -> None:
    assert (await comments_of(client, photo_id, "?limit=100"))["limit"] == 100


async def test_listing_comments_of_an_unknown_photo_is_404(client: Client) -> None:
    assert_problem(await client.get(f"/api/photos/{uuid.uuid4()}/comments"), 404)


async def test_one_comment_is_readable_by_anyone(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "hello")
    response = await client.get(f"/api/comments/{created['id']}")
    assert (response.status_code, response.json()) == (200, created)
    assert_problem(await client.get(f"/api/comments/{uuid.uuid4()}"), 404)


# --- editing --------------------------------------------------------------------------------------


async def test_the_author_edits_and_updated_at_moves_while_created_at_stays(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "first draft")

    response = await client.put(
        f"/api/comments/{created['id']}", json={"text": "final words"}, headers=bearer(tokens["bob"])
    )

    assert response.status_code == 200, response.text
    edited = response.json()
    assert set(edited) == COMMENT_FIELDS
    assert (edited["id"], edited["text"], edited["author"]) == (
        created["id"],
        "final words",
        {"username": "bob"},
    )
    assert edited["created_at"] == created["created_at"]
    assert datetime.fromisoformat(edited["updated_at"]) > datetime.fromisoformat(created["updated_at"])
    assert (await comments_of(client, photo_id))["items"] == [edited]


@pytest.mark.parametrize("name", ["carol", "alice", "mod", "admin"])
async def test_nobody_edits_another_users_comment_not_even_staff_or_the_photo_owner(
    client: Client, tokens: dict[str, str], photo_id: str, name: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "mine")
    response = await client.put(
        f"/api/comments/{created['id']}", json={"text": "hijacked"}, headers=bearer(tokens[name])
    )
    assert_problem(response, 403)
    assert (await comments_of(client, photo_id))["items"][0]["text"] == "mine"


async def test_editing_without_a_token_is_401(client: Client, tokens: dict[str, str], photo_id: str) -> None:
    created = await commented(client, tokens["bob"], photo_id, "mine")
    assert_problem(await client.put(f"/api/comments/{created['id']}", json={"text": "x"}), 401)


async def test_editing_an_unknown_comment_is_404(client: Client, tokens: dict[str, str]) -> None:
    response = await client.put(
        f"/api/comments/{uuid.uuid4()}", json={"text": "x"}, headers=bearer(tokens["bob"])
    )
    assert_problem(response, 404)


@pytest.mark.parametrize("text", ["", "  ", "y" * 2001])
async def test_an_edit_with_invalid_text_is_400_and_keeps_the_comment(
    client: Client, tokens: dict[str, str], photo_id: str, text: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "kept")
    response = await client.put(
        f"/api/comments/{created['id']}", json={"text": text}, headers=bearer(tokens["bob"])
    )
    assert assert_problem(response, 400)["field"] == "text"
    assert (await comments_of(client, photo_id))["items"] == [created]


# --- deleting -------------------------------------------------------------------------------------


async def test_the_author_cannot_delete_their_comment(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "regret")
    assert_problem(await client.delete(f"/api/comments/{created['id']}", headers=bearer(tokens["bob"])), 403)
    assert (await photo(client, photo_id))["comment_count"] == 1


@pytest.mark.parametrize("name", ["carol", "alice"])
async def test_other_users_cannot_delete_a_comment_not_even_the_photo_owner(
    client: Client, tokens: dict[str, str], photo_id: str, name: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "stays")
    assert_problem(await client.delete(f"/api/comments/{created['id']}", headers=bearer(tokens[name])), 403)
    assert (await comments_of(client, photo_id))["total"] == 1


@pytest.mark.parametrize("staff", ["mod", "admin"])
async def test_moderators_and_admins_delete_and_both_counters_follow(
    client: Client, tokens: dict[str, str], photo_id: str, staff: str
) -> None:
    doomed = await commented(client, tokens["bob"], photo_id, "spam")
    await commented(client, tokens["bob"], photo_id, "fine")
    assert (await photo(client, photo_id))["comment_count"] == 2
    assert (await profile(client, "bob"))["comment_count"] == 2

    response = await client.delete(f"/api/comments/{doomed['id']}", headers=bearer(tokens[staff]))

    assert response.status_code == 204, response.text
    assert (await photo(client, photo_id))["comment_count"] == 1
    assert (await profile(client, "bob"))["comment_count"] == 1
    page = await comments_of(client, photo_id)
    assert ([c["text"] for c in page["items"]], page["total"]) == (["fine"], 1)
    assert_problem(await client.get(f"/api/comments/{doomed['id']}"), 404)


async def test_deleting_a_comment_twice_is_404_the_second_time_and_counts_once(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    created = await commented(client, tokens["bob"], photo_id, "once")
    first = await client.delete(f"/api/comments/{created['id']}", headers=bearer(tokens["mod"]))
    second = await client.delete(f"/api/comments/{created['id']}", headers=bearer(tokens["mod"]))
    assert first.status_code == 204
    assert_problem(second, 404)
    assert (await photo(client, photo_id))["comment_count"] == 0
    assert (await profile(client, "bob"))["comment_count"] == 0


async def test_deleting_without_a_token_is_401(client: Client, tokens: dict[str, str], photo_id: str) -> None:
    created = await commented(client, tokens["bob"], photo_id, "x")
    assert_problem(await client.delete(f"/api/comments/{created['id']}"), 401)


async def test_deleting_an_unknown_comment_is_404(client: Client, tokens: dict[str, str]) -> None:
    assert_problem(await client.delete(f"/api/comments/{uuid.uuid4()}", headers=bearer(tokens["mod"])), 404)


async def test_deleting_a_photo_lowers_its_commenters_profile_counts(
    client: Client, tokens: dict[str, str], photo_id: str
) -> None:
    other = await photo_by(client, tokens["alice"])
    await commented(client, tokens["bob"], photo_id, "a")
    await commented(client, tokens["bob"], photo_id, "b")
    await commented(client, tokens["bob"], other, "c")
    await commented(client, tokens["carol"], photo_id, "d")

    response = await client.delete(f"/api/photos/{photo_id}", headers=bearer(tokens["alice"]))

    assert response.status_code == 204, response.text
    assert (await profile(client, "bob"))["comment_count"] == 1
    assert (await profile(client, "carol"))["comment_count"] == 0
    assert (await photo(client, other))["comment_count"] == 1
