"""Every caching policy of the service, in one place, and conditional GETs for public JSON.

- An answer to a request that carried credentials is `private, no-store` unless its route
  says otherwise (a hook adds it): `/api/users/me` shows the email, link and rating lists
  are the owner's or a moderator's; no shared cache or browser disk may keep them.
- Public JSON revalidates every time (`REVALIDATE` with an ETag): it changes with every edit.
- Images (originals and transformations) are immutable under their key, but a photo can be
  deleted: shared caches keep them `IMAGE_MAX_AGE` seconds at most, then must revalidate,
  and the revalidation answers 404 once the photo is gone. A deleted photo leaves every
  cache within that many seconds.
- QR codes encode only a short link's URL, which never changes: `IMMUTABLE`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.types import Message, Scope

PRIVATE = "private, no-store"
REVALIDATE = "public, no-cache"
IMAGE_MAX_AGE = 300
IMAGE = f"public, max-age={IMAGE_MAX_AGE}, must-revalidate"
# Where a short link points: the link can be deleted, so no longer than an image.
REDIRECT = f"public, max-age={IMAGE_MAX_AGE}"
IMMUTABLE = "public, max-age=31536000, immutable"
# A signed image URL is one viewer's capability: only their browser keeps it, and not for long.
SIGNED_IMAGE = f"private, max-age={IMAGE_MAX_AGE}"
# An answer carrying signed image URLs (an unlisted or private photo): no shared cache keeps it.
PRIVATE_REVALIDATE = "private, no-cache"

_encoder = msgspec.json.Encoder()
_CACHE_CONTROL = b"cache-control"
_CREDENTIALS = (b"authorization", b"cookie")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def conditional_json(
    request: Request[Any, Any, Any], value: Any, *, cache_control: str = REVALIDATE
) -> Response[Any]:
    """Encode once, tag the bytes, and skip sending them if the client already has them."""
    body = _encoder.encode(value)
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def private_when_credentialed(message: Message, scope: Scope) -> None:
    """A `before_send` hook: an answer to a request with credentials, whose route set no
    `Cache-Control` of its own (so did not declare it public), is `private, no-store`."""
    if scope["type"] != ScopeType.HTTP or message["type"] != "http.response.start":
        return
    if not any(name in _CREDENTIALS for name, _ in scope["headers"]):
        return
    headers = list(message.get("headers", []))
    if not any(name.lower() == _CACHE_CONTROL for name, _ in headers):
        headers.append((_CACHE_CONTROL, PRIVATE.encode()))
        message["headers"] = headers
