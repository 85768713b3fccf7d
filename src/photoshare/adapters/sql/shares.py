"""Share links in PostgreSQL. A view is counted by one conditional UPDATE ... RETURNING:
concurrent views queue on the row and each re-checks the condition on the latest
version, so with N views left exactly N of any number of simultaneous requests succeed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.tables import shares
from photoshare.domain.shares import Share, ShareKind

_COLUMNS = (
    shares.c.id,
    shares.c.slug,
    shares.c.owner_id,
    shares.c.photo_id,
    shares.c.album_id,
    shares.c.label,
    shares.c.expires_at,
    shares.c.max_views,
    shares.c.view_count,
    shares.c.last_viewed_at,
    shares.c.password_hash,
    shares.c.created_at,
)


def _to_share(row: Any) -> Share:
    kind = ShareKind.PHOTO if row.photo_id is not None else ShareKind.ALBUM
    return Share(
        id=row.id,
        slug=row.slug,
        owner_id=row.owner_id,
        kind=kind,
        target_id=row.photo_id if kind is ShareKind.PHOTO else row.album_id,
        label=row.label,
        expires_at=row.expires_at,
        max_views=row.max_views,
        view_count=row.view_count,
        last_viewed_at=row.last_viewed_at,
        password_hash=row.password_hash,
        created_at=row.created_at,
    )


class SqlShareRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, *where: sa.ColumnElement[bool]) -> Share | None:
        row = (await self._session.execute(sa.select(*_COLUMNS).where(*where))).first()
        return _to_share(row) if row else None

    async def add(self, share: Share) -> None:
        await self._session.execute(
            sa.insert(shares).values(
                id=share.id,
                slug=share.slug,
                owner_id=share.owner_id,
                photo_id=share.target_id if share.kind is ShareKind.PHOTO else None,
                album_id=share.target_id if share.kind is ShareKind.ALBUM else None,
                label=share.label,
                expires_at=share.expires_at,
                max_views=share.max_views,
                password_hash=share.password_hash,
                created_at=share.created_at,
            )
        )

    async def get(self, share_id: uuid.UUID) -> Share | None:
        return await self._one(shares.c.id == share_id)

    async def get_by_slug(self, slug: str) -> Share | None:
        return await self._one(shares.c.slug == slug)

    async def update(self, share: Share) -> None:
        await self._session.execute(
            sa.update(shares)
            .where(shares.c.id == share.id)
            .values(
                label=share.label,
                expires_at=share.expires_at,
                max_views=share.max_views,
                password_hash=share.password_hash,
            )
        )

    async def delete(self, share_id: uuid.UUID) -> None:
        await self._session.execute(sa.delete(shares).where(shares.c.id == share_id))

    async def list_for_owner(self, owner_id: uuid.UUID, limit: int, offset: int) -> tuple[list[Share], int]:
        total = await self._session.scalar(
            sa.select(sa.func.count()).select_from(shares).where(shares.c.owner_id == owner_id)
        )
        rows = await self._session.execute(
            sa.select(*_COLUMNS)
            .where(shares.c.owner_id == owner_id)
            .order_by(shares.c.created_at.desc(), shares.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_to_share(r) for r in rows], int(total or 0)

    async def count_view(self, share_id: uuid.UUID, now: datetime) -> Share | None:
        row = (
            await self._session.execute(
                sa.update(shares)
                .where(
                    shares.c.id == share_id,
                    sa.or_(shares.c.max_views.is_(None), shares.c.view_count < shares.c.max_views),
                    sa.or_(shares.c.expires_at.is_(None), shares.c.expires_at > now),
                )
                .values(view_count=shares.c.view_count + 1, last_viewed_at=now)
                .returning(*_COLUMNS)
            )
        ).first()
        return _to_share(row) if row else None
