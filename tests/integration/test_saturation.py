"""A saturated database: every pooled connection busy with a slow query. A request that
cannot get a connection within `db_pool_wait_ms` is answered 503 with `Retry-After` at
once, instead of queueing until the client gives up (issue 12, "Bounded cost")."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import assert_problem, bearer, member
from tests.integration.conftest import with_settings
from tests.integration.engagement import photo_by

WAIT_MS = 300
SLOW_S = 2.0  # each held connection runs pg_sleep this long: far longer than WAIT_MS


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(with_settings(settings, db_pool_size=1, db_pool_wait_ms=WAIT_MS))


async def slow_reads(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        await conn.execute(f"SELECT pg_sleep({SLOW_S})")


async def slow_session_work(engine: AsyncEngine, started: asyncio.Event) -> None:
    # pool_size 1 with as much overflow: both connections.
    async with engine.connect() as first, engine.connect() as second:
        started.set()
        await asyncio.gather(
            first.execute(sa.text(f"SELECT pg_sleep({SLOW_S})")),
            second.execute(sa.text(f"SELECT pg_sleep({SLOW_S})")),
        )


async def answered_quickly(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def test_a_read_waiting_for_a_busy_pool_gets_a_quick_503_with_retry_after(
    app: Litestar, concurrent_client: httpx.AsyncClient
) -> None:
    pool = await app.state.dishka_container.get(AsyncConnectionPool)
    await pool.wait()
    holder = asyncio.create_task(slow_reads(pool))
    await asyncio.sleep(0.2)  # the slow query has the pool's only connection
    response, took = await answered_quickly(concurrent_client.get(f"/api/photos/{uuid.uuid4()}"))
    await holder
    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) >= 1
    assert took < SLOW_S - 0.5  # not queued behind the slow query
    # Once the pool is free again the same request is answered (a 404: no such photo).
    assert (await concurrent_client.get(f"/api/photos/{uuid.uuid4()}")).status_code == 404


async def test_a_write_waiting_for_a_busy_session_pool_gets_a_quick_503_with_retry_after(
    app: Litestar, concurrent_client: httpx.AsyncClient
) -> None:
    owner = (await member(concurrent_client, "alice"))["access_token"]
    photo_id = await photo_by(concurrent_client, owner)
    token = (await member(concurrent_client, "bob"))["access_token"]
    engine = await app.state.dishka_container.get(AsyncEngine)
    started = asyncio.Event()
    holder = asyncio.create_task(slow_session_work(engine, started))
    await started.wait()
    response, took = await answered_quickly(
        # A rating writes in the request's transaction (a comment is one self-committing statement).
        concurrent_client.post(f"/api/photos/{photo_id}/ratings", json={"value": 4}, headers=bearer(token))
    )
    await holder
    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) >= 1
    assert took < SLOW_S - 0.5
