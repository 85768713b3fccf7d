"""Password hashing with bcrypt (in a bounded thread pool) and JWTs with pyjwt (HS256 pinned)."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
import bcrypt
import jwt

from photoshare.application.ports import Clock, IssuedToken, TokenClaims, TokenType
from photoshare.domain.errors import Unauthenticated, Unavailable
from photoshare.domain.users import User

ALGORITHM = "HS256"
BCRYPT_MAX_BYTES = 72
_REQUIRED = ["sub", "exp", "iat", "jti", "type"]


def _bcrypt_input(password: str) -> bytes:
    """bcrypt reads at most 72 bytes; since bcrypt 5 a longer input raises instead of being cut.
    Passwords may be 128 characters (up to 512 bytes of UTF-8), so cut them as bcrypt always did:
    every hash made before keeps verifying, and a long password is a 500 no more."""
    return password.encode()[:BCRYPT_MAX_BYTES]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class BcryptPasswordHasher:
    """bcrypt off the event loop; the limiter bounds concurrent hashes so a login storm
    queues behind it instead of starving every other request of threads and CPU."""

    def __init__(self, limiter: anyio.CapacityLimiter, rounds: int = 12, max_waiting: int = 64) -> None:
        self._limiter = limiter
        self._rounds = rounds
        self._max_waiting = max_waiting
        # Verified against when the user does not exist, so both failures cost one bcrypt.
        self._dummy = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds))

    def _refuse_when_saturated(self) -> None:
        # A bounded queue: beyond it, shed load with 503 + Retry-After instead of piling up.
        if self._limiter.statistics().tasks_waiting >= self._max_waiting:
            raise Unavailable("too many sign-ins in progress; try again shortly", retry_after=1)

    async def hash(self, password: str) -> str:
        self._refuse_when_saturated()
        salt = bcrypt.gensalt(self._rounds)
        hashed = await anyio.to_thread.run_sync(
            bcrypt.hashpw, _bcrypt_input(password), salt, limiter=self._limiter
        )
        return hashed.decode()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        self._refuse_when_saturated()
        target = password_hash.encode() if password_hash else self._dummy
        ok = await anyio.to_thread.run_sync(
            bcrypt.checkpw, _bcrypt_input(password), target, limiter=self._limiter
        )
        return ok and password_hash is not None


class JwtTokenCodec:
    def __init__(self, key: str, *, access_ttl: int, refresh_ttl: int, clock: Clock) -> None:
        if len(key.encode()) < 32:
            raise ValueError("the signing key must be at least 32 bytes")
        self._key = key
        self._ttl = {TokenType.ACCESS: access_ttl, TokenType.REFRESH: refresh_ttl}
        self._clock = clock

    @property
    def access_ttl(self) -> int:
        return self._ttl[TokenType.ACCESS]

    def issue(self, user: User, token_type: TokenType, *, family: str | None = None) -> IssuedToken:
        now = self._clock.now().replace(microsecond=0)
        claims = TokenClaims(
            subject=user.id,
            token_id=uuid.uuid4().hex,
            token_type=token_type,
            issued_at=now,
            expires_at=now + timedelta(seconds=self._ttl[token_type]),
            version=user.token_version,
            family=family,
        )
        payload: dict[str, object] = {
            "sub": str(claims.subject),
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": claims.token_id,
            "type": token_type.value,
            "ver": claims.version,
        }
        if family:
            payload["fam"] = family
        return IssuedToken(jwt.encode(payload, self._key, algorithm=ALGORITHM), claims)

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        try:
            payload = jwt.decode(token, self._key, algorithms=[ALGORITHM], options={"require": _REQUIRED})
            subject = uuid.UUID(payload["sub"])
            token_type = TokenType(payload["type"])
            version = int(payload.get("ver", 0))
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token has expired") from None
        except (jwt.InvalidTokenError, ValueError, TypeError, KeyError):
            raise Unauthenticated("token is invalid") from None
        if not hmac.compare_digest(token_type.value, expected.value):
            raise Unauthenticated(
                f"this is not an {expected.value} token"
                if expected is TokenType.ACCESS
                else "this is not a refresh token"
            )
        return TokenClaims(
            subject=subject,
            token_id=str(payload["jti"]),
            token_type=token_type,
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            version=version,
            family=payload.get("fam"),
        )
