"""HEAD wherever GET works, and one `Allow` for a path, whoever answers (RFC 9110, 9.3.2, 10.2.1).

Litestar answers HEAD only where a handler declares it, and its automatic OPTIONS answer lists
the methods of the first handlers registered on a path, not all of them, while its 405 lists
every method. `method_semantics` wraps the app's ASGI handler (in front of the router, so it
sees requests no route matched):

- HEAD is routed as GET and the body is dropped: same status and headers, no body;
- an OPTIONS answer and a 405 carry the path's methods from the app's route table, with HEAD
  wherever GET is and OPTIONS everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

__all__ = ["allowed", "install_method_semantics"]


def allowed(methods: Iterable[str]) -> str:
    """The `Allow` value for a route's methods: sorted, HEAD with GET, OPTIONS always."""
    names = {m.upper() for m in methods} | {"OPTIONS"}
    if "GET" in names:
        names.add("HEAD")
    return ", ".join(sorted(names))


def install_method_semantics(app: Litestar) -> None:
    """Wrap `app`'s ASGI handler; call once, after the app is built."""
    by_path = {route.path: allowed(route.methods) for route in app.routes if isinstance(route, HTTPRoute)}
    inner: ASGIApp = app.asgi_handler

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await inner(scope, receive, send)
            return
        method = scope["method"]
        if method == "HEAD":
            scope = cast("HTTPScope", {**scope, "method": "GET"})

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 405 or (method == "OPTIONS" and status < 300):
                    _set_allow(message, _allow_for(scope, by_path))
            elif method == "HEAD" and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return  # the body of a GET: not sent, only its end
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await inner(scope, receive, answer)

    app.asgi_handler = handler


def _allow_for(scope: Scope, by_path: dict[str, str]) -> str | None:
    """The matched route's methods (its handler knows its path), if routing found one."""
    handler: Any = scope.get("route_handler")
    for path in getattr(handler, "paths", ()):
        if path in by_path:
            return by_path[path]
    return None


def _set_allow(message: Message, value: str | None) -> None:
    headers: list[tuple[bytes, bytes]] = list(cast("Any", message).get("headers", []))
    current = next((v for k, v in headers if k.lower() == b"allow"), None)
    if value is None:
        if current is None:
            return  # a CORS preflight: no Allow to agree with
        value = allowed(m.strip() for m in current.decode("latin-1").split(","))
    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
    headers.append((b"allow", value.encode("latin-1")))
    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
