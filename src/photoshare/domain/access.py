"""Who may see what: the one visibility rule behind every read of photos and albums.

`public` things are listed, searchable and readable by id; `unlisted` ones are readable by
id (and through the albums and share links that hold them) but never listed; `private`
ones only by their owner and admins: for anyone else they do not exist (the same 404 as
an unknown id). Reads pass a `VisibleTo` to the adapters, which translate it once into
their query language; nothing decides visibility per route.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.users import Role, User


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"

    @classmethod
    def parse(cls, raw: str | None, *, field: str = "visibility") -> Visibility:
        """`None` is the default (public); anything but the three names is a 400."""
        if raw is None:
            return cls.PUBLIC
        try:
            return cls(raw.strip().lower())
        except ValueError:
            names = ", ".join(v.value for v in cls)
            raise InvalidInput(f"visibility must be one of {names}", field=field) from None

    @property
    def listed(self) -> bool:
        """In lists, search, tag counts and profile counts: public things only."""
        return self is Visibility.PUBLIC

    @property
    def signed_urls(self) -> bool:
        """Images of unlisted and private photos are served only by signed, expiring URLs."""
        return self is not Visibility.PUBLIC


# What lists and search show, whoever asks (see `Visibility.listed`).
LISTED = Visibility.PUBLIC


@dataclass(frozen=True, slots=True)
class VisibleTo:
    """The viewer as the visibility rule sees them: who (None when anonymous), and whether admin."""

    viewer_id: uuid.UUID | None = None
    is_admin: bool = False

    @classmethod
    def of(cls, user: User | None) -> VisibleTo:
        if user is None:
            return ANONYMOUS
        return cls(viewer_id=user.id, is_admin=user.role is Role.ADMIN)

    def may_see(self, owner_id: uuid.UUID, visibility: Visibility) -> bool:
        if visibility is not Visibility.PRIVATE:
            return True
        return self.is_admin or (self.viewer_id is not None and self.viewer_id == owner_id)


ANONYMOUS = VisibleTo()
# Whoever holds a share link sees all its target holds, private photos included: the link
# is the permission (as an admin would see it).
THROUGH_A_SHARE = VisibleTo(is_admin=True)


def ensure_owner_or_admin(owner_id: uuid.UUID, user: User, what: str) -> None:
    if owner_id != user.id and user.role is not Role.ADMIN:
        raise Forbidden(f"only the owner or an admin may change this {what}")
