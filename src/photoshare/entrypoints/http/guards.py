"""Role guards: "logged in" and "has this role". Data-dependent rules live in use cases."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from photoshare.application.auth import Principal
from photoshare.application.throttle import Throttle
from photoshare.domain.errors import Forbidden
from photoshare.domain.users import Role


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The request's principal, resolved once per request by the dishka container."""
    principal: Principal = await connection.state.dishka_container.get(Principal)
    return principal


async def authenticated(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    await principal_of(connection)


def requires(*roles: Role) -> Guard:
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await principal_of(connection)
        if principal.user.role not in allowed:
            raise Forbidden(f"this needs the {' or '.join(sorted(r.value for r in allowed))} role")

    return guard


staff = requires(Role.MODERATOR, Role.ADMIN)
admin = requires(Role.ADMIN)


def throttled(action: str, *, per_user: bool = False, fail_open: bool = False) -> Guard:
    """Count the request against the client's address and, for writes, the account."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        throttle: Throttle = await connection.state.dishka_container.get(Throttle)
        client = connection.client.host if connection.client else "unknown"
        subjects = [f"ip:{client}"]
        if per_user:
            subjects.append(f"user:{(await principal_of(connection)).user.id}")
        await throttle.check(action, *subjects, fail_open=fail_open)

    return guard
