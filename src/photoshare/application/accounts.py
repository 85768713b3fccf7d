"""Account recovery and access: email verification, password reset and change, sessions,
personal access tokens, avatars.

Secrets (one-time tokens, personal access tokens) are random, shown once, and stored only
as a SHA-256 digest. Mail is sent through the `MailSender` port after the commit, so a
message never names a token that did not land.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from photoshare.application.auth import EndFamily, Principal, ensure_session
from photoshare.application.mail import AccountMail
from photoshare.application.onetime import EmailVerification, digest, new_secret
from photoshare.application.photos import check_upload_size
from photoshare.application.ports.accounts import (
    AccountLookups,
    OneTimeTokenStore,
    PasswordHasher,
    PersonalTokenStore,
    RefreshTokenStore,
    UserRepository,
)
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.images import AvatarMaker, ImageInspector, ImageStore
from photoshare.application.ports.mail import MailSender
from photoshare.domain.accounts import (
    INVALID_TOKEN,
    LIFETIME,
    PAT_EXPIRES_MAX,
    PAT_EXPIRES_MIN,
    PAT_PREFIX,
    OneTimeToken,
    PersonalToken,
    Purpose,
    Session,
    validate_scopes,
    validate_token_name,
)
from photoshare.domain.errors import InvalidInput, NotFound
from photoshare.domain.users import AVATAR_PREFIX, AVATAR_SIZES, User, avatar_file, validate_password

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResendVerification:
    verification: EmailVerification
    sender: MailSender
    uow: UnitOfWork

    async def __call__(self, user: User) -> None:
        if user.email_verified:
            return  # nothing to confirm; the answer is the same 202
        message = await self.verification.prepare(user)
        await self.uow.commit()
        await self.sender.send(message)


@dataclass(frozen=True, slots=True)
class VerifyEmail:
    tokens: OneTimeTokenStore
    users: UserRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, token: str) -> None:
        record = await self.tokens.consume(digest(token), Purpose.VERIFY_EMAIL, self.clock.now())
        # A link for an address the account no longer has confirms nothing.
        if record is None or record.email is None:
            raise InvalidInput(INVALID_TOKEN, field="token")
        if not await self.users.mark_email_verified(record.user_id, record.email):
            raise InvalidInput(INVALID_TOKEN, field="token")
        await self.uow.commit()


# --- passwords ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionEnder:
    """Ends sessions at once, within the caller's transaction: their refresh families are
    spent, and their live access tokens are refused through the revocation store (shared by
    every worker)."""

    refresh_tokens: RefreshTokenStore
    end_family: EndFamily

    async def end(self, session_id: str) -> None:
        await self.end_family.refuse_access(session_id)
        await self.refresh_tokens.revoke_family(session_id)

    async def end_all(self, user_id: uuid.UUID, *, keep: str | None = None) -> None:
        for session in await self.refresh_tokens.sessions(user_id):
            if session.id != keep:
                await self.end(session.id)


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    """Known or not, the address costs the same work and gets the same answer; the message
    goes out through the sender, which does not make the request wait for delivery."""

    users: AccountLookups
    tokens: OneTimeTokenStore
    mail: AccountMail
    sender: MailSender
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, email: str) -> None:
        user = await self.users.get_by_email(email.strip())
        secret, now = new_secret(), self.clock.now()
        known = user is not None and user.is_active
        # The same statements either way: an unknown address discards nobody's tokens.
        await self.tokens.discard(user.id if user and known else uuid.uuid4(), Purpose.RESET_PASSWORD)
        if user is not None and known:
            await self.tokens.add(
                OneTimeToken.new(digest(secret), user.id, Purpose.RESET_PASSWORD, now, user.email)
            )
        await self.uow.commit()
        if user is not None and known:
            minutes = int(LIFETIME[Purpose.RESET_PASSWORD].total_seconds() // 60)
            await self.sender.send(self.mail.password_reset(user.email, user.username, secret, minutes))


@dataclass(frozen=True, slots=True)
class ConfirmPasswordReset:
    tokens: OneTimeTokenStore
    users: AccountLookups
    repository: UserRepository
    hasher: PasswordHasher
    sessions: SessionEnder
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, token: str, password: str) -> None:
        # Hash before touching the token, so the transaction holds no connection during bcrypt
        # and a refused password does not burn the link.
        password_hash = await self.hasher.hash(validate_password(password))
        record = await self.tokens.consume(digest(token), Purpose.RESET_PASSWORD, self.clock.now())
        user = await self.users.get(record.user_id) if record else None
        if record is None or user is None:
            raise InvalidInput(INVALID_TOKEN, field="token")
        # A new token version ends every session and personal token at once, everywhere.
        await self.repository.update_password(
            replace(user, password_hash=password_hash, token_version=user.token_version + 1)
        )
        await self.tokens.discard(user.id, Purpose.RESET_PASSWORD)
        await self.sessions.end_all(user.id)
        if record.email is not None:
            # Following the link proved the address is theirs.
            await self.repository.mark_email_verified(user.id, record.email)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class ChangePassword:
    users: UserRepository
    hasher: PasswordHasher
    sessions: SessionEnder
    uow: UnitOfWork

    async def __call__(self, principal: Principal, current_password: str, new_password: str) -> None:
        session_id = ensure_session(principal)
        user = principal.user
        if not await self.hasher.verify(current_password, user.password_hash):
            raise InvalidInput("the current password is wrong", field="current_password")
        password_hash = await self.hasher.hash(validate_password(new_password))
        await self.users.update_password(replace(user, password_hash=password_hash))
        await self.sessions.end_all(user.id, keep=session_id)
        await self.uow.commit()


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionInfo:
    session: Session
    current: bool


@dataclass(frozen=True, slots=True)
class ListSessions:
    refresh_tokens: RefreshTokenStore

    async def __call__(self, principal: Principal) -> list[SessionInfo]:
        current = ensure_session(principal)
        return [
            SessionInfo(s, s.id == current) for s in await self.refresh_tokens.sessions(principal.user.id)
        ]


@dataclass(frozen=True, slots=True)
class RevokeSession:
    refresh_tokens: RefreshTokenStore
    sessions: SessionEnder
    uow: UnitOfWork

    async def __call__(self, principal: Principal, session_id: str) -> None:
        ensure_session(principal)
        live = {s.id for s in await self.refresh_tokens.sessions(principal.user.id)}
        if session_id not in live:
            raise NotFound("no such session")
        await self.sessions.end(session_id)
        await self.uow.commit()


# --- personal access tokens -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedToken:
    token: PersonalToken
    secret: str  # shown once, never stored


@dataclass(frozen=True, slots=True)
class CreatePersonalToken:
    tokens: PersonalTokenStore
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self, principal: Principal, name: str, scopes: Sequence[str], expires_in: int | None
    ) -> CreatedToken:
        ensure_session(principal)
        if expires_in is not None and not PAT_EXPIRES_MIN <= expires_in <= PAT_EXPIRES_MAX:
            raise InvalidInput(
                f"expires_in must be {PAT_EXPIRES_MIN}-{PAT_EXPIRES_MAX} seconds", field="expires_in"
            )
        now = self.clock.now().replace(microsecond=0)
        secret = new_secret(PAT_PREFIX)
        token = PersonalToken(
            id=uuid.uuid4(),
            user_id=principal.user.id,
            name=validate_token_name(name),
            token_hash=digest(secret),
            scopes=validate_scopes(tuple(scopes)),
            created_at=now,
            expires_at=now + timedelta(seconds=expires_in) if expires_in is not None else None,
            token_version=principal.user.token_version,
        )
        await self.tokens.add(token)
        await self.uow.commit()
        return CreatedToken(token, secret)


@dataclass(frozen=True, slots=True)
class ListPersonalTokens:
    tokens: PersonalTokenStore

    async def __call__(self, principal: Principal) -> Sequence[PersonalToken]:
        ensure_session(principal)
        return await self.tokens.list_for(principal.user.id)


@dataclass(frozen=True, slots=True)
class DeletePersonalToken:
    tokens: PersonalTokenStore
    uow: UnitOfWork

    async def __call__(self, principal: Principal, token_id: uuid.UUID) -> None:
        ensure_session(principal)
        if not await self.tokens.delete(principal.user.id, token_id):
            raise NotFound("no such token")
        await self.uow.commit()


# --- avatars --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetAvatar:
    """Same checks as a photo upload (size, type by bytes, bombs, metadata stripped), then
    centred square crops in each avatar size. New files first, row next, old files last."""

    users: UserRepository
    inspector: ImageInspector
    maker: AvatarMaker
    store: ImageStore
    uow: UnitOfWork

    async def __call__(self, user: User, data: bytes) -> None:
        check_upload_size(data)
        image = await self.inspector.clean(data)
        squares = await self.maker.squares(image, AVATAR_SIZES)
        key = f"{AVATAR_PREFIX}{uuid.uuid4().hex}.{squares[0].extension}"
        saved: list[str] = []
        try:
            for size, square in zip(AVATAR_SIZES, squares, strict=True):
                await self.store.save(avatar_file(key, size), square)
                saved.append(avatar_file(key, size))
            await self.users.update_avatar(user.id, key)
            await self.uow.commit()
        except BaseException:
            await self.uow.rollback()
            for name in saved:
                await _delete_quietly(self.store, name)
            raise
        if user.avatar_key:
            await remove_avatar_files(self.store, user.avatar_key)


@dataclass(frozen=True, slots=True)
class RemoveAvatar:
    users: UserRepository
    store: ImageStore
    uow: UnitOfWork

    async def __call__(self, user: User) -> None:
        if user.avatar_key is None:
            return
        await self.users.update_avatar(user.id, None)
        await self.uow.commit()
        await remove_avatar_files(self.store, user.avatar_key)


async def remove_avatar_files(store: ImageStore, key: str) -> None:
    for size in AVATAR_SIZES:
        await _delete_quietly(store, avatar_file(key, size))


async def _delete_quietly(store: ImageStore, key: str) -> None:
    try:
        await store.delete(key)
    except Exception:
        log.warning("avatar file %s may be left in the store", key, exc_info=True)
