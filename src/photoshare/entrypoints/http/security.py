"""Security headers on every answer, as a `before_send` hook.

A hook rather than a middleware: Litestar runs middleware around route handlers only, so the
router's own answers (404 for an unknown path, 405 for a wrong method) would go out bare.
The hook sees every response the app sends, whoever produced it.
"""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.types import Message, Scope

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# API answers and images: nothing may run, load or frame.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; sandbox")
# The docs pages run their own (vendored) scripts and inline bootstrap code.
_DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'",
)

# The web client's pages: its own scripts and styles only, no inline code of any kind. Images may
# be previews of files being uploaded (blob:), decoded placeholders (data:) or on Cloudinary's CDN.
WEB_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' blob: data: https://res.cloudinary.com; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


# Every answer about a share (made, listed, opened, refused) is never stored by any cache.
_SHARE_PATHS = re.compile(r"^/(api/shares?(/|$)|api/shared/|s/|api/(photos|albums)/[^/]+/shares/?$)")
_NO_STORE = (b"cache-control", b"no-store")


async def security_headers(message: Message, scope: Scope) -> None:
    """Add the headers to a response's start message, unless the handler set its own."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    csp = _DOCS_CSP if scope["path"].startswith(("/schema", "/static/docs")) else _API_CSP
    headers = list(message.get("headers", []))
    if _SHARE_PATHS.match(scope["path"]):
        headers = [h for h in headers if h[0].lower() != b"cache-control"]
        headers.append(_NO_STORE)
    present = {name.lower() for name, _ in headers}
    headers.extend(h for h in (*_COMMON, csp) if h[0] not in present)
    message["headers"] = headers
