"""The account adapters against the real PostgreSQL: constraints, atomic spends, purges."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from photoshare.adapters.sql.reader import PgAutocommit, PgReader, open_pool
from photoshare.adapters.sql.tables import refresh_tokens, revoked_tokens
from photoshare.adapters.sql.tokens import SqlRefreshTokenStore, SqlTokenRevocations, token_hash
from photoshare.adapters.sql.users import SqlAccountLookups, SqlUserRepository
from photoshare.application.ports.accounts import RefreshOutcome, TokenClaims, TokenType
from photoshare.domain.errors import Conflict, Unavailable
from photoshare.domain.users import Role, User


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Db:
    """The database as the app wires it: ORM sessions for writes, a psycopg pool beside them."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    pool: AsyncConnectionPool

    def users(self, session: AsyncSession) -> SqlUserRepository:
        return SqlUserRepository(session)

    @property
    def accounts(self) -> SqlAccountLookups:
        return SqlAccountLookups(PgReader(self.pool))

    @property
    def revocations(self) -> SqlTokenRevocations:
        return SqlTokenRevocations(PgAutocommit(self.pool))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    engine = create_async_engine(database_url)
    pool = open_pool(database_url, 4)
    await pool.open()
    yield Db(engine, async_sessionmaker(engine, expire_on_commit=False), pool)
    await pool.close()
    await engine.dispose()


def _user(username: str, email: str | None = None, **changes: Any) -> User:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "username": username,
        "email": email or f"{username}@example.org",
        "password_hash": "hash",
        "role": Role.USER,
        "is_active": True,
        "created_at": _now(),
    }
    return User(**(fields | changes))


async def _add(db: Db, user: User) -> User:
    async with db.sessions() as session:
        stored = await db.users(session).add(user)
        await session.commit()
    return stored


def _claims(user: User, family: str = "fam", expires_at: datetime | None = None) -> TokenClaims:
    return TokenClaims(
        subject=user.id,
        token_id=uuid.uuid4().hex,
        token_type=TokenType.REFRESH,
        issued_at=_now(),
        expires_at=expires_at or _now() + timedelta(days=1),
        version=0,
        family=family,
    )


async def _store(db: Db, *claims: TokenClaims) -> None:
    async with db.sessions() as session:
        for c in claims:
            await SqlRefreshTokenStore(session).add(c)
        await session.commit()


async def _spend(db: Db, token_id: str) -> RefreshOutcome:
    async with db.sessions() as session:
        outcome = await SqlRefreshTokenStore(session).spend(token_id)
        await session.commit()
    return outcome


# --- users -------------------------------------------------------------------------------------


async def test_first_stored_account_is_admin_and_the_next_is_not(
    db: Db,
) -> None:
    first = await _add(db, _user("alice"))
    second = await _add(db, _user("bob"))
    assert (first.role, second.role) == (Role.ADMIN, Role.USER)
    stored = await db.accounts.get(first.id)
    assert stored is not None
    assert stored.role is Role.ADMIN


async def test_racing_first_accounts_make_exactly_one_admin(
    db: Db,
) -> None:
    racers = 6
    ready = asyncio.Barrier(racers)

    async def add_in_own_transaction(n: int) -> Role:
        async with db.sessions() as session:
            await session.execute(sa.text("SELECT 1"))  # connected, transaction open
            await ready.wait()
            stored = await db.users(session).add(_user(f"racer{n}"))
            await session.commit()
        return stored.role

    roles = await asyncio.gather(*(add_in_own_transaction(n) for n in range(racers)))
    assert sorted(roles) == [Role.ADMIN] + [Role.USER] * (racers - 1)


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ALICE", "other@example.org", "username"), ("other", "ALICE@Example.org", "email")],
)
async def test_username_and_email_are_unique_case_insensitively(
    db: Db, username: str, email: str, field: str
) -> None:
    await _add(db, _user("alice", "alice@example.org"))
    with pytest.raises(Conflict) as caught:
        await _add(db, _user(username, email))
    assert caught.value.field == field


async def test_update_to_a_taken_email_is_a_conflict_on_email(
    db: Db,
) -> None:
    await _add(db, _user("alice", "alice@example.org"))
    bob = await _add(db, _user("bob"))
    async with db.sessions() as session:
        with pytest.raises(Conflict) as caught:
            await db.users(session).update_profile(_user("bob", "Alice@EXAMPLE.org", id=bob.id))
    assert caught.value.field == "email"


async def test_profile_and_access_updates_write_only_their_own_columns(db: Db) -> None:
    bob = await _add(db, _user("bob"))
    changed = User(
        id=bob.id,
        username="bob",
        email="bobby@example.org",
        password_hash="new-hash",
        role=Role.MODERATOR,
        is_active=False,
        created_at=bob.created_at,
        full_name="Bob",
        bio="bio",
        token_version=3,
    )
    async with db.sessions() as session:
        await db.users(session).update_profile(changed)
        await session.commit()
    after_profile = await db.accounts.get(bob.id)
    assert after_profile == replace(bob, email="bobby@example.org", full_name="Bob", bio="bio")
    async with db.sessions() as session:
        await db.users(session).update_access(changed)
        await session.commit()
    after_access = await db.accounts.get(bob.id)
    assert after_access == replace(changed, password_hash=bob.password_hash)


async def test_lookups_by_username_or_email_ignore_case(db: Db) -> None:
    alice = await _add(db, _user("Alice", "Alice@Example.org"))
    async with db.sessions() as session:
        repo = db.users(session)
        found = [
            await repo.get_by_username("aLICE"),
            await db.accounts.get_by_login("ALICE"),
            await db.accounts.get_by_login("alice@example.ORG"),
        ]
        missing = [await repo.get_by_username("bob"), await db.accounts.get_by_login("bob@example.org")]
    assert [u.id if u else None for u in found] == [alice.id] * 3
    assert missing == [None, None]


# --- refresh tokens ----------------------------------------------------------------------------


async def test_refresh_tokens_are_stored_only_as_hashes(db: Db) -> None:
    alice = await _add(db, _user("alice"))
    claims = _claims(alice)
    await _store(db, claims)
    async with db.engine.connect() as conn:
        stored = (await conn.execute(sa.select(refresh_tokens.c.token_hash))).scalars().all()
    assert stored == [token_hash(claims.token_id)]
    assert claims.token_id not in stored


async def test_spend_answers_spent_now_then_already_spent_and_unknown_for_strangers(
    db: Db,
) -> None:
    alice = await _add(db, _user("alice"))
    claims = _claims(alice)
    await _store(db, claims)
    assert await _spend(db, claims.token_id) is RefreshOutcome.SPENT_NOW
    assert await _spend(db, claims.token_id) is RefreshOutcome.ALREADY_SPENT
    assert await _spend(db, "never-issued") is RefreshOutcome.UNKNOWN


async def test_concurrent_spends_of_one_token_succeed_exactly_once(
    db: Db,
) -> None:
    alice = await _add(db, _user("alice"))
    claims = _claims(alice)
    await _store(db, claims)
    racers = 4
    ready = asyncio.Barrier(racers)

    async def spend_in_own_transaction() -> RefreshOutcome:
        async with db.sessions() as session:
            await session.execute(sa.text("SELECT 1"))  # each has its connection and transaction open
            await ready.wait()
            outcome = await SqlRefreshTokenStore(session).spend(claims.token_id)
            await session.commit()
        return outcome

    outcomes = await asyncio.gather(*(spend_in_own_transaction() for _ in range(racers)))
    assert sorted(o.value for o in outcomes) == sorted(
        [RefreshOutcome.SPENT_NOW.value] + [RefreshOutcome.ALREADY_SPENT.value] * (racers - 1)
    )


async def test_revoking_a_family_spends_its_live_tokens_only(
    db: Db,
) -> None:
    alice = await _add(db, _user("alice"))
    stolen, sibling, other = _claims(alice, "fam-a"), _claims(alice, "fam-a"), _claims(alice, "fam-b")
    await _store(db, stolen, sibling, other)
    async with db.sessions() as session:
        await SqlRefreshTokenStore(session).revoke_family("fam-a")
        await session.commit()
    assert await _spend(db, sibling.token_id) is RefreshOutcome.ALREADY_SPENT
    assert await _spend(db, other.token_id) is RefreshOutcome.SPENT_NOW


async def test_expired_refresh_tokens_are_purged(db: Db) -> None:
    alice = await _add(db, _user("alice"))
    expired, live = _claims(alice, "f1", _now() - timedelta(seconds=5)), _claims(alice, "f2")
    await _store(db, expired, live)
    async with db.sessions() as session:
        await SqlRefreshTokenStore(session).revoke_family("unrelated")
        await session.commit()
    async with db.engine.connect() as conn:
        left = set((await conn.execute(sa.select(refresh_tokens.c.token_hash))).scalars())
    assert left == {token_hash(live.token_id)}


# --- revoked access tokens ---------------------------------------------------------------------


async def test_revoked_token_is_reported_and_others_are_not(db: Db) -> None:
    revocations = db.revocations
    await revocations.revoke("jti-1", _now() + timedelta(minutes=5))
    await revocations.revoke("jti-1", _now() + timedelta(minutes=5))  # twice is harmless
    assert await revocations.is_revoked("jti-1") is True
    assert await revocations.is_revoked("jti-2") is False


async def test_revoked_family_refuses_its_tokens_in_one_lookup(db: Db) -> None:
    revocations = db.revocations
    await revocations.revoke_family("fam-1", _now() + timedelta(minutes=5))
    assert await revocations.is_revoked("jti-1", "fam-1") is True
    assert await revocations.is_revoked("jti-1", "fam-2") is False
    assert await revocations.is_revoked("jti-1") is False  # a token without a family


async def test_a_family_revoked_twice_keeps_the_later_expiry(db: Db) -> None:
    revocations = db.revocations
    await revocations.revoke_family("fam", _now() + timedelta(minutes=5))
    await revocations.revoke_family("fam", _now() - timedelta(minutes=5))
    assert await revocations.is_revoked("jti", "fam") is True


async def test_revocation_rows_of_expired_tokens_are_purged(db: Db) -> None:
    revocations = db.revocations
    await revocations.revoke("old", _now() - timedelta(seconds=1))
    await revocations.revoke("new", _now() + timedelta(minutes=5))
    async with db.engine.connect() as conn:
        left = set((await conn.execute(sa.select(revoked_tokens.c.token_id))).scalars())
    assert left == {"new"}


async def test_revocation_is_visible_at_once_outside_any_request_transaction(db: Db) -> None:
    async with db.sessions() as request_session:
        await request_session.execute(sa.text("SELECT 1"))
        await db.revocations.revoke("jti", _now() + timedelta(minutes=5))
        await request_session.rollback()  # the request failing afterwards does not undo it
    assert await db.revocations.is_revoked("jti") is True


async def test_sql_revocations_fail_closed_when_the_database_is_unreachable() -> None:
    with tempfile.TemporaryDirectory(prefix="ps-nodb-") as nowhere:  # a socket dir with no server
        pool = AsyncConnectionPool(f"postgresql://postgres@/nowhere?host={nowhere}", open=False, timeout=0.5)
        await pool.open(wait=False)
        try:
            revocations = SqlTokenRevocations(PgAutocommit(pool))
            with pytest.raises(Unavailable):
                await revocations.is_revoked("jti")
            with pytest.raises(Unavailable):
                await revocations.revoke("jti", _now() + timedelta(minutes=5))
        finally:
            await pool.close()


async def test_a_read_past_the_statement_timeout_is_a_503_and_never_tried_twice(database_url: str) -> None:
    import psycopg
    import sqlalchemy as sa

    from photoshare.config import libpq_url
    from photoshare.domain.errors import Unavailable

    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE slow_attempts")
    pool = open_pool(database_url, 2, statement_timeout_ms=200)
    await pool.open()
    try:
        # nextval() is not undone by the cancellation: it counts how often the read ran.
        slow = sa.select(sa.func.nextval("slow_attempts"), sa.func.pg_sleep(30))
        with pytest.raises(Unavailable) as raised:
            await PgReader(pool).scalar(slow)
    finally:
        await pool.close()
    assert raised.value.retry_after == 1
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        assert conn.execute("SELECT last_value FROM slow_attempts").fetchone() == (1,)
