"""Accounts and their credentials: users, password hashes, tokens, sessions."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from photoshare.domain.accounts import OneTimeToken, PersonalToken, Purpose, Session
from photoshare.domain.users import User


class AccountLookups(Protocol):
    """Accounts read on the read pool, outside any request's transaction: every
    authenticated request, and log-in and password-reset requests, which then wait for
    bcrypt or mail without holding a pooled connection."""

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_by_login(self, login: str) -> User | None:
        """By username or email, case-insensitively."""
        ...

    async def get_by_email(self, email: str) -> User | None:
        """Case-insensitive lookup."""
        ...


class UserRepository(Protocol):
    """Account writes and the reads that go with them (a row lock, a moderator's lookup by
    name), in the request's transaction (the pool's lookups: `AccountLookups`)."""

    async def get_by_username(self, username: str) -> User | None:
        """Case-insensitive lookup."""
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


class PersonalTokenLookups(Protocol):
    """The per-request lookup of a personal token, on the read pool."""

    async def get_by_hash(self, token_hash: str) -> PersonalToken | None: ...


class PersonalTokenStore(Protocol):
    """The owner's side, in the request's transaction (the lookup: `PersonalTokenLookups`)."""

    async def add(self, token: PersonalToken) -> None: ...

    async def list_for(self, user_id: uuid.UUID) -> Sequence[PersonalToken]:
        """Newest first."""
        ...

    async def delete(self, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
        """False when the account has no such token."""
        ...
