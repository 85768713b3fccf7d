"""Upload a ~10 MiB JPEG through the real app and report time and the process's peak memory,
then how long until the photo is `ready` (its variants made by a job worker).

Runs the app in-process on an embedded PostgreSQL (a throwaway data dir), so peak RSS is
the service's own: `python bench/upload.py [--runs 5] [--mib 10]`. The image is noise, which
JPEG cannot compress, so a 10 MiB file is also a large picture (about 12 megapixels).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql.migrate import upgrade
from photoshare.config import RateLimits, Settings
from photoshare.entrypoints.http.app import create_app
from photoshare.entrypoints.worker import run_worker
from rss import MiB, own_peak_rss_mib


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


async def measure(root: Path, url: str, data: bytes, runs: int) -> dict[str, object]:
    settings = Settings(
        database_url=url,
        data_dir=root,
        public_base_url="http://bench.local",
        secret_key="bench-secret-key-that-is-at-least-32-bytes",
        rate_limits=RateLimits(upload=10_000, login=10_000, signup=10_000),
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local", timeout=120) as client:
        creds = {"username": "bench", "email": "bench@example.org", "password": "password123"}
        await client.post("/api/auth/signup", json=creds)
        token = (await client.post("/api/auth/login", json=creds)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        rss_before = own_peak_rss_mib()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            answer = await client.post(
                "/api/photos", headers=headers, files={"file": ("big.jpg", data, "image/jpeg")}
            )
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        photo = answer.json()
        ready_ms = await time_until_ready(client, headers, settings, data)
    await app.state.dishka_container.close()
    return {
        "file_bytes": len(data),
        "pixels": f"{photo['width']}x{photo['height']}",
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "peak_rss_mib_before_uploads": round(rss_before, 1),
        "peak_rss_mib_after_uploads": round(own_peak_rss_mib(), 1),
        "ready_after_upload_ms": round(ready_ms, 1),
    }


async def time_until_ready(
    client: httpx.AsyncClient, headers: dict[str, str], settings: Settings, data: bytes
) -> float:
    """With a worker running (in this process: it competes with nothing here), the time from
    the upload's answer until the photo reads `ready` with its four variants."""
    await run_worker(settings, wait=False)  # the timed uploads' jobs first
    worker = asyncio.create_task(run_worker(settings, wait=True, install_signal_handlers=False))
    try:
        answer = await client.post(
            "/api/photos", headers=headers, files={"file": ("big.jpg", data, "image/jpeg")}
        )
        answer.raise_for_status()
        answered = time.perf_counter()
        photo_url = f"/api/photos/{answer.json()['id']}"
        while (await client.get(photo_url)).json()["status"] != "ready":  # noqa: ASYNC110 - a client polls
            await asyncio.sleep(0.02)
        return (time.perf_counter() - answered) * 1000
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mib", type=float, default=10, help="the upload's size in MiB (default 10)")
    args = parser.parse_args()
    runs = args.runs
    data = big_jpeg(int(args.mib * MiB))
    root = Path(tempfile.mkdtemp(prefix="ps-up-"))
    pg = EmbeddedPostgres(root / "pgdata")
    try:
        upgrade(pg.url())  # alembic runs its own event loop: before ours starts
        print(json.dumps(asyncio.run(measure(root, pg.url(), data, runs)), indent=2))
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
