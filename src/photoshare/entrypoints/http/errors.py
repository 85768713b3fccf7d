"""Every error becomes RFC 9457 problem details, here and nowhere else."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DataError, DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from photoshare.domain import errors as domain
from photoshare.entrypoints.http.metrics import count_refusal

log = logging.getLogger("photoshare.errors")

PROBLEM_JSON = "application/problem+json"

STATUS: dict[type[domain.DomainError], int] = {
    domain.InvalidInput: 400,
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Gone: 410,
    domain.PayloadTooLarge: 413,
    domain.UnsupportedMedia: 415,
    domain.TooManyRequests: 429,
    domain.UpstreamFailed: 502,
    domain.Unavailable: 503,
    domain.StorageFull: 507,
}

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class OAuthError(domain.InvalidInput):
    """A token request refused with an RFC 6749 (section 5.2) error code, which the problem
    carries as `error` beside its detail, for OAuth2 clients."""

    def __init__(self, error: str, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.error = error


class FieldError(msgspec.Struct, omit_defaults=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details (`type` defaults to about:blank, as the RFC says)."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    field: str | None = None
    errors: list[FieldError] | None = None
    retry_after: int | None = None
    password_required: bool | None = None
    error: str | None = None  # the OAuth2 error code of a refused token request


def problem(
    status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response[Problem]:
    body = Problem(status=status, title=title or _TITLES.get(status, "Error"), detail=detail, **extra)
    hdrs = dict(headers or {})
    if status == 401:
        hdrs.setdefault("WWW-Authenticate", "Bearer")
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=hdrs)


def _status_of(error: domain.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def on_domain_error(request: Request[Any, Any, Any], error: domain.DomainError) -> Response[Problem]:
    status = _status_of(error)
    if isinstance(error, domain.TooManyRequests):
        count_refusal(request.scope.get("path_template") or request.url.path)
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem(
        status,
        error.detail,
        title=error.title,
        headers=headers,
        field=error.field,
        retry_after=retry_after,
        password_required=True if isinstance(error, domain.PasswordRequired) else None,
        error=getattr(error, "error", None),
    )


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_AT_PATH = re.compile(r"at `\$\.([A-Za-z0-9_.\[\]]+)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


def field_named_in(message: str) -> str | None:
    """The field a msgspec message names (unknown, missing, or at a path), if any."""
    for pattern in (_UNKNOWN_FIELD, _AT_PATH, _MISSING_FIELD):
        if found := pattern.search(message):
            return found.group(1)
    return None


def _field_of(item: dict[str, Any]) -> str:
    """The failing field's name: the one msgspec names in its message, or Litestar's key."""
    if named := field_named_in(str(item.get("message", ""))):
        return named
    key = item.get("key") or item.get("source") or "body"
    return "body" if key == "data" else str(key)


# msgspec's and Litestar's words for what a value should be, in the client's words.
_KINDS = {
    "str": "text",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "object": "a JSON object",
    "array": "a list",
    "null": "null",
    "UploadFile": "a file",
    "uuid": "a UUID",
    "datetime": "a date and time",
}
_EXPECTED_GOT = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`")
_LENGTH = re.compile(r"^Expected `(str|array|object)` of length (<=|>=) (\d+)")
_BOUND = re.compile(r"^Expected `(?:int|float)` (<=|>=|<|>) (-?[\d.]+)")
_REGEX = re.compile(r"^Expected `str` matching regex (.+)$")
_UNSUPPORTED = re.compile(r"^Unsupported type: <class '([^']+)'>")
_ENUM = re.compile(r"^Invalid enum value (.+)$")
_BOUND_WORDS = {"<=": "at most", ">=": "at least", "<": "less than", ">": "more than"}


def _kind(names: str) -> str:
    return " or ".join(_KINDS.get(name, f"a {name}") for name in names.split(" | "))


def plain_message(field: str, message: str) -> str:
    """A validation message that names the field and no framework type."""
    message = message.split(" - at `$", 1)[0]
    if found := _EXPECTED_GOT.match(message):
        return f"{field} must be {_kind(found.group(1))}, not {_kind(found.group(2))}"
    if found := _LENGTH.match(message):
        kind, op, n = found.groups()
        unit = "character" if kind == "str" else "item"
        if op == ">=" and n == "1":
            return f"{field} must not be empty"
        return f"{field} must have {_BOUND_WORDS[op]} {n} {unit}{'' if n == '1' else 's'}"
    if found := _BOUND.match(message):
        return f"{field} must be {_BOUND_WORDS[found.group(1)]} {found.group(2)}"
    if found := _REGEX.match(message):
        return f"{field} does not have the expected form {found.group(1)}"
    if found := _UNSUPPORTED.match(message):
        # A repeated form field arrives as a list; text where a file was expected, as a str.
        if found.group(1) == "list":
            return f"{field} may be given only once"
        if found.group(1) == "str":
            return f"{field} must be an uploaded file, not text"
        return f"{field} has a value of the wrong kind"
    if found := _ENUM.match(message):
        return f"{found.group(1)} is not an allowed value of {field}"
    if found := _MISSING_FIELD.search(message):
        return f"{found.group(1)} is required"
    if found := _UNKNOWN_FIELD.search(message):
        return f"{found.group(1)} is not a known field"
    return message if field in message else f"{field}: {message}"


def on_validation_error(_: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    items = error.extra if isinstance(error.extra, list) else []
    fields = [
        FieldError(field=(name := _field_of(i)), message=plain_message(name, str(i.get("message", ""))))
        for i in items
        if isinstance(i, dict)
    ]
    detail = fields[0].message if fields else (error.detail or "the request is not valid")
    return problem(
        400, detail, title="Invalid input", field=fields[0].field if fields else None, errors=fields or None
    )


def _form_limit(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem] | None:
    """Litestar answers every limit of its multipart parser with 400 "Request Entity Too
    Large"; the parser's own error (the exception's context) says which limit it was."""
    cause = error.__context__
    if type(cause).__name__ != "ParserLimitReached":
        return None
    reason = str(cause)
    if "segment count" in reason:
        limit = request.app.multipart_form_part_limit
        return problem(413, f"too many form parts: at most {limit} are accepted", title="Payload too large")
    if "header length" in reason:
        return problem(400, "file name too long: a form part's header may be at most about 4 KB")
    if "header count" in reason:
        return problem(400, "a form part has too many headers")
    return problem(413, "a form part is too large", title="Payload too large")


def on_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    if (limited := _form_limit(request, error)) is not None:
        return limited
    status = error.status_code
    detail = error.detail if status < 500 else _TITLES.get(status, "Server error")
    # A body that is not JSON at all: the failing "field" is the body itself.
    field = "body" if isinstance(error.__cause__, SerializationException) else None
    return problem(status, detail, headers=dict(error.headers or {}), field=field)


# SQLSTATE classes of a server that cannot serve now, whatever was asked: connection
# exceptions (08), insufficient resources (53: disk full, out of memory, too many
# connections) and operator intervention (57P: shutting down, starting up).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


def _is_unavailable(error: SQLAlchemyError) -> bool:
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        if (getattr(error.orig, "sqlstate", None) or "").startswith(_UNAVAILABLE_SQLSTATES):
            return True
        # Lost connections and transient conflicts (deadlock, serialization) are worth a retry.
        return bool(error.connection_invalidated) or type(error.orig).__name__ in {
            "OperationalError",
            "InterfaceError",
            "AdminShutdown",
            "ConnectionTimeout",
            "DeadlockDetected",
            "SerializationFailure",
        }
    return False


def on_data_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    """PostgreSQL refused a value the client sent that passed validation: text holding NUL
    (U+0000) characters, which no text column can store, is the one that gets this far."""
    log.warning("data refused by the database during %s %s: %s", request.method, request.url.path, error)
    return problem(
        400,
        "a value in the request cannot be stored (text may not contain NUL characters)",
        title="Invalid input",
    )


def on_database_error(request: Request[Any, Any, Any], error: SQLAlchemyError) -> Response[Problem]:
    if isinstance(error, DataError):
        return on_data_error(request, error)
    if _is_unavailable(error):
        log.warning(
            "database unavailable during %s %s: %s", request.method, request.url.path, type(error).__name__
        )
        return problem(
            503, "the database is not reachable right now; try again shortly", headers={"Retry-After": "2"}
        )
    return on_unexpected(request, error)


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    # The full error goes to the log only: answers never carry traces, SQL or paths.
    log.error("unhandled error during %s %s", request.method, request.url.path, exc_info=error)
    return problem(500, "an unexpected error occurred; it has been logged")


def on_recursion_error(request: Request[Any, Any, Any], error: RecursionError) -> Response[Problem]:
    # msgspec gives up on JSON nested deeper than the interpreter's recursion limit with a
    # RecursionError, which Litestar does not turn into a 400: a 2 KiB body of `[[[[...` would be a 500.
    if "deserializing" in str(error):
        return problem(400, "the JSON body is nested too deeply", title="Invalid input", field="body")
    return on_unexpected(request, error)


def on_undecodable_text(request: Request[Any, Any, Any], error: UnicodeDecodeError) -> Response[Problem]:
    # Litestar decodes multipart form fields without catching bytes that are not UTF-8.
    log.warning("undecodable text during %s %s: %s", request.method, request.url.path, error)
    return problem(400, "the request holds text that is not valid UTF-8", title="Invalid input")


def exception_handlers() -> ExceptionHandlersMap:
    return {
        domain.DomainError: on_domain_error,
        ValidationException: on_validation_error,
        HTTPException: on_http_exception,
        SQLAlchemyError: on_database_error,
        psycopg.DataError: on_data_error,  # the read models' plain psycopg queries
        RecursionError: on_recursion_error,
        UnicodeDecodeError: on_undecodable_text,
        Exception: on_unexpected,
    }
