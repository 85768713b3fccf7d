"""Request bodies at the edge: msgspec Structs whose constraints make the OpenAPI exact.

Response bodies are the application's read models (already msgspec Structs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar.datastructures import UploadFile
from msgspec import UNSET, Meta, UnsetType

from photoshare.application.photos import MAX_UPLOAD_BYTES
from photoshare.domain import accounts as a
from photoshare.domain import photos as p
from photoshare.domain import shares as sh
from photoshare.domain import transformations as t
from photoshare.domain import users as u
from photoshare.domain.albums import ALBUM_DESCRIPTION_MAX, ALBUM_TITLE_MAX
from photoshare.domain.comments import COMMENT_MAX
from photoshare.domain.photos import MAX_CHECKSUMS
from photoshare.domain.ratings import RATING_MAX, RATING_MIN
from photoshare.domain.text import NOT_BLANK

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


LoginName = Annotated[str, Meta(min_length=1, max_length=u.EMAIL_MAX, description="username or email")]
LoginPassword = Annotated[str, Meta(min_length=1, max_length=u.PASSWORD_MAX)]


class LoginIn(msgspec.Struct):
    username: LoginName
    password: LoginPassword


class TokenForm(msgspec.Struct):
    """The OAuth2 password grant (RFC 6749, section 4.3.2); other fields (`scope`, `client_id`) are ignored."""

    grant_type: Literal["password"]
    username: LoginName
    password: LoginPassword


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
    #: Background jobs that ran out of retries (null when unknown).
    failed_jobs: int | None = None


VisibilityIn = Literal["public", "unlisted", "private"]
TagName = Annotated[str, Meta(max_length=p.TAG_MAX_LENGTH, description="trimmed and lower-cased")]
Tags = Annotated[list[TagName], Meta(max_length=p.MAX_TAGS_PER_PHOTO)]


class PhotoUpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    description: Annotated[str, Meta(max_length=p.DESCRIPTION_MAX)]
    tags: Tags | None = None
    visibility: VisibilityIn | None = None
    show_metadata: bool | None = None  # show camera, lens and exposure (never GPS) to everyone


Checksum = Annotated[str, Meta(pattern="^[0-9a-fA-F]{64}$", description="SHA-256, hex")]


class ChecksumsIn(msgspec.Struct, forbid_unknown_fields=True):
    checksums: Annotated[list[Checksum], Meta(max_length=MAX_CHECKSUMS)]


Dimension = Annotated[int, Meta(ge=t.DIMENSION_MIN, le=t.DIMENSION_MAX)]


class TransformationIn(msgspec.Struct, forbid_unknown_fields=True):
    """Cloudinary's names and meanings; at least one option. An option left out is not set;
    null is not an option's value."""

    width: Dimension | UnsetType = UNSET
    height: Dimension | UnsetType = UNSET
    crop: t.Crop | UnsetType = UNSET
    gravity: t.Gravity | UnsetType = UNSET
    angle: Annotated[int, Meta(ge=t.ANGLE_MIN, le=t.ANGLE_MAX)] | UnsetType = UNSET
    effect: t.Effect | UnsetType = UNSET
    radius: Annotated[int, Meta(ge=t.RADIUS_MIN, le=t.RADIUS_MAX)] | Literal["max"] | UnsetType = UNSET
    format: t.Format | UnsetType = UNSET
    quality: Annotated[int, Meta(ge=t.QUALITY_MIN, le=t.QUALITY_MAX)] | UnsetType = UNSET

    def options(self) -> dict[str, object]:
        """The options given, by name."""
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not UNSET}


@dataclass
class UploadForm:
    """The multipart upload; Litestar reads it (msgspec has no file type), `SCHEMA_EXTRA` bounds it."""

    file: UploadFile
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    visibility: str | None = None


@dataclass
class AvatarForm:
    """The multipart avatar upload: one `file`, checked as a photo's is."""

    file: UploadFile


#: What msgspec cannot say about a Struct, in JSON Schema, by the Struct's name.
SCHEMA_EXTRA: dict[str, dict[str, object]] = {
    "TransformationIn": {
        "minProperties": 1,
        # A crop that fills a box needs the box.
        "if": {"required": ["crop"], "properties": {"crop": {"enum": list(t.SIZED_CROPS)}}},
        "then": {"anyOf": [{"required": ["width"]}, {"required": ["height"]}]},
    },
    "UploadForm": {
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": f"a JPEG, PNG, WebP or GIF image of at most {MAX_UPLOAD_BYTES} bytes",
            },
            "description": {"type": "string", "maxLength": p.DESCRIPTION_MAX},
            "tags": {
                "anyOf": [
                    {
                        "type": "array",
                        "items": {"type": "string", "maxLength": p.TAG_MAX_LENGTH},
                        "maxItems": p.MAX_TAGS_PER_PHOTO,
                    },
                    {"type": "string", "maxLength": p.TAG_MAX_LENGTH},
                ],
                "description": "tag names: the field repeated, or one field (comma-separated names)",
            },
            "visibility": {"type": "string", "enum": ["public", "unlisted", "private"]},
        },
        "required": ["file"],
    },
}
SCHEMA_EXTRA["AvatarForm"] = {
    "properties": {"file": SCHEMA_EXTRA["UploadForm"]["properties"]["file"]},  # type: ignore[index]
    "required": ["file"],
}


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=COMMENT_MAX, pattern=NOT_BLANK)]


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
# msgspec decodes RFC 3339 but leaves the format out of a nullable field's schema.
Timestamp = Annotated[datetime, Meta(extra_json_schema={"format": "date-time"})]


class ShareIn(msgspec.Struct, forbid_unknown_fields=True):
    label: ShareLabel | None = None
    expires_at: Timestamp | None = None
    expires_in: Annotated[int, Meta(ge=sh.EXPIRES_IN_MIN, le=sh.EXPIRES_IN_MAX)] | None = None
    password: SharePassword | None = None
    max_views: MaxViews | None = None


class SharePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Any of the fields; `null` clears one."""

    label: ShareLabel | msgspec.UnsetType | None = msgspec.UNSET
    expires_at: Timestamp | msgspec.UnsetType | None = msgspec.UNSET
    max_views: MaxViews | msgspec.UnsetType | None = msgspec.UNSET
    password: SharePassword | msgspec.UnsetType | None = msgspec.UNSET


# --- accounts (API.md "Accounts") -----------------------------------------------------------

OneTimeSecret = Annotated[str, Meta(min_length=1, max_length=256)]


class VerifyEmailIn(msgspec.Struct, forbid_unknown_fields=True):
    token: OneTimeSecret


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordResetConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    token: OneTimeSecret
    password: Password


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, Meta(min_length=1, max_length=u.PASSWORD_MAX)]
    new_password: Password


class TokenCreateIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=a.PAT_NAME_MAX)]
    scopes: Annotated[list[a.Scope], Meta(min_length=1, max_length=2)]
    expires_in: (
        Annotated[int, Meta(ge=a.PAT_EXPIRES_MIN, le=a.PAT_EXPIRES_MAX, description="seconds")] | None
    ) = None


class SessionOut(msgspec.Struct):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    current: bool


class PersonalTokenOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    scopes: list[str]
    expires_at: datetime | None
    created_at: datetime


class CreatedTokenOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    token: str
    scopes: list[str]
    expires_at: datetime | None
    created_at: datetime
