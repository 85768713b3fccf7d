"""Who is calling, and role guards: "logged in" and "has this role".

The caller is resolved here once a request (`CallerProvider`); data-dependent rules live in
use cases.
"""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from photoshare.application.auth import Authenticate, Principal, Viewer, WritePolicy
from photoshare.application.throttle import Throttle
from photoshare.domain.errors import Forbidden, Unauthenticated
from photoshare.domain.users import Role

#: Methods that only read: a read-scoped token may use them, and so may an unverified account.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(header: str) -> str:
    """The token of an `Authorization: Bearer <token>` header; anything else is a 401."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required")
    return token.strip()


class CallerProvider(Provider):
    """The request's caller, for the guards below and for handlers that ask for it."""

    scope = Scope.REQUEST

    @provide
    async def principal(
        self,
        request: Request,  # type: ignore[type-arg]
        authenticate: Authenticate,
        policy: WritePolicy,
    ) -> Principal:
        """Every authenticated route gets its caller here, so every write is checked here: a
        read-scoped token, or an unverified account when the service requires verification."""
        principal = await authenticate(bearer_token(request.headers.get("authorization", "")))
        if request.method not in SAFE_METHODS:
            policy.check(principal, unverified_ok=bool(request.route_handler.opt.get("unverified_ok")))
        return principal

    @provide
    async def viewer(self, request: Request, container: AsyncContainer) -> Viewer:  # type: ignore[type-arg]
        """Public routes: anonymous without a header, but a bad token is still an error.
        `Authenticate` is built only when a token came: building it for every anonymous read
        (with the session its stores then held) was ~5% of a photo request (py-spy)."""
        if "authorization" not in request.headers:
            return Viewer(None)
        authenticate = await container.get(Authenticate)
        return Viewer(await authenticate(bearer_token(request.headers["authorization"])))


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
