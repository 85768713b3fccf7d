"""Share links: made and managed by the owner of a photo or album, opened by anyone holding one.

Opening one (`OpenShare`) is the only public path: unknown slugs and wrong passwords are
counted against the caller (and the share) like failed log-ins, and once those are used
up every attempt is refused, so neither slugs nor passwords can be guessed. A view is
counted by one conditional UPDATE in the store, which makes `max_views` exact under load.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import msgspec

from photoshare.application.albums import load_visible_album
from photoshare.application.links import PublicAddresses
from photoshare.application.photos import load_visible_photo
from photoshare.application.ports.accounts import PasswordHasher
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.images import QrRenderer
from photoshare.application.ports.photos import PhotoLookups
from photoshare.application.ports.sharing import AlbumRepository, ShareRepository
from photoshare.application.readmodels import AlbumQueries, PhotoQueries, SharedView, SharePage, ShareView
from photoshare.application.throttle import Throttle
from photoshare.domain.access import THROUGH_A_SHARE, ensure_owner_or_admin
from photoshare.domain.albums import ensure_may_manage_album
from photoshare.domain.errors import Gone, NotFound, PasswordRequired, Unauthenticated
from photoshare.domain.photos import ensure_may_manage
from photoshare.domain.shares import (
    Share,
    ShareKind,
    expiry,
    future_moment,
    is_link_preview,
    validate_label,
    validate_max_views,
    validate_share_password,
)
from photoshare.domain.users import Role, User

SLUG_BYTES = 16  # 128 random bits, 22 URL-safe characters


def share_view(share: Share, addresses: PublicAddresses) -> ShareView:
    return ShareView(
        id=share.id,
        slug=share.slug,
        url=addresses.share(share.slug),
        qr_url=addresses.share_qr(share.slug),
        kind=share.kind.value,
        target_id=share.target_id,
        label=share.label,
        expires_at=share.expires_at,
        max_views=share.max_views,
        view_count=share.view_count,
        last_viewed_at=share.last_viewed_at,
        has_password=share.password_hash is not None,
        created_at=share.created_at,
    )


@dataclass(frozen=True, slots=True)
class ShareTerms:
    label: str | None = None
    expires_at: datetime | None = None
    expires_in: int | None = None
    password: str | None = None
    max_views: int | None = None


@dataclass(frozen=True, slots=True)
class CreateShare:
    photos: PhotoLookups
    albums: AlbumRepository
    shares: ShareRepository
    hasher: PasswordHasher
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, by: User, kind: ShareKind, target_id: uuid.UUID, terms: ShareTerms) -> uuid.UUID:
        now = self.clock.now()
        label, max_views = validate_label(terms.label), validate_max_views(terms.max_views)
        expires_at = expiry(now, terms.expires_at, terms.expires_in)
        password = None if terms.password is None else validate_share_password(terms.password)
        if kind is ShareKind.PHOTO:
            ensure_may_manage(await load_visible_photo(self.photos, target_id, by), by)
        else:
            ensure_may_manage_album(await load_visible_album(self.albums, target_id, by), by)
        share = Share(
            id=uuid.uuid4(),
            slug=secrets.token_urlsafe(SLUG_BYTES),
            owner_id=by.id,
            kind=kind,
            target_id=target_id,
            label=label,
            expires_at=expires_at,
            max_views=max_views,
            view_count=0,
            last_viewed_at=None,
            password_hash=None if password is None else await self.hasher.hash(password),
            created_at=now,
        )
        await self.shares.add(share)
        await self.uow.commit()
        return share.id


async def load_own_share(shares: ShareRepository, share_id: uuid.UUID, by: User) -> Share:
    """Someone else's share is as unknown as a missing one (admins see all)."""
    share = await shares.get(share_id)
    if share is None or (share.owner_id != by.id and by.role is not Role.ADMIN):
        raise NotFound("no such share")
    return share


@dataclass(frozen=True, slots=True)
class ListShares:
    shares: ShareRepository
    addresses: PublicAddresses

    async def __call__(self, by: User, limit: int, offset: int) -> SharePage:
        items, total = await self.shares.list_for_owner(by.id, limit, offset)
        return SharePage([share_view(s, self.addresses) for s in items], total, limit, offset)


@dataclass(frozen=True, slots=True)
class GetShare:
    shares: ShareRepository
    addresses: PublicAddresses

    async def __call__(self, by: User, share_id: uuid.UUID) -> ShareView:
        return share_view(await load_own_share(self.shares, share_id, by), self.addresses)


@dataclass(frozen=True, slots=True)
class EditShare:
    """Any of label, expiry, view limit and password; `None` clears, `UNSET` keeps."""

    shares: ShareRepository
    hasher: PasswordHasher
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self,
        by: User,
        share_id: uuid.UUID,
        *,
        label: str | msgspec.UnsetType | None = msgspec.UNSET,
        expires_at: datetime | msgspec.UnsetType | None = msgspec.UNSET,
        max_views: int | msgspec.UnsetType | None = msgspec.UNSET,
        password: str | msgspec.UnsetType | None = msgspec.UNSET,
    ) -> None:
        share = await load_own_share(self.shares, share_id, by)
        ensure_owner_or_admin(share.owner_id, by, "share")
        if not isinstance(label, msgspec.UnsetType):
            share = replace(share, label=validate_label(label))
        if not isinstance(expires_at, msgspec.UnsetType):
            share = replace(share, expires_at=future_moment(self.clock.now(), expires_at))
        if not isinstance(max_views, msgspec.UnsetType):
            share = replace(share, max_views=validate_max_views(max_views))
        if not isinstance(password, msgspec.UnsetType):
            hashed = None if password is None else await self.hasher.hash(validate_share_password(password))
            share = replace(share, password_hash=hashed)
        await self.shares.update(share)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class DeleteShare:
    shares: ShareRepository
    uow: UnitOfWork

    async def __call__(self, by: User, share_id: uuid.UUID) -> None:
        share = await load_own_share(self.shares, share_id, by)
        await self.shares.delete(share.id)  # the link stops working at once
        await self.uow.commit()


async def find_share(shares: ShareRepository, throttle: Throttle, slug: str, client: str) -> Share:
    """The share with this slug. Unknown slugs count against the client like failed log-ins;
    once the client has used those up, every slug is refused (429), known or not."""
    await throttle.ensure_allowed("share_miss", f"ip:{client}")
    share = await shares.get_by_slug(slug)
    if share is None:
        await throttle.check("share_miss", f"ip:{client}")
        raise NotFound("no such share")
    return share


@dataclass(frozen=True, slots=True)
class Visit:
    """One attempt to open a share: who (address, user agent) and with what password."""

    client: str
    user_agent: str | None = None
    password: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class OpenShare:
    shares: ShareRepository
    photos: PhotoQueries
    albums: AlbumQueries
    hasher: PasswordHasher
    throttle: Throttle
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, slug: str, visit: Visit) -> SharedView:
        # A public read: an outage of the counters' store must not take it down.
        await self.throttle.check("share_view", f"ip:{visit.client}", fail_open=True)
        share = await find_share(self.shares, self.throttle, slug, visit.client)
        share.ensure_open(self.clock.now())
        if share.password_hash is not None:
            await self._check_password(share, visit)
        if not is_link_preview(visit.user_agent):
            counted = await self.shares.count_view(share.id, self.clock.now())
            await self.uow.commit()
            if counted is None:  # used up, expired or revoked since it was read
                raise Gone("this share link has reached its view limit or expired")
            share = counted
        return await self._shared(share, visit)

    async def _check_password(self, share: Share, visit: Visit) -> None:
        if visit.password is None:
            raise PasswordRequired("this share needs its password (X-Share-Password)")
        subjects = (f"ip:{visit.client}", f"share:{share.id}")
        for subject in subjects:
            await self.throttle.ensure_allowed("share_password", subject)
        # bcrypt either way: a wrong password costs what the right one does.
        if not await self.hasher.verify(visit.password, share.password_hash):
            await self.throttle.check("share_password", *subjects)
            raise Unauthenticated("wrong password for this share")

    async def _shared(self, share: Share, visit: Visit) -> SharedView:
        if share.kind is ShareKind.PHOTO:
            try:
                photo = await self.photos.get(share.target_id, THROUGH_A_SHARE)
            except NotFound:
                raise NotFound("no such share") from None
            return SharedView("photo", photo=photo, album=None, photos=None, expires_at=share.expires_at)
        try:
            album = await self.albums.get(share.target_id, THROUGH_A_SHARE)
        except NotFound:
            raise NotFound("no such share") from None
        page = await self.albums.photos(share.target_id, THROUGH_A_SHARE, visit.limit, visit.offset)
        return SharedView("album", photo=None, album=album, photos=page, expires_at=share.expires_at)


@dataclass(frozen=True, slots=True)
class RenderShareQr:
    """The QR code of a share's `url`, as PNG or SVG (unknown slugs are throttled as misses)."""

    shares: ShareRepository
    throttle: Throttle
    qr: QrRenderer
    addresses: PublicAddresses

    async def __call__(self, slug: str, fmt: str, client: str) -> bytes:
        share = await find_share(self.shares, self.throttle, slug, client)
        text = self.addresses.share(share.slug)
        return self.qr.svg(text) if fmt == "svg" else self.qr.png(text)
