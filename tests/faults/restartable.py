"""An embedded PostgreSQL of a test's own that it may stop and start again (never the shared one),
and settings for an app on it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from litestar import Litestar

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql.migrate import upgrade
from photoshare.config import RateLimits, Settings

BASE = "http://testserver.local"
UNLIMITED = RateLimits.every(1_000_000)


class RestartablePostgres:
    """Listens on a unix socket inside its data dir, so a restart keeps the same URL."""

    def __init__(self, root: Path) -> None:
        self.pgdata = root / "pg"
        self._server: EmbeddedPostgres | None = EmbeddedPostgres(self.pgdata)
        self._url = self._server.url()
        self._dsn = self._server.dsn()
        upgrade(self._url)

    def url(self) -> str:
        return self._url

    def dsn(self) -> str:
        return self._dsn

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        """`pg_ctl stop` in its default "fast" mode: open sessions are cut, transactions roll back."""
        assert self._server is not None
        self._server.stop()
        self._server = None

    def start(self) -> None:
        assert self._server is None
        self._server = EmbeddedPostgres(self.pgdata)
        assert self._server.url() == self._url  # same socket directory: clients need no new address


@contextmanager
def restartable_postgres() -> Iterator[RestartablePostgres]:
    # A short path: the server's unix socket lives in the data dir (and socket paths are short).
    root = Path(tempfile.mkdtemp(prefix="ps-f-"))
    server = RestartablePostgres(root)
    try:
        yield server
    finally:
        if server.running:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def settings_on(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_base_url=BASE,
        secret_key="test-secret-key-that-is-at-least-32-bytes-long",
        bcrypt_rounds=4,
        rate_limits=UNLIMITED,
    )


def asgi_client(app: Litestar, timeout: float = 15.0) -> httpx.AsyncClient:
    """Requests through this client overlap (run `app.lifespan()` around its use)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=BASE, timeout=timeout)
