"""Read models: answers built straight from SQL, ready to encode (no aggregates hydrated)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

import msgspec


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


class ProfileView(msgspec.Struct, frozen=True):
    username: str
    full_name: str | None
    bio: str | None
    role: str
    is_active: bool
    created_at: datetime
    photo_count: int
    comment_count: int


class UserQueries(Protocol):
    async def me(self, user_id: uuid.UUID) -> MeView | None: ...

    async def profile(self, username: str) -> ProfileView | None: ...
