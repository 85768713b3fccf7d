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
- Everything started is registered and stopped in `finally`, even on Ctrl-C or SIGTERM
  (see supervise.py).

The pieces: supervise.py (processes, seeding), wrk.py (wrk and its summary), rss.py and
cpu.py (what the servers use), fixtures.py and scenarios.py (what is measured),
report.py (the table and the JSON). This file runs the rounds.

Parameters come from the environment (the Makefile passes them): WORKERS, SERVER_CPUS,
LOAD_CPUS, CONNECTIONS, DURATION, N, RUNS; optional WARMUP, LOGIN_CONNECTIONS, DB_CPUS,
BENCH_USERS, PHOTO_IDS, BENCH_DATA_DIR (reuse a seeded data dir: no seeding), SCENARIOS
(a comma-separated list of scenario names to run, e.g. `SCENARIOS="get photo"`).
CONNECTIONS may list several counts (`64,256`): the first is the main table's; every
further count re-runs each scenario in the same round and gets a table of its own, with
its throughput as a share of the first count's (does the service hold or collapse?).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from cpu import cpu_list, foreign_meter, listeners, settle, tree_cpu_seconds
from fixtures import prepare, rating_pairs
from photoshare.config import RateLimits
from report import RESULTS, machine, median, shown, summarise, table, write_json
from rss import RssSampler
from scenarios import STORM_LOGINS, STORM_READS, Fixtures, Scenario, scenarios
from supervise import (
    ROOT,
    Processes,
    free_port,
    postmaster,
    seed,
    serve_command,
    service_env,
    stop_postgres,
    wait_ready,
)
from wrk import WRK_THREADS, WRK_TIMEOUT, WrkRun, ensure_wrk, lua_env, ok_status, run_wrk, seconds

BENCH = ROOT / "bench"
WORK = BENCH / "work"


@dataclass(frozen=True)
class Params:
    workers: int
    server_cpus: str
    load_cpus: str
    connections: int
    more_connections: tuple[int, ...]
    duration: str
    n: int
    runs: int
    warmup: str
    login_connections: int
    db_cpus: str | None
    users: int
    photo_ids: int
    data_dir: str | None
    only: tuple[str, ...]

    @classmethod
    def from_env(cls) -> Params:
        env = os.environ
        workers = int(env.get("WORKERS") or 1)
        counts = [int(c) for c in (env.get("CONNECTIONS") or "64").split(",") if c.strip()]
        return cls(
            workers=workers,
            server_cpus=env.get("SERVER_CPUS") or "0",
            load_cpus=env.get("LOAD_CPUS") or "1",
            connections=counts[0],
            more_connections=tuple(counts[1:]),
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
            only=tuple(n.strip() for n in (env.get("SCENARIOS") or "").split(",") if n.strip()),
        )

    @property
    def duration_s(self) -> float:
        return seconds(self.duration)


class Bench:
    """One `make bench` run: its two servers, their pinning, and the measurements."""

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
        print(f"bench: seeding {self.params.n} photos into {self.data_dir}", flush=True)
        started = time.monotonic()
        timeout = float(os.environ.get("SEED_TIMEOUT") or 3600)
        details = seed(self.procs, self.work, self.params.n, self.server_env(), timeout)
        stop_postgres(self.data_dir)  # the seed's own server, if it left one running
        return {"n": self.params.n, "seconds": round(time.monotonic() - started, 1), "summary": details}

    def server_env(self) -> dict[str, str]:
        env = service_env(
            port=self.port,
            data_dir=self.data_dir,
            workers=self.params.workers,
            PHOTOSHARE_PUBLIC_BASE_URL=self.url,
            # The bench outlives the default 15-minute access token.
            PHOTOSHARE_ACCESS_TTL="86400",
        )
        for name in RateLimits.actions():
            env[f"PHOTOSHARE_RATE_{name.upper()}"] = "1000000"
        return env

    def start_servers(self) -> None:
        cpus = self.params.server_cpus
        serve_log, ceiling_log = self.work / "serve.log", self.work / "ceiling.log"
        with serve_log.open("wb") as log:
            self.serve = self.procs.start(
                serve_command(cpus),
                server=True,
                env=self.server_env(),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ceiling = [sys.executable, str(BENCH / "ceiling.py"), "--port", str(self.ceiling_port)]
        with ceiling_log.open("wb") as log:
            self.ceiling = self.procs.start(
                ["taskset", "-c", cpus, *ceiling, "--workers", str(self.params.workers)],
                server=True,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_ready(self.url + "/health", self.serve, serve_log, 300)
        wait_ready(self.ceiling_url + "/", self.ceiling, ceiling_log, 60)
        self.sampler.watch("service", self.serve.pid)
        self.sampler.watch("ceiling", self.ceiling.pid)
        self.sampler.start()

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
        """The share (%) of the server's cores used by others from now on (see cpu.py)."""
        cpus = cpu_list(self.params.server_cpus)
        return foreign_meter(cpus, lambda: self.pinned_tree(cpus))

    def pinned_tree(self, cpus: set[int]) -> list[psutil.Process]:
        """Our server-side processes that can only run on `cpus`."""
        found = []
        for proc in self.server_tree():
            with contextlib.suppress(psutil.Error):
                if set(proc.cpu_affinity()) <= cpus:
                    found.append(proc)
        return found

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds used so far by the service's processes (not the ceiling's) and by
        PostgreSQL (the postmaster and its backends)."""
        app = [*self.sampler.workers("service")]
        if self.serve is not None:
            with contextlib.suppress(psutil.Error):
                app.append(psutil.Process(self.serve.pid))
        pg = postmaster(self.data_dir)
        db, ended = [], 0.0
        if pg is not None:
            with contextlib.suppress(psutil.Error):
                db = [pg, *pg.children()]
                # Backends that exited meanwhile: the postmaster reaped them, their time is its children's.
                times = pg.cpu_times()
                ended = times.children_user + times.children_system
        return tree_cpu_seconds(app), tree_cpu_seconds(db) + ended

    def server_tree(self) -> list[psutil.Process]:
        procs = self.sampler.workers("service") + self.sampler.workers("ceiling")
        pg = postmaster(self.data_dir)
        if pg is not None:
            with contextlib.suppress(psutil.Error):
                procs += [pg, *pg.children()]
        return procs

    def prepare(self) -> Fixtures:
        return prepare(self.url, self.params.users, self.params.photo_ids, self.rng)

    # ------------------------------------------------------------------ running

    def write_lists(self, name: str, lists: dict[str, list[str]]) -> dict[str, str]:
        env = {}
        for var, lines in lists.items():
            path = self.lists_dir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{var.lower()}.txt"
            path.write_text("\n".join(lines) + "\n")
            env[var] = str(path)
        return env

    def lua_env(self, lists: dict[str, str]) -> dict[str, str]:
        return lua_env(dict(os.environ), lists)

    def rating_lists(self, sc: Scenario, fx: Fixtures, duration: str, ceiling_rps: float) -> dict[str, str]:
        # No write outruns the bare app: its rps bounds how many pairs one run can use.
        count = int(max(ceiling_rps, 1000) * 1.5 * seconds(duration)) + 10 * sc.connections
        pairs = rating_pairs(fx, self.rating_cursor, count)
        self.rating_slice = len(pairs)
        return self.write_lists(sc.name, sc.lists | {"BENCH_LIST": pairs})

    def wrk(self, url: str, script: str, env: dict[str, str], connections: int, duration: str) -> WrkRun:
        return run_wrk(self.procs, self.params.load_cpus, url, script, env, connections, duration)

    def measure(
        self, label: str, url: str, script: str, env: dict[str, str], conns: int, duration: str
    ) -> WrkRun:
        waited = settle(self.server_tree, {self.port, self.ceiling_port})
        self.check_ports()
        self.sampler.take(label)
        foreign = self.foreign_meter()
        app0, db0 = self.cpu_seconds()
        run = self.wrk(url, script, env, conns, duration)
        run.foreign_cpu_pct = foreign()
        app1, db1 = self.cpu_seconds()
        requests = max(run.requests, 1) if label == "service" else float("inf")  # the ceiling: not billed
        run.app_cpu_ms = round(1000 * (app1 - app0) / requests, 3)
        run.db_cpu_ms = round(1000 * (db1 - db0) / requests, 3)
        run.peak_rss_mib = self.sampler.take_mib(label)
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
        reads.peak_rss_mib = self.sampler.take_mib("service")
        results["login"].peak_rss_mib = reads.peak_rss_mib  # one server, one window
        return reads, results["login"]


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
    every = scenarios(fx, p.connections, p.login_connections)
    if p.only:
        unknown = set(p.only) - {sc.name for sc in every}
        if unknown:
            raise SystemExit(f"bench: no scenario named {sorted(unknown)}; see bench/scenarios.py")
        every = [sc for sc in every if sc.name in p.only]
    skipped: dict[str, str] = {}
    with httpx.Client(base_url=bench.url, timeout=60) as client:
        for sc in every:
            answer = sc.probe(client)
            if not ok_status(answer.status_code):
                skipped[sc.name] = f"probe {answer.status_code}"
                print(f"bench: {sc.name}: probe got {answer.status_code}: {answer.text[:300]}", flush=True)
    report["probe_failures"] = skipped
    return fx, [sc for sc in every if sc.name not in skipped], skipped


@dataclass
class Rounds:
    ceiling: list[WrkRun] = field(default_factory=list)
    scenarios: dict[str, list[WrkRun]] = field(default_factory=dict)
    storm_reads: list[WrkRun] = field(default_factory=list)
    storm_logins: list[WrkRun] = field(default_factory=list)
    # connection count -> scenario -> runs, for every CONNECTIONS count after the first
    more: dict[int, dict[str, list[WrkRun]]] = field(default_factory=dict)


def measure_rounds(bench: Bench, fx: Fixtures, live: list[Scenario]) -> Rounds:
    """Round 0 warms up (WARMUP long, not reported); rounds 1..RUNS each measure the
    ceiling, every scenario and the login storm, so slow drift hits all of them alike."""
    p = bench.params
    envs = {sc.name: bench.lua_env(bench.write_lists(sc.name, sc.lists)) for sc in live if not sc.rating}
    rounds = Rounds(scenarios={sc.name: [] for sc in live})
    # Log-ins have their own connection count (a bounded bcrypt pool): not re-run at more.
    scaled = [sc for sc in live if sc.name != STORM_LOGINS]
    rounds.more = {n: {sc.name: [] for sc in scaled} for n in p.more_connections}
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
                f"others on the server cores {run.foreign_cpu_pct:.0f}%, "
                f"cpu ms/request app {run.app_cpu_ms:.2f} db {run.db_cpu_ms:.2f}",
                flush=True,
            )
            if round_no:
                rounds.scenarios[sc.name].append(run)
        for conns in p.more_connections if round_no else ():
            for sc in scaled:
                env = (
                    bench.lua_env(bench.rating_lists(sc, fx, duration, ceiling_now))
                    if sc.rating
                    else envs[sc.name]
                )
                run = bench.measure("service", bench.url, sc.script, env, conns, duration)
                print(
                    f"bench: {tag}: {sc.name} at {conns} connections: {run.rps:.1f} rps, "
                    f"p99 {run.p99_ms:.1f} ms, errors {run.errors(ok_status)}, "
                    f"cpu ms/request app {run.app_cpu_ms:.2f} db {run.db_cpu_ms:.2f}",
                    flush=True,
                )
                rounds.more[conns][sc.name].append(run)
        if round_no and STORM_READS in envs and STORM_LOGINS in envs:
            reads, logins = bench.storm(envs[STORM_READS], envs[STORM_LOGINS])
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
        alone = report["scenarios"][STORM_READS]
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
    report["more_connections"] = {}
    tables = []
    for count, runs in rounds.more.items():
        summaries = {}
        for name, each in runs.items():
            base = report["scenarios"][name]["rps"]
            row = summarise(each, ceiling["rps"], ok_status) | {"connections": count}
            row["share_of_first"] = round(row["rps"] / base, 4) if base else None
            summaries[name] = row
        report["more_connections"][str(count)] = summaries
        tables.append(f"at {count} connections:\n" + table(list(summaries.items()), {}, share_of=conns))
    report["more_tables"] = tables


def run_bench(bench: Bench) -> dict[str, Any]:
    report: dict[str, Any] = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    report["machine"] = machine() | {"loadavg_at_start": os.getloadavg()}
    report["params"] = bench.params.__dict__ | {"wrk_threads": WRK_THREADS, "wrk_timeout": WRK_TIMEOUT}
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
    out = write_json(RESULTS / f"bench-{bench.stamp}.json", report)
    print()
    print(report["table"])
    for more in report.get("more_tables", []):
        print()
        print(more)
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
    print(f"wrote {shown(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
