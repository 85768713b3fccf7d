"""`photoshare serve` as the README runs it: the console script, in its own process group,
with an environment holding nothing of ours but a host, a free port and a data dir."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

#: The console script installed next to this interpreter (what `make run` starts).
PHOTOSHARE = Path(sys.executable).with_name("photoshare")
STARTUP_SECONDS = 90
STOP_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment(**settings: str) -> dict[str, str]:
    """What `env -i` leaves a shell user (PATH, HOME, LANG) plus the given PHOTOSHARE_* values."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return keep | settings


def postgres_on(pgdata: Path) -> list[psutil.Process]:
    """Every live PostgreSQL process serving `pgdata` (none once the service is gone)."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            cmdline = process.info["cmdline"] or []
            if process.info["name"] == "postgres" and str(pgdata) in " ".join(cmdline):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _is_job_worker(process: psutil.Process) -> bool:
    command = process.cmdline()
    return "photoshare.entrypoints.cli" in command and "worker" in command


@dataclass
class Service:
    data_dir: Path
    workers: int = 1
    env: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".log")

    def start(self) -> Service:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        environment = clean_environment(
            PHOTOSHARE_HOST="127.0.0.1",
            PHOTOSHARE_PORT=str(self.port),
            PHOTOSHARE_DATA_DIR=str(self.data_dir),
            **({"PHOTOSHARE_WORKERS": str(self.workers)} if self.workers != 1 else {}),
            **self.env,
        )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(PHOTOSHARE), "serve"],
                env=environment,
                cwd=self.data_dir.parent,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, as a terminal gives it
            )
        self.wait_until_healthy()
        return self

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"photoshare serve exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"photoshare serve was not healthy in {STARTUP_SECONDS} s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def _children(self) -> list[psutil.Process]:
        assert self.process is not None
        return list(psutil.Process(self.process.pid).children(recursive=True))

    def workers_processes(self) -> list[psutil.Process]:
        """The server's HTTP worker processes: its children but the PostgreSQL watchdog and
        the job worker."""
        return [
            child
            for child in self._children()
            if "photoshare.adapters.postgres_watchdog" not in child.cmdline() and not _is_job_worker(child)
        ]

    def job_worker_processes(self) -> list[psutil.Process]:
        """The background job worker(s) `serve` started."""
        return [child for child in self._children() if _is_job_worker(child)]

    def stop(self, how: signal.Signals = signal.SIGINT) -> float:
        """Stop as a person does: Ctrl-C (SIGINT to the whole group) or a process manager's
        SIGTERM to the main process. Returns the seconds it took; fails after STOP_SECONDS."""
        assert self.process is not None
        started = time.monotonic()
        if how == signal.SIGINT:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(how)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running {STOP_SECONDS} s after {how.name}:\n{self.tail()}") from None
        return time.monotonic() - started

    def kill(self) -> None:
        """Make sure nothing of this service is left (used in teardown)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)
        for process in postgres_on(self.pgdata):
            process.kill()

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)
