"""`photoshare serve | migrate`: the embedded PostgreSQL is started here, once, not per worker."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from photoshare.config import Settings, SettingsError
from photoshare.entrypoints import logs

log = logging.getLogger("photoshare")
WORKERS_KILL_SECONDS = 5


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[Settings]:
    """Yield settings with a database URL: the configured one, or an embedded server's."""
    if settings.database_url:
        yield settings
        return
    from photoshare.adapters.embedded_postgres import EmbeddedPostgres

    log.info("starting embedded PostgreSQL under %s", settings.pg_data_dir)
    server = EmbeddedPostgres(settings.pg_data_dir)
    server.stop_when_gone()
    try:
        yield settings.with_database(server.url())
    finally:
        log.info("stopping embedded PostgreSQL")
        server.stop()


def migrate(settings: Settings) -> None:
    from photoshare.adapters.sql.migrate import upgrade

    assert settings.database_url
    upgrade(settings.database_url)


def ensure_port_free(host: str, port: int) -> None:
    """granian binds with SO_REUSEPORT, so a second server on a busy port would silently
    share its traffic; refuse to start instead."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SettingsError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def serve(settings: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    ensure_port_free(settings.host, settings.port)
    settings.signing_key()  # generated once here, before workers race to create it
    with database(settings) as ready:
        migrate(ready)
        assert ready.database_url
        # Workers are separate processes: they read the same settings from the environment.
        os.environ["PHOTOSHARE_DATABASE_URL"] = ready.database_url
        os.environ["PHOTOSHARE_DATA_DIR"] = str(ready.data_dir)
        # Every worker writes its metrics here, so whichever answers /metrics speaks for all.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(fresh_dir(ready.data_dir / "metrics"))
        loop = Loops.uvloop if sys.platform != "win32" else Loops.asyncio
        log.info("serving on http://%s:%s with %d worker(s)", ready.host, ready.port, ready.workers)
        Granian(
            "photoshare.entrypoints.http.app:create_app_from_env",
            factory=True,
            address=ready.host,
            port=ready.port,
            interface=Interfaces.ASGI,
            workers=ready.workers,
            loop=loop,
            backlog=2048,
            log_access=False,
            # A worker stuck in shutdown is killed after this many seconds rather than waited for.
            workers_kill_timeout=WORKERS_KILL_SECONDS,
        ).serve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="photoshare", description="PhotoShare service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate the database, then serve the API")
    sub.add_parser("migrate", help="bring the database schema to the latest revision")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"photoshare: invalid configuration: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_format)
    if args.command == "migrate":
        with database(settings) as ready:
            migrate(ready)
        return 0
    try:
        serve(settings)
    except SettingsError as error:
        print(f"photoshare: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
