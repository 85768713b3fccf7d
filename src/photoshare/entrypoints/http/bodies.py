"""Request bodies read strictly where Litestar's lenient conversion would let through what
the document refuses (`0` as a boolean, `"3"` as a number)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request

from photoshare.domain.errors import InvalidInput
from photoshare.entrypoints.http.errors import field_named_in, plain_message

T = TypeVar("T")


async def strict_json(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """The same bytes Litestar already checked leniently, decoded as JSON Schema reads them."""
    try:
        return msgspec.json.decode(await request.body(), type=type_)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        field = field_named_in(str(error)) or "body"
        raise InvalidInput(plain_message(field, str(error)), field=field) from None
