"""The OpenAPI document as the app really behaves, in a form client generators handle.

Each route declares the answers only it gives (`responses=answers(409, 429)`, an image's
bytes with `binary(...)`). What every route shares is one generic rule, `document_answers`,
applied once to the generated document before it is first served:

- request bodies are documented by msgspec, the library that validates them, so bounds,
  formats and `additionalProperties: false` are exactly what is enforced, and a
  transformation needs at least one option (`minProperties: 1`);
- an optional enum is one named enum, nullable where the field takes null (so generators
  make one type of it, not three);
- bytes are `format: binary`, under their own media types and `application/octet-stream`
  (the one binary type every generator reads);
- every error answer is a `Problem` as `application/problem+json`: 400 where the operation
  takes parameters or a body; 401 and 403 where it needs a token (a banned user's token is
  403 everywhere); 404 where its path names something; 413 where it takes a body; 503
  everywhere (a dependency is down, or bcrypt is saturated); 429 and 503 with `Retry-After`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi import ResponseSpec

from photoshare.entrypoints.http import schemas
from photoshare.entrypoints.http.errors import PROBLEM_JSON, Problem

__all__ = ["OCTET_STREAM", "answers", "binary", "document_answers"]

OCTET_STREAM = "application/octet-stream"
DESCRIPTIONS = {
    304: "Not modified: the `If-None-Match` ETag is current.",
    400: "Invalid input: the problem's `field` (and `errors`) name what failed.",
    401: "Missing, malformed, expired or revoked token, or wrong credentials.",
    403: "Authenticated but not allowed (role, ownership, a rule), or a banned account.",
    404: "No such resource.",
    409: "Conflict with the current state (a taken name, a second rating, an admin locking themselves out).",
    413: "The request body is too large.",
    415: "The upload is not a JPEG, PNG, WebP or GIF image.",
    429: "Too many requests: retry after `Retry-After` seconds (also `retry_after` in the body).",
    503: "A dependency cannot answer right now: retry after `Retry-After` seconds.",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_MARK = "x-photoshare-answers"


def answers(*statuses: int) -> dict[int, ResponseSpec]:
    """The statuses a route gives beyond the generic ones: problems, or a bodiless 304."""
    return {
        status: ResponseSpec(None, description=DESCRIPTIONS[status])
        if status == 304
        else ResponseSpec(
            Problem, description=DESCRIPTIONS[status], media_type=PROBLEM_JSON, generate_examples=False
        )
        for status in statuses
    }


def binary(media_type: str, description: str, status: int = 200) -> dict[int, ResponseSpec]:
    """A route answering bytes of `media_type` (a range such as `image/*` is allowed)."""
    return {
        status: ResponseSpec(bytes, description=description, media_type=media_type, generate_examples=False)
    }


def document_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Apply the generic rule to `document` (a generated OpenAPI dict) in place, once."""
    if document.get(_MARK):
        return document
    known = document.setdefault("components", {}).setdefault("schemas", {})
    known.update(_request_schemas())
    if "TransformationIn" in known:
        known["TransformationIn"]["minProperties"] = 1
    _name_nullable_enums(known)
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                _document_operation(path, operation)
    document[_MARK] = True
    return document


def _request_schemas() -> dict[str, Any]:
    """msgspec's own schemas of the edge Structs (and of `Problem`), by their names."""
    structs = [
        value
        for value in vars(schemas).values()
        if isinstance(value, type)
        and issubclass(value, msgspec.Struct)
        and value.__module__ == schemas.__name__
    ]
    _, components = msgspec.json.schema_components(
        [*structs, Problem], ref_template="#/components/schemas/{name}"
    )
    return components


def _name_nullable_enums(known: dict[str, Any]) -> None:
    """`anyOf: [{enum}, {type: null}]` becomes a named enum (`Crop`) or null."""
    for struct_name, schema in list(known.items()):
        for field, prop in schema.get("properties", {}).items():
            options = prop.get("anyOf")
            if not options or len(options) != 2 or {"type": "null"} not in options:
                continue
            enum = next(option for option in options if option != {"type": "null"})
            if set(enum) != {"enum"}:
                continue
            name = field.title().replace("_", "")
            if known.get(name, {"enum": enum["enum"]}).get("enum") != enum["enum"]:
                name = struct_name + name
            known[name] = {"title": name, "type": "string", "enum": enum["enum"]}
            prop.pop("anyOf")
            prop["oneOf"] = [{"$ref": f"#/components/schemas/{name}"}, {"type": "null"}]


def _generic_statuses(path: str, operation: dict[str, Any]) -> set[int]:
    statuses = {503}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(400)
    if operation.get("security"):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if operation.get("requestBody"):
        statuses.add(413)
    return statuses


def _document_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    for answer in responses.values():
        _binary_content(answer)
    for status in sorted(_generic_statuses(path, operation)):
        # A route's own answer stays (health's 503 has its body); Litestar's 400 is not what is sent.
        if str(status) not in responses or status == 400:
            responses[str(status)] = {
                "description": DESCRIPTIONS[status],
                "content": {PROBLEM_JSON: {"schema": dict(_PROBLEM_REF)}},
            }
    for status in ("429", "503"):
        if status in responses:
            responses[status]["headers"] = _RETRY_AFTER


def _binary_content(answer: dict[str, Any]) -> None:
    content: dict[str, Any] = answer.get("content") or {}
    for media_type, media in list(content.items()):
        if "json" in media_type or media.get("schema", {}).get("type") != "string":
            continue
        media["schema"] = {"type": "string", "format": "binary"}
        content.setdefault(OCTET_STREAM, {"schema": {"type": "string", "format": "binary"}})
