"""Sign-up, log-in, token refresh with rotation, log-out, and per-request authentication."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from photoshare.application.onetime import EmailVerification, digest
from photoshare.application.ports.accounts import (
    AccountLookups,
    PasswordHasher,
    PersonalTokenLookups,
    RefreshOutcome,
    RefreshTokenStore,
    TokenClaims,
    TokenCodec,
    TokenHolders,
    TokenRevocations,
    TokenType,
    UserRepository,
)
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.mail import MailSender
from photoshare.domain.access import VisibleTo
from photoshare.domain.accounts import PAT_PREFIX, PersonalToken, clean_user_agent
from photoshare.domain.errors import Forbidden, Unauthenticated
from photoshare.domain.users import (
    Role,
    User,
    normalise_login,
    validate_email,
    validate_password,
    validate_username,
)

BAD_CREDENTIALS = "wrong username or password"


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: with a session's access token (log-out revokes it), or with a
    personal access token (`claims` is None then)."""

    user: User
    claims: TokenClaims | None
    personal_token: PersonalToken | None = None

    @property
    def session_id(self) -> str | None:
        return self.claims.family if self.claims else None

    @property
    def can_write(self) -> bool:
        return self.personal_token is None or self.personal_token.can_write


def ensure_session(principal: Principal) -> str:
    """Tokens, sessions, the password and the email are managed from a session, never with a
    personal access token; returns the session id."""
    if principal.claims is None or principal.personal_token is not None:
        raise Forbidden("a personal access token cannot do this: log in")
    return principal.claims.family or principal.claims.token_id


@dataclass(frozen=True, slots=True)
class WritePolicy:
    """Who may write at all: a read-scoped token may not, nor (when the service requires it)
    an account whose email is not verified, except on the routes that fix that."""

    require_verified_email: bool

    def check(self, principal: Principal, *, unverified_ok: bool = False) -> None:
        if not principal.can_write:
            raise Forbidden("this token has the read scope only")
        if self.require_verified_email and not unverified_ok and not principal.user.email_verified:
            raise Forbidden("verify your email address first: follow the link we sent you")


@dataclass(frozen=True, slots=True)
class SignUp:
    users: UserRepository
    hasher: PasswordHasher
    clock: Clock
    uow: UnitOfWork
    verification: EmailVerification
    sender: MailSender

    async def __call__(self, username: str, email: str, password: str) -> uuid.UUID:
        user = User(
            id=uuid.uuid4(),
            username=validate_username(username),
            email=validate_email(email),
            password_hash=await self.hasher.hash(validate_password(password)),
            role=Role.USER,
            is_active=True,
            created_at=self.clock.now(),
        )
        stored = await self.users.add(user)
        message = await self.verification.prepare(stored)
        await self.uow.commit()
        await self.sender.send(message)
        return stored.id


@dataclass(frozen=True, slots=True)
class IssueTokens:
    """Issues an access/refresh pair; the refresh token joins (or starts) a rotation family."""

    codec: TokenCodec
    refresh_tokens: RefreshTokenStore

    async def __call__(self, user: User, family: str | None = None, user_agent: str | None = None) -> Tokens:
        # The family is the session: its access tokens name it, so ending it ends them at once.
        family = family or uuid.uuid4().hex
        access = self.codec.issue(user, TokenType.ACCESS, family=family)
        refresh = self.codec.issue(user, TokenType.REFRESH, family=family)
        await self.refresh_tokens.add(refresh.claims, user_agent=clean_user_agent(user_agent))
        return Tokens(access.token, refresh.token, self.codec.access_ttl)


@dataclass(frozen=True, slots=True)
class LogIn:
    users: AccountLookups
    repository: UserRepository
    hasher: PasswordHasher
    issue: IssueTokens
    uow: UnitOfWork

    async def __call__(self, login: str, password: str, user_agent: str | None = None) -> Tokens:
        user = await self.users.get_by_login(normalise_login(login))
        # Verify even for an unknown user so both failures cost the same time.
        ok = await self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not ok:
            raise Unauthenticated(BAD_CREDENTIALS)
        if not user.is_active:
            raise Forbidden("this account is banned")
        if self.hasher.needs_rehash(user.password_hash):
            # The only moment the password is in hand: move the hash to the current scheme.
            await self.repository.update_password_hash(user.id, await self.hasher.hash(password))
        tokens = await self.issue(user, user_agent=user_agent)
        await self.uow.commit()
        return tokens


@dataclass(frozen=True, slots=True)
class EndFamily:
    """Ends a refresh family: its unspent refresh tokens, and every access token issued in it."""

    codec: TokenCodec
    refresh_tokens: RefreshTokenStore
    revocations: TokenRevocations
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, family: str) -> None:
        await self.refresh_tokens.revoke_family(family)
        await self.uow.commit()
        await self.refuse_access(family)

    async def refuse_access(self, family: str) -> None:
        """Refuse the family's access tokens from now on (in every worker); no commit needed."""
        # The family's newest access token expires at most one access lifetime from now.
        until = self.clock.now() + timedelta(seconds=self.codec.access_ttl)
        await self.revocations.revoke_family(family, until)


@dataclass(frozen=True, slots=True)
class Refresh:
    codec: TokenCodec
    users: AccountLookups
    refresh_tokens: RefreshTokenStore
    issue: IssueTokens
    end_family: EndFamily
    uow: UnitOfWork

    async def __call__(self, refresh_token: str, user_agent: str | None = None) -> Tokens:
        claims = self.codec.decode(refresh_token, TokenType.REFRESH)
        outcome = await self.refresh_tokens.spend(claims.token_id)
        if outcome is RefreshOutcome.ALREADY_SPENT and claims.family:
            # Reuse of a spent token: assume theft and end the whole family, access tokens too.
            await self.end_family(claims.family)
        if outcome is not RefreshOutcome.SPENT_NOW:
            raise Unauthenticated("refresh token is spent or unknown")
        user = await self.users.get(claims.subject)
        if user is None or user.token_version != claims.version:
            raise Unauthenticated("refresh token is no longer valid")
        if not user.is_active:
            raise Forbidden("this account is banned")
        tokens = await self.issue(user, family=claims.family, user_agent=user_agent)
        await self.uow.commit()
        return tokens


@dataclass(frozen=True, slots=True)
class LogOut:
    codec: TokenCodec
    revocations: TokenRevocations
    refresh_tokens: RefreshTokenStore
    end_family: EndFamily
    uow: UnitOfWork

    async def __call__(self, principal: Principal, refresh_token: str | None) -> None:
        ensure_session(principal)
        assert principal.claims is not None
        # A refresh token that is not the caller's refuses the whole request, changing nothing.
        if refresh_token:
            claims = self.codec.decode(refresh_token, TokenType.REFRESH)
            if claims.subject != principal.user.id:
                raise Forbidden("that refresh token belongs to someone else")
            await self.refresh_tokens.spend(claims.token_id)
            if claims.family and claims.family != principal.claims.family:
                await self.end_family(claims.family)
        if principal.claims.family:
            # Logging out ends the session the access token belongs to, refresh token included,
            # even when the client did not send it.
            await self.end_family(principal.claims.family)
        await self.revocations.revoke(principal.claims.token_id, principal.claims.expires_at)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class SeparateLookups:
    """`TokenHolders` from two stores that each know half (revocations in Valkey, say):
    the revocation first, the account only for a token that is not revoked."""

    revocations: TokenRevocations
    users: AccountLookups

    async def holder(self, user_id: uuid.UUID, token_id: str, family: str | None) -> tuple[User | None, bool]:
        if await self.revocations.is_revoked(token_id, family):
            return None, True
        return await self.users.get(user_id), False


@dataclass(frozen=True, slots=True)
class Authenticate:
    """Turns a bearer token into a principal: valid, not revoked, account current and active."""

    codec: TokenCodec
    holders: TokenHolders
    users: AccountLookups
    personal_tokens: PersonalTokenLookups
    clock: Clock

    async def __call__(self, token: str) -> Principal:
        # The prefix says which lookup to do: personal tokens are no JWTs.
        if token.startswith(PAT_PREFIX):
            return await self._personal(token)
        claims = self.codec.decode(token, TokenType.ACCESS)
        user, revoked = await self.holders.holder(claims.subject, claims.token_id, claims.family)
        if revoked:
            raise Unauthenticated("token has been revoked")
        if user is None:
            raise Unauthenticated("account no longer exists")
        if not user.is_active:
            raise Forbidden("this account is banned")
        if user.token_version != claims.version:
            raise Unauthenticated("token was issued before the account was locked")
        return Principal(user, claims)

    async def _personal(self, secret: str) -> Principal:
        token = await self.personal_tokens.get_by_hash(digest(secret))
        if token is None:
            raise Unauthenticated("token is invalid or revoked")
        if token.expired(self.clock.now()):
            raise Unauthenticated("token has expired")
        user = await self.users.get(token.user_id)
        if user is None:
            raise Unauthenticated("account no longer exists")
        if not user.is_active:
            raise Forbidden("this account is banned")
        if user.token_version != token.token_version:
            raise Unauthenticated("token was issued before the account was locked")
        return Principal(user, None, token)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of a public route: a principal when a valid token came, else anonymous."""

    principal: Principal | None

    @property
    def user(self) -> User | None:
        return self.principal.user if self.principal else None

    @property
    def sees(self) -> VisibleTo:
        """What this caller may see, as the visibility rule takes it."""
        return VisibleTo.of(self.user)
