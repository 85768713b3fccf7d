"""`make bench`: load-test the real service against a bare-app ceiling measured in the same run.

Why it is built this way:
- The service is started exactly as `make run` starts it (`photoshare serve`: embedded
  PostgreSQL, migrations, granian with uvloop), on a fresh data dir seeded by
  `scripts/seed.py`, so the numbers are the ones production code gets.
- The server is pinned to SERVER_CPUS and the load generator (compiled `wrk`) to LOAD_CPUS
  with `taskset`, so client and server never fight for a core. The embedded PostgreSQL is
  started by the CLI and inherits its pinning: it shares the server's cores, as on a
  one-box deployment. DB_CPUS re-pins it (postmaster and children) when given.
- The ceiling is `bench/ceiling.py`, served by the same granian settings and pinning, and
  measured in every round, interleaved with the scenarios, so every ratio compares
  numbers taken under the same conditions (this machine is shared).
- Everything started is registered and stopped in `finally`, even on Ctrl-C or SIGTERM:
  SIGINT to the servers (so the CLI stops its PostgreSQL), SIGKILL after a grace period,
  and the data dir's postmaster by its pid as a last resort. Every wait has a timeout.

Parameters come from the environment (the Makefile passes them): WORKERS, SERVER_CPUS,
LOAD_CPUS, CONNECTIONS, DURATION, N, RUNS; optional WARMUP, LOGIN_CONNECTIONS, DB_CPUS,
BENCH_USERS, PHOTO_IDS, BENCH_DATA_DIR (reuse a seeded data dir: no seeding).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from photoshare.config import RateLimits

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
LUA = BENCH / "lua"
RESULTS = BENCH / "results"
WORK = BENCH / "work"
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-1"
WRK_TIMEOUT = "30s"  # slow answers (queued log-ins) count as latency, not as dropped requests
SERVER_GRACE = 30.0
MiB = 1024 * 1024


# --------------------------------------------------------------------------- parameters


def seconds(text: str) -> float:
    """wrk's duration syntax (10, 10s, 2m, 1h) in seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise SystemExit(f"bench: cannot read duration {text!r} (use e.g. 10s, 1m)")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def cpu_list(text: str) -> set[int]:
    """taskset's list syntax (0, 0-3, 0,2) as a set of cpu numbers."""
    cpus: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        cpus.update(range(int(low), int(high or low) + 1))
    return cpus


@dataclass(frozen=True)
class Params:
    workers: int
    server_cpus: str
    load_cpus: str
    connections: int
    duration: str
    n: int
    runs: int
    warmup: str
    login_connections: int
    db_cpus: str | None
    users: int
    photo_ids: int
    data_dir: str | None

    @classmethod
    def from_env(cls) -> Params:
        env = os.environ
        workers = int(env.get("WORKERS") or 1)
        return cls(
            workers=workers,
            server_cpus=env.get("SERVER_CPUS") or "0",
            load_cpus=env.get("LOAD_CPUS") or "1",
            connections=int(env.get("CONNECTIONS") or 64),
            duration=env.get("DURATION") or "10s",
            n=int(env.get("N") or 100_000),
            runs=int(env.get("RUNS") or 3),
            warmup=env.get("WARMUP") or "2s",
            # Log-ins queue behind a bounded bcrypt pool (2 per worker): a few requests per
            # slot keep it busy while latency stays measurable within DURATION.
            login_connections=int(env.get("LOGIN_CONNECTIONS") or 8 * workers),
            db_cpus=env.get("DB_CPUS") or None,
            users=int(env.get("BENCH_USERS") or 32),
            photo_ids=int(env.get("PHOTO_IDS") or 20_000),
            data_dir=env.get("BENCH_DATA_DIR") or None,
        )

    @property
    def duration_s(self) -> float:
        return seconds(self.duration)


# --------------------------------------------------------------------------- processes


class Processes:
    """Every child the bench starts, so that `stop_all` can end them whatever happened."""

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


class RssSampler(threading.Thread):
    """Peak RSS of each worker (direct children of a server process), sampled every 0.2 s.

    `take()` returns the peaks since the previous `take()`, so each wrk run gets its own.
    """

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self._parents: dict[str, psutil.Process] = {}
        self._peaks: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()
        self._stop_event = threading.Event()

    def watch(self, label: str, pid: int) -> None:
        with self._lock:
            self._parents[label] = psutil.Process(pid)
            self._peaks[label] = {}

    def workers(self, label: str) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            return self._parents[label].children(recursive=False)
        return []

    def take(self, label: str) -> dict[int, int]:
        self._sample()
        with self._lock:
            peaks, self._peaks[label] = self._peaks[label], {}
        return peaks

    def _sample(self) -> None:
        with self._lock:
            labels = list(self._parents)
        for label in labels:
            for worker in self.workers(label):
                with contextlib.suppress(psutil.Error):
                    rss = worker.memory_info().rss
                    with self._lock:
                        peaks = self._peaks[label]
                        peaks[worker.pid] = max(peaks.get(worker.pid, 0), rss)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self._sample()

    def stop(self) -> None:
        self._stop_event.set()


def tree_cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


BUSY_STATES = ("ESTABLISHED", "CLOSE_WAIT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "LAST_ACK", "CLOSING")


def open_connections(ports: set[int]) -> int:
    """Server-side TCP connections still alive on our ports (not listening, not TIME_WAIT)."""
    with contextlib.suppress(psutil.Error):
        return sum(
            1
            for c in psutil.net_connections("tcp")
            if c.laddr and c.laddr.port in ports and c.status in BUSY_STATES
        )
    return 0


def settle(procs: Callable[[], list[psutil.Process]], ports: set[int], limit: float = 90.0) -> float:
    """Wait until the servers are idle: no client connection left on their ports and the
    server side (workers, PostgreSQL) below 5% of a core over 0.5 s; `limit` at most.

    Requests still queued when wrk stops (log-ins behind bcrypt, writes waiting for a pooled
    connection) go on for seconds; without this they would be billed to the next scenario.
    Returns the seconds waited.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = tree_cpu_seconds(procs())
        time.sleep(0.5)
        if open_connections(ports) == 0 and tree_cpu_seconds(procs()) - before < 0.025:
            break
    return round(time.monotonic() - started, 1)


def listeners(port: int) -> set[int]:
    with contextlib.suppress(psutil.Error):
        return {
            c.pid
            for c in psutil.net_connections("tcp")
            if c.laddr and c.laddr.port == port and c.status == "LISTEN" and c.pid
        }
    return set()


def busy_cpu_seconds(cpus: set[int]) -> float:
    """CPU time spent on these cores by anything (to tell how much others took from us)."""
    per_cpu = psutil.cpu_times(percpu=True)
    return sum(
        t.user + t.nice + t.system + t.irq + t.softirq + t.steal for i, t in enumerate(per_cpu) if i in cpus
    )


# --------------------------------------------------------------------------- wrk


def ensure_wrk() -> str:
    """Install Debian's `wrk` when missing (apt-get update only if the first try fails)."""
    if found := shutil.which("wrk"):
        return found
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    install = ["apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, check=False, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True, timeout=600)
        subprocess.run(install, check=True, timeout=600)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk is still missing after apt-get install")
    return found


@dataclass
class WrkRun:
    rps: float
    requests: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    exhausted: int
    cursor: int
    wrk_cpu_pct: float
    peak_rss_mib: list[float] = field(default_factory=list)
    settle_s: float = 0.0
    foreign_cpu_pct: float = 0.0  # share of the server's cores that other processes used

    def errors(self, expected: Callable[[int], bool]) -> int:
        bad = sum(n for code, n in self.statuses.items() if not expected(int(code)))
        return bad + sum(self.socket_errors.values())


def ok_status(code: int) -> bool:
    return 200 <= code < 400


def wrk_command(params: Params, url: str, script: str, connections: int, duration: str) -> list[str]:
    return [
        "taskset",
        "-c",
        params.load_cpus,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}",
        "--latency",
        "--timeout",
        WRK_TIMEOUT,
        "-s",
        str(LUA / script),
        url,
    ]


def parse_wrk(output: str, cpu_seconds: float, wall: float) -> WrkRun:
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    rps = float(rps_match[1]) if rps_match else data["requests"] / (data["duration_us"] / 1e6)
    lat = data["latency_us"]
    return WrkRun(
        rps=round(rps, 1),
        requests=data["requests"],
        p50_ms=lat["p50"] / 1000,
        p90_ms=lat["p90"] / 1000,
        p99_ms=lat["p99"] / 1000,
        max_ms=lat["max"] / 1000,
        statuses=data["statuses"],
        socket_errors=data["socket_errors"],
        exhausted=data["exhausted"],
        cursor=data.get("cursor", 0),
        wrk_cpu_pct=round(100 * cpu_seconds / wall, 1) if wall else 0.0,
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- the bench


@dataclass
class Scenario:
    name: str
    path: str  # what it requests, for the report
    script: str
    lists: dict[str, list[str]]
    connections: int
    probe: Callable[[httpx.Client], httpx.Response]
    rating: bool = False  # walks fresh (user, photo) pairs: each run gets its own slice


@dataclass
class Fixtures:
    users: list[tuple[str, str]]
    tokens: list[str]
    photos: list[dict[str, Any]]
    ratable: list[str]
    slugs: list[str]
    keywords: list[str]
    source_photo: str


class Bench:
    def __init__(self, params: Params) -> None:
        self.params = params
        self.procs = Processes()
        self.sampler = RssSampler()
        self.rng = random.Random(20_240_611)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        self.stamp = stamp
        self.work = WORK / stamp
        self.lists_dir = self.work / "lists"
        self.data_dir = Path(params.data_dir).resolve() if params.data_dir else self.work / "data"
        self.port = free_port()
        self.ceiling_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ceiling_url = f"http://127.0.0.1:{self.ceiling_port}"
        self.serve: subprocess.Popen[bytes] | None = None
        self.ceiling: subprocess.Popen[bytes] | None = None
        self.rating_cursor = 1  # pair 0 is the probe's
        self.rating_slice = 0

    # ------------------------------------------------------------------ set-up

    def seed(self) -> dict[str, Any]:
        if self.params.data_dir:
            print(f"bench: reusing the seeded data dir {self.data_dir} (no seeding)", flush=True)
            return {"reused_data_dir": str(self.data_dir)}
        script = ROOT / "scripts" / "seed.py"
        if not script.exists():
            raise SystemExit("bench: scripts/seed.py is missing; it seeds the database (make seed)")
        summary = self.work / "seed-summary.json"
        cmd = [sys.executable, str(script), "--photos", str(self.params.n), "--summary", str(summary)]
        print(f"bench: seeding {self.params.n} photos into {self.data_dir}", flush=True)
        started = time.monotonic()
        log = (self.work / "seed.log").open("wb")
        proc = self.procs.start(
            cmd, server=True, env=self.server_env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            code = proc.wait(timeout=float(os.environ.get("SEED_TIMEOUT") or 3600))
        finally:
            self.procs.stop(proc)
            log.close()
        if code != 0:
            tail = (self.work / "seed.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"bench: seeding failed (exit {code}):\n{tail}")
        stop_postgres(self.data_dir)  # the seed's own server, if it left one running
        details = json.loads(summary.read_text()) if summary.exists() else {}
        return {"n": self.params.n, "seconds": round(time.monotonic() - started, 1), "summary": details}

    def server_env(self) -> dict[str, str]:
        env = dict(os.environ)
        # The embedded defaults, as `make run` on a fresh clone: no external services.
        for name in ("PHOTOSHARE_DATABASE_URL", "PHOTOSHARE_VALKEY_URL", "CLOUDINARY_URL"):
            env.pop(name, None)
        env |= {
            "PHOTOSHARE_HOST": "127.0.0.1",
            "PHOTOSHARE_PORT": str(self.port),
            "PHOTOSHARE_PUBLIC_BASE_URL": self.url,
            "PHOTOSHARE_WORKERS": str(self.params.workers),
            "PHOTOSHARE_DATA_DIR": str(self.data_dir),
            # The bench outlives the default 15-minute access token.
            "PHOTOSHARE_ACCESS_TTL": "86400",
        }
        for name in RateLimits.actions():
            env[f"PHOTOSHARE_RATE_{name.upper()}"] = "1000000"
        return env

    def start_servers(self) -> None:
        cpus = self.params.server_cpus
        log = (self.work / "serve.log").open("wb")
        self.serve = self.procs.start(
            ["taskset", "-c", cpus, str(BIN / "photoshare"), "serve"],
            server=True,
            env=self.server_env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        clog = (self.work / "ceiling.log").open("wb")
        self.ceiling = self.procs.start(
            [
                "taskset",
                "-c",
                cpus,
                sys.executable,
                str(BENCH / "ceiling.py"),
                "--port",
                str(self.ceiling_port),
                "--workers",
                str(self.params.workers),
            ],
            server=True,
            cwd=ROOT,
            stdout=clog,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready(self.url + "/health", self.serve, "serve.log", 300)
        self.wait_ready(self.ceiling_url + "/", self.ceiling, "ceiling.log", 60)
        self.sampler.watch("service", self.serve.pid)
        self.sampler.watch("ceiling", self.ceiling.pid)
        self.sampler.start()

    def wait_ready(self, url: str, proc: subprocess.Popen[bytes], logname: str, limit: float) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = (self.work / logname).read_text(errors="replace")[-3000:]
                raise SystemExit(f"bench: server exited ({proc.returncode}) before it was ready:\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"bench: {url} not ready after {limit:.0f} s (see {self.work / logname})")

    def pin_postgres(self) -> dict[str, Any]:
        """Say where PostgreSQL runs; with DB_CPUS, move the postmaster and its children
        there (backends forked later inherit the postmaster's affinity)."""
        proc = postmaster(self.data_dir)
        if proc is None:
            return {"cpus": None, "how": "postmaster not found"}
        how = "inherited from `taskset -c SERVER_CPUS photoshare serve` (shares the server's cores)"
        if self.params.db_cpus:
            cpus = sorted(cpu_list(self.params.db_cpus))
            for each in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    each.cpu_affinity(cpus)
            how = "re-pinned to DB_CPUS (postmaster and children)"
        return {"cpus": proc.cpu_affinity(), "how": how}

    def check_ports(self) -> None:
        """granian binds with SO_REUSEPORT: a second server started on our port would
        silently take half of the connections. Refuse to measure if anyone else listens."""
        ours = {self.serve.pid, self.ceiling.pid} if self.serve and self.ceiling else set()
        for label in ("service", "ceiling"):
            ours |= {w.pid for w in self.sampler.workers(label)}
        for port in (self.port, self.ceiling_port):
            strangers = listeners(port) - ours
            if strangers:
                raise SystemExit(f"bench: other processes {sorted(strangers)} also listen on port {port}")

    def foreign_meter(self) -> Callable[[], float]:
        """Start measuring; the returned function gives the share (%) of the server's cores
        used by processes other than ours since then: the machine may be shared."""
        cpus = cpu_list(self.params.server_cpus)
        busy0, ours0, t0 = busy_cpu_seconds(cpus), tree_cpu_seconds(self.pinned_tree(cpus)), time.monotonic()

        def share() -> float:
            foreign = busy_cpu_seconds(cpus) - busy0 - (tree_cpu_seconds(self.pinned_tree(cpus)) - ours0)
            return round(max(0.0, 100 * foreign / ((time.monotonic() - t0) * len(cpus))), 1)

        return share

    def pinned_tree(self, cpus: set[int]) -> list[psutil.Process]:
        """Our server-side processes that can only run on `cpus`."""
        found = []
        for proc in self.server_tree():
            with contextlib.suppress(psutil.Error):
                if set(proc.cpu_affinity()) <= cpus:
                    found.append(proc)
        return found

    def server_tree(self) -> list[psutil.Process]:
        procs = self.sampler.workers("service") + self.sampler.workers("ceiling")
        pg = postmaster(self.data_dir)
        if pg is not None:
            with contextlib.suppress(psutil.Error):
                procs += [pg, *pg.children()]
        return procs

    def prepare(self) -> Fixtures:
        """Users with tokens, photo ids, keywords and short links, all over HTTP."""
        tag = secrets.token_hex(3)
        users = [(f"b{tag}_{i:03d}", PASSWORD) for i in range(self.params.users)]
        with httpx.Client(base_url=self.url, timeout=120) as client, ThreadPoolExecutor(4) as pool:

            def enrol(user: tuple[str, str]) -> str:
                name, password = user
                body = {"username": name, "email": f"{name}@bench.example.com", "password": password}
                client.post("/api/auth/signup", json=body).raise_for_status()
                answer = client.post("/api/auth/login", json={"username": name, "password": password})
                answer.raise_for_status()
                return str(answer.json()["access_token"])

            print(f"bench: signing up and logging in {len(users)} users", flush=True)
            tokens = list(pool.map(enrol, users))
            total = int(client.get("/api/photos", params={"limit": 1}).raise_for_status().json()["total"])
            if total == 0:
                raise SystemExit("bench: the seeded database has no photos")
            pages = max(1, min(math.ceil(self.params.photo_ids / 100), math.ceil(total / 100)))
            step = max(100, total // pages)
            print(f"bench: collecting photo ids ({pages} pages of 100 out of {total})", flush=True)

            def page(offset: int) -> list[dict[str, Any]]:
                answer = client.get("/api/photos", params={"limit": 100, "offset": offset})
                return list(answer.raise_for_status().json()["items"])

            photos = [p for items in pool.map(page, range(0, pages * step, step)) for p in items]
            photos = list({p["id"]: p for p in photos}.values())
            source, slugs = self.make_links(client, tokens[0])
        words: Counter[str] = Counter()
        for photo in photos:
            words.update(t.lower() for t in photo.get("tags") or [])
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", photo.get("description") or ""))
        # Half the commonest words (big result sets), half from the long tail (small ones).
        ranked = [w for w, _ in words.most_common()]
        tail = ranked[30:]
        keywords = sorted(ranked[:30] + self.rng.sample(tail, min(30, len(tail))))
        ratable = [p["id"] for p in photos if p["id"] != source]
        self.rng.shuffle(ratable)
        return Fixtures(users, tokens, photos, ratable, slugs, keywords or ["photo"], source)

    def make_links(self, client: httpx.Client, token: str) -> tuple[str, list[str]]:
        """Upload one generated image and derive short links from it (the uploader owns it)."""
        from PIL import Image

        image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        auth = {"Authorization": f"Bearer {token}"}
        answer = client.post(
            "/api/photos",
            headers=auth,
            files={"file": ("bench.png", buffer.getvalue(), "image/png")},
            data={"description": "bench link source", "tags": "bench"},
        )
        answer.raise_for_status()
        photo_id = answer.json()["id"]
        slugs = []
        crops = ["fill", "fit", "scale", "thumb"]
        for i in range(16):
            body = {"width": 100 + 20 * i, "height": 100 + 10 * i, "crop": crops[i % len(crops)]}
            link = client.post(f"/api/photos/{photo_id}/transformations", headers=auth, json=body)
            link.raise_for_status()
            slugs.append(link.json()["slug"])
        return photo_id, slugs

    def scenarios(self, fx: Fixtures) -> list[Scenario]:
        ids = [p["id"] for p in fx.photos]
        commented = [p["id"] for p in fx.photos if p.get("comment_count")] or ids
        conns = self.params.connections
        auth = {"Authorization": f"Bearer {fx.tokens[0]}"}
        login = {"username": fx.users[0][0], "password": fx.users[0][1]}

        def gets(name: str, shown: str, paths: list[str]) -> Scenario:
            return Scenario(name, shown, "get.lua", {"BENCH_LIST": paths}, conns, lambda c: c.get(paths[0]))

        def comment(c: httpx.Client) -> httpx.Response:
            return c.post(f"/api/photos/{ids[0]}/comments", headers=auth, json={"text": "probe"})

        def rate(c: httpx.Client) -> httpx.Response:  # pair 0 of rating_pairs
            return c.post(f"/api/photos/{fx.ratable[0]}/ratings", headers=auth, json={"value": 4})

        return [
            gets("get photo", "GET /api/photos/{id}", [f"/api/photos/{i}" for i in ids]),
            gets(
                "list page of 20",
                "GET /api/photos?limit=20&offset=0..180",
                [f"/api/photos?limit=20&offset={20 * k}" for k in range(10)],
            ),
            gets("keyword search", "GET /api/photos?q={word}", [f"/api/photos?q={w}" for w in fx.keywords]),
            gets(
                "comments page",
                "GET /api/photos/{id}/comments",
                [f"/api/photos/{i}/comments" for i in commented],
            ),
            gets("short link /t/{slug}", "GET /t/{slug} (302)", [f"/t/{s}" for s in fx.slugs]),
            gets("QR PNG", "GET /api/links/{slug}/qr", [f"/api/links/{s}/qr" for s in fx.slugs]),
            Scenario(
                "post a comment",
                "POST /api/photos/{id}/comments",
                "comment.lua",
                {"BENCH_LIST": ids, "BENCH_TOKENS": fx.tokens},
                conns,
                comment,
            ),
            Scenario(
                "rate a photo",
                "POST /api/photos/{id}/ratings",
                "rate.lua",
                {"BENCH_TOKENS": fx.tokens},
                conns,
                rate,
                rating=True,
            ),
            Scenario(
                "log in",
                "POST /api/auth/login (bcrypt)",
                "login.lua",
                {"BENCH_LIST": [f"{u} {p}" for u, p in fx.users]},
                self.params.login_connections,
                lambda c: c.post("/api/auth/login", json=login),
            ),
        ]

    # ------------------------------------------------------------------ running

    def rating_pairs(self, fx: Fixtures, count: int) -> list[str]:
        """Up to `count` fresh (user, photo) pairs. Pair k is user k % U and a photo that
        moves with both k and the user, so neighbouring requests touch different rows.
        A small data set may run out: rate.lua then wraps and the 409s show as errors."""
        users, photos = len(fx.tokens), len(fx.ratable)
        count = min(count, users * photos - self.rating_cursor)
        if count < 1:
            raise SystemExit("bench: out of fresh (user, photo) pairs; raise BENCH_USERS or PHOTO_IDS")
        lines = []
        for k in range(self.rating_cursor, self.rating_cursor + count):
            user, j = k % users, k // users
            lines.append(f"{user} {fx.ratable[(j + user * (photos // users)) % photos]}")
        return lines

    def write_lists(self, name: str, lists: dict[str, list[str]]) -> dict[str, str]:
        env = {}
        for var, lines in lists.items():
            path = self.lists_dir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{var.lower()}.txt"
            path.write_text("\n".join(lines) + "\n")
            env[var] = str(path)
        return env

    def lua_env(self, lists: dict[str, str]) -> dict[str, str]:
        return dict(os.environ) | {"BENCH_LUA_DIR": str(LUA)} | lists

    def rating_lists(self, sc: Scenario, fx: Fixtures, duration: str, ceiling_rps: float) -> dict[str, str]:
        # No write outruns the bare app: its rps bounds how many pairs one run can use.
        count = int(max(ceiling_rps, 1000) * 1.5 * seconds(duration)) + 10 * sc.connections
        pairs = self.rating_pairs(fx, count)
        self.rating_slice = len(pairs)
        return self.write_lists(sc.name, sc.lists | {"BENCH_LIST": pairs})

    def wrk(self, url: str, script: str, env: dict[str, str], connections: int, duration: str) -> WrkRun:
        cmd = wrk_command(self.params, url, script, connections, duration)
        cpu0, t0 = children_cpu(), time.monotonic()
        proc = self.procs.start(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = proc.communicate(timeout=seconds(duration) + 60)
        finally:
            self.procs.stop(proc)
        wall = time.monotonic() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out.decode(errors='replace')}")
        return parse_wrk(out.decode(errors="replace"), children_cpu() - cpu0, wall)

    def measure(
        self, label: str, url: str, script: str, env: dict[str, str], conns: int, duration: str
    ) -> WrkRun:
        waited = settle(self.server_tree, {self.port, self.ceiling_port})
        self.check_ports()
        self.sampler.take(label)
        foreign = self.foreign_meter()
        run = self.wrk(url, script, env, conns, duration)
        run.foreign_cpu_pct = foreign()
        run.peak_rss_mib = [round(v / MiB, 1) for v in self.sampler.take(label).values()]
        run.settle_s = waited
        self.rating_cursor += min(run.cursor, self.rating_slice)  # only rate.lua moves it
        return run

    def storm(self, get_env: dict[str, str], login_env: dict[str, str]) -> tuple[WrkRun, WrkRun]:
        """Log-ins at full CONNECTIONS for the whole window, get-photo measured inside it."""
        p = self.params
        settle(self.server_tree, {self.port, self.ceiling_port})
        self.check_ports()
        self.sampler.take("service")
        login_duration = f"{p.duration_s + 4:g}s"
        results: dict[str, WrkRun] = {}

        def logins() -> None:
            results["login"] = self.wrk(self.url, "login.lua", login_env, p.connections, login_duration)

        thread = threading.Thread(target=logins, name="login-storm")
        thread.start()
        try:
            time.sleep(2)  # let the storm fill the bcrypt pool first
            foreign = self.foreign_meter()
            reads = self.wrk(self.url, "get.lua", get_env, p.connections, p.duration)
            reads.foreign_cpu_pct = foreign()
        finally:
            thread.join(timeout=p.duration_s + 120)
        reads.peak_rss_mib = [round(v / MiB, 1) for v in self.sampler.take("service").values()]
        results["login"].peak_rss_mib = reads.peak_rss_mib  # one server, one window
        return reads, results["login"]


# --------------------------------------------------------------------------- reporting


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else float("nan")


def summarise(runs: list[WrkRun], ceiling_rps: float, expected: Callable[[int], bool]) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    sockets: Counter[str] = Counter()
    for run in runs:
        statuses.update(run.statuses)
        sockets.update(run.socket_errors)
    rps = median([r.rps for r in runs])
    return {
        "rps": rps,
        "ratio_to_ceiling": round(rps / ceiling_rps, 4) if ceiling_rps else None,
        "p50_ms": median([r.p50_ms for r in runs]),
        "p99_ms": median([r.p99_ms for r in runs]),
        "errors": sum(r.errors(expected) for r in runs),
        "statuses": dict(statuses),
        "socket_errors": {k: v for k, v in sockets.items() if v},
        "peak_rss_mib_per_worker": max((max(r.peak_rss_mib, default=0) for r in runs), default=0),
        "foreign_cpu_pct": median([r.foreign_cpu_pct for r in runs]),
        "runs": [r.__dict__ for r in runs],
    }


def table(rows: list[tuple[str, dict[str, Any]]], skipped: dict[str, str]) -> str:
    head = ("scenario", "rps", "% of ceiling", "p50 ms", "p99 ms", "errors", "peak RSS MiB/worker")
    lines = [head]
    for name, row in rows:
        ratio = row.get("ratio_to_ceiling")
        lines.append(
            (
                name,
                f"{row['rps']:.0f}" if row["rps"] >= 100 else f"{row['rps']:.1f}",
                f"{100 * ratio:.1f}%" if ratio is not None else "-",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                str(row["errors"]),
                f"{row['peak_rss_mib_per_worker']:.0f}",
            )
        )
    for name, why in skipped.items():
        lines.append((name, "skipped", "-", "-", "-", why, "-"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def machine() -> dict[str, Any]:
    def run(cmd: list[str]) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(
                cmd, capture_output=True, text=True, timeout=10, check=False, cwd=ROOT
            ).stdout.strip()
        return ""

    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": int(run(["nproc"]) or 0),
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_mib": round(psutil.virtual_memory().total / MiB),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": run(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else None,
        "git_commit": run(["git", "rev-parse", "HEAD"]),
        "git_changed_paths": len(run(["git", "status", "--porcelain"]).splitlines()),
    }


# --------------------------------------------------------------------------- main


def set_up(bench: Bench, report: dict[str, Any]) -> tuple[Fixtures, list[Scenario], dict[str, str]]:
    """Seed, start both servers, prepare fixtures, and probe each scenario once."""
    p = bench.params
    bench.work.mkdir(parents=True)
    bench.lists_dir.mkdir()
    report["seed"] = bench.seed()
    os.sched_setaffinity(0, cpu_list(p.load_cpus))  # the bench's own threads stay off the server's cores
    bench.start_servers()
    report["pinning"] = {
        "server_cpus": p.server_cpus,
        "load_cpus": p.load_cpus,
        "postgres": bench.pin_postgres(),
        "bench_process": p.load_cpus,
    }
    fx = bench.prepare()
    report["fixtures"] = {
        "users": len(fx.users),
        "photo_ids": len(fx.photos),
        "short_links": len(fx.slugs),
        "keywords": fx.keywords,
        "bcrypt_rounds": int(os.environ.get("PHOTOSHARE_BCRYPT_ROUNDS") or 12),
    }
    scenarios = bench.scenarios(fx)
    skipped: dict[str, str] = {}
    with httpx.Client(base_url=bench.url, timeout=60) as client:
        for sc in scenarios:
            answer = sc.probe(client)
            if not ok_status(answer.status_code):
                skipped[sc.name] = f"probe {answer.status_code}"
                print(f"bench: {sc.name}: probe got {answer.status_code}: {answer.text[:300]}", flush=True)
    report["probe_failures"] = skipped
    return fx, [sc for sc in scenarios if sc.name not in skipped], skipped


@dataclass
class Rounds:
    ceiling: list[WrkRun] = field(default_factory=list)
    scenarios: dict[str, list[WrkRun]] = field(default_factory=dict)
    storm_reads: list[WrkRun] = field(default_factory=list)
    storm_logins: list[WrkRun] = field(default_factory=list)


def measure_rounds(bench: Bench, fx: Fixtures, live: list[Scenario]) -> Rounds:
    """Round 0 warms up (WARMUP long, not reported); rounds 1..RUNS each measure the
    ceiling, every scenario and the login storm, so slow drift hits all of them alike."""
    p = bench.params
    envs = {sc.name: bench.lua_env(bench.write_lists(sc.name, sc.lists)) for sc in live if not sc.rating}
    rounds = Rounds(scenarios={sc.name: [] for sc in live})
    for round_no in range(p.runs + 1):
        duration = p.warmup if round_no == 0 else p.duration
        tag = "warm-up" if round_no == 0 else f"round {round_no}/{p.runs}"
        run = bench.measure(
            "ceiling", bench.ceiling_url + "/", "ceiling.lua", bench.lua_env({}), p.connections, duration
        )
        print(f"bench: {tag}: ceiling {run.rps:.0f} rps, wrk cpu {run.wrk_cpu_pct:.0f}%", flush=True)
        if round_no:
            rounds.ceiling.append(run)
        ceiling_now = median([r.rps for r in rounds.ceiling]) if rounds.ceiling else run.rps
        for sc in live:
            env = (
                bench.lua_env(bench.rating_lists(sc, fx, duration, ceiling_now))
                if sc.rating
                else envs[sc.name]
            )
            run = bench.measure("service", bench.url, sc.script, env, sc.connections, duration)
            print(
                f"bench: {tag}: {sc.name}: {run.rps:.1f} rps, p99 {run.p99_ms:.1f} ms, "
                f"errors {run.errors(ok_status)}, wrk cpu {run.wrk_cpu_pct:.0f}%, "
                f"others on the server cores {run.foreign_cpu_pct:.0f}%",
                flush=True,
            )
            if round_no:
                rounds.scenarios[sc.name].append(run)
        if round_no and "get photo" in envs and "log in" in envs:
            reads, logins = bench.storm(envs["get photo"], envs["log in"])
            print(
                f"bench: {tag}: login storm: get photo p99 {reads.p99_ms:.1f} ms, {logins.rps:.1f} logins/s"
            )
            rounds.storm_reads.append(reads)
            rounds.storm_logins.append(logins)
    return rounds


def compose(
    report: dict[str, Any], rounds: Rounds, live: list[Scenario], skipped: dict[str, str], conns: int
) -> None:
    """Medians per scenario, ratios to the ceiling's median, the storm, and the table."""
    ceiling = summarise(rounds.ceiling, 0, ok_status) | {"ratio_to_ceiling": 1.0}
    report["ceiling"] = ceiling | {"request": 'GET / -> {"status":"ok"} (bench/ceiling.py)'}
    report["scenarios"] = {
        sc.name: summarise(rounds.scenarios[sc.name], ceiling["rps"], ok_status)
        | {"request": sc.path, "connections": sc.connections}
        for sc in live
    }
    rows = [("ceiling (bare Litestar)", ceiling)] + [(sc.name, report["scenarios"][sc.name]) for sc in live]
    if rounds.storm_reads:
        alone = report["scenarios"]["get photo"]
        under = summarise(rounds.storm_reads, ceiling["rps"], ok_status)
        logins = summarise(rounds.storm_logins, ceiling["rps"], ok_status)
        report["login_storm"] = {
            "login_connections": conns,
            "get_photo_alone": {k: alone[k] for k in ("rps", "p50_ms", "p99_ms", "errors")},
            "get_photo_under_storm": under,
            "logins_during_storm": logins,
            "p99_storm_over_alone": round(under["p99_ms"] / alone["p99_ms"], 2) if alone["p99_ms"] else None,
        }
        rows += [("get photo during login storm", under), ("  log in (the storm)", logins)]
    every = rounds.ceiling + [r for runs in rounds.scenarios.values() for r in runs] + rounds.storm_reads
    report["foreign_cpu_pct_median"] = median([r.foreign_cpu_pct for r in every])
    report["table"] = table(rows, skipped)


def run_bench(bench: Bench) -> dict[str, Any]:
    report: dict[str, Any] = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    report["machine"] = machine() | {"loadavg_at_start": os.getloadavg()}
    report["params"] = bench.params.__dict__ | {"wrk_threads": 1, "wrk_timeout": WRK_TIMEOUT}
    fx, live, skipped = set_up(bench, report)
    rounds = measure_rounds(bench, fx, live)
    compose(report, rounds, live, skipped, bench.params.connections)
    report["machine"]["loadavg_at_end"] = os.getloadavg()
    report["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return report


def main() -> int:
    params = Params.from_env()
    ensure_wrk()
    bench = Bench(params)

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    # A shell's background job inherits SIGINT ignored: Ctrl-C must always reach us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    report: dict[str, Any] = {}
    try:
        report = run_bench(bench)
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    finally:
        bench.sampler.stop()
        bench.procs.stop_all()
        stop_postgres(bench.data_dir)
        if os.environ.get("BENCH_KEEP") != "1":  # keep the logs, drop the bulk
            shutil.rmtree(bench.work / "lists", ignore_errors=True)
            if not params.data_dir:
                shutil.rmtree(bench.work / "data", ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{bench.stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    print(report["table"])
    storm = report.get("login_storm")
    if storm:
        print(
            f"\nget photo p99 alone {storm['get_photo_alone']['p99_ms']:.2f} ms, "
            f"under a {storm['login_connections']}-connection login storm "
            f"{storm['get_photo_under_storm']['p99_ms']:.2f} ms "
            f"({storm['logins_during_storm']['rps']:.1f} logins/s)"
        )
    print(
        f"other processes used a median {report['foreign_cpu_pct_median']:.0f}% of the server cores "
        "during the runs (nonzero means a shared machine: compare ratios, not absolutes)"
    )
    pg = report["pinning"]["postgres"]
    print(f"PostgreSQL on cpus {pg['cpus']}: {pg['how']}")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
