"""Signed image URLs for the local store: HMAC-SHA256 over key, transformation and expiry.

The HMAC key is derived from the service's signing key (never the token key itself).
Expiries are rounded up to a quarter of an hour, so the URL in an answer stays the same
for a while (browsers and ETags keep working) and lives between `ttl` and `ttl` + 15 min,
never longer than `MAX_LIFETIME`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math

from photoshare.application.ports.common import Clock

SIGNED_URL_TTL = 3600
MAX_LIFETIME = 24 * 3600
_GRANULE = 900


class HmacUrlSigner:
    def __init__(self, secret: str, clock: Clock, ttl: int = SIGNED_URL_TTL) -> None:
        if not 0 < ttl <= MAX_LIFETIME - _GRANULE:
            raise ValueError("a signed URL lives at most 24 hours")
        self._key = hmac.new(secret.encode(), b"photoshare image URLs", hashlib.sha256).digest()
        self._clock, self._ttl = clock, ttl

    def _mac(self, key: str, variant: str, expires: int) -> str:
        message = f"{key}\n{variant}\n{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, key: str, variant: str) -> tuple[int, str]:
        now = self._clock.now().timestamp()
        expires = math.ceil((now + self._ttl) / _GRANULE) * _GRANULE
        return expires, self._mac(key, variant, expires)

    def verify(self, key: str, variant: str, expires: int, signature: str) -> bool:
        now = self._clock.now().timestamp()
        if not now < expires <= now + MAX_LIFETIME:
            return False
        return hmac.compare_digest(self._mac(key, variant, expires), signature)
