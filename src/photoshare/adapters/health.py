"""Liveness of the dependencies the service cannot work without."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import sqlalchemy as sa
import valkey.asyncio as valkey
from sqlalchemy.ext.asyncio import AsyncEngine

PROBE_TIMEOUT = 2.0


class DependencyHealth:
    def __init__(
        self,
        engine: AsyncEngine,
        valkey_client: valkey.Valkey | None,
        failed_jobs: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self._engine = engine
        self._valkey = valkey_client
        self._failed_jobs = failed_jobs

    async def database(self) -> bool:
        # A pooled connection that went stale (the server restarted since the last probe)
        # fails once and makes the engine drop its pool: the second try, on a fresh
        # connection, tells such a restart from an outage.
        return await self._select_one() or await self._select_one()

    async def _select_one(self) -> bool:
        try:
            with anyio.fail_after(PROBE_TIMEOUT):
                async with self._engine.connect() as conn:
                    await conn.execute(sa.text("SELECT 1"))
        except Exception:  # any failure means "down"; the probe never raises
            return False
        return True

    async def valkey(self) -> bool | None:
        """None when Valkey is not configured."""
        if self._valkey is None:
            return None
        try:
            with anyio.fail_after(PROBE_TIMEOUT):
                await self._valkey.ping()
        except Exception:
            return False
        return True

    async def failed_jobs(self) -> int | None:
        """Background jobs that ran out of retries; None when that cannot be read now."""
        if self._failed_jobs is None:
            return None
        try:
            with anyio.fail_after(PROBE_TIMEOUT):
                return await self._failed_jobs()
        except Exception:
            return None
