"""Read-model queries on a plain psycopg pool: the hot path skips the ORM session.

Statements are still written with SQLAlchemy Core (one query language in the code base);
they are compiled to SQL text here and run on a pooled autocommit connection, where
psycopg prepares them server-side. Measured on the read path this is several times
cheaper than a session round-trip (see README "Performance").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import psycopg
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.sql import ClauseElement

from photoshare.config import libpq_url
from photoshare.domain.errors import Unavailable

_DOWN = "the database is not reachable right now; try again shortly"
_BUSY = "the database is too busy to answer this now; try again shortly"
_COMPILED: dict[Any, tuple[Any, str]] = {}
_COMPILED_MAX = 1024  # statement shapes, not values: a handful per query kind
_DIALECT = pg_dialect.dialect()  # type: ignore[no-untyped-call]


def sql_text(statement: ClauseElement) -> str:
    """SQL text of a statement whose values come later, as named `sa.bindparam`s
    (compiled once, at import, for the hottest lookups)."""
    return str(statement.compile(dialect=_DIALECT))


def compile_sql(statement: ClauseElement) -> tuple[str, dict[str, Any]]:
    """SQL text and raw parameter values. SQLAlchemy's bind processors do not run here, so
    statements for this pool bind plain values (str, int, UUID, datetime), not dicts."""
    # Compiling is most of a search request's Python time, so compiled forms are kept by
    # SQLAlchemy's own cache key (the statement's shape), as its Connection does; only the
    # values are extracted per call.
    key = statement._generate_cache_key()
    if key is None:
        compiled = statement.compile(dialect=_DIALECT)
        return str(compiled), compiled.params
    cached = _COMPILED.get(key.key)
    if cached is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        compiled = statement.compile(dialect=_DIALECT, cache_key=key)
        cached = _COMPILED[key.key] = (compiled, str(compiled))
    compiled, sql = cached
    return sql, dict(compiled.construct_params(extracted_parameters=key.bindparams) or {})


async def _run(
    pool: AsyncConnectionPool,
    sql: str,
    params: dict[str, Any],
    *,
    one: bool,
    prepare: bool | None = None,
    retry: bool,
) -> Any:
    """One statement on a pooled autocommit connection: its row (`one`) or rows.

    A database that cannot answer is a 503 for the client, never a crash. After a connection
    went stale (the server restarted), the pool's idle connections, stale with it, are
    checked and replaced; with `retry` (reads, which are idempotent) the statement is then
    tried once more on a fresh one. Writes are not tried twice.
    """
    for attempt in (1, 2):
        try:
            async with pool.connection() as conn:
                cursor = conn.cursor(row_factory=namedtuple_row)
                await cursor.execute(sql, params, prepare=prepare)
                if one:
                    return await cursor.fetchone()
                return await cursor.fetchall() if cursor.description else []
        except PoolTimeout as error:  # an OperationalError too, but waiting twice helps no one
            raise Unavailable(_DOWN, retry_after=2) from error
        except psycopg.errors.QueryCanceled as error:  # the statement timeout: never pay twice
            raise Unavailable(_BUSY, retry_after=1) from error
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            if attempt == 2:
                raise Unavailable(_DOWN, retry_after=2) from error
            await pool.check()
            if not retry:
                raise Unavailable(_DOWN, retry_after=2) from error
    raise AssertionError("unreachable")


class PgReader:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def _fetch(
        self, sql: str, params: dict[str, Any], *, one: bool, prepare: bool | None = None
    ) -> Any:
        # Reads are idempotent: after a connection went stale, the read is tried once more.
        return await _run(self._pool, sql, params, one=one, prepare=prepare, retry=True)

    async def first_sql(self, sql: str, params: dict[str, Any]) -> NamedTuple | None:
        """Run SQL compiled ahead of time (see `sql_text`)."""
        row: NamedTuple | None = await self._fetch(sql, params, one=True)
        return row

    async def all_sql(self, sql: str, params: dict[str, Any]) -> Sequence[NamedTuple]:
        """Run SQL compiled ahead of time (see `sql_text`)."""
        rows: list[NamedTuple] = await self._fetch(sql, params, one=False)
        return rows

    async def all(self, statement: ClauseElement, *, prepare: bool | None = None) -> Sequence[NamedTuple]:
        """`prepare=False` for statements whose best plan depends on the values (searches):
        psycopg then never prepares them, so PostgreSQL never settles on a generic plan."""
        sql, params = compile_sql(statement)
        rows: list[NamedTuple] = await self._fetch(sql, params, one=False, prepare=prepare)
        return rows

    async def first(self, statement: ClauseElement, *, prepare: bool | None = None) -> NamedTuple | None:
        sql, params = compile_sql(statement)
        row: NamedTuple | None = await self._fetch(sql, params, one=True, prepare=prepare)
        return row

    async def scalar(self, statement: ClauseElement, *, prepare: bool | None = None) -> Any:
        row = await self.first(statement, prepare=prepare)
        return row[0] if row else None


class PgAutocommit:
    """Single self-committing statements (revocations, rate counters) on the same pool.

    They must not borrow from the pool the request's session holds a connection of:
    a request waiting for a second connection from its own pool can starve under load.
    """

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def execute(self, statement: ClauseElement) -> list[NamedTuple]:
        sql, params = compile_sql(statement)
        return await self.execute_sql(sql, params)

    async def execute_sql(self, sql: str, params: dict[str, Any]) -> list[NamedTuple]:
        """Run SQL compiled ahead of time (see `sql_text`)."""
        rows: list[NamedTuple] = await _run(self._pool, sql, params, one=False, retry=False)
        return rows


# psycopg_pool retries a failed connection attempt with a doubling backoff (1, 2, 4, 8 s...)
# for `reconnect_timeout` (300 s by default), and requests waiting for a connection are served
# by the next attempt only: after a long outage, reads waited (and got 503 after 5 s) for
# up to minutes after the database was back. Given up after a second instead, the next
# request that finds no connection starts a fresh attempt at once.
RECONNECT_WINDOW = 1.0


def open_pool(
    url: str, size: int, statement_timeout_ms: int = 3000, wait_ms: int = 5000
) -> AsyncConnectionPool:
    """Every statement on it is cancelled after `statement_timeout_ms`: no public request can
    hold the database for long, and the client gets a quick 503 with Retry-After instead;
    so does a request that waits `wait_ms` for a connection (all of them busy)."""
    return AsyncConnectionPool(
        libpq_url(url),
        min_size=1,
        max_size=size,
        open=False,
        timeout=wait_ms / 1000,
        reconnect_timeout=RECONNECT_WINDOW,
        kwargs={
            "autocommit": True,
            "prepare_threshold": 1,
            "options": f"-c statement_timeout={statement_timeout_ms}",
        },
    )
