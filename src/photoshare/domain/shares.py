"""Share links: a capability to one photo or album, with a label, an expiry, an optional
password and an optional view limit. Whoever holds the link sees the target, private or not."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from photoshare.domain.errors import Gone, InvalidInput

SHARE_LABEL_MAX = 100
EXPIRES_IN_MIN, EXPIRES_IN_MAX = 60, 31_536_000
MAX_VIEWS_MAX = 1_000_000
SHARE_PASSWORD_MIN, SHARE_PASSWORD_MAX = 8, 128

# Link-preview fetchers (chat apps unfurling a pasted link): answered, never counted as a view.
LINK_PREVIEW_BOTS = (
    "Slackbot",
    "facebookexternalhit",
    "Twitterbot",
    "Discordbot",
    "TelegramBot",
    "WhatsApp",
    "LinkedInBot",
    "SkypeUriPreview",
    "Applebot",
)
_BOTS_LOWER = tuple(name.lower() for name in LINK_PREVIEW_BOTS)


def is_link_preview(user_agent: str | None) -> bool:
    agent = (user_agent or "").lower()
    return any(name in agent for name in _BOTS_LOWER)


class ShareKind(enum.StrEnum):
    PHOTO = "photo"
    ALBUM = "album"


def validate_label(raw: str | None) -> str | None:
    if raw is None:
        return None
    label = raw.strip()
    if len(label) > SHARE_LABEL_MAX:
        raise InvalidInput(f"label must be at most {SHARE_LABEL_MAX} characters", field="label")
    return label or None


def validate_max_views(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not 1 <= value <= MAX_VIEWS_MAX):
        raise InvalidInput(f"max_views must be 1-{MAX_VIEWS_MAX}", field="max_views")
    return value


def validate_share_password(value: str) -> str:
    if not SHARE_PASSWORD_MIN <= len(value) <= SHARE_PASSWORD_MAX:
        raise InvalidInput(
            f"password must be {SHARE_PASSWORD_MIN}-{SHARE_PASSWORD_MAX} characters", field="password"
        )
    return value


def expiry(now: datetime, expires_at: datetime | None, expires_in: int | None) -> datetime | None:
    """The moment a new share stops working: `expires_at` (in the future) or now + `expires_in`."""
    if expires_at is not None and expires_in is not None:
        raise InvalidInput("give expires_at or expires_in, not both", field="expires_in")
    if expires_in is not None:
        if isinstance(expires_in, bool) or not EXPIRES_IN_MIN <= expires_in <= EXPIRES_IN_MAX:
            raise InvalidInput(
                f"expires_in must be {EXPIRES_IN_MIN}-{EXPIRES_IN_MAX} seconds", field="expires_in"
            )
        return now + timedelta(seconds=expires_in)
    return future_moment(now, expires_at)


def future_moment(now: datetime, expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise InvalidInput("expires_at needs a UTC offset", field="expires_at")
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    return expires_at


@dataclass(frozen=True, slots=True)
class Share:
    id: uuid.UUID
    slug: str
    owner_id: uuid.UUID
    kind: ShareKind
    target_id: uuid.UUID
    label: str | None
    expires_at: datetime | None
    max_views: int | None
    view_count: int
    last_viewed_at: datetime | None
    password_hash: str | None
    created_at: datetime

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def is_used_up(self) -> bool:
        return self.max_views is not None and self.view_count >= self.max_views

    def ensure_open(self, now: datetime) -> None:
        """410 once expired or used up (counting is exact in the store; this is the early answer)."""
        if self.is_expired(now):
            raise Gone("this share link has expired")
        if self.is_used_up():
            raise Gone("this share link has reached its view limit")
