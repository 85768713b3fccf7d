"""Refresh-token families and revoked access tokens in PostgreSQL (the default, shared by all workers)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.reader import PgAutocommit
from photoshare.adapters.sql.tables import refresh_tokens, revoked_tokens
from photoshare.application.ports import RefreshOutcome, TokenClaims

FAMILY_PREFIX = "family:"


def token_hash(token_id: str) -> str:
    """Only a hash of the id is stored: a database leak yields nothing to replay."""
    return hashlib.sha256(token_id.encode()).hexdigest()


class SqlRefreshTokenStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, claims: TokenClaims) -> None:
        await self._session.execute(
            sa.insert(refresh_tokens).values(
                token_hash=token_hash(claims.token_id),
                user_id=claims.subject,
                family=claims.family or "",
                expires_at=claims.expires_at,
            )
        )

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
