"""The OpenAPI document as the app really behaves, in a form client generators handle.

Each route declares the answers only it gives (`responses=answers(409, 429)`, an image's
bytes with `binary(...)`). What every route shares is one generic rule, `document_answers`,
applied once to the generated document before it is first served:

- request bodies are documented by msgspec, the library that validates them, so bounds,
  formats and `additionalProperties: false` are exactly what is enforced, with what msgspec
  cannot say (`schemas.SCHEMA_EXTRA`: a transformation needs an option, a crop its box);
- an optional enum is one named enum, nullable where the field takes null (so generators
  make one type of it, not three); a nullable parameter's bounds sit on its type; a body
  that may be null may be left out;
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
    410: "Gone: the share link has expired or reached its view limit.",
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
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern")


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
    for name, extra in schemas.SCHEMA_EXTRA.items():
        if name in known:  # an app without the route documents no such schema
            known[name].update(extra)
    _name_enums(known)
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


def _name_enums(known: dict[str, Any]) -> None:
    """A property `{enum}` or `anyOf: [{enum}, {type: null}]` refers to a named enum (`Crop`)."""
    for struct_name, schema in list(known.items()):
        for field, prop in schema.get("properties", {}).items():
            options = prop.get("anyOf", [prop])
            nullable = {"type": "null"} in options
            enums = [option for option in options if set(option) == {"enum"}]
            if len(enums) != 1 or len(options) != 1 + nullable:
                continue
            values = enums[0]["enum"]
            name = field.title().replace("_", "")
            if known.get(name, {"enum": values}).get("enum") != values:
                name = struct_name + name
            known[name] = {"title": name, "type": "string", "enum": values}
            ref = {"$ref": f"#/components/schemas/{name}"}
            for key in ("anyOf", "enum"):
                prop.pop(key, None)
            if nullable:
                prop["oneOf"] = [ref, {"type": "null"}]
            else:
                prop.update(ref)


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
    for parameter in operation.get("parameters", []):
        _bounds_on_the_type(parameter.get("schema", {}))
    body = operation.get("requestBody")
    if body and any(
        {"type": "null"} in m.get("schema", {}).get("oneOf", []) for m in body["content"].values()
    ):
        body["required"] = False  # `data: T | None = None`: no body is the same as null
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
    for code in ("429", "503"):
        if code in responses:
            responses[code]["headers"] = _RETRY_AFTER


def _bounds_on_the_type(schema: dict[str, Any]) -> None:
    """`oneOf: [{type: T}, {type: null}]` with bounds beside it: the bounds move onto `T`,
    where generators (and schemathesis) look for them."""
    options = schema.get("oneOf")
    if not options or {"type": "null"} not in options:
        return
    bounds = {k: schema.pop(k) for k in _BOUNDS if k in schema}
    for option in options:
        if option != {"type": "null"} and "$ref" not in option:
            option.update(bounds)


def _binary_content(answer: dict[str, Any]) -> None:
    content: dict[str, Any] = answer.get("content") or {}
    for media_type, media in list(content.items()):
        if "json" in media_type or media.get("schema", {}).get("type") != "string":
            continue
        media["schema"] = {"type": "string", "format": "binary"}
        content.setdefault(OCTET_STREAM, {"schema": {"type": "string", "format": "binary"}})
