"""Search and filters of `GET /api/photos` (shared/API.md), and what a page costs.

Photos are uploaded through the API; what the API cannot set directly (creation times,
ratings) is then written with SQL, as the ratings and the clock would have left it.
Each test costs a fresh database, so cases sharing a setup run as subtests of one test.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, ClassVar

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from psycopg_pool import AsyncConnectionPool

from photoshare.adapters.sql.queries import SqlPhotoQueries
from photoshare.adapters.sql.reader import PgReader
from photoshare.application.readmodels import EXACT_TOTAL_MAX, PhotoSearch, PhotoSort
from photoshare.config import libpq_url

Client = AsyncTestClient[Litestar]
PASSWORD = "password123"
PROBLEM_JSON = "application/problem+json"


# --- helpers ----------------------------------------------------------------------------------


@cache
def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def account(client: Client, username: str) -> str:
    """Sign up (the first account is the admin) and log in; the access token."""
    signed = await client.post(
        "/api/auth/signup",
        json={"username": username, "email": f"{username}@example.org", "password": PASSWORD},
    )
    assert signed.status_code == 201, signed.text
    logged = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert logged.status_code == 200, logged.text
    token: str = logged.json()["access_token"]
    return token


async def post_photo(client: Client, token: str, description: str = "", tags: str = "") -> str:
    response = await client.post(
        "/api/photos",
        files={"file": ("p.jpg", jpeg(), "image/jpeg")},
        data={"description": description, "tags": tags},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    photo_id: str = response.json()["id"]
    return photo_id


async def listing(client: Client, token: str | None = None, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/photos", params=params, headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def found(client: Client, **params: Any) -> list[str]:
    """The ids of every match in page order, checking that `total` counts them exactly."""
    page = await listing(client, limit=100, **params)
    assert page["total"] == len(page["items"]), params
    return [item["id"] for item in page["items"]]


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]


@pytest.fixture
async def sql(database_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A direct connection to the test's database, for what the API cannot set."""
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True) as conn:
        yield conn


async def set_created(sql: psycopg.AsyncConnection[Any], photo_id: str, moment: datetime) -> None:
    await sql.execute("UPDATE photos SET created_at = %s WHERE id = %s", (moment, photo_id))


async def set_ratings(sql: psycopg.AsyncConnection[Any], photo_id: str, *values: int) -> None:
    """The rating columns as the ratings use case keeps them (average rounded to 2 places)."""
    await sql.execute(
        "UPDATE photos SET rating_count = %s, rating_total = %s,"
        " rating_average = CASE WHEN %s > 0 THEN round(%s::numeric / %s, 2) END WHERE id = %s",
        (len(values), sum(values), len(values), sum(values), max(len(values), 1), photo_id),
    )


@pytest.fixture
async def alice(client: Client) -> str:
    await account(client, "admin")
    return await account(client, "alice")


# --- q ----------------------------------------------------------------------------------------


async def test_q_matches_words_in_descriptions_and_tag_names_case_insensitively(
    client: Client, alice: str, subtests: pytest.Subtests
) -> None:
    """`q` is words, not a substring (migration 0010): `ourwa` no longer finds `HarbourWalk`;
    the last word is a prefix, so `harbour` still does and `t` finds words starting with t."""
    in_text = await post_photo(client, alice, "Sunset over the Harbour")
    in_tag = await post_photo(client, alice, "city lights", tags="HarbourWalk, night, New York")
    elsewhere = await post_photo(client, alice, "Forest path", tags="trees")

    cases = {
        "harbour": {in_text, in_tag},
        "HARBOUR": {in_text, in_tag},
        "  hArBoUr ": {in_text, in_tag},
        "harbourwalk": {in_tag},
        "sunset over": {in_text},
        "over sunset": {in_text},  # every word, in any order
        "ourwa": set(),  # inside a word: no longer a match
        "NIGHT": {in_tag},
        "york": {in_tag},  # a word of a tag name
        "path": {elsewhere},
        "t": {in_text, elsewhere},  # the, trees
        "submarine": set(),
    }
    for q, expected in cases.items():
        with subtests.test(q=q):
            assert set(await found(client, q=q)) == expected


async def test_only_the_last_word_is_a_prefix_and_only_while_typed(
    client: Client, alice: str, subtests: pytest.Subtests
) -> None:
    sunset = await post_photo(client, alice, "sunset at sea")
    sun = await post_photo(client, alice, "the sun rises over the sea")
    sundial = await post_photo(client, alice, "a sundial")

    cases = {
        "sun": {sunset, sun, sundial},
        "sea sun": {sunset, sun},
        "sun sea": {sun},  # `sun` is a whole word here
        '"sun"': {sun},  # a closed quote ends the word
        "sun -sunset": {sun},  # `sun` is not the last word: whole
        "sund": {sundial},
    }
    for q, expected in cases.items():
        with subtests.test(q=q):
            assert set(await found(client, q=q)) == expected


async def test_q_reads_phrases_or_and_exclusions_as_a_search_box_does(
    client: Client, alice: str, subtests: pytest.Subtests
) -> None:
    gold = await post_photo(client, alice, "golden light on the bridge")
    sand = await post_photo(client, alice, "light golden sand")
    night = await post_photo(client, alice, "bridge at night")

    cases = {
        "golden light": {gold, sand},
        '"golden light"': {gold},
        '"light golden" sand': {sand},
        "bridge or sand": {gold, sand, night},
        "sand OR night": {sand, night},
        "bridge -night": {gold},
        "-night": {gold, sand},
        '"golden light': {gold},  # an unclosed quote runs to the end
    }
    for q, expected in cases.items():
        with subtests.test(q=q):
            assert set(await found(client, q=q)) == expected


async def test_q_with_a_tag_takes_the_tag_whole_whatever_its_characters(
    client: Client, alice: str, subtests: pytest.Subtests
) -> None:
    """Beside `q`, the tag is one lexeme of the search vector (`#name`): exact, as alone."""
    street = await post_photo(client, alice, "night walk", tags="street")
    await post_photo(client, alice, "night walk", tags="streetart")
    odd = await post_photo(client, alice, "night walk", tags="rock 'n' roll\\, o:*")
    daytime = await post_photo(client, alice, "day walk", tags="street")

    cases = {
        ("night", "street"): {street},
        ("walk", "Street"): {street, daytime},
        ("day", "street"): {daytime},
        ("night", "stree"): set(),
        ("night", "rock 'n' roll\\"): {odd},
        ("walk", "o:*"): {odd},
        ("roll", "rock"): set(),  # words of a tag are words, not tags
    }
    for (q, tag), expected in cases.items():
        with subtests.test(q=q, tag=tag):
            assert set(await found(client, q=q, tag=tag)) == expected


async def test_odd_q_is_a_page_never_an_error(client: Client, alice: str, subtests: pytest.Subtests) -> None:
    """Punctuation is no word: alone it is an empty query, matching nothing; beside words it
    separates them. tsquery's own operators in `q` are plain text to `websearch_to_tsquery`."""
    percent = await post_photo(client, alice, "100% cotton")
    await post_photo(client, alice, "1000 cotton")
    underscore = await post_photo(client, alice, "snake_case names")
    await post_photo(client, alice, "snakeXcase names")
    await post_photo(client, alice, r"a\b path", tags="under_score")

    cases = {
        "100%": {percent},
        "snake_case": {underscore},
        "%": set(),
        "_": set(),
        "\\": set(),
        '"': set(),
        '""': set(),
        "!!! ???": set(),
        "'": set(),
        ":*": set(),
        "(((": set(),
        "-": set(),
        "or": set(),
        "OR OR": set(),
        "a & b | !c <-> d:*": set(),
        "x" * 100: set(),
    }
    for q, expected in cases.items():
        with subtests.test(q=q):
            assert set(await found(client, q=q)) == expected
    with subtests.test("longer than 100 characters"):
        assert_problem(await client.get("/api/photos", params={"q": "x" * 101}), 400)


# --- tag --------------------------------------------------------------------------------------


async def test_tag_is_exact_after_normalisation(
    client: Client, alice: str, subtests: pytest.Subtests
) -> None:
    street = await post_photo(client, alice, "a", tags="Street, night")
    both = await post_photo(client, alice, "b", tags="street,streetart")
    await post_photo(client, alice, "c", tags="streetart")
    await post_photo(client, alice, "street in the text only")

    for tag in ("street", "STREET", "  Street "):
        with subtests.test(tag=tag):
            assert set(await found(client, tag=tag)) == {street, both}
    with subtests.test(tag="stree"):
        assert await found(client, tag="stree") == []
    with subtests.test(tag="unknown"):
        assert await found(client, tag="unknown") == []


# --- ratings ----------------------------------------------------------------------------------


async def test_min_and_max_rating_bound_the_average_inclusively(
    client: Client, alice: str, sql: psycopg.AsyncConnection[Any], subtests: pytest.Subtests
) -> None:
    high = await post_photo(client, alice, "high")  # 4.50
    low = await post_photo(client, alice, "low")  # 2.00
    third = await post_photo(client, alice, "third")  # 3.33
    await post_photo(client, alice, "unrated")  # never matches a bound
    await set_ratings(sql, high, 4, 5)
    await set_ratings(sql, low, 2)
    await set_ratings(sql, third, 3, 3, 4)

    cases: dict[str, tuple[dict[str, Any], set[str]]] = {
        "min": ({"min_rating": 3}, {high, third}),
        "min is inclusive": ({"min_rating": 4.5}, {high}),
        "max is inclusive": ({"max_rating": 3.33}, {low, third}),
        "both": ({"min_rating": 2, "max_rating": 4}, {low, third}),
        "no rounding of a bound (3.325 < 3.33)": ({"max_rating": 3.325}, {low}),
        "no rounding of a bound (3.335 > 3.33)": ({"min_rating": 3.335}, {high}),
        "zero": ({"min_rating": 0}, {high, low, third}),
        "empty range": ({"min_rating": 4, "max_rating": 3}, set()),
    }
    for name, (params, expected) in cases.items():
        with subtests.test(name):
            assert set(await found(client, **params)) == expected


# --- dates ------------------------------------------------------------------------------------


async def test_created_from_and_to_take_dates_and_timestamps(
    client: Client, alice: str, sql: psycopg.AsyncConnection[Any], subtests: pytest.Subtests
) -> None:
    moments = [
        datetime(2024, 1, 10, 12, 0, tzinfo=UTC),
        datetime(2024, 1, 11, 0, 0, tzinfo=UTC),
        datetime(2024, 1, 11, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2024, 1, 12, 0, 0, tzinfo=UTC),
    ]
    ids = [await post_photo(client, alice, f"p{i}") for i in range(len(moments))]
    for photo_id, moment in zip(ids, moments, strict=True):
        await set_created(sql, photo_id, moment)
    p10, p11_start, p11_end, p12 = ids

    cases: dict[str, tuple[dict[str, str], set[str]]] = {
        "from a date": ({"created_from": "2024-01-11"}, {p11_start, p11_end, p12}),
        "to a date is the whole day": ({"created_to": "2024-01-11"}, {p10, p11_start, p11_end}),
        "one day": ({"created_from": "2024-01-11", "created_to": "2024-01-11"}, {p11_start, p11_end}),
        "from a timestamp": ({"created_from": "2024-01-11T12:00:00Z"}, {p11_end, p12}),
        "to a timestamp, inclusive": ({"created_to": "2024-01-10T12:00:00+00:00"}, {p10}),
        "with an offset": ({"created_from": "2024-01-11T01:00:00+01:00"}, {p11_start, p11_end, p12}),
        "naive means UTC": ({"created_from": "2024-01-11T00:00:00"}, {p11_start, p11_end, p12}),
        "empty range": ({"created_from": "2024-01-12T00:00:01Z", "created_to": "2024-01-11"}, set()),
    }
    for name, (params, expected) in cases.items():
        with subtests.test(name):
            assert set(await found(client, **params)) == expected


# --- sorting and paging -----------------------------------------------------------------------


async def test_each_sort_order(
    client: Client, alice: str, sql: psycopg.AsyncConnection[Any], subtests: pytest.Subtests
) -> None:
    base = datetime(2025, 5, 1, tzinfo=UTC)
    oldest, middle, newest, unrated = [await post_photo(client, alice, f"p{i}") for i in range(4)]
    for i, photo_id in enumerate((oldest, middle, newest, unrated)):
        await set_created(sql, photo_id, base + timedelta(days=i if photo_id != unrated else 1.5))
    await set_ratings(sql, oldest, 5)
    await set_ratings(sql, middle, 1)
    await set_ratings(sql, newest, 3)

    expected = {
        None: [newest, unrated, middle, oldest],
        "-created_at": [newest, unrated, middle, oldest],
        "created_at": [oldest, middle, unrated, newest],
        "-rating": [oldest, newest, middle, unrated],  # the unrated come last either way
        "rating": [middle, newest, oldest, unrated],
    }
    for sort, order in expected.items():
        with subtests.test(sort=sort):
            assert await found(client, **({"sort": sort} if sort else {})) == order


async def test_pages_are_stable_with_ties_broken_by_id(
    client: Client, alice: str, sql: psycopg.AsyncConnection[Any], subtests: pytest.Subtests
) -> None:
    """Every photo shares its creation time and most share a rating, so only the id orders
    them; any page, near the start or near the end (read backwards), is a slice of it."""
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [await post_photo(client, alice, f"tie {i}", tags="same") for i in range(7)]
    for i, photo_id in enumerate(ids):
        await set_created(sql, photo_id, moment)
        if i < 5:
            await set_ratings(sql, photo_id, 4)
    by_id = sorted(ids, key=uuid.UUID)
    rated, unrated = sorted(ids[:5], key=uuid.UUID), sorted(ids[5:], key=uuid.UUID)
    orders = {
        "-created_at": by_id[::-1],
        "created_at": by_id,
        "-rating": rated[::-1] + unrated[::-1],
        "rating": rated + unrated,
    }
    for sort, order in orders.items():
        for filters in ({}, {"q": "tie"}, {"tag": "same"}):
            with subtests.test(sort=sort, filters=filters):
                assert await found(client, sort=sort, **filters) == order
                for limit in (1, 2, 3):
                    pages = [
                        await listing(client, sort=sort, limit=limit, offset=offset, **filters)
                        for offset in range(0, 8, limit)
                    ]
                    assert [item["id"] for page in pages for item in page["items"]] == order
                    assert {page["total"] for page in pages} == {7}


async def test_a_page_past_the_end_is_empty_with_the_total(client: Client, alice: str) -> None:
    for i in range(3):
        await post_photo(client, alice, f"p{i}")

    assert await listing(client, offset=3) == {
        "items": [],
        "total": 3,
        "limit": 20,
        "offset": 3,
        "total_exact": True,
    }
    assert await listing(client, offset=50, q="p") == {
        "items": [],
        "total": 3,
        "limit": 20,
        "offset": 50,
        "total_exact": True,
    }


# --- owner, combinations, totals --------------------------------------------------------------


async def test_owner_filter_is_for_moderators_and_admins(client: Client, subtests: pytest.Subtests) -> None:
    admin = await account(client, "admin")
    alice = await account(client, "alice")
    bob = await account(client, "bob")
    mine = {await post_photo(client, alice, "a1"), await post_photo(client, alice, "a2")}
    await post_photo(client, bob, "b1")
    promoted = await client.put("/api/users/bob/role", json={"role": "moderator"}, headers=bearer(admin))
    assert promoted.status_code == 200, promoted.text
    moderator = await account_login(client, "bob")

    with subtests.test("anonymous"):
        assert_problem(await client.get("/api/photos", params={"owner": "alice"}), 403)
    with subtests.test("user"):
        assert_problem(await client.get("/api/photos", params={"owner": "alice"}, headers=bearer(alice)), 403)
    for who, token in (("moderator", moderator), ("admin", admin)):
        with subtests.test(who):
            page = await listing(client, token, owner="alice", limit=100)
            assert {item["id"] for item in page["items"]} == mine
            assert page["total"] == 2
            assert {item["owner"]["username"] for item in page["items"]} == {"alice"}
    with subtests.test("any case"):
        assert (await listing(client, admin, owner="ALICE"))["total"] == 2
    with subtests.test("unknown owner"):
        assert await listing(client, admin, owner="nobody") == {
            "items": [],
            "total": 0,
            "limit": 20,
            "offset": 0,
            "total_exact": True,
        }


async def account_login(client: Client, username: str) -> str:
    logged = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert logged.status_code == 200, logged.text
    token: str = logged.json()["access_token"]
    return token


async def test_filters_combine(
    client: Client, sql: psycopg.AsyncConnection[Any], subtests: pytest.Subtests
) -> None:
    admin = await account(client, "admin")
    alice = await account(client, "alice")
    bob = await account(client, "bob")
    hit = await post_photo(client, alice, "Golden bridge", tags="travel")
    misses = {
        "no keyword": await post_photo(client, alice, "silver tower", tags="travel"),
        "no tag": await post_photo(client, alice, "golden bridge"),
        "rated too low": await post_photo(client, alice, "golden bridge", tags="travel"),
        "too old": await post_photo(client, alice, "golden bridge", tags="travel"),
        "someone else's": await post_photo(client, bob, "golden bridge", tags="travel"),
    }
    for photo_id in (hit, *misses.values()):
        await set_ratings(sql, photo_id, 4)
        await set_created(sql, photo_id, datetime(2025, 6, 1, tzinfo=UTC))
    await set_ratings(sql, misses["rated too low"], 2)
    await set_created(sql, misses["too old"], datetime(2023, 6, 1, tzinfo=UTC))

    everything = {"q": "GOLDEN", "tag": "travel", "min_rating": 3.5, "created_from": "2025-01-01"}
    page = await listing(client, admin, owner="alice", **everything)
    assert [item["id"] for item in page["items"]] == [hit]
    assert page["total"] == 1
    for name, photo_id in misses.items():
        with subtests.test(name):
            assert photo_id in await found_as(client, admin, {**everything, "owner": "alice"}, drop_for=name)


async def found_as(client: Client, token: str, params: dict[str, Any], *, drop_for: str) -> list[str]:
    """Matches with the one filter that excludes the `drop_for` photo left out."""
    filter_of = {
        "no keyword": "q",
        "no tag": "tag",
        "rated too low": "min_rating",
        "too old": "created_from",
        "someone else's": "owner",
    }
    rest = {k: v for k, v in params.items() if k != filter_of[drop_for]}
    page = await listing(client, token, limit=100, **rest)
    assert page["total"] == len(page["items"])
    return [item["id"] for item in page["items"]]


async def test_total_follows_uploads_and_deletes(client: Client, alice: str) -> None:
    """The unfiltered total comes from the counter kept by triggers, the tag-only one from
    `photo_tags`: both must agree with the rows."""
    ids = [await post_photo(client, alice, f"p{i}", tags="kept" if i % 2 else "") for i in range(5)]
    assert (await listing(client))["total"] == 5
    assert (await listing(client, tag="kept"))["total"] == 2

    deleted = await client.delete(f"/api/photos/{ids[1]}", headers=bearer(alice))
    assert deleted.status_code == 204, deleted.text
    assert (await listing(client))["total"] == 4
    assert (await listing(client, tag="kept"))["total"] == 1
    assert (await listing(client, limit=100))["items"][-1]["id"] == ids[0]


# --- invalid input ----------------------------------------------------------------------------


async def test_invalid_parameters_are_400_problems(client: Client, subtests: pytest.Subtests) -> None:
    for params in (
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"limit": "many"},
        {"created_from": "yesterday"},
        {"created_to": "2024-13-01"},
        {"created_from": "2024-02-30T10:00:00Z"},
        {"sort": "popular"},
        {"sort": "-views"},
        {"min_rating": 6},
        {"max_rating": -1},
        {"min_rating": "high"},
    ):
        with subtests.test(params=params):
            assert_problem(await client.get("/api/photos", params=params), 400)


# --- statements per page ----------------------------------------------------------------------


class CountingCursor(psycopg.AsyncCursor[Any]):
    """Counts what reaches the server: every execute is one statement."""

    executed: ClassVar[list[str]] = []

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        CountingCursor.executed.append(str(query))
        return await super().execute(query, params, **kwargs)


@pytest.fixture
async def counted_queries(database_url: str) -> AsyncIterator[SqlPhotoQueries]:
    pool = AsyncConnectionPool(
        libpq_url(database_url),
        min_size=1,
        max_size=2,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 1, "cursor_factory": CountingCursor},
    )
    await pool.open()
    try:
        yield SqlPhotoQueries(PgReader(pool), url_for=lambda key, visibility: f"/images/{key}")
    finally:
        await pool.close()


async def seed_rows(database_url: str, photos: int) -> list[tuple[uuid.UUID, datetime, int]]:
    """Two owners and `photos` rated, tagged, dated photos, straight into the tables;
    their (id, created_at, rating) in insertion order. Photo i reads "photo number i"."""
    rows: list[tuple[uuid.UUID, datetime, int]] = []
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True) as conn:
        owners = [uuid.uuid4(), uuid.uuid4()]
        for i, owner in enumerate(owners):
            await conn.execute(
                "INSERT INTO users (id, username, email, password_hash, role, created_at)"
                " VALUES (%s, %s, %s, 'x', 'user', now())",
                (owner, f"owner{i}", f"owner{i}@example.org"),
            )
        inserted = await conn.execute("INSERT INTO tags (name) VALUES ('common') RETURNING id")
        tag_id = (await inserted.fetchone() or [None])[0]
        start = datetime(2024, 1, 1, tzinfo=UTC)
        async with conn.cursor() as cur:
            for i in range(photos):
                photo_id = uuid.uuid4()
                at = start + timedelta(hours=i)
                await cur.execute(
                    "INSERT INTO photos (id, owner_id, image_key, content_type, width, height, description,"
                    " tag_names, rating_count, rating_total, rating_average, created_at, updated_at)"
                    " VALUES (%s, %s, %s, 'image/jpeg', 1, 1, %s, '{common}', 1, %s, %s, %s, %s)",
                    (
                        photo_id,
                        owners[i % 2],
                        f"{photo_id}.jpg",
                        f"photo number {i}",
                        i % 5 + 1,
                        i % 5 + 1,
                        at,
                        at,
                    ),
                )
                await cur.execute(
                    "INSERT INTO photo_tags (photo_id, tag_id) VALUES (%s, %s)", (photo_id, tag_id)
                )
                rows.append((photo_id, at, i % 5 + 1))
    return rows


SHAPES: dict[str, Callable[[int], PhotoSearch]] = {
    "no filter": lambda limit: PhotoSearch(limit=limit),
    "q": lambda limit: PhotoSearch(limit=limit, q="number"),
    "tag": lambda limit: PhotoSearch(limit=limit, tag="common"),
    "ratings": lambda limit: PhotoSearch(limit=limit, min_rating=1, max_rating=5),
    "dates": lambda limit: PhotoSearch(limit=limit, created_from=datetime(2023, 1, 1, tzinfo=UTC)),
    "owner": lambda limit: PhotoSearch(limit=limit, owner="OWNER0"),
    "-rating": lambda limit: PhotoSearch(limit=limit, sort=PhotoSort("rating", descending=True)),
    "rating": lambda limit: PhotoSearch(limit=limit, sort=PhotoSort("rating", descending=False)),
    "read from the end": lambda limit: PhotoSearch(limit=limit, offset=120 - limit),
    "everything": lambda limit: PhotoSearch(
        limit=limit, q="photo", tag="common", min_rating=1, created_from=datetime(2023, 1, 1, tzinfo=UTC)
    ),
}


async def test_a_page_costs_the_same_few_statements_whatever_its_size(
    database_url: str, counted_queries: SqlPhotoQueries, subtests: pytest.Subtests
) -> None:
    """No N+1: 5 items or 50, the same two statements (the total, then the page), each
    row straight from SQL."""
    await seed_rows(database_url, 120)
    for name, shape in SHAPES.items():
        with subtests.test(name):
            costs = {}
            for size in (5, 50):
                CountingCursor.executed.clear()
                page = await counted_queries.search(shape(size))
                costs[size] = len(CountingCursor.executed)
                assert len(page.items) == size
                assert all(item.tags == ["common"] and item.owner.username for item in page.items)
            assert costs[5] == costs[50] == 2, costs


async def test_a_keyword_with_few_matches_is_gathered_and_pages_the_same(
    database_url: str, counted_queries: SqlPhotoQueries, subtests: pytest.Subtests
) -> None:
    """Few matches for a keyword alone are gathered and sorted instead of found by walking
    the sort index: every order, tie and page must come out as the walk would give it."""
    rows = await seed_rows(database_url, 120)
    matching = [rows[i] for i in (7, *range(70, 80))]  # "number 7" is in photos 7 and 70-79
    orders = {
        PhotoSort("created_at", descending=True): sorted(matching, key=lambda r: (r[1], r[0]), reverse=True),
        PhotoSort("created_at", descending=False): sorted(matching, key=lambda r: (r[1], r[0])),
        PhotoSort("rating", descending=True): sorted(matching, key=lambda r: (r[2], r[0]), reverse=True),
        PhotoSort("rating", descending=False): sorted(matching, key=lambda r: (r[2], r[0])),
    }
    for sort, expected in orders.items():
        with subtests.test(sort=sort):
            ids = [r[0] for r in expected]
            CountingCursor.executed.clear()
            page = await counted_queries.search(PhotoSearch(q="number 7", sort=sort, limit=20))
            assert "MATERIALIZED" in CountingCursor.executed[-1]  # gathered, not walked
            assert (page.total, [item.id for item in page.items]) == (11, ids)
            for limit in (2, 3):
                paged = [
                    item.id
                    for offset in range(0, 11, limit)
                    for item in (
                        await counted_queries.search(
                            PhotoSearch(q="number 7", sort=sort, limit=limit, offset=offset)
                        )
                    ).items
                ]
                assert paged == ids


# --- totals past the cap ----------------------------------------------------------------------


@pytest.fixture
async def capped_queries(database_url: str) -> AsyncIterator[Callable[[int], SqlPhotoQueries]]:
    """Queries that count matches exactly only up to a small cap, so a few rows pass it."""
    pool = AsyncConnectionPool(libpq_url(database_url), min_size=1, max_size=2, open=False)
    await pool.open()
    try:
        yield lambda cap: SqlPhotoQueries(
            PgReader(pool), url_for=lambda key, visibility: key, exact_total_max=cap
        )
    finally:
        await pool.close()


async def test_totals_past_the_cap_are_a_lower_bound_and_pages_still_complete(
    database_url: str, capped_queries: Callable[[int], SqlPhotoQueries], subtests: pytest.Subtests
) -> None:
    rows = await seed_rows(database_url, 120)
    newest = [r[0] for r in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]
    sevens = [r[0] for i, r in enumerate(rows) if i == 7 or 70 <= i < 80]  # "number 7": 11 matches
    cases = {
        # (search, cap): (total, total_exact, the page's ids)
        "word past the cap": (PhotoSearch(q="number"), 3, (3, False, newest[:20])),
        "deep page past the cap": (PhotoSearch(q="number", offset=100), 3, (3, False, newest[100:])),
        "beyond the last match": (PhotoSearch(q="number", offset=120), 3, (3, False, [])),
        "exactly the cap": (PhotoSearch(q="number 7"), 11, (11, True, sevens[::-1])),
        "one past the cap": (PhotoSearch(q="number 7"), 10, (10, False, sevens[::-1])),
        "tag alone": (PhotoSearch(tag="common", limit=5), 3, (3, False, newest[:5])),
        "tag alone under the cap": (PhotoSearch(tag="common", limit=5), 120, (120, True, newest[:5])),
        "combined": (PhotoSearch(q="photo", tag="common", min_rating=1), 3, (3, False, newest[:20])),
        "no filter: the kept counter": (PhotoSearch(limit=5), 3, (120, True, newest[:5])),
    }
    for name, (search, cap, (total, exact, ids)) in cases.items():
        with subtests.test(name):
            page = await capped_queries(cap).search(search)
            assert (page.total, page.total_exact, [item.id for item in page.items]) == (total, exact, ids)


def test_the_cap_is_the_contracts_10_000() -> None:
    assert EXACT_TOTAL_MAX == 10_000  # shared/API.md "Search totals"
