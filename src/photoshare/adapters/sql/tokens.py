"""Refresh-token families and revoked access tokens in PostgreSQL (the default, shared by all workers)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.reader import PgAutocommit, PgReader
from photoshare.adapters.sql.tables import (
    one_time_tokens,
    personal_tokens,
    refresh_tokens,
    revoked_tokens,
    sessions,
)
from photoshare.application.ports.accounts import RefreshOutcome, TokenClaims
from photoshare.domain.accounts import OneTimeToken, PersonalToken, Purpose, Scope, Session

FAMILY_PREFIX = "family:"


def token_hash(token_id: str) -> str:
    """Only a hash of the id is stored: a database leak yields nothing to replay."""
    return hashlib.sha256(token_id.encode()).hexdigest()


class SqlRefreshTokenStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, claims: TokenClaims, *, user_agent: str | None = None) -> None:
        if claims.family:
            # The family's session starts now, or was used now (a refresh).
            started = pg_insert(sessions).values(
                id=claims.family,
                user_id=claims.subject,
                created_at=claims.issued_at,
                last_used_at=claims.issued_at,
                expires_at=claims.expires_at,
                user_agent=user_agent,
            )
            await self._session.execute(
                started.on_conflict_do_update(
                    index_elements=[sessions.c.id],
                    set_={
                        "last_used_at": started.excluded.last_used_at,
                        "expires_at": started.excluded.expires_at,
                        "user_agent": sa.func.coalesce(started.excluded.user_agent, sessions.c.user_agent),
                    },
                    where=sessions.c.user_id == started.excluded.user_id,
                )
            )
        await self._session.execute(
            sa.insert(refresh_tokens).values(
                token_hash=token_hash(claims.token_id),
                user_id=claims.subject,
                family=claims.family or "",
                expires_at=claims.expires_at,
            )
        )

    async def sessions(self, user_id: uuid.UUID) -> list[Session]:
        rows = await self._session.execute(
            sa.select(
                sessions.c.id,
                sessions.c.user_id,
                sessions.c.created_at,
                sessions.c.last_used_at,
                sessions.c.user_agent,
            )
            .where(
                sessions.c.user_id == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > sa.func.now(),
            )
            .order_by(sessions.c.last_used_at.desc(), sessions.c.id)
        )
        return [Session(*row) for row in rows]

    async def spend(self, token_id: str) -> RefreshOutcome:
        hashed = token_hash(token_id)
        spent = await self._session.execute(
            sa.update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == hashed, refresh_tokens.c.spent_at.is_(None))
            .values(spent_at=sa.func.now())
            .returning(refresh_tokens.c.token_hash)
        )
        if spent.first() is not None:
            return RefreshOutcome.SPENT_NOW
        known = await self._session.execute(
            sa.select(refresh_tokens.c.token_hash).where(refresh_tokens.c.token_hash == hashed)
        )
        return RefreshOutcome.ALREADY_SPENT if known.first() else RefreshOutcome.UNKNOWN

    async def revoke_family(self, family: str) -> None:
        await self._session.execute(
            sa.update(refresh_tokens)
            .where(refresh_tokens.c.family == family, refresh_tokens.c.spent_at.is_(None))
            .values(spent_at=sa.func.now())
        )
        await self._session.execute(
            sa.update(sessions)
            .where(sessions.c.id == family, sessions.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )
        # Expired rows are useless to anyone; purge them while we are here.
        await self._session.execute(
            sa.delete(refresh_tokens).where(refresh_tokens.c.expires_at < sa.func.now())
        )


class SqlTokenRevocations:
    """Short self-committing statements on the autocommit pool: a revocation must not wait
    for, or roll back with, the request's transaction."""

    def __init__(self, db: PgAutocommit) -> None:
        self._db = db

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        await self._remember(token_id, expires_at)

    async def revoke_family(self, family: str, expires_at: datetime) -> None:
        # A family shares the table with token ids under a prefix no token id (hex) can have.
        await self._remember(FAMILY_PREFIX + family, expires_at)

    async def _remember(self, key: str, expires_at: datetime) -> None:
        # A family revoked again (logged out after a reuse) keeps the later expiry.
        stmt = pg_insert(revoked_tokens).values(token_id=key, expires_at=expires_at)
        await self._db.execute(
            stmt.on_conflict_do_update(
                index_elements=[revoked_tokens.c.token_id],
                set_={"expires_at": sa.func.greatest(revoked_tokens.c.expires_at, stmt.excluded.expires_at)},
            )
        )
        # Expired revocations protect nothing any more.
        await self._db.execute(sa.delete(revoked_tokens).where(revoked_tokens.c.expires_at < sa.func.now()))

    async def is_revoked(self, token_id: str, family: str | None = None) -> bool:
        # One indexed lookup for both: the token's own id and its family's.
        keys = [token_id, *([FAMILY_PREFIX + family] if family else [])]
        rows = await self._db.execute(
            sa.select(sa.func.max(revoked_tokens.c.expires_at)).where(
                sa.or_(*(revoked_tokens.c.token_id == key for key in keys))
            )
        )
        return bool(rows) and rows[0][0] is not None and rows[0][0] > datetime.now(UTC)


class SqlOneTimeTokenStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: OneTimeToken) -> None:
        await self._session.execute(
            sa.insert(one_time_tokens).values(
                token_hash=token.token_hash,
                user_id=token.user_id,
                purpose=token.purpose.value,
                email=token.email,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )

    async def consume(self, token_hash: str, purpose: Purpose, now: datetime) -> OneTimeToken | None:
        t = one_time_tokens
        row = (
            await self._session.execute(
                sa.update(t)
                .where(
                    t.c.token_hash == token_hash,
                    t.c.purpose == purpose.value,
                    t.c.used_at.is_(None),
                    t.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(
                    t.c.token_hash, t.c.user_id, t.c.purpose, t.c.created_at, t.c.expires_at, t.c.email
                )
            )
        ).first()
        if row is None:
            return None
        return OneTimeToken(row[0], row[1], Purpose(row[2]), row[3], row[4], row[5], used_at=now)

    async def discard(self, user_id: uuid.UUID, purpose: Purpose) -> None:
        t = one_time_tokens
        await self._session.execute(
            sa.update(t)
            .where(t.c.user_id == user_id, t.c.purpose == purpose.value, t.c.used_at.is_(None))
            .values(used_at=sa.func.now())
        )
        # Tokens past their life serve nobody; purge them while we are here.
        await self._session.execute(sa.delete(t).where(t.c.expires_at < sa.func.now()))


_PAT_COLUMNS = [
    personal_tokens.c[name]
    for name in ("id", "user_id", "name", "token_hash", "scopes", "created_at", "expires_at", "token_version")
]


def _to_pat(row: Any) -> PersonalToken:
    return PersonalToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        token_hash=row.token_hash,
        scopes=frozenset(Scope(s) for s in row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        token_version=row.token_version,
    )


class SqlPersonalTokenLookups:
    """The per-request lookup, on the read pool outside the request's transaction."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def get_by_hash(self, token_hash: str) -> PersonalToken | None:
        row = await self._reader.first(
            sa.select(*_PAT_COLUMNS).where(personal_tokens.c.token_hash == token_hash)
        )
        return _to_pat(row) if row else None


class SqlPersonalTokenStore:
    """The owner's side, in the request's transaction (the lookup: `SqlPersonalTokenLookups`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: PersonalToken) -> None:
        await self._session.execute(
            sa.insert(personal_tokens).values(
                id=token.id,
                user_id=token.user_id,
                name=token.name,
                token_hash=token.token_hash,
                scopes=sorted(s.value for s in token.scopes),
                token_version=token.token_version,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )

    async def list_for(self, user_id: uuid.UUID) -> list[PersonalToken]:
        rows = await self._session.execute(
            sa.select(*_PAT_COLUMNS)
            .where(personal_tokens.c.user_id == user_id)
            .order_by(personal_tokens.c.created_at.desc(), personal_tokens.c.id)
        )
        return [_to_pat(row) for row in rows]

    async def delete(self, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
        done = await self._session.execute(
            sa.delete(personal_tokens)
            .where(personal_tokens.c.id == token_id, personal_tokens.c.user_id == user_id)
            .returning(personal_tokens.c.id)
        )
        return done.first() is not None
