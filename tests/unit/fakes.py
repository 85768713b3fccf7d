"""In-memory fakes of the account ports: enough behaviour to drive the use cases, no I/O."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from photoshare.application.ports.accounts import RefreshOutcome, TokenClaims
from photoshare.application.ports.images import CleanImage, Rendition
from photoshare.application.ports.jobs import Job
from photoshare.application.ports.mail import MailMessage
from photoshare.domain.access import Visibility
from photoshare.domain.accounts import OneTimeToken, PersonalToken, Purpose, Session
from photoshare.domain.albums import Album
from photoshare.domain.comments import Comment
from photoshare.domain.errors import Conflict, NotFound
from photoshare.domain.links import Link
from photoshare.domain.photos import Photo, PhotoStatus, Variant
from photoshare.domain.ratings import Rating, RatingSummary
from photoshare.domain.shares import Share
from photoshare.domain.transformations import Transformation
from photoshare.domain.users import Role, User


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0

    async def commit(self) -> None:
        self.commits += 1

    async def rollback(self) -> None:
        self.rollbacks += 1


class FakePasswordHasher:
    """Not bcrypt: "hashed:" + password; "legacy:" + password verifies too and needs a rehash.
    Records every verify call."""

    def __init__(self) -> None:
        self.verified: list[tuple[str, str | None]] = []

    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, password: str, password_hash: str | None) -> bool:
        self.verified.append((password, password_hash))
        return password_hash in ("hashed:" + password, "legacy:" + password)

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("hashed:")


class InMemoryUserRepository:
    """Case-insensitive unique usernames and emails; the first account becomes admin.
    Serves `AccountLookups` too (production splits them by connection kind)."""

    def __init__(self, *users: User) -> None:
        self.users: dict[uuid.UUID, User] = {u.id: u for u in users}

    async def get(self, user_id: uuid.UUID) -> User | None:
        return self.users.get(user_id)

    async def get_by_username(self, username: str) -> User | None:
        return next((u for u in self.users.values() if u.username.lower() == username.lower()), None)

    async def get_by_login(self, login: str) -> User | None:
        needle = login.lower()
        return next((u for u in self.users.values() if needle in (u.username.lower(), u.email.lower())), None)

    def _check_unique(self, user: User) -> None:
        for other in self.users.values():
            if other.id == user.id:
                continue
            if other.username.lower() == user.username.lower():
                raise Conflict("that username is taken", field="username")
            if other.email.lower() == user.email.lower():
                raise Conflict("that email is already registered", field="email")

    async def add(self, user: User) -> User:
        self._check_unique(user)
        stored = replace(user, role=Role.ADMIN) if not self.users else user
        self.users[stored.id] = stored
        return stored

    async def lock_by_username(self, username: str) -> User | None:
        return await self.get_by_username(username)

    async def update_profile(self, user: User) -> None:
        self._check_unique(user)
        stored = self.users[user.id]
        self.users[user.id] = replace(stored, full_name=user.full_name, bio=user.bio, email=user.email)

    async def update_access(self, user: User) -> None:
        stored = self.users[user.id]
        self.users[user.id] = replace(
            stored, role=user.role, is_active=user.is_active, token_version=user.token_version
        )

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email.lower() == email.lower()), None)

    async def mark_email_verified(self, user_id: uuid.UUID, email: str) -> bool:
        user = self.users.get(user_id)
        if user is None or user.email.lower() != email.lower():
            return False
        self.users[user_id] = replace(user, email_verified=True)
        return True

    async def update_password(self, user: User) -> None:
        stored = self.users[user.id]
        self.users[user.id] = replace(
            stored, password_hash=user.password_hash, token_version=user.token_version
        )

    async def update_avatar(self, user_id: uuid.UUID, avatar_key: str | None) -> None:
        self.users[user_id] = replace(self.users[user_id], avatar_key=avatar_key)

    async def update_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        self.users[user_id] = replace(self.users[user_id], password_hash=password_hash)


class InMemoryRefreshTokenStore:
    def __init__(self) -> None:
        self.tokens: dict[str, TokenClaims] = {}
        self.spent: set[str] = set()
        self.ended: set[str] = set()
        self.user_agents: dict[str, str | None] = {}

    async def add(self, claims: TokenClaims, *, user_agent: str | None = None) -> None:
        self.tokens[claims.token_id] = claims
        if claims.family:
            self.user_agents.setdefault(claims.family, user_agent)

    async def sessions(self, user_id: uuid.UUID) -> list[Session]:
        families: dict[str, list[TokenClaims]] = {}
        for claims in self.tokens.values():
            if claims.subject == user_id and claims.family and claims.family not in self.ended:
                families.setdefault(claims.family, []).append(claims)
        return [
            Session(
                family,
                user_id,
                min(c.issued_at for c in cs),
                max(c.issued_at for c in cs),
                self.user_agents[family],
            )
            for family, cs in families.items()
        ]

    async def spend(self, token_id: str) -> RefreshOutcome:
        if token_id not in self.tokens:
            return RefreshOutcome.UNKNOWN
        if token_id in self.spent:
            return RefreshOutcome.ALREADY_SPENT
        self.spent.add(token_id)
        return RefreshOutcome.SPENT_NOW

    async def revoke_family(self, family: str) -> None:
        self.spent |= {tid for tid, c in self.tokens.items() if c.family == family}
        self.ended.add(family)


class InMemoryTokenRevocations:
    """Token ids and families (under a prefix), each remembered until the later of its
    expiries; a revocation lapses then, by `clock` (default: the wall clock, as the SQL and
    Valkey stores see it)."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.revoked: dict[str, datetime] = {}
        self.clock = clock

    def _remember(self, key: str, expires_at: datetime) -> None:
        self.revoked[key] = max(expires_at, self.revoked.get(key, expires_at))

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        self._remember(token_id, expires_at)

    async def revoke_family(self, family: str, expires_at: datetime) -> None:
        self._remember(f"family:{family}", expires_at)

    async def is_revoked(self, token_id: str, family: str | None = None) -> bool:
        now = self.clock.now() if self.clock else datetime.now(UTC)
        keys = [token_id, *([f"family:{family}"] if family else [])]
        return any(self.revoked.get(key, now) > now for key in keys)


class InMemoryOneTimeTokenStore:
    def __init__(self) -> None:
        self.tokens: dict[str, OneTimeToken] = {}

    async def add(self, token: OneTimeToken) -> None:
        self.tokens[token.token_hash] = token

    async def consume(self, token_hash: str, purpose: Purpose, now: datetime) -> OneTimeToken | None:
        token = self.tokens.get(token_hash)
        if token is None or not token.usable(purpose, now):
            return None
        self.tokens[token_hash] = used = replace(token, used_at=now)
        return used

    async def discard(self, user_id: uuid.UUID, purpose: Purpose) -> None:
        for key, token in self.tokens.items():
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None:
                self.tokens[key] = replace(token, used_at=datetime.now(UTC))


class InMemoryPersonalTokenStore:
    """Serves `PersonalTokenLookups` too."""

    def __init__(self) -> None:
        self.tokens: dict[uuid.UUID, PersonalToken] = {}

    async def add(self, token: PersonalToken) -> None:
        self.tokens[token.id] = token

    async def get_by_hash(self, token_hash: str) -> PersonalToken | None:
        return next((t for t in self.tokens.values() if t.token_hash == token_hash), None)

    async def list_for(self, user_id: uuid.UUID) -> list[PersonalToken]:
        return [t for t in self.tokens.values() if t.user_id == user_id]

    async def delete(self, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
        token = self.tokens.get(token_id)
        if token is None or token.user_id != user_id:
            return False
        del self.tokens[token_id]
        return True


class RecordingMailSender:
    def __init__(self) -> None:
        self.sent: list[MailMessage] = []

    async def send(self, message: MailMessage) -> None:
        self.sent.append(message)


# --- photos and links ---


class JournaledUnitOfWork(FakeUnitOfWork):
    """Writes "commit"/"rollback" into a journal shared with other fakes; `fail_*` make them raise."""

    def __init__(
        self,
        journal: list[str],
        fail_commit: Exception | None = None,
        fail_rollback: Exception | None = None,
    ) -> None:
        super().__init__()
        self.journal, self.fail_commit, self.fail_rollback = journal, fail_commit, fail_rollback

    async def commit(self) -> None:
        self.journal.append("commit")
        if self.fail_commit is not None:
            raise self.fail_commit
        await super().commit()

    async def rollback(self) -> None:
        self.journal.append("rollback")
        if self.fail_rollback is not None:
            raise self.fail_rollback
        await super().rollback()


class FakeImageInspector:
    """Accepts any bytes as a 640x480 PNG, or raises `error`."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error, self.seen = error, 0

    async def clean(self, data: bytes) -> CleanImage:
        self.seen += 1
        if self.error is not None:
            raise self.error
        return CleanImage(data, "image/png", "png", 640, 480)


class InMemoryImageStore:
    """Images by key; journals "save <key>"/"delete <key>"; `fail={"save": exc}` makes that call raise."""

    def __init__(self, journal: list[str] | None = None, fail: dict[str, Exception] | None = None) -> None:
        self.images: dict[str, bytes] = {}
        self.journal = journal if journal is not None else []
        self.fail = fail or {}

    async def set_private(self, key: str, private: bool) -> None:
        self.journal.append(f"{'restrict' if private else 'publish'} {key}")

    async def save(self, key: str, image: CleanImage, *, private: bool = False) -> None:
        self.journal.append(f"save {key}")
        if "save" in self.fail:
            raise self.fail["save"]
        self.images[key] = image.data

    async def delete(self, key: str, *, private: bool = False) -> None:
        self.journal.append(f"delete {key}")
        if "delete" in self.fail:
            raise self.fail["delete"]
        self.images.pop(key, None)

    def original_url(self, key: str, *, signed: bool = False) -> str:
        return f"https://img.test/{key}" + ("?signed" if signed else "")

    def transformed_url(self, key: str, transformation: Transformation, *, signed: bool = False) -> str:
        return f"https://img.test/t/{transformation.canonical()}/{key}" + ("?signed" if signed else "")

    def variant_url(self, key: str, variant: Variant, *, signed: bool = False) -> str:
        return f"https://img.test/v/{variant.name}/{key}" + ("?signed" if signed else "")

    async def make_variants(self, key: str, planned: tuple[Variant, ...]) -> Rendition | None:
        self.journal.append(f"variants {key}")
        if "variants" in self.fail:
            raise self.fail["variants"]
        return Rendition(planned, "placeholder") if key in self.images else None

    async def placeholder_at_upload(self, image: CleanImage) -> str | None:
        return None

    async def sweep_orphans(self) -> int:
        return 0


class InMemoryPhotoRepository:
    """Photos by id; journals "add"/"update"/"delete"; `fail_add` makes `add` raise.
    Serves `PhotoLookups` too."""

    def __init__(self, *photos: Photo, journal: list[str] | None = None, fail_add: Exception | None = None):
        self.photos = {p.id: p for p in photos}
        self.journal = journal if journal is not None else []
        self.fail_add = fail_add

    async def get(self, photo_id: uuid.UUID) -> Photo | None:
        return self.photos.get(photo_id)

    async def add(self, photo: Photo) -> None:
        self.journal.append("add")
        if self.fail_add is not None:
            raise self.fail_add
        self.photos[photo.id] = photo

    async def update(self, photo: Photo) -> None:
        self.journal.append("update")
        self.photos[photo.id] = photo

    async def delete(self, photo_id: uuid.UUID) -> None:
        self.journal.append("delete")
        self.photos.pop(photo_id, None)

    async def mark_ready(self, photo_id: uuid.UUID, rendition: Rendition) -> bool:
        self.journal.append("ready")
        photo = self.photos.get(photo_id)
        if photo is None:
            return False
        self.photos[photo_id] = replace(
            photo,
            status=PhotoStatus.READY,
            variants=rendition.variants,
            placeholder=rendition.placeholder or photo.placeholder,
        )
        return True

    async def processing_since(self, before: datetime, limit: int) -> list[uuid.UUID]:
        waiting = [
            p for p in self.photos.values() if p.status is PhotoStatus.PROCESSING and p.created_at < before
        ]
        return [p.id for p in sorted(waiting, key=lambda p: p.created_at)][:limit]


class FakeJobQueue:
    """Records what was deferred, as (job, args); `fail` makes `defer` raise."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.deferred: list[tuple[Job, dict[str, str]]] = []
        self.fail = fail

    async def defer(self, job: Job, **args: str) -> None:
        if self.fail is not None:
            raise self.fail
        self.deferred.append((job, args))


class InMemoryTombstones:
    def __init__(self) -> None:
        self.keys: dict[str, datetime] = {}

    async def add(self, image_key: str, at: datetime) -> None:
        self.keys.setdefault(image_key, at)

    async def due(self, before: datetime, limit: int) -> list[str]:
        return [k for k, at in sorted(self.keys.items(), key=lambda kv: kv[1]) if at < before][:limit]

    async def remove(self, image_key: str) -> None:
        self.keys.pop(image_key, None)


class InMemoryLinkRepository:
    """Links by id; a link's image key comes from the photo repository it is given."""

    def __init__(self, photos: InMemoryPhotoRepository) -> None:
        self.links: dict[uuid.UUID, Link] = {}
        self._photos = photos

    async def add(self, link: Link) -> None:
        self.links[link.id] = link

    async def get(self, link_id: uuid.UUID) -> Link | None:
        return self.links.get(link_id)

    async def get_by_slug(self, slug: str) -> tuple[Link, str, Visibility] | None:
        link = next((x for x in self.links.values() if x.slug == slug), None)
        if link is None:
            return None
        photo = self._photos.photos[link.photo_id]
        return link, photo.image_key, photo.visibility

    async def list_for_photo(self, photo_id: uuid.UUID) -> list[Link]:
        mine = [x for x in self.links.values() if x.photo_id == photo_id]
        return sorted(mine, key=lambda x: (x.created_at, x.id))  # the SQL adapter's ORDER BY

    async def delete(self, link_id: uuid.UUID) -> None:
        self.links.pop(link_id, None)

    async def exists_for_image(self, image_key: str, transformation: Transformation) -> bool:
        return any(
            x.transformation == transformation and self._photos.photos[x.photo_id].image_key == image_key
            for x in self.links.values()
        )


class FakeQrRenderer:
    """Not a QR code: the text it would encode, tagged with the format."""

    def png(self, text: str) -> bytes:
        return b"png:" + text.encode()

    def svg(self, text: str) -> bytes:
        return b"svg:" + text.encode()


# --- comments and ratings ---


class InMemoryCommentRepository:
    """Comments by id, with the photo and author counters the SQL adapter keeps; given
    `photos`, a comment on a photo that is not there is `NotFound`, as in SQL."""

    def __init__(self, *comments: Comment, photos: InMemoryPhotoRepository | None = None) -> None:
        self.comments = {c.id: c for c in comments}
        self.per_photo = Counter(c.photo_id for c in comments)
        self.per_author = Counter(c.author_id for c in comments)
        self._photos = photos

    async def get(self, comment_id: uuid.UUID) -> Comment | None:
        return self.comments.get(comment_id)

    async def add(self, comment: Comment) -> None:
        if self._photos is not None and comment.photo_id not in self._photos.photos:
            raise NotFound("no such photo")
        self.comments[comment.id] = comment
        self.per_photo[comment.photo_id] += 1
        self.per_author[comment.author_id] += 1

    async def update(self, comment: Comment) -> None:
        self.comments[comment.id] = comment

    async def delete(self, comment: Comment) -> bool:
        if self.comments.pop(comment.id, None) is None:
            return False
        self.per_photo[comment.photo_id] -= 1
        self.per_author[comment.author_id] -= 1
        return True


class InMemoryRatingRepository:
    """Ratings by (photo, user): a second one is a Conflict, as the primary key makes it;
    given `photos`, rating a photo that is not there is `NotFound`, as in SQL."""

    def __init__(self, photos: InMemoryPhotoRepository | None = None) -> None:
        self.ratings: dict[tuple[uuid.UUID, uuid.UUID], Rating] = {}
        self.summaries: dict[uuid.UUID, RatingSummary] = {}
        self._photos = photos

    async def add(self, rating: Rating) -> RatingSummary:
        if self._photos is not None and rating.photo_id not in self._photos.photos:
            raise NotFound("no such photo")
        if (rating.photo_id, rating.user_id) in self.ratings:
            raise Conflict("you have already rated this photo")
        self.ratings[rating.photo_id, rating.user_id] = rating
        summary = self.summaries.get(rating.photo_id, RatingSummary()).add(rating.value)
        self.summaries[rating.photo_id] = summary
        return summary

    async def delete(self, photo_id: uuid.UUID, user_id: uuid.UUID) -> RatingSummary | None:
        rating = self.ratings.pop((photo_id, user_id), None)
        if rating is None:
            return None
        self.summaries[photo_id] = self.summaries[photo_id].remove(rating.value)
        return self.summaries[photo_id]


class InMemoryAlbumRepository:
    """Albums and their ordered photo ids."""

    def __init__(self, *albums: Album) -> None:
        self.albums: dict[uuid.UUID, Album] = {a.id: a for a in albums}
        self.order: dict[uuid.UUID, list[uuid.UUID]] = {a.id: [] for a in albums}

    async def get(self, album_id: uuid.UUID) -> Album | None:
        return self.albums.get(album_id)

    async def add(self, album: Album) -> None:
        self.albums[album.id] = album
        self.order[album.id] = []

    async def update(self, album: Album) -> None:
        self.albums[album.id] = album

    async def delete(self, album_id: uuid.UUID) -> None:
        self.albums.pop(album_id, None)
        self.order.pop(album_id, None)

    async def put_photo(
        self, album_id: uuid.UUID, photo_id: uuid.UUID, position: int | None, now: datetime
    ) -> None:
        order = self.order[album_id]
        if photo_id in order:
            if position is None:
                return
            order.remove(photo_id)
        order.insert(len(order) if position is None else position, photo_id)

    async def remove_photo(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        if photo_id not in self.order.get(album_id, []):
            return False
        self.order[album_id].remove(photo_id)
        return True

    async def contains(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        return photo_id in self.order.get(album_id, [])


class InMemoryShareRepository:
    def __init__(self, *shares: Share) -> None:
        self.shares: dict[uuid.UUID, Share] = {s.id: s for s in shares}

    async def add(self, share: Share) -> None:
        self.shares[share.id] = share

    async def get(self, share_id: uuid.UUID) -> Share | None:
        return self.shares.get(share_id)

    async def get_by_slug(self, slug: str) -> Share | None:
        return next((s for s in self.shares.values() if s.slug == slug), None)

    async def update(self, share: Share) -> None:
        self.shares[share.id] = share

    async def delete(self, share_id: uuid.UUID) -> None:
        self.shares.pop(share_id, None)

    async def list_for_owner(self, owner_id: uuid.UUID, limit: int, offset: int) -> tuple[list[Share], int]:
        mine = sorted((s for s in self.shares.values() if s.owner_id == owner_id), key=lambda s: s.created_at)
        mine.reverse()
        return mine[offset : offset + limit], len(mine)

    async def count_view(self, share_id: uuid.UUID, now: datetime) -> Share | None:
        share = self.shares.get(share_id)
        if share is None or share.is_expired(now) or share.is_used_up():
            return None
        self.shares[share_id] = replace(share, view_count=share.view_count + 1, last_viewed_at=now)
        return self.shares[share_id]


class InMemoryRateLimiter:
    """Counts per key, one window that never ends."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: int) -> int | None:
        self.hits.update(keys)
        return None if all(self.hits[key] <= limit for key in keys) else window_seconds

    async def exhausted(self, key: str, *, limit: int) -> int | None:
        return None if self.hits[key] < limit else 60
