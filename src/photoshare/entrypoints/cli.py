"""`photoshare serve | migrate | worker`: the embedded PostgreSQL is started here, once, not per worker."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from photoshare.config import Settings, SettingsError
from photoshare.entrypoints import logs
from photoshare.entrypoints.lifecycle import name_this_process_the_parent, terminate_with_parent

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


STOP_WORKER_SECONDS = 8  # its graceful stop (see worker.SHUTDOWN_SECONDS) and some room


class JobWorkerProcess:
    """One job worker beside the HTTP workers, as a child process of `serve`, restarted if it dies.

    Not a thread of this process: granian forks its HTTP workers from here, and a fork
    would copy a running worker's open connections and locks into each of them. Not one
    per HTTP worker either: one is enough for the embedded default, and deployments that
    want more run `photoshare worker` (as many as they like) with PHOTOSHARE_SERVE_WORKER=0.
    """

    RESTART_DELAY = 2.0

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="job-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        command = [sys.executable, "-m", "photoshare.entrypoints.cli", "worker", "--exit-with-parent"]
        while not self._stopping.is_set():
            self._process = subprocess.Popen(command)
            code = self._process.wait()
            if code == 0:  # stopped by a signal (Ctrl-C reaches the whole group): the service is going
                return
            if not self._stopping.wait(self.RESTART_DELAY):
                log.warning("the job worker exited with %s; starting it again", code)

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # procrastinate finishes or hands back its jobs
            try:
                process.wait(timeout=STOP_WORKER_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
        self._thread.join(timeout=5)


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
        name_this_process_the_parent()
        loop = Loops.uvloop if sys.platform != "win32" else Loops.asyncio
        log.info("serving on http://%s:%s with %d worker(s)", ready.host, ready.port, ready.workers)
        jobs = JobWorkerProcess() if ready.serve_worker else None
        if jobs is not None:
            jobs.start()
        try:
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
        finally:
            if jobs is not None:
                jobs.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="photoshare", description="PhotoShare service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate the database, then serve the API")
    sub.add_parser("migrate", help="bring the database schema to the latest revision")
    worker = sub.add_parser(
        "worker", help="run a background job worker (variants, sweeps); `serve` starts one too"
    )
    worker.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
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
    if args.command == "worker":
        from photoshare.entrypoints.worker import main as run_worker

        if args.exit_with_parent:  # started by `serve`: a serve killed outright takes it along
            terminate_with_parent()

        with database(settings) as ready, contextlib.suppress(KeyboardInterrupt):
            run_worker(ready)
        return 0
    try:
        serve(settings)
    except SettingsError as error:
        print(f"photoshare: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
