"""The OpenAPI document as the app really behaves.

Litestar documents only the success status and, where it validates input, a 400 in its own
error shape (`{status_code, detail, extra}` as `application/json`), which is not what
`errors.py` sends; it documents a handler's bytes under one media type (or as JSON); and it
does not say that request bodies refuse fields they do not define. `document_answers`
rewrites the generated document once, before it is first served:

- request bodies whose Struct forbids unknown fields say `additionalProperties: false`, and
  a transformation needs at least one option (`minProperties: 1`);
- images and QR codes are binary bodies under each type they can have;
- every error answer is a `Problem` as `application/problem+json`, under

- 400 where the operation takes parameters or a body;
- 401 and 403 where it needs a token (a banned user's token is 403 everywhere);
- 404 where its path names something; 413 where it takes a body;
- 503 everywhere (a dependency is down, or bcrypt is saturated), with `Retry-After`;
- and the statuses only some operations give, listed in `EXTRA` below.
"""

from __future__ import annotations

from typing import Any

import msgspec

from photoshare.entrypoints.http import schemas
from photoshare.entrypoints.http.errors import PROBLEM_JSON, Problem

#: Statuses beyond the generic ones, by operation (the contract's, plus rate limits and 304s).
EXTRA: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/auth/signup"): (409, 429),
    ("POST", "/api/auth/login"): (401, 403, 429),
    ("POST", "/api/auth/refresh"): (401, 403, 429),
    ("PATCH", "/api/users/me"): (409,),
    ("PUT", "/api/users/{username}/role"): (409,),
    ("POST", "/api/users/{username}/ban"): (409,),
    ("GET", "/api/photos"): (401, 403, 429),  # a bad token; the `owner` filter is for staff
    ("GET", "/api/photos/{photo_id}"): (304, 401, 403),  # public reads refuse a bad token
    ("GET", "/api/photos/{photo_id}/comments"): (401, 403),
    ("GET", "/api/comments/{comment_id}"): (401, 403),
    ("GET", "/api/albums/{album_id}"): (401, 403),
    ("GET", "/api/albums/{album_id}/photos"): (401, 403),
    ("GET", "/api/users/{username}/albums"): (401, 403),
    ("GET", "/api/shared/{slug}"): (401, 410, 429),
    ("GET", "/api/shared/{slug}/qr"): (429,),
    ("POST", "/api/photos"): (415, 429),
    ("POST", "/api/photos/{photo_id}/transformations"): (429,),
    ("POST", "/api/photos/{photo_id}/comments"): (429,),
    ("POST", "/api/photos/{photo_id}/ratings"): (409, 429),
    ("GET", "/api/links/{slug}/qr"): (304,),
    ("GET", "/images/{key}"): (304, 403),  # 403: a wrong or expired signature
    ("GET", "/images/t/{spec}/{key}"): (304, 403),
}

_DESCRIPTIONS = {
    400: "Invalid input: the problem's `field` (and `errors`) name what failed.",
    401: "Missing, malformed, expired or revoked token, or wrong credentials.",
    403: "Authenticated but not allowed (role, ownership, a rule), or a banned account.",
    404: "No such resource.",
    409: "Conflict with the current state (a taken name, a second rating, an admin locking themselves out).",
    410: "Gone: the share link has expired or reached its view limit.",
    413: "The request body is too large.",
    415: "The upload is not a JPEG, PNG, WebP or GIF image.",
    429: "Too many requests: retry after `Retry-After` seconds (also `retry_after` in the body).",
    503: "A dependency cannot answer right now: retry after `Retry-After` seconds.",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}
_IMAGES = ("image/jpeg", "image/png", "image/webp", "image/gif")
#: Operations answering bytes, and the types the bytes can have.
BINARY: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/api/links/{slug}/qr"): ("image/png", "image/svg+xml"),
    ("GET", "/api/shared/{slug}/qr"): ("image/png", "image/svg+xml"),
    ("GET", "/images/{key}"): _IMAGES,
    ("GET", "/images/t/{spec}/{key}"): _IMAGES,
}
_MARK = "x-photoshare-answers"


def document_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the answers of `document` (a generated OpenAPI dict) in place, once."""
    if document.get(_MARK):
        return document
    _, components = msgspec.json.schema_components([Problem], ref_template="#/components/schemas/{name}")
    known = document.setdefault("components", {}).setdefault("schemas", {})
    known.update(components)
    for name in _closed_bodies() & set(known):
        known[name]["additionalProperties"] = False
    if "TransformationIn" in known:
        known["TransformationIn"]["minProperties"] = 1
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                _document_operation(method.upper(), path, operation)
    document[_MARK] = True
    return document


def _closed_bodies() -> set[str]:
    """Names of the request Structs that refuse unknown fields (documented under their names)."""
    return {
        name
        for name, value in vars(schemas).items()
        if isinstance(value, type)
        and issubclass(value, msgspec.Struct)
        and value.__struct_config__.forbid_unknown_fields
    }


def _statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    statuses = {503, *EXTRA.get((method, path), ())}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(400)
    if operation.get("security"):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if operation.get("requestBody"):
        statuses.add(413)
    return statuses


def _document_operation(method: str, path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    success = next((code for code in responses if code.startswith("2")), None)
    if success and (method, path) in BINARY:
        binary = {"type": "string", "format": "binary"}
        responses[success]["content"] = {media: {"schema": binary} for media in BINARY[method, path]}
    for status in sorted(_statuses(method, path, operation)):
        if status == 304:
            responses["304"] = {"description": "Not modified: the `If-None-Match` ETag is current."}
        elif status == 503 and path == "/health" and success:
            # Health answers its own body (each dependency's state) when one is down.
            responses["503"] = {
                "description": "A dependency is down.",
                "content": responses[success].get("content", {}),
            }
        else:
            response: dict[str, Any] = {
                "description": _DESCRIPTIONS[status],
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
            if status in (429, 503):
                response["headers"] = _RETRY_AFTER
            responses[str(status)] = response
