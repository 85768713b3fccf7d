"""Revoked access tokens in Valkey: one key per token, expiring with it."""

from __future__ import annotations

from datetime import UTC, datetime

import valkey.asyncio as valkey
from valkey.exceptions import ValkeyError

from photoshare.domain.errors import Unavailable

PREFIX = "photoshare:revoked:"


class ValkeyTokenRevocations:
    def __init__(self, client: valkey.Valkey) -> None:
        self._client = client

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        ttl = max(1, int((expires_at - datetime.now(UTC)).total_seconds()) + 1)
        try:
            await self._client.set(PREFIX + token_id, b"1", ex=ttl)
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot record the revocation now") from error

    async def is_revoked(self, *token_ids: str) -> bool:
        # Fail closed: an unreachable store is an error, never "not revoked".
        try:
            return bool(await self._client.exists(*(PREFIX + token_id for token_id in token_ids)))
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot check token revocation now") from error
