"""`make bench-upload`: the upload's latency with the job queue on, and how long until the
photo is `ready`, for a ~10 MiB (about 12-megapixel) JPEG; compared with the first release's
207 ms median, when the upload did all its image work on the request.

Why it is built this way:
- The app runs in this process (httpx's ASGI transport, no network), on an embedded
  PostgreSQL in a throwaway data dir, so the peak RSS reported is the request side's own.
- The job worker is `photoshare worker` in a process of its own, as `photoshare serve` runs
  it: every upload defers a real job and the worker takes it at once (LISTEN/NOTIFY).
- Each run uploads, then waits for `ready` before the next upload: the upload is timed
  with the worker idle (the request's own cost), the time until `ready` is what a client sees.
- On a shared machine other jobs' CPU shows up as latency: it waits (boundedly) for the
  1-minute load average to drop below QUIET_LOAD, and records the load either way.
- It also reports the CPU time this process spent on each upload (every thread of it; the
  worker is another process): unlike the latency, that barely moves with the machine's load.
- The image is noise, which JPEG cannot compress, so a 10 MiB file is also a big picture.

`python bench/upload.py [--runs 10] [--mib 10]`; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql.migrate import upgrade
from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app
from report import RESULTS, machine, shown, write_json
from rss import MiB, own_peak_rss_mib
from supervise import BIN, Processes, service_env

#: The first release's median (10 MiB JPEG, this script's predecessor, this machine): the
#: upload then decoded, stripped and re-encoded on the request. Jobs must keep within 10%.
FIRST_RELEASE_MEDIAN_MS = 207.0
ALLOWED_RATIO = 1.10
READY_TIMEOUT = 300.0
POLL_SECONDS = 0.02
SECRET = "bench-secret-key-that-is-at-least-32-bytes"


def big_jpeg(target_bytes: int) -> bytes:
    """The largest noise JPEG at or under `target_bytes` (binary search on the side length)."""
    low, high, best = 16, 4000, b""
    while low <= high:
        side = (low + high) // 2
        out = io.BytesIO()
        Image.effect_noise((side, side), 64).convert("RGB").save(out, "JPEG", quality=95)
        if out.tell() <= target_bytes:
            best, low = out.getvalue(), side + 1
        else:
            high = side - 1
    return best


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def wait_for_quiet(quiet_load: float, limit: float) -> float:
    """Wait up to `limit` seconds for the 1-minute load average to drop below `quiet_load`."""
    started = time.monotonic()
    while os.getloadavg()[0] > quiet_load and time.monotonic() - started < limit:
        time.sleep(5)
    waited = time.monotonic() - started
    if waited >= 5:
        print(
            f"bench-upload: waited {waited:.0f} s for the load average to drop (now {load()[0]})", flush=True
        )
    return round(waited, 1)


def p95(samples: list[float]) -> float:
    """The 95th percentile, interpolated (with few runs it lies near the slowest)."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(p95(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }


async def upload_until_ready(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes
) -> tuple[float, float, float, dict[str, Any]]:
    """One upload: its latency and CPU time, then the time from its answer until `ready`."""
    started, cpu = time.perf_counter(), time.process_time()
    answer = await client.post(
        "/api/photos", headers=headers, files={"file": ("big.jpg", data, "image/jpeg")}
    )
    answered, cpu_ms = time.perf_counter(), (time.process_time() - cpu) * 1000
    answer.raise_for_status()
    photo_url = f"/api/photos/{answer.json()['id']}"
    while (photo := (await client.get(photo_url)).json())["status"] != "ready":
        if time.perf_counter() - answered > READY_TIMEOUT:
            raise SystemExit(
                f"bench-upload: {photo_url} not ready after {READY_TIMEOUT:.0f} s (see worker.log)"
            )
        await asyncio.sleep(POLL_SECONDS)
    ready = time.perf_counter()
    return (answered - started) * 1000, cpu_ms, (ready - answered) * 1000, photo


async def measure(settings: Settings, data: bytes, runs: int) -> dict[str, Any]:
    app = create_app(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per poll otherwise
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local", timeout=120) as client:
        creds = {"username": "bench", "email": "bench@example.org", "password": "password123"}
        await client.post("/api/auth/signup", json=creds)
        token = (await client.post("/api/auth/login", json=creds)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        rss_before = own_peak_rss_mib()
        warm_ms, _, warm_ready_ms, _ = await upload_until_ready(client, headers, data)  # first-use costs
        uploads, cpus, readies = [], [], []
        for run in range(runs):
            upload_ms, cpu_ms, ready_ms, photo = await upload_until_ready(client, headers, data)
            uploads.append(upload_ms)
            cpus.append(cpu_ms)
            readies.append(ready_ms)
            print(
                f"bench-upload: run {run + 1}/{runs}: upload {upload_ms:.0f} ms ({cpu_ms:.0f} ms CPU), "
                f"ready {ready_ms:.0f} ms later",
                flush=True,
            )
    await app.state.dishka_container.close()
    upload = summary(uploads)
    return {
        "file_bytes": len(data),
        "pixels": f"{photo['width']}x{photo['height']}",
        "megapixels": round(photo["width"] * photo["height"] / 1e6, 1),
        "runs": runs,
        "upload": upload | {"samples_ms": [round(t, 1) for t in uploads]},
        "upload_cpu": summary(cpus) | {"samples_ms": [round(t, 1) for t in cpus]},
        "ready_after_upload": summary(readies) | {"samples_ms": [round(t, 1) for t in readies]},
        "warm_up": {"upload_ms": round(warm_ms, 1), "ready_after_upload_ms": round(warm_ready_ms, 1)},
        "variants": [v["name"] for v in photo["variants"]],
        "first_release": {
            "median_ms": FIRST_RELEASE_MEDIAN_MS,
            "ratio": round(upload["median_ms"] / FIRST_RELEASE_MEDIAN_MS, 2),
            "within_10_percent": upload["median_ms"] <= FIRST_RELEASE_MEDIAN_MS * ALLOWED_RATIO,
        },
        "peak_rss_mib_before_uploads": round(rss_before, 1),
        "peak_rss_mib_after_uploads": round(own_peak_rss_mib(), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mib", type=float, default=10, help="the upload's size in MiB (default 10)")
    parser.add_argument("--quiet-load", type=float, default=float(os.environ.get("QUIET_LOAD", "1.5")))
    parser.add_argument("--quiet-wait", type=float, default=float(os.environ.get("QUIET_WAIT", "600")))
    args = parser.parse_args()
    data = big_jpeg(int(args.mib * MiB))
    root = Path(tempfile.mkdtemp(prefix="ps-up-"))
    pg = EmbeddedPostgres(root / "pgdata")
    procs = Processes()
    report: dict[str, Any] = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    report["machine"] = machine()
    try:
        upgrade(pg.url())  # alembic runs its own event loop: before ours starts
        settings = Settings(
            database_url=pg.url(),
            data_dir=root,
            public_base_url="http://bench.local",
            secret_key=SECRET,
            rate_limits=RateLimits.every(10_000),
        )
        env = service_env(data_dir=root, database_url=pg.url(), PHOTOSHARE_SECRET_KEY=SECRET)
        with (root / "worker.log").open("wb") as log:
            procs.start([str(BIN / "photoshare"), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        waited = wait_for_quiet(args.quiet_load, args.quiet_wait)
        before = load()
        report |= asyncio.run(measure(settings, data, args.runs))
        report["load_average"] = {
            "before": before,
            "after": load(),
            "waited_s": waited,
            "quiet_load": args.quiet_load,
        }
    finally:
        procs.stop_all()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(RESULTS / f"upload-{stamp}.json", report)
    upload, ready, first = report["upload"], report["ready_after_upload"], report["first_release"]
    verdict = "within" if first["within_10_percent"] else "NOT within"
    print(
        f"\nupload of a {report['file_bytes'] / MiB:.1f} MiB, {report['megapixels']} MP JPEG with jobs on "
        f"({args.runs} runs): median {upload['median_ms']} ms, p95 {upload['p95_ms']} ms "
        f"(CPU median {report['upload_cpu']['median_ms']} ms)\n"
        f"first release (no jobs): median {FIRST_RELEASE_MEDIAN_MS:.0f} ms -> {first['ratio']}x, "
        f"{verdict} 10%\n"
        f"ready after the upload's answer: median {ready['median_ms']} ms, p95 {ready['p95_ms']} ms "
        f"({', '.join(report['variants'])})\n"
        f"load average before {report['load_average']['before']}, after {report['load_average']['after']}\n"
        f"wrote {shown(out)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
