"""What the benches write: medians and summaries, the aligned table, the machine, the JSON."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from rss import MiB
from supervise import ROOT
from wrk import WrkRun

RESULTS = ROOT / "bench" / "results"


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else float("nan")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


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
        "app_cpu_ms_per_request": median([r.app_cpu_ms for r in runs]),
        "db_cpu_ms_per_request": median([r.db_cpu_ms for r in runs]),
        "runs": [r.__dict__ for r in runs],
    }


def table(
    rows: list[tuple[str, dict[str, Any]]], skipped: dict[str, str], share_of: int | None = None
) -> str:
    """The aligned table; with `share_of` (the first CONNECTIONS count), a column with each
    row's throughput as a share of the same scenario's at that count."""
    head: tuple[str, ...] = (
        "scenario",
        "rps",
        "% of ceiling",
        "p50 ms",
        "p99 ms",
        "errors",
        "peak RSS MiB/worker",
        "CPU ms/req app+db",
    )
    if share_of is not None:
        head += (f"% of {share_of}-conn rps",)
    lines = [head]
    for name, row in rows:
        ratio = row.get("ratio_to_ceiling")
        cells: tuple[str, ...] = (
            name,
            f"{row['rps']:.0f}" if row["rps"] >= 100 else f"{row['rps']:.1f}",
            f"{100 * ratio:.1f}%" if ratio is not None else "-",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            str(row["errors"]),
            f"{row['peak_rss_mib_per_worker']:.0f}",
            _cpu(row),
        )
        if share_of is not None:
            share = row.get("share_of_first")
            cells += (f"{100 * share:.0f}%" if share is not None else "-",)
        lines.append(cells)
    for name, why in skipped.items():
        lines.append(
            (name, "skipped", "-", "-", "-", why, "-", "-") + (("-",) if share_of is not None else ())
        )
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


def _cpu(row: dict[str, Any]) -> str:
    app, db = row.get("app_cpu_ms_per_request"), row.get("db_cpu_ms_per_request")
    if not app and not db:
        return "-"  # the ceiling: a bare app, not measured
    return f"{app:.2f}+{db:.2f}"


def command_output(cmd: list[str]) -> str:
    """A short command's stdout in the repository, or "" when it cannot run."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=10, check=False, cwd=ROOT
        ).stdout.strip()
    return ""


def git_commit() -> str:
    return command_output(["git", "rev-parse", "HEAD"]) or "unknown"


def machine() -> dict[str, Any]:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": int(command_output(["nproc"]) or 0),
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_mib": round(psutil.virtual_memory().total / MiB),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": command_output(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else None,
        "git_commit": command_output(["git", "rev-parse", "HEAD"]),
        "git_changed_paths": len(command_output(["git", "status", "--porcelain"]).splitlines()),
    }


def write_json(path: Path, report: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return path


def shown(path: Path) -> Path:
    """`path` relative to the repository when it is inside it (for "wrote ..." lines)."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
