"""Password hashing with bcrypt (in a bounded thread pool) and JWTs with pyjwt (HS256 pinned)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
import bcrypt
import jwt

from photoshare.application.ports.accounts import IssuedToken, TokenClaims, TokenType
from photoshare.application.ports.common import Clock
from photoshare.domain.errors import Unauthenticated, Unavailable
from photoshare.domain.users import User

ALGORITHM = "HS256"
BCRYPT_MAX_BYTES = 72
# Marks a hash of the pre-hashed password: bcrypt's own strings start with "$2", so the two
# schemes are never confused, and a hash without the prefix is a legacy one.
PREHASH_PREFIX = "sha256$"
_REQUIRED = ["sub", "exp", "iat", "jti", "type"]


def _prehashed(password: str) -> bytes:
    """bcrypt reads at most 72 bytes (and stops at a NUL): SHA-256 first, base64-encoded
    (44 bytes, no NUL), so every byte of a password up to 512 bytes of UTF-8 counts."""
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def _legacy_input(password: str) -> bytes:
    """How hashes without the prefix were made: the password cut to bcrypt's 72 bytes (bcrypt 5
    raises on a longer input instead of cutting it). Only verified against, never hashed anew."""
    return password.encode()[:BCRYPT_MAX_BYTES]


def _check(password: str, password_hash: str) -> bool:
    if password_hash.startswith(PREHASH_PREFIX):
        secret, stored = _prehashed(password), password_hash[len(PREHASH_PREFIX) :]
    else:
        secret, stored = _legacy_input(password), password_hash
    try:
        return bcrypt.checkpw(secret, stored.encode())
    except ValueError:  # not a bcrypt string (a disabled or damaged account): no match, no 500
        return False


def _rounds(bcrypt_hash: str) -> int | None:
    # "$2b$12$<salt+digest>": the cost is the third field.
    parts = bcrypt_hash.split("$")
    return int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else None


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
        self._dummy = PREHASH_PREFIX + bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode()

    def _refuse_when_saturated(self) -> None:
        # A bounded queue: beyond it, shed load with 503 + Retry-After instead of piling up.
        if self._limiter.statistics().tasks_waiting >= self._max_waiting:
            raise Unavailable("too many sign-ins in progress; try again shortly", retry_after=1)

    async def hash(self, password: str) -> str:
        self._refuse_when_saturated()
        salt = bcrypt.gensalt(self._rounds)
        hashed = await anyio.to_thread.run_sync(
            bcrypt.hashpw, _prehashed(password), salt, limiter=self._limiter
        )
        return PREHASH_PREFIX + hashed.decode()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        self._refuse_when_saturated()
        ok = await anyio.to_thread.run_sync(
            _check, password, password_hash or self._dummy, limiter=self._limiter
        )
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """A legacy (cut to 72 bytes) hash, or one made with other rounds than configured."""
        if not password_hash.startswith(PREHASH_PREFIX):
            return True
        return _rounds(password_hash[len(PREHASH_PREFIX) :]) != self._rounds


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
