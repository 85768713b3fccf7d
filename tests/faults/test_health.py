"""/health follows PostgreSQL: 503 with database "down" while it is stopped, 200 again after.

(Valkey's part of /health, down and back, is in test_valkey_down.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio.to_thread
import pytest
from litestar.testing import AsyncTestClient

from photoshare.entrypoints.http.app import create_app
from tests.faults.restartable import BASE, RestartablePostgres, restartable_postgres, settings_on

UP = {"status": "ok", "database": "up", "valkey": "not configured", "failed_jobs": 0}
DOWN = {"status": "degraded", "database": "down", "valkey": "not configured", "failed_jobs": None}


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres() as server:
        yield server


async def test_health_is_503_while_postgresql_is_stopped_and_200_once_it_is_back(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    async with AsyncTestClient(create_app(settings_on(postgres.url(), tmp_path)), base_url=BASE) as client:
        before = await client.get("/health")
        await anyio.to_thread.run_sync(postgres.stop)
        during = [await client.get("/health") for _ in range(2)]
        await anyio.to_thread.run_sync(postgres.start)
        after = await client.get("/health")

    assert (before.status_code, before.json()) == (200, UP)
    for response in during:
        assert (response.status_code, response.json()) == (503, DOWN)
        assert response.headers["cache-control"] == "no-store"
    assert (after.status_code, after.json()) == (200, UP)


async def test_a_restart_between_two_probes_is_not_reported_as_down(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    """The probe's pooled connection went stale with the old server: that is not an outage."""
    async with AsyncTestClient(create_app(settings_on(postgres.url(), tmp_path)), base_url=BASE) as client:
        assert (await client.get("/health")).status_code == 200
        await anyio.to_thread.run_sync(postgres.stop)
        await anyio.to_thread.run_sync(postgres.start)

        response = await client.get("/health")

    assert (response.status_code, response.json()) == (200, UP)
