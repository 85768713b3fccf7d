"""Conditional GETs for public JSON: an ETag from the encoded body, 304 when it matches."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response

REVALIDATE = "public, no-cache"
_encoder = msgspec.json.Encoder()


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
