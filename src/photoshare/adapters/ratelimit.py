"""Fixed-window rate counters: in PostgreSQL by default (all workers agree), or in Valkey."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

import sqlalchemy as sa
import valkey.asyncio as valkey
from sqlalchemy.dialects.postgresql import insert as pg_insert
from valkey.exceptions import ValkeyError

from photoshare.adapters.sql.reader import PgAutocommit
from photoshare.adapters.sql.tables import rate_counters
from photoshare.domain.errors import Unavailable

PREFIX = "photoshare:rate:"
PURGE_PROBABILITY = 0.001


def _retry_after(window_ends: datetime) -> int:
    return max(1, math.ceil((window_ends - datetime.now(UTC)).total_seconds()))


class SqlRateLimiter:
    """One upsert per hit: a window that has ended restarts at 1, atomically."""

    def __init__(self, db: PgAutocommit) -> None:
        self._db = db

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int | None:
        now = sa.func.now()
        ends = now + sa.func.make_interval(0, 0, 0, 0, 0, 0, window_seconds)
        expired = rate_counters.c.window_ends <= now
        stmt = (
            pg_insert(rate_counters)
            .values(key=key[:200], hits=1, window_ends=ends)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "hits": sa.case((expired, 1), else_=rate_counters.c.hits + 1),
                    "window_ends": sa.case((expired, ends), else_=rate_counters.c.window_ends),
                },
            )
            .returning(rate_counters.c.hits, rate_counters.c.window_ends)
        )
        (hits, window_ends), *_ = await self._db.execute(stmt)
        if random.random() < PURGE_PROBABILITY:
            # Ended windows would restart at 1 anyway; dropping them now and then keeps the table small.
            await self._db.execute(
                sa.delete(rate_counters).where(rate_counters.c.window_ends <= sa.func.now())
            )
        return None if hits <= limit else _retry_after(window_ends)

    async def exhausted(self, key: str, *, limit: int) -> int | None:
        rows = await self._db.execute(
            sa.select(rate_counters.c.hits, rate_counters.c.window_ends).where(
                rate_counters.c.key == key[:200], rate_counters.c.window_ends > sa.func.now()
            )
        )
        if not rows:
            return None
        hits, window_ends = rows[0]
        return None if hits < limit else _retry_after(window_ends)


class ValkeyRateLimiter:
    def __init__(self, client: valkey.Valkey) -> None:
        self._client = client

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int | None:
        name = PREFIX + key
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)
                pipe.ttl(name)
                hits, _, ttl = await pipe.execute()
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot check the rate limit now") from error
        return None if int(hits) <= limit else max(1, int(ttl))

    async def exhausted(self, key: str, *, limit: int) -> int | None:
        name = PREFIX + key
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.get(name)
                pipe.ttl(name)
                hits, ttl = await pipe.execute()
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot check the rate limit now") from error
        return None if hits is None or int(hits) < limit else max(1, int(ttl))
