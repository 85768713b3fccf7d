"""Account recovery and access rules: one-time tokens, sessions, personal access tokens."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from photoshare.domain.errors import InvalidInput


class Purpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


#: How long a one-time token works (API.md: verification 48 h, reset 30 min).
LIFETIME = {Purpose.VERIFY_EMAIL: timedelta(hours=48), Purpose.RESET_PASSWORD: timedelta(minutes=30)}
INVALID_TOKEN = "this link is invalid, already used or expired"


@dataclass(frozen=True, slots=True)
class OneTimeToken:
    """A stored one-time token: only the hash of the secret is kept."""

    token_hash: str
    user_id: uuid.UUID
    purpose: Purpose
    created_at: datetime
    expires_at: datetime
    #: For a verification: the address it confirms (a later email change makes it worthless).
    email: str | None = None
    used_at: datetime | None = None

    @classmethod
    def new(
        cls, token_hash: str, user_id: uuid.UUID, purpose: Purpose, now: datetime, email: str | None = None
    ) -> OneTimeToken:
        return cls(token_hash, user_id, purpose, now, now + LIFETIME[purpose], email)

    def usable(self, purpose: Purpose, now: datetime) -> bool:
        return self.purpose is purpose and self.used_at is None and now < self.expires_at


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


PAT_PREFIX = "psp_"
PAT_NAME_MAX = 100
PAT_EXPIRES_MIN, PAT_EXPIRES_MAX = 60, 366 * 86_400  # seconds
USER_AGENT_MAX = 256


def validate_scopes(scopes: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """At least one of read/write; `write` implies `read` (a writer must see what it writes)."""
    try:
        chosen = frozenset(Scope(s) for s in scopes)
    except ValueError:
        raise InvalidInput("scopes are read and write", field="scopes") from None
    if not chosen:
        raise InvalidInput("give at least one scope: read or write", field="scopes")
    return chosen | {Scope.READ} if Scope.WRITE in chosen else chosen


def validate_token_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= PAT_NAME_MAX:
        raise InvalidInput(f"name must be 1-{PAT_NAME_MAX} characters", field="name")
    return name


@dataclass(frozen=True, slots=True)
class PersonalToken:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    token_hash: str
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime | None
    #: The account's token version at creation: a ban (or a password reset) ends the token.
    token_version: int = 0

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def can_write(self) -> bool:
        return Scope.WRITE in self.scopes


@dataclass(frozen=True, slots=True)
class Session:
    """A refresh-token family: what a log-in started, until it is logged out or revoked."""

    id: str
    user_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None


def clean_user_agent(value: str | None) -> str | None:
    if not value:
        return None
    printable = "".join(ch for ch in value if ch.isprintable())
    return printable[:USER_AGENT_MAX] or None
