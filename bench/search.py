"""`make bench-search`: latency of representative searches at 10k, 100k and 1M photos.

For each size, a fresh embedded PostgreSQL under bench/work/, seeded by `scripts/seed.py`
and ANALYZEd, and the real service on it (`photoshare serve`, one worker). All sizes are
then measured side by side: each query is sent sequentially, over keep-alive, to every
size in turn, in rounds of BATCH requests, until each size has REQUESTS samples (or
SECONDS per size have passed). The machine may be shared, and interleaving makes other
jobs' load weigh on all sizes alike, so the ratio between sizes means something; the
run also waits (boundedly) for a quiet moment first and records the load average. Every
number is one request end to end: parsing, SQL, encoding.

The table and bench/results/search-<date>.json hold p50/p95 per query and size, with
nproc, the git commit and the seed throughput; at the largest size every query is
run once more through the very statements the service sends, under EXPLAIN (ANALYZE,
BUFFERS), into bench/results/search-explain.txt (every query, the slowest first).

Everything started is stopped in `finally` (services by process group, then the
databases), SIGTERM included; every wait has a timeout and the run has a deadline.

Parameters (environment or flags): SIZES=10000,100000,1000000 REQUESTS=200 SECONDS=60
DEADLINE_MINUTES=120, QUIET_LOAD=1.5 and QUIET_WAIT=600 (wait up to that many seconds for
the load average to drop below that before measuring).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psycopg
from psycopg_pool import AsyncConnectionPool

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql.queries import SqlPhotoQueries
from photoshare.adapters.sql.reader import PgReader
from photoshare.application.readmodels import PhotoSearch, PhotoSort
from photoshare.config import RateLimits, libpq_url
from photoshare.entrypoints.http.controllers.photos import parse_moment
from report import RESULTS, git_commit, percentile, shown, write_json
from scenarios import searches
from supervise import ROOT, Processes, free_port, seed, serve_command, service_env, wait_ready

WORK = ROOT / "bench" / "work" / "search"
TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
BATCH = 20


@dataclass
class Settings:
    sizes: list[int]
    requests: int
    seconds: float
    deadline: float
    keep: bool
    quiet_load: float
    quiet_wait: float


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def wait_for_quiet(settings: Settings) -> float:
    """On a shared machine other jobs' CPU use shows up as latency: wait (boundedly) for
    the 1-minute load average to drop below QUIET_LOAD before measuring; the load seen
    is recorded either way."""
    started = time.monotonic()
    limit = min(settings.quiet_wait, remaining(settings) / 2)
    while os.getloadavg()[0] > settings.quiet_load and time.monotonic() - started < limit:
        time.sleep(5)
    waited = time.monotonic() - started
    if waited >= 5:
        print(f"   waited {waited:.0f} s for the load average to drop (now {load()[0]})", flush=True)
    return round(waited, 1)


def remaining(settings: Settings) -> float:
    left = settings.deadline - time.monotonic()
    if left <= 0:
        raise SystemExit("bench-search: deadline reached; stopping")
    return left


@contextlib.contextmanager
def service(procs: Processes, work: Path, database_url: str, settings: Settings) -> Iterator[str]:
    """`photoshare serve` on a free port, stopped on the way out."""
    port = free_port()
    env = service_env(data_dir=work, database_url=database_url, port=port, workers=1)
    # Searches are rate-limited per address since the second release; the bench is one address.
    for name in RateLimits.actions():
        env[f"PHOTOSHARE_RATE_{name.upper()}"] = "1000000"
    with (work / "serve.log").open("wb") as log:
        proc = procs.start(serve_command(), server=True, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/health", proc, work / "serve.log", min(60, remaining(settings)))
        yield url
    finally:
        procs.stop(proc)


def seed_size(
    procs: Processes, work: Path, database_url: str, size: int, settings: Settings
) -> dict[str, Any]:
    env = service_env(data_dir=work, database_url=database_url)
    print(f"\n== {size:,} photos: seeding", flush=True)
    result = seed(procs, work, size, env, timeout=remaining(settings))
    print(f"   seeded in {result['seconds']} s ({result['photos_per_second']:,} photos/s)", flush=True)
    return result


def summary(samples: list[float], body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "max_ms": round(max(samples), 2),
        "requests": len(samples),
        "total": body.get("total"),
        "items": len(body.get("items", [])),
        "params": params,
    }


def measure(
    clients: dict[int, httpx.Client], params: dict[int, dict[str, str]], settings: Settings
) -> dict[int, dict[str, Any]]:
    """One query at every size, in rounds of BATCH requests per size, so that whatever
    else the machine is doing weighs on all sizes alike and their ratio means something."""
    samples: dict[int, list[float]] = {size: [] for size in clients}
    bodies: dict[int, dict[str, Any]] = {}
    for size, client in clients.items():
        for _ in range(5):  # warm-up: caches, the worker's first plans
            client.get("/api/photos", params=params[size]).raise_for_status()
    stop = time.monotonic() + min(settings.seconds * len(clients), remaining(settings))
    while time.monotonic() < stop and any(len(s) < settings.requests for s in samples.values()):
        for size, client in clients.items():
            for _ in range(min(BATCH, settings.requests - len(samples[size]))):
                started = time.perf_counter()
                response = client.get("/api/photos", params=params[size])
                samples[size].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                bodies[size] = response.json()
    return {size: summary(samples[size], bodies[size], params[size]) for size in clients}


class Recording(psycopg.AsyncCursor[Any]):
    """Keeps every statement the adapter sends, to EXPLAIN exactly those."""

    log: ClassVar[list[tuple[str, Any]]] = []

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        Recording.log.append((str(query), params))
        return await super().execute(query, params, **kwargs)


def as_search(params: dict[str, str]) -> PhotoSearch:
    """The PhotoSearch the controller builds from these query parameters."""
    sort = params.get("sort", "-created_at")
    return PhotoSearch(
        limit=int(params.get("limit", 20)),
        offset=int(params.get("offset", 0)),
        q=params.get("q"),
        tag=params.get("tag"),
        min_rating=float(params["min_rating"]) if "min_rating" in params else None,
        max_rating=float(params["max_rating"]) if "max_rating" in params else None,
        created_from=parse_moment("created_from", params.get("created_from"), end_of_day=False),
        created_to=parse_moment("created_to", params.get("created_to"), end_of_day=True),
        sort=PhotoSort(field=sort.lstrip("-"), descending=sort.startswith("-")),
    )


async def explain(database_url: str, name: str, params: dict[str, str]) -> str:
    pool = AsyncConnectionPool(
        libpq_url(database_url),
        min_size=1,
        max_size=1,
        open=False,
        kwargs={"autocommit": True, "cursor_factory": Recording},
    )
    await pool.open()
    try:
        Recording.log.clear()
        await SqlPhotoQueries(PgReader(pool), url_for=lambda key, visibility: key).search(as_search(params))
        statements = list(Recording.log)
    finally:
        await pool.close()
    out = [f"-- {name}: GET /api/photos?{httpx.QueryParams(params)}", f"-- {len(statements)} statements", ""]
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True) as conn:
        for i, (sql, values) in enumerate(statements, 1):
            out.append(f"-- statement {i}\n{sql}\n-- parameters: {values}\n")
            rows = await (await conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", values)).fetchall()
            out.extend(r[0] for r in rows)
            out.append("")
    return "\n".join(out)


def prepare(
    procs: Processes, size: int, settings: Settings, report: dict[str, Any], stack: contextlib.ExitStack
) -> str:
    """A fresh, seeded and analysed database for `size` photos; its URL. Stopped (and
    its files removed unless --keep) when the stack unwinds."""
    work = WORK / str(size)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if not settings.keep:
        stack.callback(shutil.rmtree, work, ignore_errors=True)
    server = EmbeddedPostgres(work / "pgdata", database="photoshare")
    stack.callback(server.stop)
    database_url = server.url()
    report["seed"][str(size)] = seed_size(procs, work, database_url, size, settings)
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return database_url


def run(settings: Settings, report: dict[str, Any], explain_to: Path) -> None:
    procs = Processes()
    with contextlib.ExitStack() as stack:
        stack.callback(procs.stop_all)
        databases = {size: prepare(procs, size, settings, report, stack) for size in settings.sizes}
        urls = {
            size: stack.enter_context(service(procs, WORK / str(size), databases[size], settings))
            for size in databases
        }
        clients = {
            size: stack.enter_context(httpx.Client(base_url=url, timeout=60)) for size, url in urls.items()
        }
        totals = {
            size: int(c.get("/api/photos", params={"limit": 1}).json()["total"])
            for size, c in clients.items()
        }
        waited = wait_for_quiet(settings)
        before = load()
        today = dt.datetime.now(dt.UTC).date()
        per_size = {size: searches(today, total) for size, total in totals.items()}
        print(
            f"\n== measuring: {', '.join(f'{s:,}' for s in settings.sizes)} photos, interleaved", flush=True
        )
        for name in per_size[settings.sizes[0]]:
            results = measure(clients, {size: q[name] for size, q in per_size.items()}, settings)
            for size, result in results.items():
                report["queries"].setdefault(name, {})[str(size)] = result
            cells = "  ".join(f"{r['p50_ms']:>7.1f}/{r['p95_ms']:<7.1f}" for r in results.values())
            print(f"   {name:<22} p50/p95 ms: {cells}", flush=True)
        report["load_average"] = {"before": before, "after": load(), "waited_s": waited}
        largest = str(max(settings.sizes))
        by_p95 = sorted(report["queries"], key=lambda q: -report["queries"][q][largest]["p95_ms"])
        plans = [
            asyncio.run(explain(databases[int(largest)], name, report["queries"][name][largest]["params"]))
            for name in by_p95
        ]
        header = f"-- EXPLAIN (ANALYZE, BUFFERS) of every query at {int(largest):,} photos, slowest (by p95) first\n"
        explain_to.write_text(header + "\n".join(plans))
        report["slowest"] = {"size": int(largest), "query": by_p95[0]}


def table(report: dict[str, Any], sizes: list[int]) -> str:
    small, large = str(min(sizes)), str(max(sizes))
    head = f"{'query':<22}" + "".join(f" | {f'{s:,}':>19}" for s in sizes) + f" | {'p95 ratio':>9} | target"
    sub = (
        f"{'':<22}"
        + "".join(f" | {'p50':>8}  {'p95':>8}" for _ in sizes)
        + f" | {large}/{small}".ljust(12)
        + " |"
    )
    lines = [head, sub, "-" * len(head)]
    for name, by_size in report["queries"].items():
        cells = "".join(
            f" | {by_size[str(s)]['p50_ms']:>8.1f}  {by_size[str(s)]['p95_ms']:>8.1f}"
            if str(s) in by_size
            else " |" + " " * 19
            for s in sizes
        )
        ratio = (
            by_size[large]["p95_ms"] / by_size[small]["p95_ms"]
            if large in by_size and small in by_size
            else None
        )
        met = (
            by_size[large]["p95_ms"] < TARGET_P95_MS and ratio is not None and ratio <= TARGET_RATIO
            if large in by_size
            else None
        )
        lines.append(
            f"{name:<22}{cells} | {f'{ratio:.1f}x' if ratio else '-':>9} | {'met' if met else 'missed' if met is False else '-'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "10000,100000,1000000"))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("REQUESTS", "200")))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SECONDS", "60")))
    parser.add_argument(
        "--deadline-minutes", type=float, default=float(os.environ.get("DEADLINE_MINUTES", "120"))
    )
    parser.add_argument("--quiet-load", type=float, default=float(os.environ.get("QUIET_LOAD", "1.5")))
    parser.add_argument("--quiet-wait", type=float, default=float(os.environ.get("QUIET_WAIT", "600")))
    parser.add_argument("--keep", action="store_true", help="keep bench/work/search/<size> afterwards")
    parser.add_argument(
        "--out",
        type=Path,
        help="the JSON file (default bench/results/search-<date>.json); the EXPLAIN goes beside it",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # `make` and CI stop jobs with SIGTERM: unwind through the `finally` blocks that stop
    # the service and the database instead of dying with them still running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings(
        sizes,
        args.requests,
        args.seconds,
        time.monotonic() + args.deadline_minutes * 60,
        args.keep,
        args.quiet_load,
        args.quiet_wait,
    )
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "nproc": os.cpu_count(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "sizes": sizes,
        "requests_per_query": settings.requests,
        "targets": {"p95_ms_at_largest": TARGET_P95_MS, "p95_ratio_largest_to_smallest": TARGET_RATIO},
        "seed": {},
        "queries": {},
        "load_average": {},
    }
    out: Path = args.out or RESULTS / f"search-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    explain_to = out.parent / "search-explain.txt"
    run(settings, report, explain_to)
    write_json(out, report)
    print("\n" + table(report, sizes))
    print(f"\nwritten: {shown(out)}")
    if "slowest" in report:
        print(f"EXPLAIN of the slowest ({report['slowest']['query']}): {shown(explain_to)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
