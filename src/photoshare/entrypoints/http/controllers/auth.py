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
from photoshare.application.readmodels import MeView
from photoshare.application.throttle import Throttle
from photoshare.domain.errors import InvalidInput
from photoshare.domain.users import User, normalise_login
from photoshare.entrypoints.http.errors import OAuthError, field_named_in, plain_message
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY as BEARER
from photoshare.entrypoints.http.openapi_ops import LoginOperation
from photoshare.entrypoints.http.schemas import LoginIn, LogoutIn, RefreshIn, SignUpIn, TokensOut

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_FORM_FIELDS = ("grant_type", "username", "password")
MAX_LOGIN_BODY = 4096


def me_view(user: User, photo_count: int = 0) -> MeView:
    return MeView(
        id=user.id,
        username=user.username,
        email=user.email,
        full_name=user.full_name,
        bio=user.bio,
        role=user.role.value,
        is_active=user.is_active,
        created_at=user.created_at,
        photo_count=photo_count,
    )


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


async def read_credentials(request: Request[Any, Any, Any]) -> LoginIn:
    is_form = request.headers.get("content-type", "").startswith(_FORMS)
    fields = _form_fields(await request.form()) if is_form else None
    try:
        if fields is not None:
            return msgspec.convert(fields, LoginIn)
        return msgspec.json.decode(await request.body(), type=LoginIn)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        field = field_named_in(str(error)) or "body"
        raise InvalidInput(plain_message(field, str(error)), field=field) from None


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    # Token answers must never be stored by any cache (RFC 6749, section 5.1).
    cache_control = CacheControlHeader(no_store=True)

    @post("/signup", status_code=201, guards=[throttled("signup")])
    @inject
    async def signup(self, data: JSONBody[SignUpIn], sign_up: FromDishka[SignUp]) -> MeView:
        return me_view(await sign_up(data.username, data.email, data.password))

    @post(
        "/login",
        status_code=HTTP_200_OK,
        operation_class=LoginOperation,
        guards=[throttled("login")],
        request_max_body_size=MAX_LOGIN_BODY,
    )
    @inject
    async def login(
        self, request: Request[Any, Any, Any], log_in: FromDishka[LogIn], throttle: FromDishka[Throttle]
    ) -> TokensOut:
        credentials = await read_credentials(request)
        # Per targeted account too, so spreading guesses over many addresses does not help.
        await throttle.check("login", f"account:{normalise_login(credentials.username).lower()}")
        return tokens_out(await log_in(credentials.username, credentials.password))

    @post("/refresh", status_code=HTTP_200_OK, guards=[throttled("refresh")])
    @inject
    async def refresh(self, data: JSONBody[RefreshIn], refresh: FromDishka[Refresh]) -> TokensOut:
        return tokens_out(await refresh(data.refresh_token))

    @post("/logout", status_code=HTTP_204_NO_CONTENT, guards=[authenticated], security=BEARER)
    @inject
    async def logout(
        self,
        principal: FromDishka[Principal],
        log_out: FromDishka[LogOut],
        data: JSONBody[LogoutIn | None] = None,
    ) -> None:
        await log_out(principal, data.refresh_token if data else None)
