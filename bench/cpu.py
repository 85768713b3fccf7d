"""CPU pinning and accounting: whose cores, how busy, and when the servers are idle again."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import psutil

BUSY_STATES = ("ESTABLISHED", "CLOSE_WAIT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "LAST_ACK", "CLOSING")


def cpu_list(text: str) -> set[int]:
    """taskset's list syntax (0, 0-3, 0,2) as a set of cpu numbers."""
    cpus: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        cpus.update(range(int(low), int(high or low) + 1))
    return cpus


def tree_cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def busy_cpu_seconds(cpus: set[int]) -> float:
    """CPU time spent on these cores by anything (to tell how much others took from us)."""
    per_cpu = psutil.cpu_times(percpu=True)
    return float(
        sum(
            t.user + t.nice + t.system + t.irq + t.softirq + t.steal
            for i, t in enumerate(per_cpu)
            if i in cpus
        )
    )


def open_connections(ports: set[int]) -> int:
    """Server-side TCP connections still alive on our ports (not listening, not TIME_WAIT)."""
    with contextlib.suppress(psutil.Error):
        return sum(
            1
            for c in psutil.net_connections("tcp")
            if c.laddr and c.laddr.port in ports and c.status in BUSY_STATES
        )
    return 0


def listeners(port: int) -> set[int]:
    with contextlib.suppress(psutil.Error):
        return {
            c.pid
            for c in psutil.net_connections("tcp")
            if c.laddr and c.laddr.port == port and c.status == "LISTEN" and c.pid
        }
    return set()


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


def foreign_meter(cpus: set[int], ours: Callable[[], list[psutil.Process]]) -> Callable[[], float]:
    """Start measuring; the returned function gives the share (%) of `cpus` used by
    processes other than `ours()` since then: the machine may be shared."""
    busy0, ours0, t0 = busy_cpu_seconds(cpus), tree_cpu_seconds(ours()), time.monotonic()

    def share() -> float:
        foreign = busy_cpu_seconds(cpus) - busy0 - (tree_cpu_seconds(ours()) - ours0)
        return round(max(0.0, 100 * foreign / ((time.monotonic() - t0) * len(cpus))), 1)

    return share
