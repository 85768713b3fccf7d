"""A request id on every answer and in every log line.

The id is the trusted proxy's `X-Request-Id` when the connection comes from one (so a trace
crosses the proxy), else a fresh one. It lives in a context variable for the request, which
the log filter copies onto each record.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network, ip_address

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def _from_proxy(scope: Scope, networks: tuple[IPv4Network | IPv6Network, ...]) -> str | None:
    client = scope.get("client")
    if not client or not networks:
        return None
    try:
        peer = ip_address(client[0])
    except ValueError:
        return None
    if not any(peer in network for network in networks):
        return None
    for name, value in scope["headers"]:
        if name == HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _ACCEPTABLE.fullmatch(candidate) else None
    return None


def request_ids(networks: tuple[IPv4Network | IPv6Network, ...]) -> Callable[[ASGIApp], ASGIApp]:
    """Outermost middleware: it must see the peer before the proxy headers rewrite it."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            request_id = _from_proxy(scope, networks) or uuid.uuid4().hex
            token = current.set(request_id)

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableScopeHeaders.from_message(message)[HEADER] = request_id
                await send(message)

            try:
                await app(scope, receive, send_with_id)
            finally:
                current.reset(token)

        return handle

    return middleware


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
