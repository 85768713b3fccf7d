"""Albums: create, edit (title, description, visibility, cover), delete, and their photos.

Who may do what is the domain's (`domain/albums.py`); an album the caller may not see is
as unknown as a missing one, so every use case loads it through `load_visible_album`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

import msgspec

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.photos import PhotoLookups
from photoshare.application.ports.sharing import AlbumRepository
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.albums import (
    Album,
    ensure_may_add,
    ensure_may_manage_album,
    validate_album_description,
    validate_title,
)
from photoshare.domain.errors import InvalidInput, NotFound
from photoshare.domain.users import User

MAX_POSITION = 1_000_000


async def load_visible_album(albums: AlbumRepository, album_id: uuid.UUID, by: User | None) -> Album:
    album = await albums.get(album_id)
    if album is None or not VisibleTo.of(by).may_see(album.owner_id, album.visibility):
        raise NotFound("no such album")
    return album


@dataclass(frozen=True, slots=True)
class CreateAlbum:
    albums: AlbumRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self, by: User, title: str, description: str | None, visibility: Visibility = Visibility.PUBLIC
    ) -> uuid.UUID:
        now = self.clock.now()
        album = Album(
            id=uuid.uuid4(),
            owner_id=by.id,
            title=validate_title(title),
            description=validate_album_description(description),
            visibility=visibility,
            cover_photo_id=None,
            created_at=now,
            updated_at=now,
        )
        await self.albums.add(album)
        await self.uow.commit()
        return album.id


@dataclass(frozen=True, slots=True)
class EditAlbum:
    albums: AlbumRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self,
        by: User,
        album_id: uuid.UUID,
        *,
        title: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
        cover_photo_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET,
    ) -> None:
        album = await load_visible_album(self.albums, album_id, by)
        edited = album.edit(
            by=by, now=self.clock.now(), title=title, description=description, visibility=visibility
        )
        if cover_photo_id is not msgspec.UNSET:
            if cover_photo_id is not None and not await self.albums.contains(album.id, cover_photo_id):
                raise InvalidInput("the cover must be a photo in the album", field="cover_photo_id")
            edited = replace(edited, cover_photo_id=cover_photo_id)
        await self.albums.update(edited)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class DeleteAlbum:
    albums: AlbumRepository
    uow: UnitOfWork

    async def __call__(self, by: User, album_id: uuid.UUID) -> None:
        album = await load_visible_album(self.albums, album_id, by)
        ensure_may_manage_album(album, by)
        await self.albums.delete(album.id)  # the photos stay
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class PutAlbumPhoto:
    albums: AlbumRepository
    photos: PhotoLookups
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self, by: User, album_id: uuid.UUID, photo_id: uuid.UUID, position: int | None
    ) -> None:
        if position is not None and not 0 <= position <= MAX_POSITION:
            raise InvalidInput(f"position must be 0-{MAX_POSITION}", field="position")
        album = await load_visible_album(self.albums, album_id, by)
        photo = await load_visible_photo(self.photos, photo_id, by)
        ensure_may_add(album, photo, by)
        await self.albums.put_photo(album.id, photo.id, position, self.clock.now())
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class RemoveAlbumPhoto:
    albums: AlbumRepository
    uow: UnitOfWork

    async def __call__(self, by: User, album_id: uuid.UUID, photo_id: uuid.UUID) -> None:
        album = await load_visible_album(self.albums, album_id, by)
        ensure_may_manage_album(album, by)
        if not await self.albums.remove_photo(album.id, photo_id):
            raise NotFound("that photo is not in this album")
        await self.uow.commit()
