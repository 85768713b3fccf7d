"""Each repository port twice: as the fake the unit tests use and as the SQL adapter.

`backend` is parametrised, so every contract test runs once per implementation with the
same assertions: if the fakes in tests/unit/fakes.py drift from what production does, a
contract test fails on the fake's side. The SQL side runs on the integration tests'
embedded PostgreSQL (re-exported below; `pytest_plugins` is honoured only at the root),
in one migrated database per module that every test starts by emptying: TRUNCATE is much
cheaper than a fresh database per test.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import pytest
import sqlalchemy as sa
import valkey.asyncio as valkey
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.revocations import ValkeyTokenRevocations
from photoshare.adapters.sql.comments import SqlCommentRepository
from photoshare.adapters.sql.photos import (
    SqlLinkLookups,
    SqlLinkRepository,
    SqlPhotoLookups,
    SqlPhotoRepository,
)
from photoshare.adapters.sql.ratings import SqlRatingRepository
from photoshare.adapters.sql.reader import PgAutocommit, PgReader, open_pool
from photoshare.adapters.sql.tables import metadata, photos, users
from photoshare.adapters.sql.tokens import (
    SqlPersonalTokenLookups,
    SqlPersonalTokenStore,
    SqlRefreshTokenStore,
    SqlTokenRevocations,
)
from photoshare.adapters.sql.users import SqlAccountLookups, SqlTokenHolders, SqlUserRepository
from photoshare.application.auth import SeparateLookups
from photoshare.application.ports.accounts import (
    AccountLookups,
    PersonalTokenLookups,
    PersonalTokenStore,
    RefreshTokenStore,
    TokenHolders,
    TokenRevocations,
    UserRepository,
)
from photoshare.application.ports.engagement import CommentRepository, RatingRepository
from photoshare.application.ports.photos import LinkLookups, LinkRepository, PhotoLookups, PhotoRepository
from tests.integration import conftest as integration
from tests.unit.fakes import (
    InMemoryCommentRepository,
    InMemoryLinkRepository,
    InMemoryPersonalTokenStore,
    InMemoryPhotoRepository,
    InMemoryRatingRepository,
    InMemoryRefreshTokenStore,
    InMemoryTokenRevocations,
    InMemoryUserRepository,
)

pg = integration.pg
valkey_server = integration.valkey_server
valkey_url = integration.valkey_url
_no_fsync_in_the_test_cluster = integration._no_fsync_in_the_test_cluster  # autouse, session-wide


@dataclass
class Repos:
    """The ports one unit of work sees."""

    users: UserRepository
    accounts: AccountLookups
    photos: PhotoRepository
    photo_lookups: PhotoLookups
    links: LinkRepository
    link_lookups: LinkLookups
    comments: CommentRepository
    ratings: RatingRepository
    refresh_tokens: RefreshTokenStore
    personal_tokens: PersonalTokenStore
    personal_token_lookups: PersonalTokenLookups


class Backend(Protocol):
    name: str

    def unit(self) -> AbstractAsyncContextManager[Repos]:
        """`async with backend.unit() as repos:` commits when the block ends without error."""
        ...

    async def comment_counts(self, photo_id: uuid.UUID, author_id: uuid.UUID) -> tuple[int, int]:
        """The photo's and the author's comment counters as the store keeps them."""
        ...


class FakeBackend:
    name = "fake"

    def __init__(self) -> None:
        photo_repo = InMemoryPhotoRepository()
        # Each fake serves its repository port and the lookups beside it.
        link_repo = InMemoryLinkRepository(photo_repo)
        user_repo, token_repo = InMemoryUserRepository(), InMemoryPersonalTokenStore()
        self.comments = InMemoryCommentRepository(photos=photo_repo)
        self.repos = Repos(
            users=user_repo,
            accounts=user_repo,
            photos=photo_repo,
            photo_lookups=photo_repo,
            links=link_repo,
            link_lookups=link_repo,
            comments=self.comments,
            ratings=InMemoryRatingRepository(photos=photo_repo),
            refresh_tokens=InMemoryRefreshTokenStore(),
            personal_tokens=token_repo,
            personal_token_lookups=token_repo,
        )

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Repos]:
        yield self.repos

    async def comment_counts(self, photo_id: uuid.UUID, author_id: uuid.UUID) -> tuple[int, int]:
        return self.comments.per_photo[photo_id], self.comments.per_author[author_id]


class SqlBackend:
    name = "sql"

    def __init__(self, database_url: str) -> None:
        self.engine = create_async_engine(database_url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.pool = open_pool(database_url, 4)

    async def empty(self) -> None:
        names = ", ".join(table.name for table in metadata.sorted_tables)
        async with self.engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Repos]:
        async with self.sessions() as session:
            reader = PgReader(self.pool)
            yield Repos(
                users=SqlUserRepository(session),
                accounts=SqlAccountLookups(reader),
                photos=SqlPhotoRepository(session),
                photo_lookups=SqlPhotoLookups(reader),
                links=SqlLinkRepository(session),
                link_lookups=SqlLinkLookups(reader),
                comments=SqlCommentRepository(session, PgAutocommit(self.pool)),
                ratings=SqlRatingRepository(session),
                refresh_tokens=SqlRefreshTokenStore(session),
                personal_tokens=SqlPersonalTokenStore(session),
                personal_token_lookups=SqlPersonalTokenLookups(reader),
            )
            await session.commit()

    async def comment_counts(self, photo_id: uuid.UUID, author_id: uuid.UUID) -> tuple[int, int]:
        async with self.engine.connect() as conn:
            on_photo = await conn.scalar(sa.select(photos.c.comment_count).where(photos.c.id == photo_id))
            by_author = await conn.scalar(sa.select(users.c.comment_count).where(users.c.id == author_id))
        return int(on_photo or 0), int(by_author or 0)


@pytest.fixture(scope="module")
def contract_database_url(pg: EmbeddedPostgres, request: pytest.FixtureRequest) -> Iterator[str]:
    name = "contract_" + request.module.__name__.rsplit(".", 1)[-1]
    pg.drop_database(name)
    pg.create_from_template(name, integration.TEMPLATE)
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture(params=["fake", "sql"])
def sql_url(request: pytest.FixtureRequest) -> str | None:
    """None for the fakes; the module's migrated database for SQL (resolved here, outside
    the event loop: migrating runs alembic's own loop)."""
    return None if request.param == "fake" else str(request.getfixturevalue("contract_database_url"))


@pytest.fixture
async def backend(sql_url: str | None) -> AsyncIterator[Backend]:
    if sql_url is None:
        yield FakeBackend()
        return
    sql = SqlBackend(sql_url)
    await sql.pool.open()
    try:
        await sql.empty()
        yield sql
    finally:
        await sql.pool.close()
        await sql.engine.dispose()


# Token revocations have a third implementation, used when PHOTOSHARE_VALKEY_URL is set.


@pytest.fixture(params=["fake", "sql", "valkey"])
def revocations_at(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Which implementation, and its URL (resolved outside the event loop, as `sql_url`)."""
    urls = {"fake": None, "sql": "contract_database_url", "valkey": "valkey_url"}
    fixture = urls[request.param]
    return request.param, None if fixture is None else str(request.getfixturevalue(fixture))


@pytest.fixture
async def revocations(revocations_at: tuple[str, str | None]) -> AsyncIterator[TokenRevocations]:
    kind, url = revocations_at
    if url is None:
        yield InMemoryTokenRevocations()
    elif kind == "sql":
        sql = SqlBackend(url)
        await sql.pool.open()
        try:
            await sql.empty()
            yield SqlTokenRevocations(PgAutocommit(sql.pool))
        finally:
            await sql.pool.close()
            await sql.engine.dispose()
    else:
        client = valkey.Valkey.from_url(url)  # the `valkey_url` fixture has flushed it
        try:
            yield ValkeyTokenRevocations(client)
        finally:
            await client.aclose()


# Authentication asks one `TokenHolders` for the account and the revocation together: one
# statement in SQL, two stores composed with Valkey, and the two fakes composed in unit tests.


@dataclass
class HolderStores:
    holders: TokenHolders
    revocations: TokenRevocations
    users: UserRepository
    commit: Callable[[], Awaitable[None]]


@pytest.fixture(params=["fake", "sql", "valkey"])
def holders_at(request: pytest.FixtureRequest) -> tuple[str, str | None, str | None]:
    """Which implementation, its database URL and its Valkey URL (resolved outside the loop)."""
    sql = None if request.param == "fake" else str(request.getfixturevalue("contract_database_url"))
    cache = str(request.getfixturevalue("valkey_url")) if request.param == "valkey" else None
    return request.param, sql, cache


@pytest.fixture
async def holder_stores(holders_at: tuple[str, str | None, str | None]) -> AsyncIterator[HolderStores]:
    _, sql_url, cache_url = holders_at
    if sql_url is None:
        users_, revoked = InMemoryUserRepository(), InMemoryTokenRevocations()

        async def nothing() -> None:
            return None

        yield HolderStores(SeparateLookups(revoked, users_), revoked, users_, nothing)
        return
    sql = SqlBackend(sql_url)
    await sql.pool.open()
    client = valkey.Valkey.from_url(cache_url) if cache_url else None
    try:
        await sql.empty()
        async with sql.sessions() as session:
            reader = PgReader(sql.pool)
            repo = SqlUserRepository(session)
            if client is None:
                revocations: TokenRevocations = SqlTokenRevocations(PgAutocommit(sql.pool))
                holders: TokenHolders = SqlTokenHolders(reader)
            else:
                revocations = ValkeyTokenRevocations(client)
                holders = SeparateLookups(revocations, SqlAccountLookups(reader))
            yield HolderStores(holders, revocations, repo, session.commit)
    finally:
        if client is not None:
            await client.aclose()
        await sql.pool.close()
        await sql.engine.dispose()
