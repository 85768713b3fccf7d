"""Photos and their tags: the tag rules (normalised names, at most five) live here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from photoshare.domain.access import Visibility
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.users import Role, User

TAG_MAX_LENGTH = 32
MAX_TAGS_PER_PHOTO = 5
DESCRIPTION_MAX = 2000


def normalise_tag(raw: str) -> str:
    """A tag name is trimmed and lower-cased; 1-32 characters remain."""
    name = raw.strip().lower()
    if not 1 <= len(name) <= TAG_MAX_LENGTH:
        raise InvalidInput(f"a tag name must be 1-{TAG_MAX_LENGTH} characters", field="tags")
    return name


def tag_set(raw_names: Iterable[str]) -> tuple[str, ...]:
    """Distinct normalised tag names in first-seen order, at most five.

    Comma-separated values are split, so `["a,b", "c"]` and `["a", "b", "c"]` mean the same.
    Empty pieces between commas are ignored.
    """
    names: dict[str, None] = {}
    for raw in raw_names:
        for piece in raw.split(","):
            if piece.strip():
                names[normalise_tag(piece)] = None
    if len(names) > MAX_TAGS_PER_PHOTO:
        raise InvalidInput(f"at most {MAX_TAGS_PER_PHOTO} distinct tags per photo", field="tags")
    return tuple(names)


def validate_description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(f"description must be at most {DESCRIPTION_MAX} characters", field="description")
    return text


@dataclass(frozen=True, slots=True)
class Photo:
    id: uuid.UUID
    owner_id: uuid.UUID
    image_key: str
    content_type: str
    width: int
    height: int
    description: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    visibility: Visibility = Visibility.PUBLIC

    def edit(
        self,
        *,
        by: User,
        description: str,
        tags: Iterable[str] | None,
        now: datetime,
        visibility: Visibility | None = None,
    ) -> Photo:
        ensure_may_manage(self, by)
        return replace(
            self,
            description=validate_description(description),
            tags=self.tags if tags is None else tag_set(tags),
            visibility=self.visibility if visibility is None else visibility,
            updated_at=now,
        )


def ensure_may_manage(photo: Photo, user: User) -> None:
    """Owner or admin: edit, delete, and manage transformed links."""
    if photo.owner_id != user.id and user.role is not Role.ADMIN:
        raise Forbidden("only the owner or an admin may change this photo")
