"""Photos, tags and links in PostgreSQL: repositories on the request's session, lookups on
the read pool (one connection kind per class)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.reader import PgReader, sql_text
from photoshare.adapters.sql.tables import comments, image_tombstones, links, photo_tags, photos, tags, users
from photoshare.application.ports.images import Rendition
from photoshare.domain.access import Visibility
from photoshare.domain.links import Link
from photoshare.domain.photos import Photo, PhotoStatus, Variant
from photoshare.domain.transformations import Transformation

#: A photo's own columns: what the repository loads and every photo read model starts from.
PHOTO_COLUMNS = (
    photos.c.id,
    photos.c.owner_id,
    photos.c.image_key,
    photos.c.content_type,
    photos.c.width,
    photos.c.height,
    photos.c.description,
    photos.c.tag_names,
    photos.c.created_at,
    photos.c.updated_at,
    photos.c.visibility,
    photos.c.status,
    photos.c.variants,
    photos.c.placeholder,
    photos.c.checksum,
    photos.c.taken_at,
    photos.c.exif,
    photos.c.show_metadata,
)


def variants_json(variants: Sequence[Variant]) -> list[dict[str, Any]]:
    return [{"name": v.name, "width": v.width, "height": v.height} for v in variants]


def variants_from_json(data: Sequence[dict[str, Any]]) -> tuple[Variant, ...]:
    return tuple(Variant(d["name"], int(d["width"]), int(d["height"])) for d in data)


_GET_PHOTO_SQL = sql_text(sa.select(*PHOTO_COLUMNS).where(photos.c.id == sa.bindparam("photo_id")))


class SqlPhotoLookups:
    """`PhotoLookups` on the prepared-statement pool, outside the request's transaction (it
    locks nothing either way): a comment or a rating then never opens a session for this
    lookup (py-spy: the session's first statement was ~45% of a comment's Python time)."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def get(self, photo_id: uuid.UUID) -> Photo | None:
        row: Any = await self._reader.first_sql(_GET_PHOTO_SQL, {"photo_id": photo_id})
        if row is None:
            return None
        return Photo(
            id=row.id,
            owner_id=row.owner_id,
            image_key=row.image_key,
            content_type=row.content_type,
            width=row.width,
            height=row.height,
            description=row.description,
            tags=tuple(row.tag_names),
            created_at=row.created_at,
            updated_at=row.updated_at,
            visibility=Visibility(row.visibility),
            status=PhotoStatus(row.status),
            variants=variants_from_json(row.variants),
            placeholder=row.placeholder,
            checksum=row.checksum,
            taken_at=row.taken_at,
            exif=row.exif,
            show_metadata=row.show_metadata,
        )


class SqlPhotoRepository:
    """The write side, in the request's session (the lookup: `SqlPhotoLookups`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _tag_ids(self, names: Sequence[str]) -> list[int]:
        """Get-or-create by name. Sorted inserts with ON CONFLICT DO NOTHING wait for a
        concurrent creator instead of failing, and never deadlock on each other."""
        if not names:
            return []
        ordered = sorted(names)
        await self._session.execute(
            pg_insert(tags)
            .values([{"name": n} for n in ordered])
            .on_conflict_do_nothing(index_elements=["name"])
        )
        rows = await self._session.execute(sa.select(tags.c.id).where(tags.c.name.in_(ordered)))
        return [r.id for r in rows]

    async def _set_tags(self, photo: Photo) -> None:
        await self._session.execute(sa.delete(photo_tags).where(photo_tags.c.photo_id == photo.id))
        ids = await self._tag_ids(photo.tags)
        if ids:
            await self._session.execute(
                sa.insert(photo_tags).values([{"photo_id": photo.id, "tag_id": i} for i in ids])
            )

    async def add(self, photo: Photo) -> None:
        await self._session.execute(
            sa.insert(photos).values(
                id=photo.id,
                owner_id=photo.owner_id,
                image_key=photo.image_key,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                description=photo.description,
                tag_names=list(photo.tags),
                created_at=photo.created_at,
                updated_at=photo.updated_at,
                visibility=photo.visibility.value,
                status=photo.status.value,
                variants=variants_json(photo.variants),
                placeholder=photo.placeholder,
                checksum=photo.checksum,
                taken_at=photo.taken_at,
                exif=photo.exif,
                show_metadata=photo.show_metadata,
            )
        )
        await self._set_tags(photo)
        await self._session.execute(
            sa.update(users).where(users.c.id == photo.owner_id).values(photo_count=users.c.photo_count + 1)
        )

    async def update(self, photo: Photo) -> None:
        await self._session.execute(
            sa.update(photos)
            .where(photos.c.id == photo.id)
            .values(
                description=photo.description,
                tag_names=list(photo.tags),
                updated_at=photo.updated_at,
                visibility=photo.visibility.value,
                show_metadata=photo.show_metadata,
            )
        )
        await self._set_tags(photo)

    async def mark_ready(self, photo_id: uuid.UUID, rendition: Rendition) -> bool:
        done = await self._session.execute(
            sa.update(photos)
            .where(photos.c.id == photo_id)
            .values(
                status=PhotoStatus.READY.value,
                variants=variants_json(rendition.variants),
                placeholder=sa.func.coalesce(rendition.placeholder, photos.c.placeholder),
            )
            .returning(photos.c.id)
        )
        return done.first() is not None

    async def processing_since(self, before: datetime, limit: int) -> list[uuid.UUID]:
        rows = await self._session.execute(
            sa.select(photos.c.id)
            .where(photos.c.status == PhotoStatus.PROCESSING.value, photos.c.created_at < before)
            .order_by(photos.c.created_at)
            .limit(limit)
        )
        return [r.id for r in rows]

    async def delete(self, photo_id: uuid.UUID) -> None:
        # Lock the photo first, as comment and rating writes do, so the two never deadlock.
        await self._session.execute(sa.select(photos.c.id).where(photos.c.id == photo_id).with_for_update())
        # Comments go with the photo: their authors' counters must follow.
        per_author = (
            sa.select(comments.c.author_id, sa.func.count().label("n"))
            .where(comments.c.photo_id == photo_id)
            .group_by(comments.c.author_id)
            .subquery()
        )
        await self._session.execute(
            sa.update(users)
            .where(users.c.id == per_author.c.author_id)
            .values(comment_count=users.c.comment_count - per_author.c.n)
        )
        owner = await self._session.execute(
            sa.delete(photos).where(photos.c.id == photo_id).returning(photos.c.owner_id)
        )
        owner_id = owner.scalar()
        if owner_id is not None:
            await self._session.execute(
                sa.update(users).where(users.c.id == owner_id).values(photo_count=users.c.photo_count - 1)
            )


def _to_link(row: Any) -> Link:
    return Link(
        id=row.id,
        photo_id=row.photo_id,
        slug=row.slug,
        transformation=Transformation.from_mapping(row.transformation),
        created_at=row.created_at,
    )


_LINK_COLUMNS = (links.c.id, links.c.photo_id, links.c.slug, links.c.transformation, links.c.created_at)


_LINK_BY_SLUG_SQL = sql_text(
    sa.select(*_LINK_COLUMNS, photos.c.image_key, photos.c.visibility)
    .join(photos, photos.c.id == links.c.photo_id)
    .where(links.c.slug == sa.bindparam("slug"))
)


class SqlLinkRepository:
    """The owner's side of links, in the request's session (the public side: `SqlLinkLookups`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, link: Link) -> None:
        await self._session.execute(
            sa.insert(links).values(
                id=link.id,
                photo_id=link.photo_id,
                slug=link.slug,
                transformation=link.transformation.as_dict(),
                created_at=link.created_at,
            )
        )

    async def get(self, link_id: uuid.UUID) -> Link | None:
        row = (await self._session.execute(sa.select(*_LINK_COLUMNS).where(links.c.id == link_id))).first()
        return _to_link(row) if row else None

    async def list_for_photo(self, photo_id: uuid.UUID) -> Sequence[Link]:
        rows = await self._session.execute(
            sa.select(*_LINK_COLUMNS)
            .where(links.c.photo_id == photo_id)
            .order_by(links.c.created_at, links.c.id)
        )
        return [_to_link(r) for r in rows]

    async def delete(self, link_id: uuid.UUID) -> None:
        await self._session.execute(sa.delete(links).where(links.c.id == link_id))


class SqlLinkLookups:
    """Short links, QR codes and rendered images find their link here, on the
    prepared-statement pool."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def get_by_slug(self, slug: str) -> tuple[Link, str, Visibility] | None:
        row: Any = await self._reader.first_sql(_LINK_BY_SLUG_SQL, {"slug": slug})
        return (_to_link(row), row.image_key, Visibility(row.visibility)) if row else None

    async def exists_for_image(self, image_key: str, transformation: Transformation) -> bool:
        """Is this transformation of this image one that a stored link asks for?"""
        found = await self._reader.first(
            sa.select(sa.literal(1))
            .select_from(links.join(photos, photos.c.id == links.c.photo_id))
            .where(
                photos.c.image_key == image_key,
                # Bound as JSON text: the reader pool binds plain values, without SQLAlchemy's
                # type processors. jsonb equality ignores key order and whitespace.
                links.c.transformation == sa.cast(json.dumps(transformation.as_dict()), JSONB),
            )
            .limit(1)
        )
        return found is not None


_VISIBILITY_OF_IMAGE_SQL = sql_text(
    sa.select(photos.c.visibility).where(photos.c.image_key == sa.bindparam("image_key"))
)


class SqlImageIndex:
    """Which photo an image key belongs to, for the image routes (on the read pool)."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def visibility(self, image_key: str) -> Visibility | None:
        row: Any = await self._reader.first_sql(_VISIBILITY_OF_IMAGE_SQL, {"image_key": image_key})
        return Visibility(row.visibility) if row else None


class SqlImageTombstones:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, image_key: str, at: datetime) -> None:
        await self._session.execute(
            pg_insert(image_tombstones).values(image_key=image_key, deleted_at=at).on_conflict_do_nothing()
        )

    async def due(self, before: datetime, limit: int) -> list[str]:
        rows = await self._session.execute(
            sa.select(image_tombstones.c.image_key)
            .where(image_tombstones.c.deleted_at < before)
            .order_by(image_tombstones.c.deleted_at)
            .limit(limit)
        )
        return [r.image_key for r in rows]

    async def remove(self, image_key: str) -> None:
        await self._session.execute(
            sa.delete(image_tombstones).where(image_tombstones.c.image_key == image_key)
        )
