"""Read models: answers built straight from SQL, ready to encode (no aggregates hydrated)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

import msgspec

from photoshare.domain.access import VisibleTo


class UserRef(msgspec.Struct, frozen=True):
    username: str


class MeView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    username: str
    email: str
    full_name: str | None
    bio: str | None
    role: str
    is_active: bool
    created_at: datetime
    photo_count: int
    email_verified: bool
    avatar_url: str | None


class ProfileView(msgspec.Struct, frozen=True):
    username: str
    full_name: str | None
    bio: str | None
    role: str
    is_active: bool
    created_at: datetime
    photo_count: int
    comment_count: int
    avatar_url: str | None


class AccountView(msgspec.Struct, frozen=True):
    """A user as admins see them in the user list: the profile's facts and the email."""

    username: str
    email: str
    full_name: str | None
    role: str
    is_active: bool
    email_verified: bool
    created_at: datetime
    photo_count: int
    avatar_url: str | None


class AccountPage(msgspec.Struct, frozen=True):
    items: list[AccountView]
    total: int
    limit: int
    offset: int


class AccountSearch(msgspec.Struct, frozen=True):
    """Filters of the admins' user list; None means any."""

    limit: int = 20
    offset: int = 0
    q: str | None = None  # a part of the username, case-insensitive
    role: str | None = None
    banned: bool | None = None


class UserQueries(Protocol):
    """Like every query port, raises `NotFound` for what is not there (or not to be seen)."""

    async def me(self, user_id: uuid.UUID) -> MeView: ...

    async def profile(self, username: str) -> ProfileView: ...

    async def accounts(self, search: AccountSearch) -> AccountPage:
        """Every account matching the filters, by username."""
        ...

    async def avatar_key(self, username: str) -> str:
        """NotFound for an unknown user and for one without an avatar alike."""
        ...


class RatingStats(msgspec.Struct, frozen=True):
    average: float | None
    count: int


class VariantView(msgspec.Struct, frozen=True):
    name: str
    width: int
    height: int
    url: str


class PhotoMetadata(msgspec.Struct, frozen=True):
    """Camera settings from the picture's EXIF; shown only when the owner opts in."""

    camera: str | None = None
    lens: str | None = None
    focal_length: float | None = None  # millimetres
    aperture: float | None = None  # the f-number
    exposure: str | None = None  # seconds, as a fraction ("1/250") or a number
    iso: int | None = None


class PhotoView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    url: str
    description: str
    tags: list[str]
    owner: UserRef
    rating: RatingStats
    comment_count: int
    width: int
    height: int
    created_at: datetime
    updated_at: datetime
    visibility: str = "public"
    status: str = "ready"  # `processing` until the variants are made
    variants: list[VariantView] = msgspec.field(default_factory=list)
    placeholder: str | None = None  # a ThumbHash, base64
    checksum: str | None = None  # SHA-256 hex of the uploaded bytes
    taken_at: datetime | None = None
    show_metadata: bool = False
    metadata: PhotoMetadata | None = None


class ExistingChecksums(msgspec.Struct, frozen=True):
    existing: dict[str, uuid.UUID]


# Up to this many matches a search counts them exactly; past it `total` is this lower
# bound and `total_exact` false (shared/API.md "Search totals"): counting every match of
# a common word is what made broad searches slow.
EXACT_TOTAL_MAX = 10_000


class PhotoPage(msgspec.Struct, frozen=True):
    items: list[PhotoView]
    total: int
    limit: int
    offset: int
    total_exact: bool = True  # false: `total` is a lower bound (more than EXACT_TOTAL_MAX matches)


class TagView(msgspec.Struct, frozen=True):
    name: str
    photo_count: int


class TagPage(msgspec.Struct, frozen=True):
    items: list[TagView]
    total: int
    limit: int
    offset: int


class LinkView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    photo_id: uuid.UUID
    slug: str
    url: str
    link: str
    qr_url: str
    transformation: dict[str, int | str]
    created_at: datetime


class PhotoSort(msgspec.Struct, frozen=True):
    """`-created_at` (newest first, the default), `created_at`, `-rating`, `rating`,
    `-taken_at`, `taken_at` (photos without a date last)."""

    field: str = "created_at"
    descending: bool = True


class PhotoSearch(msgspec.Struct, frozen=True):
    limit: int = 20
    offset: int = 0
    q: str | None = None
    tag: str | None = None
    min_rating: float | None = None
    max_rating: float | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    taken_from: datetime | None = None
    taken_to: datetime | None = None
    owner: str | None = None
    sort: PhotoSort = PhotoSort()


class PhotoQueries(Protocol):
    async def get(self, photo_id: uuid.UUID, to: VisibleTo) -> PhotoView:
        """The photo if `to` may see it, else `NotFound` (as for an unknown id)."""
        ...

    async def search(self, search: PhotoSearch) -> PhotoPage:
        """Listed (public) photos only, whoever asks."""
        ...

    async def existing_checksums(self, owner_id: uuid.UUID, checksums: list[str]) -> dict[str, uuid.UUID]:
        """Those of `checksums` the owner has uploaded, each with (one of) its photo ids."""
        ...

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        """A user's photos, newest first: listed ones, or all for the owner and admins;
        `NotFound` when there is no such user."""
        ...


class TagQueries(Protocol):
    async def page(self, prefix: str | None, limit: int, offset: int) -> TagPage: ...


# --- albums and shares ---------------------------------------------------------------------


class AlbumView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    description: str
    owner: UserRef
    visibility: str
    photo_count: int
    cover_url: str | None
    created_at: datetime
    updated_at: datetime


class AlbumPage(msgspec.Struct, frozen=True):
    items: list[AlbumView]
    total: int
    limit: int
    offset: int


class AlbumQueries(Protocol):
    """Counts, covers and pages hold only the photos `to` may see."""

    async def get(self, album_id: uuid.UUID, to: VisibleTo) -> AlbumView:
        """`NotFound` unless `to` may see the album."""
        ...

    async def photos(self, album_id: uuid.UUID, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        """The album's photos `to` may see, in album order."""
        ...

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> AlbumPage:
        """The user's albums, newest first: listed ones, or all for the owner and admins;
        `NotFound` when there is no such user."""
        ...

    async def holding(self, photo_id: uuid.UUID, to: VisibleTo, limit: int, offset: int) -> AlbumPage:
        """The albums holding the photo, newest first: listed ones and the viewer's own, or all
        for admins; `NotFound` unless `to` may see the photo."""
        ...


class ShareView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    url: str
    qr_url: str
    kind: str
    target_id: uuid.UUID
    label: str | None
    expires_at: datetime | None
    max_views: int | None
    view_count: int
    last_viewed_at: datetime | None
    has_password: bool
    created_at: datetime


class SharePage(msgspec.Struct, frozen=True):
    items: list[ShareView]
    total: int
    limit: int
    offset: int


class SharedView(msgspec.Struct, frozen=True):
    kind: str
    photo: PhotoView | None
    album: AlbumView | None
    photos: PhotoPage | None
    expires_at: datetime | None


# --- comments and ratings ------------------------------------------------------------------


class CommentView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    photo_id: uuid.UUID
    author: UserRef
    text: str
    created_at: datetime
    updated_at: datetime


class CommentPage(msgspec.Struct, frozen=True):
    items: list[CommentView]
    total: int
    limit: int
    offset: int


class CommentQueries(Protocol):
    async def page(self, photo_id: uuid.UUID, limit: int, offset: int, to: VisibleTo) -> CommentPage:
        """A photo's comments, oldest first; `NotFound` when there is no such photo (or `to`
        may not see it)."""
        ...

    async def get(self, comment_id: uuid.UUID, to: VisibleTo) -> CommentView:
        """`NotFound` unless `to` may see the comment's photo."""
        ...


class RatingCreated(msgspec.Struct, frozen=True):
    photo_id: uuid.UUID
    value: int
    created_at: datetime


class RatingEntry(msgspec.Struct, frozen=True):
    user: UserRef
    value: int
    created_at: datetime


class MyRating(msgspec.Struct, frozen=True):
    """The caller's own rating of a photo: `value` and `created_at` are null until they rate it."""

    photo_id: uuid.UUID
    value: int | None
    created_at: datetime | None


class RatingQueries(Protocol):
    async def list_for_photo(self, photo_id: uuid.UUID, to: VisibleTo) -> list[RatingEntry]:
        """A photo's ratings, oldest first; `NotFound` when there is no such photo (or `to`
        may not see it)."""
        ...

    async def mine(self, photo_id: uuid.UUID, to: VisibleTo) -> MyRating:
        """The rating `to`'s viewer gave the photo; `NotFound` when there is no such photo (or
        they may not see it)."""
        ...
