"""Hand-written OpenAPI fragments where a handler reads its body itself."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

_LOGIN_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["username", "password"],
    properties={
        "username": Schema(
            type=OpenAPIType.STRING, description="username or email", min_length=1, max_length=254
        ),
        "password": Schema(type=OpenAPIType.STRING, format=None, min_length=1, max_length=128),
        "grant_type": Schema(type=OpenAPIType.STRING, description="OAuth2 form only: password"),
    },
)


@dataclass
class LoginOperation(Operation):
    """Log-in accepts JSON or the OAuth2 password form, so Swagger's Authorize works."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(schema=_LOGIN_SCHEMA),
                "application/x-www-form-urlencoded": OpenAPIMediaType(schema=_LOGIN_SCHEMA),
            },
        )
