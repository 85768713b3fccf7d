"""Sign-up, log-in (JSON or OAuth2 form), refresh, log-out."""

from typing import Any

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, post
from litestar.datastructures import CacheControlHeader, FormMultiDict
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from photoshare.application.auth import LogIn, LogOut, Principal, Refresh, SignUp, Tokens
from photoshare.application.readmodels import MeView, UserQueries
from photoshare.application.throttle import Throttle
from photoshare.domain.errors import InvalidInput, UnsupportedMedia
from photoshare.domain.users import normalise_login
from photoshare.entrypoints.http.errors import OAuthError, field_named_in, plain_message
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY as BEARER
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.openapi_ops import LoginOperation, TokenOperation
from photoshare.entrypoints.http.schemas import LoginIn, LogoutIn, RefreshIn, SignUpIn, TokensOut

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_FORM_FIELDS = ("grant_type", "username", "password")
MAX_LOGIN_BODY = 4096


def tokens_out(tokens: Tokens) -> TokensOut:
    return TokensOut(tokens.access_token, tokens.refresh_token, tokens.expires_in)


def _form_fields(form: FormMultiDict) -> dict[str, Any]:
    """The OAuth2 password form (RFC 6749, section 4.3.2): each field at most once, and
    no grant but `password` (an absent `grant_type` is taken as the password grant)."""
    for name in _FORM_FIELDS:
        if len(form.getall(name, [])) > 1:
            raise OAuthError("invalid_request", f"{name} may be given only once", field=name)
    grant = form.get("grant_type")
    if grant is not None and grant != "password":
        raise OAuthError("unsupported_grant_type", "only the password grant is supported", field="grant_type")
    return {k: v for k in ("username", "password") if (v := form.get(k)) is not None}


def is_form(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("content-type", "").startswith(_FORMS)


async def read_credentials(request: Request[Any, Any, Any]) -> LoginIn:
    fields = _form_fields(await request.form()) if is_form(request) else None
    try:
        if fields is not None:
            return msgspec.convert(fields, LoginIn)
        return msgspec.json.decode(await request.body(), type=LoginIn)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        field = field_named_in(str(error)) or "body"
        raise InvalidInput(plain_message(field, str(error)), field=field) from None


async def _log_in(request: Request[Any, Any, Any], log_in: LogIn, throttle: Throttle) -> TokensOut:
    credentials = await read_credentials(request)
    # Per targeted account too, so spreading guesses over many addresses does not help.
    await throttle.check("login", f"account:{normalise_login(credentials.username).lower()}")
    return tokens_out(
        await log_in(credentials.username, credentials.password, request.headers.get("user-agent"))
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    # Token answers must never be stored by any cache (RFC 6749, section 5.1).
    cache_control = CacheControlHeader(no_store=True)

    @post(
        "/signup",
        status_code=201,
        guards=[throttled("signup")],
        operation_id="signUp",
        summary="Create an account",
        description="Public. The first account ever created is an admin, every later one a user. "
        "409 when the username or email is taken (case-insensitively).",
        responses=answers(409, 429),
    )
    @inject
    async def signup(
        self, data: JSONBody[SignUpIn], sign_up: FromDishka[SignUp], queries: FromDishka[UserQueries]
    ) -> MeView:
        return await queries.me(await sign_up(data.username, data.email, data.password))

    @post(
        "/login",
        status_code=HTTP_200_OK,
        operation_class=LoginOperation,
        guards=[throttled("login")],
        request_max_body_size=MAX_LOGIN_BODY,
        operation_id="logIn",
        summary="Log in",
        description="Public. The username or the email, and the password, give an access and a "
        "refresh token. 401 for wrong credentials, 403 for a banned account. The OAuth2 password "
        "form is accepted here too; it is documented on `POST /api/auth/token`.",
        responses=answers(401, 403, 429),
    )
    @inject
    async def login(
        self, request: Request[Any, Any, Any], log_in: FromDishka[LogIn], throttle: FromDishka[Throttle]
    ) -> TokensOut:
        return await _log_in(request, log_in, throttle)

    @post(
        "/token",
        status_code=HTTP_200_OK,
        operation_class=TokenOperation,
        guards=[throttled("login")],
        request_max_body_size=MAX_LOGIN_BODY,
        operation_id="issueToken",
        summary="Log in with the OAuth2 password form",
        description="Public. The OAuth2 password grant (RFC 6749, section 4.3) as a form: what "
        "Swagger UI's Authorize sends. The same log-in as `POST /api/auth/login`; 415 for a body "
        "that is not a form.",
        responses=answers(401, 403, 415, 429),
    )
    @inject
    async def token(
        self, request: Request[Any, Any, Any], log_in: FromDishka[LogIn], throttle: FromDishka[Throttle]
    ) -> TokensOut:
        if not is_form(request):
            raise UnsupportedMedia("send the OAuth2 password grant as an urlencoded form")
        return await _log_in(request, log_in, throttle)

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        guards=[throttled("refresh")],
        operation_id="refreshTokens",
        summary="Trade a refresh token for new tokens",
        description="Public. The refresh token is spent: a second use is 401 and ends its family. "
        "An access token is refused here (401).",
        responses=answers(401, 403, 429),
    )
    @inject
    async def refresh(
        self, request: Request[Any, Any, Any], data: JSONBody[RefreshIn], refresh: FromDishka[Refresh]
    ) -> TokensOut:
        return tokens_out(await refresh(data.refresh_token, request.headers.get("user-agent")))

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        guards=[authenticated],
        security=BEARER,
        opt={"unverified_ok": True},
        operation_id="logOut",
        summary="Log out",
        description="Any user. The access token is refused (401) for the rest of its life, and so "
        "is the refresh token when it is given.",
    )
    @inject
    async def logout(
        self,
        principal: FromDishka[Principal],
        log_out: FromDishka[LogOut],
        data: JSONBody[LogoutIn | None] = None,
    ) -> None:
        await log_out(principal, data.refresh_token if data else None)
