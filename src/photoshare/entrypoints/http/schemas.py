"""Request bodies at the edge: msgspec Structs whose constraints make the OpenAPI exact.

Response bodies are the application's read models (already msgspec Structs).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from photoshare.domain import shares as sh
from photoshare.domain import users as u
from photoshare.domain.albums import ALBUM_DESCRIPTION_MAX, ALBUM_TITLE_MAX
from photoshare.domain.comments import COMMENT_MAX
from photoshare.domain.ratings import RATING_MAX, RATING_MIN

Username = Annotated[
    str, Meta(min_length=u.USERNAME_MIN, max_length=u.USERNAME_MAX, pattern=u.USERNAME_PATTERN)
]
Email = Annotated[str, Meta(min_length=3, max_length=u.EMAIL_MAX, pattern=u.EMAIL_PATTERN)]
Password = Annotated[str, Meta(min_length=u.PASSWORD_MIN, max_length=u.PASSWORD_MAX)]
Token = Annotated[str, Meta(min_length=1, max_length=4096)]


class SignUpIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    email: Email
    password: Password


class LoginIn(msgspec.Struct):
    username: Annotated[str, Meta(min_length=1, max_length=u.EMAIL_MAX, description="username or email")]
    password: Annotated[str, Meta(min_length=1, max_length=u.PASSWORD_MAX)]


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token | None = None


class TokensOut(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    """A merge patch: an absent field stays as it is, `null` clears it (the email cannot be)."""

    full_name: Annotated[str, Meta(max_length=u.FULL_NAME_MAX)] | UnsetType | None = UNSET
    bio: Annotated[str, Meta(max_length=u.BIO_MAX)] | UnsetType | None = UNSET
    email: Email | UnsetType = UNSET


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: u.Role


class HealthOut(msgspec.Struct):
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    valkey: Literal["up", "down", "not configured"]


VisibilityIn = Literal["public", "unlisted", "private"]


class PhotoUpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    description: Annotated[str, Meta(max_length=2000)]
    tags: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=50)] | None = None
    visibility: VisibilityIn | None = None


class TransformationIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Cloudinary's names and meanings; at least one option."""

    width: Annotated[int, Meta(ge=1, le=4000)] | None = None
    height: Annotated[int, Meta(ge=1, le=4000)] | None = None
    crop: Literal["fill", "fit", "scale", "thumb", "crop", "pad"] | None = None
    gravity: Literal["auto", "center", "face", "north", "south", "east", "west"] | None = None
    angle: Annotated[int, Meta(ge=-360, le=360)] | None = None
    effect: Literal["grayscale", "sepia", "blur", "pixelate", "negate", "sharpen"] | None = None
    radius: Annotated[int, Meta(ge=0, le=2000)] | Literal["max"] | None = None
    format: Literal["jpg", "png", "webp"] | None = None
    quality: Annotated[int, Meta(ge=1, le=100)] | None = None


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=COMMENT_MAX)]


class RatingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A JSON integer 1-5; the controller re-reads it strictly, so "3", 3.0 and true are refused."""

    value: Annotated[int, Meta(ge=RATING_MIN, le=RATING_MAX)]


AlbumTitle = Annotated[str, Meta(min_length=1, max_length=ALBUM_TITLE_MAX)]
AlbumDescription = Annotated[str, Meta(max_length=ALBUM_DESCRIPTION_MAX)]


class AlbumIn(msgspec.Struct, forbid_unknown_fields=True):
    title: AlbumTitle
    description: AlbumDescription | None = None
    visibility: VisibilityIn | None = None


class AlbumPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Any of the fields; `cover_photo_id: null` removes the cover."""

    title: AlbumTitle | None = None
    description: AlbumDescription | None = None
    visibility: VisibilityIn | None = None
    cover_photo_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class AlbumPhotoIn(msgspec.Struct, forbid_unknown_fields=True):
    position: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None


SharePassword = Annotated[str, Meta(min_length=sh.SHARE_PASSWORD_MIN, max_length=sh.SHARE_PASSWORD_MAX)]
MaxViews = Annotated[int, Meta(ge=1, le=sh.MAX_VIEWS_MAX)]
ShareLabel = Annotated[str, Meta(max_length=sh.SHARE_LABEL_MAX)]


class ShareIn(msgspec.Struct, forbid_unknown_fields=True):
    label: ShareLabel | None = None
    expires_at: datetime | None = None
    expires_in: Annotated[int, Meta(ge=sh.EXPIRES_IN_MIN, le=sh.EXPIRES_IN_MAX)] | None = None
    password: SharePassword | None = None
    max_views: MaxViews | None = None


class SharePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Any of the fields; `null` clears one."""

    label: ShareLabel | msgspec.UnsetType | None = msgspec.UNSET
    expires_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    max_views: MaxViews | msgspec.UnsetType | None = msgspec.UNSET
    password: SharePassword | msgspec.UnsetType | None = msgspec.UNSET
