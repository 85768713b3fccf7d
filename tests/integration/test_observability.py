"""What an operator watches: /metrics, request ids on every answer, structured logs."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from ipaddress import ip_network
from typing import Any

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from photoshare.adapters.jobs.queue import JobCount, ProcrastinateJobQueue
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.config import Settings, libpq_url
from photoshare.entrypoints.http.app import create_app
from photoshare.entrypoints.http.requestid import RequestIdFilter, current
from photoshare.entrypoints.logs import JsonFormatter
from tests.integration.accounts import Client, assert_problem, member
from tests.integration.jobs import drain, jobs_in, make_due
from tests.integration.photo_helpers import encoded, uploaded


@asynccontextmanager
async def _served(settings: Settings, client: tuple[str, int]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh app, connecting from `client`'s address."""
    app = create_app(settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=client)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
            yield http


async def _get(settings: Settings, client: tuple[str, int], path: str, **headers: str) -> httpx.Response:
    async with _served(settings, client) as http:
        return await http.get(path, headers=headers)


async def test_metrics_count_requests_per_route_and_status(settings: Settings) -> None:
    async with _served(settings, ("127.0.0.1", 5000)) as http:
        assert (await http.get("/api/photos")).status_code == 200
        text = (await http.get("/metrics")).text
    assert (
        'photoshare_requests_total{app_name="photoshare",method="GET",path="/api/photos",status_code="200"}'
        in text
    )
    assert "photoshare_request_duration_seconds_bucket" in text
    assert "photoshare_db_pool_connections" in text
    assert "photoshare_image_work" in text


async def test_metrics_are_for_the_host_only_by_default(settings: Settings) -> None:
    assert (await _get(settings, ("127.0.0.1", 5000), "/metrics")).status_code == 200
    assert_problem(await _get(settings, ("203.0.113.9", 5000), "/metrics"), 404)
    public = replace(settings, metrics="public")
    assert (await _get(public, ("203.0.113.9", 5000), "/metrics")).status_code == 200
    off = replace(settings, metrics="off")
    assert (await _get(off, ("127.0.0.1", 5000), "/metrics")).status_code == 404


async def test_metrics_count_rate_limit_refusals(client: Client, settings: Settings) -> None:
    from photoshare.config import RateLimits

    limited = replace(settings, rate_limits=replace(RateLimits.every(1000), search=1))
    async with _served(limited, ("127.0.0.1", 5000)) as http:
        await http.get("/api/photos")
        assert (await http.get("/api/photos")).status_code == 429
        text = (await http.get("/metrics")).text
    assert 'photoshare_rate_limit_refusals_total{path="/api/photos"}' in text


async def test_every_answer_carries_a_request_id_of_its_own(client: Client) -> None:
    first, second = (
        await client.get("/health"),
        await client.get("/api/photos/00000000-0000-0000-0000-000000000000"),
    )
    assert len(first.headers["x-request-id"]) >= 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert "x-request-id" in second.headers  # errors too


async def test_a_trusted_proxy_passes_its_request_id_on_and_nobody_else_can(settings: Settings) -> None:
    proxied = replace(settings, trusted_proxies=(ip_network("10.0.0.0/8"),))
    from_proxy = await _get(proxied, ("10.1.2.3", 5000), "/health", **{"X-Request-Id": "trace-42"})
    assert from_proxy.headers["x-request-id"] == "trace-42"
    from_client = await _get(proxied, ("203.0.113.5", 5000), "/health", **{"X-Request-Id": "trace-42"})
    assert from_client.headers["x-request-id"] != "trace-42"
    hostile = await _get(proxied, ("10.1.2.3", 5000), "/health", **{"X-Request-Id": "a\tb<script>"})
    assert hostile.headers["x-request-id"] != "a\tb<script>"


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("photoshare", logging.INFO, __file__, 1, "uploaded %s", ("p1",), None)
    token = current.set("req-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        current.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-7"
    assert line["message"] == "uploaded p1"
    assert line["level"] == "INFO"


def _job_samples(text: str) -> dict[tuple[str, ...], float]:
    """The job gauges of a scrape, parsed as Prometheus parses them: (name, queue, task, status)
    -> value (the labels a gauge has, in that order)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("photoshare_jobs"):
                labels = [sample.labels[k] for k in ("queue", "task", "status") if k in sample.labels]
                found[(sample.name, *labels)] = sample.value
    return found


async def test_metrics_show_waiting_and_failed_jobs_at_scrape_time(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: LocalImageStore, key: str, planned: Any) -> Any:
        raise OSError("always broken")

    monkeypatch.setattr(LocalImageStore, "make_variants", broken)
    token = str((await member(client, "alice"))["access_token"])
    await uploaded(client, token, encoded("JPEG", (400, 300)))
    db = settings.database_url or ""
    [job] = jobs_in(db, "make_variants")
    with psycopg.connect(libpq_url(db)) as conn:  # deferred 90 s ago, without waiting 90 s
        conn.execute(
            "UPDATE procrastinate_events SET at = now() - interval '90 s' WHERE job_id = %s", [job["id"]]
        )
    variants = ("images", "photoshare.make_variants")

    waiting = _job_samples((await _get(settings, ("127.0.0.1", 5000), "/metrics")).text)
    while (job := jobs_in(db, "make_variants")[0])["status"] == "todo":
        make_due(db, job["id"])  # skip each retry's backoff
        await drain(settings)
    failed = _job_samples((await _get(settings, ("127.0.0.1", 5000), "/metrics")).text)

    assert waiting[("photoshare_jobs_up",)] == 1
    assert waiting[("photoshare_jobs", *variants, "waiting")] == 1
    assert waiting[("photoshare_jobs", *variants, "failed")] == 0
    assert 90 <= waiting[("photoshare_jobs_oldest_waiting_seconds", *variants)] < 150
    assert failed[("photoshare_jobs", *variants, "failed")] == 1
    assert failed[("photoshare_jobs", *variants, "waiting")] == 0
    assert failed[("photoshare_jobs_oldest_waiting_seconds", *variants)] == 0
    # Every task shows, with no job too: an alert on `failed > 0` has a series to watch.
    assert failed[("photoshare_jobs", "housekeeping", "photoshare.sweep_images", "failed")] == 0


async def test_a_scrape_whose_job_query_fails_still_answers_and_says_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(self: ProcrastinateJobQueue) -> list[JobCount]:
        raise psycopg.OperationalError("the database went away")

    monkeypatch.setattr(ProcrastinateJobQueue, "counts", down)
    async with _served(settings, ("127.0.0.1", 5000)) as http:
        answer = await http.get("/metrics")

    assert answer.status_code == 200
    jobs = _job_samples(answer.text)
    assert jobs == {("photoshare_jobs_up",): 0}  # unknown, not "no failed jobs"
    assert "photoshare_db_pool_connections" in answer.text


async def test_scrapes_close_together_share_one_job_query(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, queries = ProcrastinateJobQueue.counts, 0

    async def counted(self: ProcrastinateJobQueue) -> list[JobCount]:
        nonlocal queries
        queries += 1
        return await real(self)

    monkeypatch.setattr(ProcrastinateJobQueue, "counts", counted)
    async with _served(settings, ("127.0.0.1", 5000)) as http:
        answers = await asyncio.gather(*(http.get("/metrics") for _ in range(5)))

    assert [a.status_code for a in answers] == [200] * 5
    assert all("photoshare_jobs_up 1.0" in a.text for a in answers)
    assert queries == 1
