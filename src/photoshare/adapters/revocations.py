"""Revoked access tokens in Valkey: one key per token (or per refresh family), expiring with it."""

from __future__ import annotations

from datetime import UTC, datetime

import valkey.asyncio as valkey
from valkey.exceptions import ValkeyError

from photoshare.domain.errors import Unavailable

PREFIX = "photoshare:revoked:"
FAMILY_PREFIX = PREFIX + "family:"


class ValkeyTokenRevocations:
    def __init__(self, client: valkey.Valkey) -> None:
        self._client = client

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        await self._remember(PREFIX + token_id, expires_at)

    async def revoke_family(self, family: str, expires_at: datetime) -> None:
        await self._remember(FAMILY_PREFIX + family, expires_at)

    async def _remember(self, key: str, expires_at: datetime) -> None:
        ttl = max(1, int((expires_at - datetime.now(UTC)).total_seconds()) + 1)
        try:
            await self._client.set(key, b"1", ex=ttl)
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot record the revocation now") from error

    async def is_revoked(self, token_id: str, family: str | None = None) -> bool:
        # One round trip: EXISTS counts how many of the keys are present.
        keys = [PREFIX + token_id, *([FAMILY_PREFIX + family] if family else [])]
        # Fail closed: an unreachable store is an error, never "not revoked".
        try:
            return bool(await self._client.exists(*keys))
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot check token revocation now") from error
