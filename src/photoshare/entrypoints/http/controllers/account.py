"""Accounts people can recover: email verification, password reset and change, sessions,
personal access tokens and avatars (API.md "Accounts")."""

import uuid
from typing import Annotated, Literal

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, delete, get, post, put
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.params import FromPath, JSONBody, MultipartBody, Parameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from photoshare.application.accounts import (
    ChangePassword,
    ConfirmPasswordReset,
    CreatePersonalToken,
    DeletePersonalToken,
    ListPersonalTokens,
    ListSessions,
    RemoveAvatar,
    RequestPasswordReset,
    ResendVerification,
    RevokeSession,
    SetAvatar,
    VerifyEmail,
)
from photoshare.application.auth import Principal
from photoshare.application.photos import MAX_UPLOAD_BYTES
from photoshare.application.ports.images import ImageStore
from photoshare.application.readmodels import MeView, UserQueries
from photoshare.application.throttle import Throttle
from photoshare.domain.accounts import PersonalToken
from photoshare.domain.errors import InvalidInput
from photoshare.domain.users import AVATAR_SIZES, avatar_file
from photoshare.entrypoints.http.controllers.photos import UPLOAD_BODY_LIMIT
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY as BEARER
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import (
    AvatarForm,
    CreatedTokenOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    PersonalTokenOut,
    SessionOut,
    TokenCreateIn,
    VerifyEmailIn,
)

#: Routes an account whose email is unverified may still write to (to verify it, or fix it).
UNVERIFIED_OK = {"unverified_ok": True}
AvatarSize = Literal[256, 128, 64]
#: 202 answers have no body (Litestar would send `null` as JSON).
EMPTY = "text/plain"


def token_out(token: PersonalToken) -> PersonalTokenOut:
    return PersonalTokenOut(
        id=token.id,
        name=token.name,
        scopes=sorted(s.value for s in token.scopes),
        expires_at=token.expires_at,
        created_at=token.created_at,
    )


class AccountRecoveryController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    cache_control = CacheControlHeader(no_store=True)

    @post(
        "/verify-email",
        status_code=HTTP_204_NO_CONTENT,
        guards=[throttled("verify_email")],
        operation_id="verifyEmail",
        summary="Confirm an email address",
        description="Public. The token from the verification link confirms the address it was sent "
        "to. 400 for an invalid, used or expired token (48 hours).",
        responses=answers(429),
    )
    @inject
    async def verify_email(self, data: JSONBody[VerifyEmailIn], verify: FromDishka[VerifyEmail]) -> None:
        await verify(data.token)

    @post(
        "/verify-email/resend",
        status_code=HTTP_202_ACCEPTED,
        media_type=EMPTY,
        guards=[authenticated, throttled("verify_email", per_user=True)],
        security=BEARER,
        opt=UNVERIFIED_OK,
        operation_id="resendVerification",
        summary="Send the verification link again",
        description="Any user, verified or not. A new link goes to the account's address (none "
        "when it is already verified); the answer is 202 either way.",
        responses=answers(429),
    )
    @inject
    async def resend(self, principal: FromDishka[Principal], resend: FromDishka[ResendVerification]) -> None:
        await resend(principal.user)

    @post(
        "/password-reset",
        status_code=HTTP_202_ACCEPTED,
        media_type=EMPTY,
        guards=[throttled("password_reset")],
        operation_id="requestPasswordReset",
        summary="Ask for a password reset link",
        description="Public. A reset link is mailed if the address belongs to an account; the "
        "answer is the same 202, in the same time, either way.",
        responses=answers(429),
    )
    @inject
    async def password_reset(
        self,
        data: JSONBody[PasswordResetIn],
        request_reset: FromDishka[RequestPasswordReset],
        throttle: FromDishka[Throttle],
    ) -> None:
        # Per address asked for too (counted whether or not it has an account).
        await throttle.check("password_reset", f"account:{data.email.strip().lower()}")
        await request_reset(data.email)

    @post(
        "/password-reset/confirm",
        status_code=HTTP_204_NO_CONTENT,
        guards=[throttled("password_reset")],
        operation_id="confirmPasswordReset",
        summary="Set a new password with a reset link",
        description="Public. Sets the password and ends every session and personal token of the "
        "account. 400 for an invalid, used or expired token (30 minutes).",
        responses=answers(429),
    )
    @inject
    async def confirm_reset(
        self, data: JSONBody[PasswordResetConfirmIn], confirm: FromDishka[ConfirmPasswordReset]
    ) -> None:
        await confirm(data.token, data.password)


class MeController(Controller):
    """The caller's own account. Tokens, sessions and the password need a session's token.
    Each handler names its guards: a controller's would also guard the OPTIONS answer on its paths."""

    path = "/api/users/me"
    tags = ["users"]
    security = BEARER

    @put(
        "/password",
        status_code=HTTP_204_NO_CONTENT,
        guards=[authenticated, throttled("password_change", per_user=True)],
        opt=UNVERIFIED_OK,
        operation_id="changePassword",
        summary="Change your password",
        description="Any user, from a session (not a personal token). Needs the current password "
        "(400 when wrong); every other session ends at once.",
        responses=answers(429),
    )
    @inject
    async def change_password(
        self,
        data: JSONBody[PasswordChangeIn],
        principal: FromDishka[Principal],
        change: FromDishka[ChangePassword],
    ) -> None:
        await change(principal, data.current_password, data.new_password)

    @get(
        "/sessions",
        guards=[authenticated],
        cache_control=CacheControlHeader(no_store=True),
        operation_id="listSessions",
        summary="List your sessions",
        description="Any user, from a session. Each log-in is a session; `current` marks the one "
        "this token belongs to.",
    )
    @inject
    async def sessions(
        self, principal: FromDishka[Principal], list_sessions: FromDishka[ListSessions]
    ) -> list[SessionOut]:
        return [
            SessionOut(
                id=uuid.UUID(hex=info.session.id),
                created_at=info.session.created_at,
                last_used_at=info.session.last_used_at,
                user_agent=info.session.user_agent,
                current=info.current,
            )
            for info in await list_sessions(principal)
        ]

    @delete(
        "/sessions/{session_id:uuid}",
        guards=[authenticated],
        status_code=HTTP_204_NO_CONTENT,
        opt=UNVERIFIED_OK,
        operation_id="revokeSession",
        summary="End a session",
        description="Any user, from a session. The session's refresh and access tokens are "
        "refused at once, in every worker.",
    )
    @inject
    async def revoke_session(
        self,
        session_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        revoke: FromDishka[RevokeSession],
    ) -> None:
        await revoke(principal, session_id.hex)

    @post(
        "/tokens",
        guards=[authenticated],
        status_code=201,
        cache_control=CacheControlHeader(no_store=True),
        operation_id="createToken",
        summary="Create a personal access token",
        description="Any user, from a session. Scopes `read` and `write`, optional `expires_in` "
        "seconds; the token (`psp_...`) is shown only in this answer.",
    )
    @inject
    async def create_token(
        self,
        data: JSONBody[TokenCreateIn],
        principal: FromDishka[Principal],
        create: FromDishka[CreatePersonalToken],
    ) -> CreatedTokenOut:
        created = await create(principal, data.name, [s.value for s in data.scopes], data.expires_in)
        shown = token_out(created.token)
        return CreatedTokenOut(
            id=shown.id,
            name=shown.name,
            token=created.secret,
            scopes=shown.scopes,
            expires_at=shown.expires_at,
            created_at=shown.created_at,
        )

    @get(
        "/tokens",
        guards=[authenticated],
        operation_id="listTokens",
        summary="List your personal access tokens",
        description="Any user, from a session. The tokens themselves are never shown again.",
    )
    @inject
    async def list_tokens(
        self, principal: FromDishka[Principal], list_tokens: FromDishka[ListPersonalTokens]
    ) -> list[PersonalTokenOut]:
        return [token_out(token) for token in await list_tokens(principal)]

    @delete(
        "/tokens/{token_id:uuid}",
        guards=[authenticated],
        status_code=HTTP_204_NO_CONTENT,
        opt=UNVERIFIED_OK,
        operation_id="deleteToken",
        summary="Revoke a personal access token",
        description="Any user, from a session. The token is refused from now on.",
    )
    @inject
    async def delete_token(
        self,
        token_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        remove: FromDishka[DeletePersonalToken],
    ) -> None:
        await remove(principal, token_id)

    @put(
        "/avatar",
        status_code=200,
        guards=[authenticated, throttled("upload", per_user=True)],
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_id="setAvatar",
        summary="Upload your avatar",
        description="Any user. Multipart `file` with a photo's checks (413 above 10 MiB, 415 for "
        "anything but JPEG, PNG, WebP or GIF), cropped to a centred square in 256, 128 and 64 pixels.",
        responses=answers(415, 429),
    )
    @inject
    async def set_avatar(
        self,
        data: MultipartBody[AvatarForm],
        principal: FromDishka[Principal],
        set_avatar: FromDishka[SetAvatar],
        queries: FromDishka[UserQueries],
    ) -> MeView:
        if not isinstance(data.file, UploadFile):
            raise InvalidInput("file is required: a JPEG, PNG, WebP or GIF image", field="file")
        # One byte past the limit is enough for the use case to refuse it.
        await set_avatar(principal.user, await data.file.read(MAX_UPLOAD_BYTES + 1))
        return await queries.me(principal.user.id)

    @delete(
        "/avatar",
        guards=[authenticated],
        status_code=200,
        operation_id="removeAvatar",
        summary="Remove your avatar",
        description="Any user. `avatar_url` is null afterwards.",
    )
    @inject
    async def remove_avatar(
        self,
        principal: FromDishka[Principal],
        remove: FromDishka[RemoveAvatar],
        queries: FromDishka[UserQueries],
    ) -> MeView:
        await remove(principal.user)
        return await queries.me(principal.user.id)


@get(
    "/api/users/{username:str}/avatar",
    tags=["users"],
    status_code=302,
    operation_id="getAvatar",
    summary="Follow a user's avatar",
    description="Public. A redirect to the avatar in one of its sizes (256, 128 or 64 pixels); "
    "404 without one.",
)
@inject
async def avatar(
    username: FromPath[str],
    store: FromDishka[ImageStore],
    queries: FromDishka[UserQueries],
    size: Annotated[AvatarSize, Parameter(description="pixels, square")] = 256,
) -> Redirect:
    """The avatar in one of its sizes: a redirect to the stored square image."""
    key = await queries.avatar_key(username)
    assert size in AVATAR_SIZES
    return Redirect(
        store.original_url(avatar_file(key, size)),
        status_code=302,
        headers={"Cache-Control": "public, max-age=300"},
    )
