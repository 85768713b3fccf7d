"""One-time secrets: random, shown once, stored as a digest; and the verification message."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from photoshare.application.mail import AccountMail
from photoshare.application.ports.accounts import OneTimeTokenStore
from photoshare.application.ports.common import Clock
from photoshare.application.ports.mail import MailMessage
from photoshare.domain.accounts import LIFETIME, OneTimeToken, Purpose
from photoshare.domain.users import User

SECRET_BYTES = 32  # 256 bits


def digest(secret: str) -> str:
    """What is stored of a secret: a leaked table yields nothing to replay."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(SECRET_BYTES)


# --- email verification --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmailVerification:
    """Stores a verification token for the account's current address and builds its message;
    the caller commits, then sends it."""

    tokens: OneTimeTokenStore
    mail: AccountMail
    clock: Clock

    async def prepare(self, user: User) -> MailMessage:
        secret = new_secret()
        await self.tokens.add(
            OneTimeToken.new(digest(secret), user.id, Purpose.VERIFY_EMAIL, self.clock.now(), user.email)
        )
        hours = int(LIFETIME[Purpose.VERIFY_EMAIL].total_seconds() // 3600)
        return self.mail.verification(user.email, user.username, secret, hours)
