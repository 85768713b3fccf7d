"""Read models straight from SQL: one statement per page plus one count, whatever the page size."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from photoshare.adapters.sql.reader import PgReader, compile_sql
from photoshare.adapters.sql.tables import photo_tags, photos, tags, users
from photoshare.application.readmodels import (
    PhotoPage,
    PhotoSearch,
    PhotoView,
    RatingStats,
    TagPage,
    TagView,
    UserRef,
)

_PHOTO_ROW = sa.select(
    photos.c.id,
    photos.c.image_key,
    photos.c.description,
    photos.c.tag_names,
    users.c.username,
    photos.c.rating_average,
    photos.c.rating_count,
    photos.c.comment_count,
    photos.c.width,
    photos.c.height,
    photos.c.created_at,
    photos.c.updated_at,
).join_from(photos, users, users.c.id == photos.c.owner_id)


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's own wildcards escaped, so a user's `%` matches a literal `%`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_GET_PHOTO_SQL = compile_sql(_PHOTO_ROW.where(photos.c.id == sa.bindparam("photo_id")))[0]


class SqlPhotoQueries:
    def __init__(self, reader: PgReader, url_for: Callable[[str], str]) -> None:
        self._reader = reader
        self._url_for = url_for

    def _view(self, row: Any) -> PhotoView:
        average = row.rating_average
        return PhotoView(
            id=row.id,
            url=self._url_for(row.image_key),
            description=row.description,
            tags=list(row.tag_names),
            owner=UserRef(row.username),
            rating=RatingStats(
                average=float(average) if average is not None else None, count=row.rating_count
            ),
            comment_count=row.comment_count,
            width=row.width,
            height=row.height,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def get(self, photo_id: uuid.UUID) -> PhotoView | None:
        row = await self._reader.first_sql(_GET_PHOTO_SQL, {"photo_id": photo_id})
        return self._view(row) if row else None

    async def search(self, search: PhotoSearch) -> PhotoPage:
        conditions = _conditions(search)
        page = (
            _PHOTO_ROW.where(*conditions).order_by(*_order(search)).limit(search.limit).offset(search.offset)
        )
        rows = await self._reader.all(page)
        count = sa.select(sa.func.count()).select_from(photos)
        if search.owner:
            count = count.join(users, users.c.id == photos.c.owner_id)
        total = await self._reader.scalar(count.where(*conditions))
        return PhotoPage(
            items=[self._view(r) for r in rows], total=total, limit=search.limit, offset=search.offset
        )


def _has_tag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.exists(
        sa.select(sa.literal(1))
        .select_from(photo_tags.join(tags, tags.c.id == photo_tags.c.tag_id))
        .where(photo_tags.c.photo_id == photos.c.id, condition)
    )


def _conditions(search: PhotoSearch) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if search.q:
        pattern = like_pattern(search.q)
        where.append(sa.or_(photos.c.description.ilike(pattern), _has_tag(tags.c.name.ilike(pattern))))
    if search.tag:
        where.append(_has_tag(tags.c.name == search.tag))
    if search.min_rating is not None:
        where.append(photos.c.rating_average >= search.min_rating)
    if search.max_rating is not None:
        where.append(photos.c.rating_average <= search.max_rating)
    if search.created_from is not None:
        where.append(photos.c.created_at >= search.created_from)
    if search.created_to is not None:
        where.append(photos.c.created_at <= search.created_to)
    if search.owner:
        where.append(sa.func.lower(users.c.username) == search.owner.lower())
    return where


def _order(search: PhotoSearch) -> list[sa.UnaryExpression[Any]]:
    column = photos.c.rating_average if search.sort.field == "rating" else photos.c.created_at
    if search.sort.descending:
        return [column.desc().nulls_last(), photos.c.id.desc()]
    return [column.asc().nulls_last(), photos.c.id.asc()]


class SqlTagQueries:
    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def page(self, prefix: str | None, limit: int, offset: int) -> TagPage:
        where = (
            [tags.c.name.like(like_pattern(prefix.strip().lower())[1:])] if prefix and prefix.strip() else []
        )
        # A correlated count per tag on the page (index-only on photo_tags.tag_id), not a
        # GROUP BY over every photo's tags.
        photo_count = sa.select(sa.func.count()).where(photo_tags.c.tag_id == tags.c.id).scalar_subquery()
        rows = await self._reader.all(
            sa.select(tags.c.name, photo_count)
            .where(*where)
            .order_by(tags.c.name)
            .limit(limit)
            .offset(offset)
        )
        total = await self._reader.scalar(sa.select(sa.func.count()).select_from(tags).where(*where))
        return TagPage(items=[TagView(n, c) for n, c in rows], total=total, limit=limit, offset=offset)
