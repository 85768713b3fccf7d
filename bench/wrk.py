"""Running wrk (one thread, pinned with taskset) and reading the summary bench/lua prints."""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from supervise import Processes

LUA = Path(__file__).resolve().parent / "lua"
WRK_THREADS = 1
WRK_TIMEOUT = "30s"  # slow answers (queued log-ins) count as latency, not as dropped requests


def seconds(text: str) -> float:
    """wrk's duration syntax (10, 10s, 2m, 1h) in seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise SystemExit(f"bench: cannot read duration {text!r} (use e.g. 10s, 1m)")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


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
    # CPU time per request of the service's processes and of PostgreSQL: unlike rps, it
    # barely moves when other processes share the cores, so before/after compare on it.
    app_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0

    def errors(self, expected: Callable[[int], bool]) -> int:
        bad = sum(n for code, n in self.statuses.items() if not expected(int(code)))
        return bad + sum(self.socket_errors.values())


def ok_status(code: int) -> bool:
    return 200 <= code < 400


def wrk_command(load_cpus: str, url: str, script: str, connections: int, duration: str) -> list[str]:
    return [
        "taskset",
        "-c",
        load_cpus,
        "wrk",
        f"-t{WRK_THREADS}",
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


def lua_env(base: dict[str, str], lists: dict[str, str]) -> dict[str, str]:
    """The environment of a wrk run: `base`, where common.lua lives, and the list files."""
    return base | {"BENCH_LUA_DIR": str(LUA)} | lists


def run_wrk(
    procs: Processes,
    load_cpus: str,
    url: str,
    script: str,
    env: dict[str, str],
    connections: int,
    duration: str,
) -> WrkRun:
    """One wrk run to completion; its CPU share comes from our children's rusage."""
    cmd = wrk_command(load_cpus, url, script, connections, duration)
    cpu0, t0 = children_cpu(), time.monotonic()
    proc = procs.start(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=seconds(duration) + 60)
    finally:
        procs.stop(proc)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out.decode(errors='replace')}")
    return parse_wrk(out.decode(errors="replace"), children_cpu() - cpu0, wall)
