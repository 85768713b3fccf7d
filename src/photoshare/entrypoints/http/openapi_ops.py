"""Request bodies of the handlers that read their bodies themselves (log-in takes JSON or a form).

The schemas are the Structs of `schemas.py`, documented under their names by the generic rule
in `openapi_answers`; each operation here documents one media type, so generators make one
plain function of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, Operation, Reference, RequestBody

from photoshare.entrypoints.http.schemas import LoginIn, TokenForm

FORM = "application/x-www-form-urlencoded"


def _body(media_type: str, struct: type) -> RequestBody:
    schema = Reference(ref=f"#/components/schemas/{struct.__name__}")
    return RequestBody(required=True, content={media_type: OpenAPIMediaType(schema=schema)})


@dataclass
class LoginOperation(Operation):
    """`POST /api/auth/login` documents its JSON body (the form it also takes is `/token`'s)."""

    def __post_init__(self) -> None:
        self.request_body = _body("application/json", LoginIn)


@dataclass
class TokenOperation(Operation):
    """`POST /api/auth/token`: the OAuth2 password form, Swagger's Authorize token URL."""

    def __post_init__(self) -> None:
        self.request_body = _body(FORM, TokenForm)
