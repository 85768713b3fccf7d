"""Albums: an owner's ordered selection of photos, with a cover and a visibility of its own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from photoshare.domain.access import Visibility, ensure_owner_or_admin
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.photos import Photo
from photoshare.domain.users import Role, User

ALBUM_TITLE_MAX = 200
ALBUM_DESCRIPTION_MAX = 2000


def validate_title(raw: str) -> str:
    title = raw.strip()
    if not 1 <= len(title) <= ALBUM_TITLE_MAX:
        raise InvalidInput(f"title must be 1-{ALBUM_TITLE_MAX} characters", field="title")
    return title


def validate_album_description(raw: str | None) -> str:
    text = (raw or "").strip()
    if len(text) > ALBUM_DESCRIPTION_MAX:
        raise InvalidInput(
            f"description must be at most {ALBUM_DESCRIPTION_MAX} characters", field="description"
        )
    return text


@dataclass(frozen=True, slots=True)
class Album:
    id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    description: str
    visibility: Visibility
    cover_photo_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    def edit(
        self,
        *,
        by: User,
        now: datetime,
        title: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
    ) -> Album:
        ensure_may_manage_album(self, by)
        return replace(
            self,
            title=self.title if title is None else validate_title(title),
            description=self.description if description is None else validate_album_description(description),
            visibility=self.visibility if visibility is None else visibility,
            updated_at=now,
        )


def ensure_may_manage_album(album: Album, user: User) -> None:
    """Owner or admin: edit, delete, remove photos, share."""
    ensure_owner_or_admin(album.owner_id, user, "album")


def ensure_may_add(album: Album, photo: Photo, user: User) -> None:
    """An album holds its owner's photos: its owner adds their own photos; admins add any."""
    if user.role is Role.ADMIN:
        return
    if album.owner_id != user.id:
        raise Forbidden("only the album's owner or an admin may add photos to it")
    if photo.owner_id != user.id:
        raise Forbidden("you may only add your own photos to an album")
