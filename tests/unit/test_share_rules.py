"""Share validity and opening a share, against the fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from photoshare.application.readmodels import PhotoPage, PhotoSearch, PhotoView, RatingStats, UserRef
from photoshare.application.shares import OpenShare, Visit
from photoshare.application.throttle import Limit, Throttle
from photoshare.domain.access import THROUGH_A_SHARE, VisibleTo
from photoshare.domain.errors import (
    Gone,
    InvalidInput,
    NotFound,
    PasswordRequired,
    TooManyRequests,
    Unauthenticated,
)
from photoshare.domain.shares import LINK_PREVIEW_BOTS, Share, ShareKind, expiry, is_link_preview
from tests.unit.fakes import (
    FakePasswordHasher,
    FakeUnitOfWork,
    FixedClock,
    InMemoryRateLimiter,
    InMemoryShareRepository,
)

NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)


def _share(**changes: Any) -> Share:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "slug": "S" * 22,
        "owner_id": uuid.uuid4(),
        "kind": ShareKind.PHOTO,
        "target_id": uuid.uuid4(),
        "label": None,
        "expires_at": None,
        "max_views": None,
        "view_count": 0,
        "last_viewed_at": None,
        "password_hash": None,
        "created_at": NOW,
    } | changes
    return Share(**values)


def test_expiry_takes_a_future_moment_or_a_duration_not_both() -> None:
    assert expiry(NOW, None, None) is None
    assert expiry(NOW, None, 60) == NOW + timedelta(seconds=60)
    assert expiry(NOW, NOW + timedelta(days=1), None) == NOW + timedelta(days=1)
    for at, seconds in ((NOW, None), (None, 59), (None, 31_536_001), (NOW + timedelta(days=1), 60)):
        with pytest.raises(InvalidInput):
            expiry(NOW, at, seconds)


def test_a_share_is_gone_once_expired_or_used_up() -> None:
    _share(expires_at=NOW + timedelta(seconds=1), max_views=2, view_count=1).ensure_open(NOW)
    with pytest.raises(Gone):
        _share(expires_at=NOW).ensure_open(NOW)
    with pytest.raises(Gone):
        _share(max_views=2, view_count=2).ensure_open(NOW)


@pytest.mark.parametrize(
    "agent", [*LINK_PREVIEW_BOTS, "Mozilla/5.0 (compatible; Discordbot/2.0)", "whatsapp/2.23"]
)
def test_link_preview_bots_are_recognised(agent: str) -> None:
    assert is_link_preview(agent)


@pytest.mark.parametrize("agent", [None, "", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.0"])
def test_people_are_not_bots(agent: str | None) -> None:
    assert not is_link_preview(agent)


class _Photos:
    """PhotoQueries that records with which visibility it was asked."""

    def __init__(self) -> None:
        self.asked: list[VisibleTo] = []

    async def get(self, photo_id: uuid.UUID, to: VisibleTo) -> PhotoView:
        self.asked.append(to)
        return PhotoView(
            photo_id, "u", "", [], UserRef("a"), RatingStats(None, 0), 0, 1, 1, NOW, NOW, "private"
        )

    async def search(self, search: PhotoSearch) -> PhotoPage:
        raise NotImplementedError

    async def existing_checksums(self, owner_id: uuid.UUID, checksums: list[str]) -> dict[str, uuid.UUID]:
        raise NotImplementedError

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        raise NotImplementedError


def _open(
    shares: InMemoryShareRepository, limiter: InMemoryRateLimiter, photos: _Photos | None = None
) -> OpenShare:
    limits = {"share_view": Limit(600, 60), "share_miss": Limit(2, 60), "share_password": Limit(2, 60)}
    return OpenShare(
        shares,
        photos or _Photos(),
        None,  # type: ignore[arg-type]  # no albums in these tests
        FakePasswordHasher(),
        Throttle(limiter, limits),
        FixedClock(NOW),
        FakeUnitOfWork(),
    )


async def test_opening_counts_a_view_and_sees_through_the_share() -> None:
    share = _share(max_views=1)
    shares, photos = InMemoryShareRepository(share), _Photos()
    shared = await _open(shares, InMemoryRateLimiter(), photos)(share.slug, Visit("1.2.3.4"))
    assert shared.photo is not None
    assert photos.asked == [THROUGH_A_SHARE]
    assert (shares.shares[share.id].view_count, shares.shares[share.id].last_viewed_at) == (1, NOW)
    with pytest.raises(Gone):
        await _open(shares, InMemoryRateLimiter())(share.slug, Visit("1.2.3.4"))


async def test_bots_are_answered_but_not_counted() -> None:
    share = _share()
    shares = InMemoryShareRepository(share)
    await _open(shares, InMemoryRateLimiter())(
        share.slug, Visit("1.2.3.4", user_agent="TelegramBot (like TwitterBot)")
    )
    assert shares.shares[share.id].view_count == 0


async def test_unknown_slugs_are_throttled_per_address() -> None:
    limiter = InMemoryRateLimiter()
    share = _share()
    open_share = _open(InMemoryShareRepository(share), limiter)
    for _ in range(2):
        with pytest.raises(NotFound):
            await open_share("U" * 22, Visit("1.2.3.4"))
    with pytest.raises(TooManyRequests):
        await open_share("U" * 22, Visit("1.2.3.4"))
    with pytest.raises(TooManyRequests):
        await open_share(share.slug, Visit("1.2.3.4"))
    await open_share(share.slug, Visit("5.6.7.8"))  # another address is not affected


async def test_passwords_are_required_checked_and_throttled_per_share() -> None:
    share = _share(password_hash="hashed:open sesame")
    limiter = InMemoryRateLimiter()
    open_share = _open(InMemoryShareRepository(share), limiter)
    with pytest.raises(PasswordRequired):
        await open_share(share.slug, Visit("1.1.1.1"))
    # Wrong guesses from two addresses use up the share's own allowance...
    for client in ("1.1.1.1", "2.2.2.2"):
        with pytest.raises(Unauthenticated):
            await open_share(share.slug, Visit(client, password="guess"))
    # ...so a third address, even with the right password, waits.
    with pytest.raises(TooManyRequests):
        await open_share(share.slug, Visit("3.3.3.3", password="open sesame"))
    assert limiter.hits[f"share_password:share:{share.id}"] == 2


async def test_the_right_password_opens_it() -> None:
    share = _share(password_hash="hashed:open sesame")
    shared = await _open(InMemoryShareRepository(share), InMemoryRateLimiter())(
        share.slug, Visit("1.1.1.1", password="open sesame")
    )
    assert shared.kind == "photo"
