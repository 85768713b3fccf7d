"""Request bodies at the edge: msgspec Structs whose constraints make the OpenAPI exact.

Response bodies are the application's read models (already msgspec Structs).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from photoshare.domain import users as u

Username = Annotated[
    str, Meta(min_length=u.USERNAME_MIN, max_length=u.USERNAME_MAX, pattern=u.USERNAME_PATTERN)
]
Email = Annotated[str, Meta(min_length=3, max_length=u.EMAIL_MAX, pattern=u.EMAIL_PATTERN)]
Password = Annotated[str, Meta(min_length=u.PASSWORD_MIN, max_length=u.PASSWORD_MAX)]
Token = Annotated[str, Meta(min_length=1, max_length=4096)]


class SignUpIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    email: Email
    password: Password


class LoginIn(msgspec.Struct):
    username: Annotated[str, Meta(min_length=1, max_length=u.EMAIL_MAX, description="username or email")]
    password: Annotated[str, Meta(min_length=1, max_length=u.PASSWORD_MAX)]


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token | None = None


class TokensOut(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    full_name: Annotated[str, Meta(max_length=u.FULL_NAME_MAX)] | None = None
    bio: Annotated[str, Meta(max_length=u.BIO_MAX)] | None = None
    email: Email | None = None


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: u.Role


class HealthOut(msgspec.Struct):
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    valkey: Literal["up", "down", "not configured"]
