"""Fixed-window rate counters: in PostgreSQL by default (all workers agree), or in Valkey."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import valkey.asyncio as valkey
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from valkey.exceptions import ValkeyError

from photoshare.adapters.sql.reader import PgAutocommit, sql_text
from photoshare.adapters.sql.tables import rate_counters
from photoshare.domain.errors import Unavailable

PREFIX = "photoshare:rate:"
PURGE_PROBABILITY = 0.001


def _retry_after(window_ends: datetime) -> int:
    return max(1, math.ceil((window_ends - datetime.now(UTC)).total_seconds()))


def _hit_statement() -> str:
    """The upsert every limited request runs, compiled once: keys as one array parameter,
    the window as seconds. Built per call, it cost a third of a comment's Python time."""
    # Constants inlined: only the keys and the window are parameters.
    zero: sa.ColumnElement[int] = sa.literal_column("0", sa.Integer)
    one: sa.ColumnElement[int] = sa.literal_column("1", sa.Integer)
    now = sa.func.now()
    ends = now + sa.func.make_interval(*[zero] * 6, sa.bindparam("window_seconds", type_=sa.Integer))
    expired = rate_counters.c.window_ends <= now
    keys = sa.func.unnest(sa.bindparam("keys", type_=ARRAY(sa.String))).table_valued("key").render_derived()
    stmt = (
        pg_insert(rate_counters)
        .from_select(["key", "hits", "window_ends"], sa.select(keys.c.key, one, ends))
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "hits": sa.case((expired, one), else_=rate_counters.c.hits + one),
                "window_ends": sa.case((expired, ends), else_=rate_counters.c.window_ends),
            },
        )
        .returning(rate_counters.c.hits, rate_counters.c.window_ends)
    )
    return sql_text(stmt)


_HIT = _hit_statement()


class SqlRateLimiter:
    """One upsert per hit: a window that has ended restarts at 1, atomically."""

    def __init__(self, db: PgAutocommit) -> None:
        self._db = db

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: int) -> int | None:
        # One upsert for all keys (an address and an account, say): distinct after truncation,
        # since one statement may not touch a row twice.
        distinct = list(dict.fromkeys(k[:200] for k in keys))
        counted = await self._db.execute_sql(_HIT, {"keys": distinct, "window_seconds": window_seconds})
        if random.random() < PURGE_PROBABILITY:
            # Ended windows would restart at 1 anyway; dropping them now and then keeps the table small.
            await self._db.execute(
                sa.delete(rate_counters).where(rate_counters.c.window_ends <= sa.func.now())
            )
        over = [window_ends for hits, window_ends in counted if hits > limit]
        return _retry_after(max(over)) if over else None

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

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: int) -> int | None:
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                for key in keys:
                    name = PREFIX + key
                    pipe.incr(name)
                    pipe.expire(name, window_seconds, nx=True)
                    pipe.ttl(name)
                replies = await pipe.execute()
        except (ValkeyError, OSError) as error:
            raise Unavailable("cannot check the rate limit now") from error
        counted = [(int(replies[i]), int(replies[i + 2])) for i in range(0, len(replies), 3)]
        over = [ttl for hits, ttl in counted if hits > limit]
        return max(1, *over) if over else None

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
