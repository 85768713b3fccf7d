"""The embedded PostgreSQL keeps its data in the data dir across a stop and a fresh start."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from photoshare.adapters.embedded_postgres import EmbeddedPostgres


@pytest.fixture
def data_root() -> Iterator[Path]:
    # Not pytest's tmp_path: every pytest start resets /tmp/pytest-of-<user> to 0700, which would
    # lock out the unprivileged user the embedded server runs as when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="ps-restart-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_rows_survive_a_restart_of_the_embedded_server(data_root: Path) -> None:
    pgdata = data_root / "data" / "pgdata"
    first = EmbeddedPostgres(pgdata, database="keep")
    try:
        with psycopg.connect(first.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE notes (body text)")
            conn.execute("INSERT INTO notes VALUES ('still here')")
        first_pid = first.pid
    finally:
        first.stop()

    second = EmbeddedPostgres(pgdata, database="keep")
    try:
        assert second.pid != first_pid  # a new server process, not the old one still running
        with psycopg.connect(second.dsn()) as conn:
            rows = conn.execute("SELECT body FROM notes").fetchall()
    finally:
        second.stop()
    assert rows == [("still here",)]
