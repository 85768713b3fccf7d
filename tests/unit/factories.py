"""Test data: valid `User`s built by polyfactory, with the fields that matter pinned."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from polyfactory import Use
from polyfactory.factories import DataclassFactory

from photoshare.domain.users import Role, User

_seq = itertools.count(1)


class UserFactory(DataclassFactory[User]):
    __check_model__ = False

    username = Use(lambda: f"user{next(_seq)}")
    email = Use(lambda: f"person{next(_seq)}@example.org")
    password_hash = "hashed:password1"
    role = Role.USER
    is_active = True
    created_at = Use(lambda: datetime(2024, 1, 1, tzinfo=UTC))
    token_version = 0
    email_verified = False
    avatar_key = None
