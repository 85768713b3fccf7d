"""Variants over real HTTP against `photoshare serve` on the defaults: the worker it starts
makes them, browsers get AVIF or WebP, and a syncing client's check finds what it uploaded."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx

from tests.e2e.journey import bearer, jpeg, member, path_of
from tests.e2e.server import Service

READY_SECONDS = 60


def wait_until_ready(http: httpx.Client, photo_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        body: dict[str, Any] = http.get(f"/api/photos/{photo_id}").json()
        if body["status"] == "ready":
            return body
        time.sleep(0.1)
    raise AssertionError(f"photo {photo_id} was not ready in {READY_SECONDS} s")


def test_serve_makes_variants_in_the_background_and_negotiates_their_format(
    service: Service, http: httpx.Client
) -> None:
    _, token = member(http)
    data = jpeg((1600, 1200))
    uploaded = http.post("/api/photos", files={"file": ("p.jpg", data, "image/jpeg")}, headers=bearer(token))
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert photo["status"] == "processing"
    assert http.get(path_of(photo["url"])).status_code == 200  # the original at once

    ready = wait_until_ready(http, photo["id"])

    assert [(v["name"], v["width"], v["height"]) for v in ready["variants"]] == [
        ("thumb", 256, 192),
        ("small", 640, 480),
        ("medium", 1280, 960),
        ("large", 1600, 1200),
    ]
    assert ready["placeholder"]
    small = path_of(ready["variants"][1]["url"])
    avif = http.get(small, headers={"Accept": "image/avif,image/webp,*/*"})
    plain = http.get(small, headers={"Accept": "*/*"})
    assert (avif.headers["content-type"], plain.headers["content-type"]) == ("image/avif", "image/jpeg")
    assert avif.headers["vary"] == plain.headers["vary"] == "Accept"
    assert avif.headers["etag"] != plain.headers["etag"]

    checked = http.post(
        "/api/photos/check", json={"checksums": [hashlib.sha256(data).hexdigest()]}, headers=bearer(token)
    )
    assert checked.json() == {"existing": {hashlib.sha256(data).hexdigest(): photo["id"]}}
    health = http.get("/health").json()
    assert health["failed_jobs"] == 0
    # The jobs in /metrics, read at scrape time by whichever worker answers (multiprocess mode).
    metrics = http.get("/metrics")
    assert metrics.status_code == 200
    assert "photoshare_jobs_up 1.0" in metrics.text
    assert (
        'photoshare_jobs{queue="images",status="failed",task="photoshare.make_variants"} 0.0' in metrics.text
    )
    assert (
        'photoshare_jobs_oldest_waiting_seconds{queue="images",task="photoshare.make_variants"}'
        in metrics.text
    )


def test_serve_runs_exactly_one_job_worker(service: Service) -> None:
    assert len(service.job_worker_processes()) == 1
    assert len(service.workers_processes()) == 1  # the HTTP worker, beside it
