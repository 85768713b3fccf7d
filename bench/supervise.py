"""Starting and stopping what the benches run: the service, its embedded PostgreSQL, the seed.

Everything started goes through `Processes`, so `stop_all` in a `finally` ends it whatever
happened: SIGINT to servers (so the CLI stops its PostgreSQL), SIGKILL after a grace
period, and the data dir's postmaster by its pid as a last resort. Every wait has a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_GRACE = 30.0
SEED_SCRIPT = ROOT / "scripts" / "seed.py"
# The embedded defaults, as `make run` on a fresh clone: no external services.
EXTERNAL_SERVICES = ("PHOTOSHARE_DATABASE_URL", "PHOTOSHARE_VALKEY_URL", "CLOUDINARY_URL")


class Processes:
    """Every child a bench starts, so that `stop_all` can end them whatever happened."""

    def __init__(self) -> None:
        self._live: list[tuple[subprocess.Popen[bytes], bool]] = []
        self._lock = threading.Lock()  # the login storm starts and stops wrk from a thread

    def start(self, cmd: list[str], *, server: bool = False, **kwargs: Any) -> subprocess.Popen[bytes]:
        # Own session: a terminal Ctrl-C reaches only the bench, which then stops the
        # servers in order (a second SIGINT could make granian skip stopping PostgreSQL).
        with self._lock:
            proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
            self._live.append((proc, server))
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            server = next((s for p, s in self._live if p is proc), False)
            self._live = [(p, s) for p, s in self._live if p is not proc]
        if proc.poll() is not None:
            return
        try:
            children = psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            children = []
        proc.send_signal(signal.SIGINT if server else signal.SIGTERM)
        try:
            proc.wait(timeout=SERVER_GRACE if server else 5)
        except subprocess.TimeoutExpired:
            print(f"bench: pid {proc.pid} ignored its signal; killing it", file=sys.stderr)
            proc.kill()
            proc.wait(timeout=10)
        for child in children:  # psutil checks the start time, so a reused pid is left alone
            with contextlib.suppress(psutil.Error):
                if child.is_running():
                    child.kill()

    def stop_all(self) -> None:
        for proc, _ in reversed(list(self._live)):
            try:
                self.stop(proc)
            except Exception as error:
                print(f"bench: could not stop pid {proc.pid}: {error}", file=sys.stderr)


def postmaster(data_dir: Path) -> psutil.Process | None:
    """The embedded PostgreSQL of this data dir, if it runs (pid from postmaster.pid)."""
    try:
        pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
        proc = psutil.Process(pid)
        return proc if "postgres" in proc.name() else None
    except (OSError, ValueError, IndexError, psutil.Error):
        return None


def stop_postgres(data_dir: Path) -> None:
    """Last resort after a killed server: fast shutdown (SIGINT) of our postmaster, then kill."""
    proc = postmaster(data_dir)
    if proc is None:
        return
    print(f"bench: stopping leftover PostgreSQL pid {proc.pid}", file=sys.stderr)
    with contextlib.suppress(psutil.Error):
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except psutil.TimeoutExpired:
            proc.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(
    *,
    data_dir: Path,
    database_url: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of `photoshare serve` (with `port` and `workers`) or of the seed:
    this shell's, without any external service, on `data_dir`; `database_url` picks a
    database of our own instead of the data dir's embedded one."""
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_SERVICES}
    env["PHOTOSHARE_DATA_DIR"] = str(data_dir)
    if port is not None:
        env |= {"PHOTOSHARE_HOST": "127.0.0.1", "PHOTOSHARE_PORT": str(port)}
    if workers is not None:
        env["PHOTOSHARE_WORKERS"] = str(workers)
    if database_url is not None:
        env["PHOTOSHARE_DATABASE_URL"] = database_url
    return env | extra


def serve_command(cpus: str | None = None) -> list[str]:
    """`photoshare serve`, pinned to `cpus` (taskset's list syntax) when given."""
    serve = [str(BIN / "photoshare"), "serve"]
    return ["taskset", "-c", cpus, *serve] if cpus else serve


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, limit: float) -> None:
    """Poll `url` until it answers 200; fail with the log's tail if `proc` exits first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"bench: server exited ({proc.returncode}) before it was ready:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"bench: {url} not ready after {limit:.0f} s (see {log})")


def seed(procs: Processes, work: Path, photos: int, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run `scripts/seed.py --photos N` (log in work/seed.log) and return its summary."""
    if not SEED_SCRIPT.exists():
        raise SystemExit("bench: scripts/seed.py is missing; it seeds the database (make seed)")
    summary = work / "seed-summary.json"
    cmd = [sys.executable, str(SEED_SCRIPT), "--photos", str(photos), "--summary", str(summary)]
    with (work / "seed.log").open("wb") as log:
        proc = procs.start(cmd, server=True, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = -1
        finally:
            procs.stop(proc)
    if code != 0:
        tail = (work / "seed.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"bench: seeding failed (exit {code}):\n{tail}")
    result: dict[str, Any] = json.loads(summary.read_text()) if summary.exists() else {}
    return result
