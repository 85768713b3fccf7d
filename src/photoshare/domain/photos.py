"""Photos and their tags: the tag rules (normalised names, at most five) live here."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from photoshare.domain import text
from photoshare.domain.access import Visibility
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.users import Role, User

TAG_MAX_LENGTH = 32
MAX_TAGS_PER_PHOTO = 5
DESCRIPTION_MAX = 2000


# Sized copies made in the background: name -> the longest side, in pixels (never upscaled).
VARIANT_SIZES: dict[str, int] = {"thumb": 256, "small": 640, "medium": 1280, "large": 2048}
MAX_CHECKSUMS = 1000  # per pre-upload check
# Camera settings kept from EXIF, shown only when the owner opts in. GPS is never kept.
METADATA_FIELDS = ("camera", "lens", "focal_length", "aperture", "exposure", "iso")


class PhotoStatus(enum.StrEnum):
    PROCESSING = "processing"  # the original is served; variants are being made
    READY = "ready"


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    width: int
    height: int


def fit_within(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size of a copy whose longer side is at most `long_side`, aspect kept, never larger."""
    factor = min(1.0, long_side / max(width, height))
    return max(1, round(width * factor)), max(1, round(height * factor))


def planned_variants(width: int, height: int) -> tuple[Variant, ...]:
    """Every variant of an original this big, each no larger than the original."""
    return tuple(Variant(name, *fit_within(width, height, side)) for name, side in VARIANT_SIZES.items())


def tag_key(raw: str) -> str:
    """The form tag names are stored and compared in: NFKC case-folded and trimmed, so `Café`
    typed precomposed or with a combining accent is one tag. Filters use it as it is."""
    return text.fold(raw).strip()


def normalise_tag(raw: str) -> str:
    """A tag name is a single line (domain/text.py) in its `tag_key` form; 1-32 characters remain,
    at least one of them visible."""
    name = text.check_line(tag_key(raw), field="tags")
    if not 1 <= len(name) <= TAG_MAX_LENGTH or not text.has_visible(name):
        raise InvalidInput(f"a tag name must be 1-{TAG_MAX_LENGTH} visible characters", field="tags")
    return name


def tag_set(raw_names: Iterable[str]) -> tuple[str, ...]:
    """Distinct normalised tag names in first-seen order, at most five.

    Comma-separated values are split, so `["a,b", "c"]` and `["a", "b", "c"]` mean the same.
    Empty pieces between commas are ignored.
    """
    names: dict[str, None] = {}
    for raw in raw_names:
        # Folded before the split: NFKC turns a fullwidth comma into a comma.
        for piece in tag_key(raw).split(","):
            if piece.strip():
                names[normalise_tag(piece)] = None
    if len(names) > MAX_TAGS_PER_PHOTO:
        raise InvalidInput(f"at most {MAX_TAGS_PER_PHOTO} distinct tags per photo", field="tags")
    return tuple(names)


def validate_description(description: str | None) -> str:
    """Multi-line text (domain/text.py) of at most DESCRIPTION_MAX characters; may be empty."""
    normalised = text.multi_line(description or "", field="description")
    if len(normalised) > DESCRIPTION_MAX:
        raise InvalidInput(f"description must be at most {DESCRIPTION_MAX} characters", field="description")
    if normalised and not text.has_visible(normalised):
        raise InvalidInput("description must be empty or contain visible characters", field="description")
    return normalised


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
    status: PhotoStatus = PhotoStatus.PROCESSING
    variants: tuple[Variant, ...] = ()
    placeholder: str | None = None
    checksum: str | None = None
    taken_at: datetime | None = None
    #: Camera settings by `METADATA_FIELDS` name, kept but shown only with `show_metadata`.
    exif: dict[str, str | float | int] | None = field(default=None, hash=False)
    show_metadata: bool = False

    def edit(
        self,
        *,
        by: User,
        description: str,
        tags: Iterable[str] | None,
        now: datetime,
        visibility: Visibility | None = None,
        show_metadata: bool | None = None,
    ) -> Photo:
        ensure_may_manage(self, by)
        return replace(
            self,
            description=validate_description(description),
            tags=self.tags if tags is None else tag_set(tags),
            visibility=self.visibility if visibility is None else visibility,
            show_metadata=self.show_metadata if show_metadata is None else show_metadata,
            updated_at=now,
        )


def ensure_may_manage(photo: Photo, user: User) -> None:
    """Owner or admin: edit, delete, and manage transformed links."""
    if photo.owner_id != user.id and user.role is not Role.ADMIN:
        raise Forbidden("only the owner or an admin may change this photo")
