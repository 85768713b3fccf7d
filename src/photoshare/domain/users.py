"""Users, roles and the rules of who may change whom."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from photoshare.domain import text
from photoshare.domain.errors import Conflict, Forbidden, InvalidInput
from photoshare.domain.text import SPACE

USERNAME_MIN, USERNAME_MAX = 3, 32
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 128
FULL_NAME_MAX = 100
BIO_MAX = 500

#: Avatars are stored as centred squares of these sizes (pixels); the first is `avatar_url`.
AVATAR_SIZES = (256, 128, 64)

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{3,32}$"
# Pragmatic address check: one @, no spaces, a dot in the domain, no empty labels.
EMAIL_PATTERN = rf"^[^@{SPACE}]{{1,64}}@[^@{SPACE}.]+(\.[^@{SPACE}.]+)+$"
_USERNAME_RE = re.compile(USERNAME_PATTERN)
_EMAIL_RE = re.compile(EMAIL_PATTERN)


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        """Moderators and admins: they moderate comments and ratings and see uploaders."""
        return self in (Role.MODERATOR, Role.ADMIN)


def validate_username(value: str) -> str:
    if not _USERNAME_RE.fullmatch(value):
        raise InvalidInput(
            f"username must be {USERNAME_MIN}-{USERNAME_MAX} characters of A-Z a-z 0-9 _ . -",
            field="username",
        )
    return value


def normalise_email(value: str) -> str:
    """NFKC, trimmed: the stored form. Two addresses are one account when their stored forms
    are equal ignoring case (the unique index on lower(email)). Case is kept, and not fully
    case-folded: `ß` and `ss` are different mailboxes."""
    return text.nfkc(value).strip()


def validate_email(value: str) -> str:
    value = text.check_line(normalise_email(value), field="email")
    if len(value) > EMAIL_MAX or not _EMAIL_RE.fullmatch(value):
        raise InvalidInput("email must be a valid address", field="email")
    return value


def normalise_login(value: str) -> str:
    """A log-in name in the form accounts are looked up by: an email as stored, a username trimmed."""
    return normalise_email(value) if "@" in value else value.strip()


def validate_full_name(value: str) -> str:
    """A single line of at most FULL_NAME_MAX characters; empty, or with something visible."""
    value = text.single_line(value, field="full_name")
    if len(value) > FULL_NAME_MAX:
        raise InvalidInput(f"full_name must be at most {FULL_NAME_MAX} characters", field="full_name")
    if value and not text.has_visible(value):
        raise InvalidInput("full_name must contain visible characters", field="full_name")
    return value


def validate_bio(value: str) -> str:
    """Multi-line text of at most BIO_MAX characters; empty, or with something visible."""
    value = text.multi_line(value, field="bio")
    if len(value) > BIO_MAX:
        raise InvalidInput(f"bio must be at most {BIO_MAX} characters", field="bio")
    if value and not text.has_visible(value):
        raise InvalidInput("bio must contain visible characters", field="bio")
    return value


def validate_password(value: str) -> str:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise InvalidInput(f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters", field="password")
    return value


class Keep(enum.Enum):
    """A profile field a change leaves as it is (where `None` would clear it)."""

    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    username: str
    email: str
    password_hash: str
    role: Role
    is_active: bool
    created_at: datetime
    full_name: str | None = None
    bio: str | None = None
    # Bumped on ban: tokens issued before a ban never work again, even after an unban.
    token_version: int = field(default=0)
    email_verified: bool = False
    avatar_key: str | None = None

    def with_profile(
        self,
        *,
        full_name: str | Keep | None = Keep.KEEP,
        bio: str | Keep | None = Keep.KEEP,
        email: str | None = None,
    ) -> User:
        """A changed profile: `None` clears the name or the bio; an email is changed, never cleared.
        A new address is unconfirmed until its own link is followed."""
        new_full_name = _changed(self.full_name, full_name, validate_full_name)
        new_bio = _changed(self.bio, bio, validate_bio)
        new_email = validate_email(email) if email is not None else self.email
        return replace(
            self,
            full_name=new_full_name,
            bio=new_bio,
            email=new_email,
            email_verified=self.email_verified and not self.email_changes_to(new_email),
        )

    def email_changes_to(self, email: str) -> bool:
        return email.lower() != self.email.lower()


AVATAR_PREFIX = "avatar-"  # every avatar's key and files start so; no photo's key does


def is_avatar_file(key: str) -> bool:
    """Avatars are public: their image URLs are never signed."""
    return key.startswith(AVATAR_PREFIX)


def avatar_file(key: str, size: int) -> str:
    """The stored file of one avatar size: `avatar-<id>.png` at 64 is `avatar-<id>-64.png`."""
    stem, _, extension = key.rpartition(".")
    return f"{stem}-{size}.{extension}"


def _changed(current: str | None, given: str | Keep | None, validate: Callable[[str], str]) -> str | None:
    """Merge-patch semantics: `Keep.KEEP` leaves the value, `None` clears it, text is validated."""
    if given is Keep.KEEP:
        return current
    return None if given is None else validate(given)


def ensure_can_manage(actor: User, target: User) -> None:
    """Only admins manage accounts, and an admin cannot lock themselves out."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins manage accounts")
    if actor.id == target.id:
        raise Conflict("an admin cannot ban or demote themselves")


def change_role(actor: User, target: User, role: Role) -> User:
    if actor.role is Role.ADMIN and actor.id == target.id and role is Role.ADMIN:
        return target
    ensure_can_manage(actor, target)
    return replace(target, role=role)


def ban(actor: User, target: User) -> User:
    ensure_can_manage(actor, target)
    return replace(target, is_active=False, token_version=target.token_version + 1)


def unban(actor: User, target: User) -> User:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins manage accounts")
    return replace(target, is_active=True)
