"""Ports: what the application needs from the outside world, named by role, not technology."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from photoshare.domain.access import Visibility
from photoshare.domain.accounts import OneTimeToken, PersonalToken, Purpose, Session
from photoshare.domain.albums import Album
from photoshare.domain.comments import Comment
from photoshare.domain.photos import Photo, Variant
from photoshare.domain.ratings import Rating, RatingSummary
from photoshare.domain.shares import Share
from photoshare.domain.transformations import Transformation
from photoshare.domain.users import User


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    """The request's transaction: a use case commits once; anything uncommitted rolls back."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


# --- accounts -------------------------------------------------------------------------------


class UserRepository(Protocol):
    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_by_username(self, username: str) -> User | None:
        """Case-insensitive lookup."""
        ...

    async def get_by_login(self, login: str) -> User | None:
        """By username or email, case-insensitively."""
        ...

    async def add(self, user: User) -> User:
        """Insert a new account and return it as stored.

        The store makes the very first account an admin, atomically, even when two
        sign-ups race. Raises `Conflict(field=...)` when the username or email is taken.
        """
        ...

    async def lock_by_username(self, username: str) -> User | None:
        """Case-insensitive lookup that holds the row until commit, so account changes
        (bans, role changes) apply one after another to fresh data."""
        ...

    async def update_profile(self, user: User) -> None:
        """Write full name, bio and email only, so a profile edit in flight can never undo
        a ban or a role change. Raises `Conflict(field="email")` when the email is taken."""
        ...

    async def update_access(self, user: User) -> None:
        """Write role, active flag and token version only."""
        ...

    async def get_by_email(self, email: str) -> User | None:
        """Case-insensitive lookup."""
        ...

    async def mark_email_verified(self, user_id: uuid.UUID, email: str) -> bool:
        """Mark the address verified if it is still the account's (case-insensitively)."""
        ...

    async def update_password(self, user: User) -> None:
        """Write the password hash and the token version only."""
        ...

    async def update_avatar(self, user_id: uuid.UUID, avatar_key: str | None) -> None: ...

    async def update_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        """Write the password hash only (a re-hash on log-in)."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """False for a wrong password; with no hash it still spends the same time."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when a hash that verified was made by an older scheme or cost: the caller
        hashes the password anew and stores it while it has the password in hand."""
        ...


class TokenType(enum.StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: uuid.UUID
    token_id: str
    token_type: TokenType
    issued_at: datetime
    expires_at: datetime
    version: int
    family: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: TokenClaims


class TokenCodec(Protocol):
    def issue(self, user: User, token_type: TokenType, *, family: str | None = None) -> IssuedToken: ...

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        """Raises `Unauthenticated` for a bad signature, expiry, or the wrong type."""
        ...

    @property
    def access_ttl(self) -> int: ...


class TokenRevocations(Protocol):
    """Revoked access tokens, by id or by the refresh family they were issued in, remembered
    until the tokens would have expired anyway.

    Implementations raise `Unavailable` when they cannot answer: a revocation check
    must fail closed, never report "not revoked" by default.
    """

    async def revoke(self, token_id: str, expires_at: datetime) -> None: ...

    async def revoke_family(self, family: str, expires_at: datetime) -> None:
        """Every access token of the family, issued until now, is refused from now on."""
        ...

    async def is_revoked(self, token_id: str, family: str | None = None) -> bool:
        """Whether the token, or its family, is revoked: one lookup, on every authenticated request."""
        ...


class TokenHolders(Protocol):
    """What every authenticated request asks about an access token: the account it names
    (None if gone) and whether the token, or its family, is revoked. One lookup: where one
    store keeps both (PostgreSQL), one statement."""

    async def holder(
        self, user_id: uuid.UUID, token_id: str, family: str | None
    ) -> tuple[User | None, bool]: ...


class RefreshOutcome(enum.Enum):
    SPENT_NOW = "spent_now"
    ALREADY_SPENT = "already_spent"
    UNKNOWN = "unknown"


class RefreshTokenStore(Protocol):
    """Issued refresh tokens, by hashed id, grouped into rotation families; a family is a
    session (when it started, when it was last refreshed, from which user agent)."""

    async def add(self, claims: TokenClaims, *, user_agent: str | None = None) -> None:
        """Store the token; its family's session starts, or is marked used now."""
        ...

    async def sessions(self, user_id: uuid.UUID) -> Sequence[Session]:
        """The account's live sessions (not revoked, refresh token not expired), newest first."""
        ...

    async def spend(self, token_id: str) -> RefreshOutcome:
        """Mark the token used, atomically: exactly one caller gets `SPENT_NOW`."""
        ...

    async def revoke_family(self, family: str) -> None:
        """Spend every token of the family and end its session."""
        ...


class OneTimeTokenStore(Protocol):
    """Email-verification and password-reset tokens, stored by hash."""

    async def add(self, token: OneTimeToken) -> None: ...

    async def consume(self, token_hash: str, purpose: Purpose, now: datetime) -> OneTimeToken | None:
        """Mark the token used, atomically, if it is unused, unexpired and for `purpose`:
        exactly one caller gets it back; everyone else gets None."""
        ...

    async def discard(self, user_id: uuid.UUID, purpose: Purpose) -> None:
        """Every unused token of the account for `purpose` stops working."""
        ...


class PersonalTokenStore(Protocol):
    async def add(self, token: PersonalToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> PersonalToken | None: ...

    async def list_for(self, user_id: uuid.UUID) -> Sequence[PersonalToken]:
        """Newest first."""
        ...

    async def delete(self, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
        """False when the account has no such token."""
        ...


@dataclass(frozen=True, slots=True)
class MailMessage:
    """One message with a plain-text and an HTML part; `link` is the action it carries."""

    to: str
    subject: str
    text: str
    html: str
    link: str


class MailSender(Protocol):
    """Hands a message over for delivery (SMTP, the outbox directory, later a job queue).

    Raises `Unavailable` when the message cannot be handed over now.
    """

    async def send(self, message: MailMessage) -> None: ...


class RateLimiter(Protocol):
    """Fixed-window counters shared by all workers."""

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: int) -> int | None:
        """Count one hit on each key, all in one round trip; None if every key is within the
        limit, else the seconds until the last exceeded window resets."""
        ...

    async def exhausted(self, key: str, *, limit: int) -> int | None:
        """Without counting: None while another hit would be allowed, else seconds until
        the window resets (failures counted by `hit` then block successes too)."""
        ...


# --- photos, links, images -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CleanImage:
    """An uploaded image after verification: metadata stripped, orientation applied."""

    data: bytes
    content_type: str  # image/jpeg, image/png, image/webp, image/gif
    extension: str  # jpg, png, webp, gif
    width: int
    height: int
    checksum: str = ""  # SHA-256 hex of the bytes as uploaded (before cleaning)
    taken_at: datetime | None = None  # from EXIF, read before it was stripped
    exif: dict[str, str | float | int] | None = None  # camera settings (METADATA_FIELDS), never GPS


class ImageInspector(Protocol):
    async def clean(self, data: bytes) -> CleanImage:
        """Raises `UnsupportedMedia` when the bytes are not a JPEG/PNG/WebP/GIF,
        `InvalidInput` for a decompression bomb or a broken file."""
        ...


class AvatarMaker(Protocol):
    async def squares(self, image: CleanImage, sizes: Sequence[int]) -> list[CleanImage]:
        """The image cropped to its centred square, scaled to each size (first frame only)."""
        ...


@dataclass(frozen=True, slots=True)
class RenderedImage:
    data: bytes
    content_type: str
    #: Which representation this is (e.g. `avif`), for a per-format ETag; "" for an original.
    format: str = ""


@dataclass(frozen=True, slots=True)
class Rendition:
    """What the variants job made: the variants as stored, and a ThumbHash (base64) if it made one."""

    variants: tuple[Variant, ...]
    placeholder: str | None


class ImageStore(Protocol):
    async def save(self, key: str, image: CleanImage, *, private: bool = False) -> None:
        """Store the original (`private`: delivered only by signed URLs).
        Raises `Unavailable`, `UpstreamFailed` or `StorageFull`."""
        ...

    async def set_private(self, key: str, private: bool) -> None:
        """Deliver the image only by signed URLs from now on, or by plain ones again."""
        ...

    async def delete(self, key: str, *, private: bool = False) -> None:
        """Remove the original (stored `private` or not) and anything derived from it;
        missing keys are fine."""
        ...

    def original_url(self, key: str, *, signed: bool = False) -> str:
        """`signed`: a capability URL that expires (images of unlisted and private photos)."""
        ...

    def transformed_url(self, key: str, transformation: Transformation, *, signed: bool = False) -> str: ...

    def variant_url(self, key: str, variant: Variant, *, signed: bool = False) -> str:
        """`signed`: like `original_url`, for the variants of unlisted and private photos."""
        ...

    async def make_variants(self, key: str, planned: tuple[Variant, ...]) -> Rendition | None:
        """Make the planned variants of a stored original (idempotent: making them again
        overwrites them); None when the original is gone. A CDN that sizes on delivery
        makes nothing and answers the plan as it is."""
        ...

    async def placeholder_at_upload(self, image: CleanImage) -> str | None:
        """A store that cannot read originals back (Cloudinary) computes the placeholder
        while it has the bytes; one that can (the local disk) leaves it to the job: None."""
        ...

    async def sweep_orphans(self) -> int:
        """Remove derived files whose original is gone; the number removed."""
        ...


def variant_signed_as(name: str) -> str:
    """What a sized variant's URL signature covers besides the key. A transformation's
    canonical form never has a `v_` part, so one signature cannot pass for the other."""
    return f"v_{name}"


class UrlSigner(Protocol):
    """Signatures of image URLs: over the image key, its transformation and the expiry."""

    def sign(self, key: str, variant: str) -> tuple[int, str]:
        """(expires as a Unix time, signature) for the image `key` rendered as `variant`
        (a transformation's canonical form, `variant_signed_as(name)` for a sized variant,
        "" for the original)."""
        ...

    def verify(self, key: str, variant: str, expires: int, signature: str) -> bool:
        """True only for an untampered signature that has not expired."""
        ...


class ImageIndex(Protocol):
    async def visibility(self, image_key: str) -> Visibility | None:
        """The visibility of the photo whose original this is; None when there is none."""
        ...


class ImageRenderer(Protocol):
    """Renders stored images (the local store only). `offered` names the modern formats the
    client accepts (`avif`, `webp`); the renderer answers the best of them, else JPEG (PNG for
    images with transparency). An explicit `format` in a transformation wins."""

    async def original(self, key: str) -> RenderedImage | None: ...

    async def render(
        self, key: str, transformation: Transformation, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None: ...

    async def variant(
        self, key: str, name: str, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        """A variant made by the job, in the negotiated format; None if it does not exist."""
        ...


class Job(enum.StrEnum):
    """Background jobs, by the name the queue knows them by."""

    MAKE_VARIANTS = "make_variants"  # args: photo_id
    SWEEP_IMAGES = "sweep_images"  # no args


class JobQueue(Protocol):
    async def defer(self, job: Job, **args: str) -> None:
        """Enqueue a job to run at least once. At most one job with the same name and args
        waits at a time: deferring it again while it waits does nothing. Raises
        `Unavailable` when the queue cannot take it."""
        ...


class ImageTombstones(Protocol):
    """Stored images whose photo is gone, until the sweep has removed them from the store."""

    async def add(self, image_key: str, at: datetime) -> None: ...

    async def due(self, before: datetime, limit: int) -> list[str]: ...

    async def remove(self, image_key: str) -> None: ...


class QrRenderer(Protocol):
    def png(self, text: str) -> bytes: ...

    def svg(self, text: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Link:
    id: uuid.UUID
    photo_id: uuid.UUID
    slug: str
    transformation: Transformation
    created_at: datetime


class PhotoRepository(Protocol):
    async def get(self, photo_id: uuid.UUID) -> Photo | None: ...

    async def add(self, photo: Photo) -> None:
        """Insert the photo and get-or-create its tags by name (safe under races)."""
        ...

    async def update(self, photo: Photo) -> None: ...

    async def delete(self, photo_id: uuid.UUID) -> None: ...

    async def mark_ready(self, photo_id: uuid.UUID, rendition: Rendition) -> bool:
        """Store the variants (and the placeholder, if the rendition has one) and set the
        status to ready; False when the photo is gone."""
        ...

    async def processing_since(self, before: datetime, limit: int) -> list[uuid.UUID]:
        """Photos still processing that were uploaded before `before` (their job was lost)."""
        ...


class LinkRepository(Protocol):
    async def add(self, link: Link) -> None: ...

    async def get(self, link_id: uuid.UUID) -> Link | None: ...

    async def get_by_slug(self, slug: str) -> tuple[Link, str, Visibility] | None:
        """The link, its photo's image key and the photo's visibility."""
        ...

    async def list_for_photo(self, photo_id: uuid.UUID) -> Sequence[Link]: ...

    async def delete(self, link_id: uuid.UUID) -> None: ...

    async def exists_for_image(self, image_key: str, transformation: Transformation) -> bool:
        """Does a stored link ask for this transformation of this image?"""
        ...


# --- albums and shares ---------------------------------------------------------------------


class AlbumRepository(Protocol):
    async def get(self, album_id: uuid.UUID) -> Album | None: ...

    async def add(self, album: Album) -> None: ...

    async def update(self, album: Album) -> None: ...

    async def delete(self, album_id: uuid.UUID) -> None: ...

    async def put_photo(
        self, album_id: uuid.UUID, photo_id: uuid.UUID, position: int | None, now: datetime
    ) -> None:
        """Place the photo in the album (idempotent): at `position` (0 is first; past the end
        is last), or, with None, last when new and where it was otherwise."""
        ...

    async def remove_photo(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        """False when the photo was not in the album."""
        ...

    async def contains(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool: ...


class ShareRepository(Protocol):
    async def add(self, share: Share) -> None: ...

    async def get(self, share_id: uuid.UUID) -> Share | None: ...

    async def get_by_slug(self, slug: str) -> Share | None: ...

    async def update(self, share: Share) -> None:
        """Write label, expiry, view limit and password hash (never the counters)."""
        ...

    async def delete(self, share_id: uuid.UUID) -> None: ...

    async def list_for_owner(self, owner_id: uuid.UUID, limit: int, offset: int) -> tuple[list[Share], int]:
        """A page of the owner's shares, newest first, and their total."""
        ...

    async def count_view(self, share_id: uuid.UUID, now: datetime) -> Share | None:
        """Count one view, atomically and only while the share is open (not expired, under
        its limit): with N views left and many at once, exactly N get the share back; the
        others get None."""
        ...


# --- comments and ratings ------------------------------------------------------------------


class CommentRepository(Protocol):
    async def get(self, comment_id: uuid.UUID) -> Comment | None: ...

    async def add(self, comment: Comment) -> None:
        """Insert and bump the photo's and author's comment counters.

        Raises `NotFound` when the photo is gone (deleted since it was loaded).
        """
        ...

    async def update(self, comment: Comment) -> None: ...

    async def delete(self, comment: Comment) -> bool:
        """Delete and lower the counters; False (and nothing changed) when it was already gone."""
        ...


class RatingRepository(Protocol):
    async def add(self, rating: Rating) -> RatingSummary:
        """Insert and update the photo's stored summary in the same transaction.

        Raises `Conflict` when this user already rated this photo (a unique constraint decides),
        `NotFound` when the photo is gone.
        """
        ...

    async def delete(self, photo_id: uuid.UUID, user_id: uuid.UUID) -> RatingSummary | None:
        """Remove one rating and update the summary; None when there was none."""
        ...
