"""Ratings in PostgreSQL: the repository (with the photo's stored summary) and the read query.

The summary changes in one atomic `UPDATE photos SET n = n + 1, ...`: concurrent raters
queue on the photo row and each update starts from the latest committed values, so no
rating is ever lost and no page needs an aggregate over the ratings table.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.errors import conflict_from, constraint_name
from photoshare.adapters.sql.reader import PgReader
from photoshare.adapters.sql.tables import PK_RATINGS, photos, ratings, users
from photoshare.adapters.sql.visibility import visible
from photoshare.application.readmodels import MyRating, RatingEntry, UserRef
from photoshare.domain.access import VisibleTo
from photoshare.domain.errors import Conflict, NotFound
from photoshare.domain.ratings import Rating, RatingSummary

# Named by the metadata's convention in migration 0003: the photo vanished mid-request.
FK_RATINGS_PHOTO = "fk_ratings_photo_id_photos"

_CONFLICTS = {PK_RATINGS: Conflict("you have already rated this photo", field="value")}


def _average(total: sa.ColumnElement[int], count: sa.ColumnElement[int]) -> sa.ColumnElement[object]:
    """round(total / count, 2), NULL when the count is 0."""
    return sa.func.round(sa.cast(total, sa.Numeric) / sa.func.nullif(count, 0), 2)


def _add_statement() -> sa.Update:
    """The rating and the photo's summary in one statement (two round trips before): the
    insert's foreign key proves the photo exists, its primary key refuses a second rating."""
    fields = ("photo_id", "user_id", "value", "created_at")
    added = (
        sa.insert(ratings)
        .values({f: sa.bindparam(f"new_{f}", type_=ratings.c[f].type) for f in fields})
        .returning(ratings.c.photo_id, ratings.c.value)
        .cte("added")
    )
    value = sa.select(added.c.value).scalar_subquery()
    count = photos.c.rating_count + 1
    total = photos.c.rating_total + value
    return (
        sa.update(photos)
        .where(photos.c.id == sa.select(added.c.photo_id).scalar_subquery())
        .values(rating_count=count, rating_total=total, rating_average=_average(total, count))
        .returning(photos.c.rating_count, photos.c.rating_total)
    )


_ADD = _add_statement()


class SqlRatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _apply(self, photo_id: uuid.UUID, count_delta: int, value_delta: int) -> RatingSummary:
        count = photos.c.rating_count + count_delta
        total = photos.c.rating_total + value_delta
        row = (
            await self._session.execute(
                sa.update(photos)
                .where(photos.c.id == photo_id)
                .values(rating_count=count, rating_total=total, rating_average=_average(total, count))
                .returning(photos.c.rating_count, photos.c.rating_total)
            )
        ).one()
        return RatingSummary(count=row.rating_count, total=row.rating_total)

    async def add(self, rating: Rating) -> RatingSummary:
        values = {
            "new_photo_id": rating.photo_id,
            "new_user_id": rating.user_id,
            "new_value": rating.value,
            "new_created_at": rating.created_at,
        }
        try:
            row = (await self._session.execute(_ADD, values)).one()
        except IntegrityError as error:
            if constraint_name(error) == FK_RATINGS_PHOTO:
                raise NotFound("no such photo") from None
            raise conflict_from(error, _CONFLICTS) from None
        return RatingSummary(count=row.rating_count, total=row.rating_total)

    async def delete(self, photo_id: uuid.UUID, user_id: uuid.UUID) -> RatingSummary | None:
        # Photo row first, then the rating: the order a photo's deletion (and its cascade) takes.
        locked = await self._session.execute(
            sa.select(photos.c.id).where(photos.c.id == photo_id).with_for_update(key_share=True)
        )
        if locked.first() is None:
            return None
        gone = await self._session.execute(
            sa.delete(ratings)
            .where(ratings.c.photo_id == photo_id, ratings.c.user_id == user_id)
            .returning(ratings.c.value)
        )
        value = gone.scalar()
        if value is None:
            return None
        return await self._apply(photo_id, -1, -value)


class SqlRatingQueries:
    """Reads on the plain pool, like every read model."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def list_for_photo(self, photo_id: uuid.UUID, to: VisibleTo) -> list[RatingEntry]:
        found = await self._reader.first(
            sa.select(photos.c.id).where(photos.c.id == photo_id, visible(photos, to))
        )
        if found is None:
            raise NotFound("no such photo")
        rows = await self._reader.all(
            sa.select(users.c.username, ratings.c.value, ratings.c.created_at)
            .join_from(ratings, users, users.c.id == ratings.c.user_id)
            .where(ratings.c.photo_id == photo_id)
            .order_by(ratings.c.created_at, users.c.username)
        )
        return [RatingEntry(UserRef(username), value, created_at) for username, value, created_at in rows]

    async def mine(self, photo_id: uuid.UUID, to: VisibleTo) -> MyRating:
        row = await self._reader.first(
            sa.select(photos.c.id, ratings.c.value, ratings.c.created_at)
            .outerjoin(ratings, sa.and_(ratings.c.photo_id == photos.c.id, ratings.c.user_id == to.viewer_id))
            .where(photos.c.id == photo_id, visible(photos, to))
        )
        if row is None:
            raise NotFound("no such photo")
        found, value, created_at = row
        return MyRating(photo_id=found, value=value, created_at=created_at)
