"""Albums in PostgreSQL: the repository (write side) and the read queries.

Every read takes the viewer's `VisibleTo` and applies it with `visible` (one translation of
the rule): an album page, its count and its cover only ever involve photos the viewer may see.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.queries import PHOTO_ROW, SqlPhotoQueries, owner_named
from photoshare.adapters.sql.reader import PgReader
from photoshare.adapters.sql.tables import album_photos, albums, photos, users
from photoshare.adapters.sql.visibility import listed_to, visible
from photoshare.application.readmodels import AlbumPage, AlbumView, PhotoPage, UserRef
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.albums import Album
from photoshare.domain.errors import NotFound

_ALBUM_COLUMNS = (
    albums.c.id,
    albums.c.owner_id,
    albums.c.title,
    albums.c.description,
    albums.c.visibility,
    albums.c.cover_photo_id,
    albums.c.created_at,
    albums.c.updated_at,
)


def _to_album(row: Any) -> Album:
    return Album(
        id=row.id,
        owner_id=row.owner_id,
        title=row.title,
        description=row.description,
        visibility=Visibility(row.visibility),
        cover_photo_id=row.cover_photo_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlAlbumRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, album_id: uuid.UUID) -> Album | None:
        row = (await self._session.execute(sa.select(*_ALBUM_COLUMNS).where(albums.c.id == album_id))).first()
        return _to_album(row) if row else None

    async def add(self, album: Album) -> None:
        await self._session.execute(sa.insert(albums).values(**_values(album)))

    async def update(self, album: Album) -> None:
        values = _values(album)
        del values["id"], values["owner_id"], values["created_at"]
        await self._session.execute(sa.update(albums).where(albums.c.id == album.id).values(**values))

    async def delete(self, album_id: uuid.UUID) -> None:
        await self._session.execute(sa.delete(albums).where(albums.c.id == album_id))

    async def put_photo(
        self, album_id: uuid.UUID, photo_id: uuid.UUID, position: int | None, now: datetime
    ) -> None:
        # The album row is locked: concurrent placements in one album apply one after another.
        await self._session.execute(sa.select(albums.c.id).where(albums.c.id == album_id).with_for_update())
        rows = await self._session.execute(
            sa.select(album_photos.c.photo_id)
            .where(album_photos.c.album_id == album_id)
            .order_by(album_photos.c.position, album_photos.c.added_at, album_photos.c.photo_id)
        )
        order = [r.photo_id for r in rows]
        present = photo_id in order
        if present and position is None:
            return  # idempotent: already there, and no new place asked
        if present:
            order.remove(photo_id)
        order.insert(len(order) if position is None else min(position, len(order)), photo_id)
        if not present:
            await self._session.execute(
                sa.insert(album_photos).values(
                    album_id=album_id, photo_id=photo_id, position=len(order), added_at=now
                )
            )
        # Renumber 0..n-1 in one statement.
        numbered = sa.values(
            sa.column("photo_id", album_photos.c.photo_id.type),
            sa.column("position", sa.Integer),
            name="numbered",
        ).data([(pid, i) for i, pid in enumerate(order)])
        await self._session.execute(
            sa.update(album_photos)
            .where(album_photos.c.album_id == album_id, album_photos.c.photo_id == numbered.c.photo_id)
            .values(position=numbered.c.position)
        )

    async def remove_photo(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        gone = await self._session.execute(
            sa.delete(album_photos)
            .where(album_photos.c.album_id == album_id, album_photos.c.photo_id == photo_id)
            .returning(album_photos.c.photo_id)
        )
        if gone.first() is None:
            return False
        await self._session.execute(
            sa.update(albums)
            .where(albums.c.id == album_id, albums.c.cover_photo_id == photo_id)
            .values(cover_photo_id=None)
        )
        return True

    async def contains(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        found = await self._session.execute(
            sa.select(sa.literal(1)).where(
                album_photos.c.album_id == album_id, album_photos.c.photo_id == photo_id
            )
        )
        return found.first() is not None


def _values(album: Album) -> dict[str, Any]:
    return {
        "id": album.id,
        "owner_id": album.owner_id,
        "title": album.title,
        "description": album.description,
        "visibility": album.visibility.value,
        "cover_photo_id": album.cover_photo_id,
        "created_at": album.created_at,
        "updated_at": album.updated_at,
    }


def _in_album(to: VisibleTo) -> tuple[Any, sa.ColumnElement[bool]]:
    """The album's photos as a join, and the condition that keeps those `to` may see."""
    return album_photos.join(photos, photos.c.id == album_photos.c.photo_id), visible(photos, to)


class SqlAlbumQueries:
    def __init__(self, reader: PgReader, photo_queries: SqlPhotoQueries) -> None:
        self._reader = reader
        self._photos = photo_queries

    def _select(self, to: VisibleTo) -> sa.Select[Any]:
        joined, seen = _in_album(to)
        photo_count = (
            sa.select(sa.func.count())
            .select_from(joined)
            .where(album_photos.c.album_id == albums.c.id, seen)
            .scalar_subquery()
        )
        cover = photos.alias("cover")
        return sa.select(
            albums.c.id,
            albums.c.title,
            albums.c.description,
            users.c.username,
            albums.c.visibility,
            photo_count.label("photo_count"),
            cover.c.image_key.label("cover_key"),
            cover.c.visibility.label("cover_visibility"),
            albums.c.created_at,
            albums.c.updated_at,
        ).select_from(
            albums.join(users, users.c.id == albums.c.owner_id).outerjoin(
                cover, sa.and_(cover.c.id == albums.c.cover_photo_id, visible(cover, to))
            )
        )

    def _view(self, row: Any) -> AlbumView:
        cover_url = (
            self._photos.url_for(row.cover_key, Visibility(row.cover_visibility)) if row.cover_key else None
        )
        return AlbumView(
            id=row.id,
            title=row.title,
            description=row.description,
            owner=UserRef(row.username),
            visibility=row.visibility,
            photo_count=row.photo_count,
            cover_url=cover_url,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def get(self, album_id: uuid.UUID, to: VisibleTo) -> AlbumView:
        row = await self._reader.first(self._select(to).where(albums.c.id == album_id, visible(albums, to)))
        if row is None:
            raise NotFound("no such album")
        return self._view(row)

    async def photos(self, album_id: uuid.UUID, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        joined, seen = _in_album(to)
        total = await self._reader.scalar(
            sa.select(sa.func.count()).select_from(joined).where(album_photos.c.album_id == album_id, seen)
        )
        rows = await self._reader.all(
            PHOTO_ROW.join(album_photos, album_photos.c.photo_id == photos.c.id)
            .where(album_photos.c.album_id == album_id, seen)
            .order_by(album_photos.c.position, album_photos.c.added_at, album_photos.c.photo_id)
            .limit(limit)
            .offset(offset)
        )
        return PhotoPage(
            items=[self._photos.view(r) for r in rows], total=int(total or 0), limit=limit, offset=offset
        )

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> AlbumPage:
        owner_id = await owner_named(self._reader, username)
        return await self._newest_first(to, limit, offset, albums.c.owner_id == owner_id)

    async def holding(self, photo_id: uuid.UUID, to: VisibleTo, limit: int, offset: int) -> AlbumPage:
        found = await self._reader.first(
            sa.select(photos.c.id).where(photos.c.id == photo_id, visible(photos, to))
        )
        if found is None:
            raise NotFound("no such photo")
        # As in a user's list, others' unlisted albums stay out: those are reached by id only.
        holds = albums.c.id.in_(sa.select(album_photos.c.album_id).where(album_photos.c.photo_id == photo_id))
        return await self._newest_first(to, limit, offset, holds)

    async def _newest_first(
        self, to: VisibleTo, limit: int, offset: int, which: sa.ColumnElement[bool]
    ) -> AlbumPage:
        """A page of the albums `which` names that `to` may find in a list, newest first."""
        where = (which, listed_to(albums, to))
        total = await self._reader.scalar(sa.select(sa.func.count()).select_from(albums).where(*where))
        rows = await self._reader.all(
            self._select(to)
            .where(*where)
            .order_by(albums.c.created_at.desc(), albums.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return AlbumPage(
            items=[self._view(r) for r in rows], total=int(total or 0), limit=limit, offset=offset
        )
