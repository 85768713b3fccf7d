"""`GET /metrics` in Prometheus' text format: requests per route and status with latency
histograms (Litestar's Prometheus middleware), rate-limit refusals, the read pool's
connections in use and waiting, image work in flight, and the background jobs.

With several server workers each writes its samples into `PROMETHEUS_MULTIPROC_DIR` (set by
`photoshare serve`), and any worker answers for all of them. The jobs are not any worker's
samples but the database's state: whichever worker answers reads them at scrape time, in one
query. Only loopback clients may read it unless `PHOTOSHARE_METRICS=public`; `off` removes
the route.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

import anyio
from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import ControllerRouterHandler, Guard, Message, Middleware, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from psycopg_pool import AsyncConnectionPool

from photoshare.adapters.jobs.queue import JobCount, ProcrastinateJobQueue
from photoshare.domain.errors import NotFound

log = logging.getLogger(__name__)

PATH = "/metrics"
SAMPLE_SECONDS = 5.0
#: A scrape does not wait longer than this for the jobs' query (the rest is answered anyway).
JOBS_QUERY_TIMEOUT = 2.0
#: Scrapes this close together share one query: a flood of them (`PHOTOSHARE_METRICS=public`)
#: cannot take the job queue's few connections from the uploads that defer jobs.
JOBS_FRESH_SECONDS = 1.0
# procrastinate's statuses as an operator reads them; every task always shows these three.
JOB_STATUSES = {"todo": "waiting", "doing": "running", "failed": "failed"}


@dataclass(frozen=True, slots=True)
class Metrics:
    rate_limit_refusals: Counter
    db_connections: Gauge
    image_work: Gauge


@functools.cache
def metrics() -> Metrics:
    """Created on first use (registering twice is an error; importing does no work)."""
    return Metrics(
        rate_limit_refusals=Counter(
            "photoshare_rate_limit_refusals_total", "Requests answered 429 by a rate limit", ["path"]
        ),
        db_connections=Gauge(
            "photoshare_db_pool_connections",
            "Read-pool connections by state (in_use, idle, waiting requests)",
            ["state"],
            multiprocess_mode="livesum",
        ),
        image_work=Gauge(
            "photoshare_image_work",
            "Image decoding, rendering and storage calls in flight, and those waiting for a slot",
            ["state"],
            multiprocess_mode="livesum",
        ),
    )


async def _loopback_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    host = connection.client.host if connection.client else ""
    try:
        local = ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local:
        raise NotFound("not found")


class _RouteLabelledMiddleware(PrometheusMiddleware):
    """Labels requests by route template (`group_path`) without first parsing the URL:
    the stock middleware builds `request.url` for a path it then discards, a few per cent
    of a photo request (py-spy)."""

    def _get_default_labels(self, request: Request[Any, Any, Any]) -> dict[str, str | int | float]:
        scope = request.scope
        return {
            "method": scope["method"] if scope["type"] == ScopeType.HTTP else scope["type"],
            "path": scope["path_template"],
            "status_code": 200,
            "app_name": self._config.app_name,
        }

    def _get_wrapped_send(self, send: Send, request_span: dict[str, float]) -> Callable[[Message], Any]:
        """The status and the time to the body, as the stock middleware records them, but
        without `functools.wraps` per request (~8% of a photo request under py-spy --gil)."""

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                request_span["status_code"] = message["status"]
            elif message["type"] == "http.response.body":
                request_span["end_time"] = time.perf_counter()
                request_span["duration"] = request_span["end_time"] - request_span["start_time"]
            await send(message)

        return timed_send


class JobsCollector(Collector):
    """The jobs read at this scrape, as gauges: per queue, task and status, and the age of
    each task's oldest due waiting job. `photoshare_jobs_up` is 0 when they could not be read
    (the database is down), so "no failed jobs" is never confused with "unknown"."""

    def __init__(self, tasks: dict[str, str], counts: list[JobCount] | None) -> None:
        self._tasks = tasks
        self._counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("photoshare_jobs_up", "1 when the job counts below were read at this scrape")
        up.add_metric([], 0 if self._counts is None else 1)
        yield up
        if self._counts is None:
            return
        jobs = GaugeMetricFamily(
            "photoshare_jobs",
            "Background jobs by queue, task and status (waiting, running, failed, ...)",
            labels=["queue", "task", "status"],
        )
        oldest = GaugeMetricFamily(
            "photoshare_jobs_oldest_waiting_seconds",
            "How long the oldest waiting job that is due has waited for a worker",
            labels=["queue", "task"],
        )
        found = {(c.queue, c.task, JOB_STATUSES.get(c.status, c.status)): c for c in self._counts}
        for task, queue in sorted(self._tasks.items()):
            for status in JOB_STATUSES.values():
                found.setdefault((queue, task, status), JobCount(queue, task, status, 0, 0.0))
        for (queue, task, status), count in sorted(found.items()):
            jobs.add_metric([queue, task, status], count.jobs)
            if status == JOB_STATUSES["todo"]:
                oldest.add_metric([queue, task], count.oldest_due_seconds)
        yield jobs
        yield oldest


class JobCounts:
    """This worker's latest read of the job counts: at most one query in flight and one per
    JOBS_FRESH_SECONDS; None when the database could not answer."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._read_at = -JOBS_FRESH_SECONDS
        self._counts: list[JobCount] | None = None

    async def __call__(self, queue: ProcrastinateJobQueue) -> list[JobCount] | None:
        async with self._lock:
            if time.monotonic() - self._read_at >= JOBS_FRESH_SECONDS:
                self._counts = await self._read(queue)
                self._read_at = time.monotonic()
            return self._counts

    @staticmethod
    async def _read(queue: ProcrastinateJobQueue) -> list[JobCount] | None:
        try:
            with anyio.fail_after(JOBS_QUERY_TIMEOUT):
                return await queue.counts()
        except Exception:  # the scrape still answers: the other metrics do not need the database
            log.warning("could not read the job counts for /metrics", exc_info=True)
            return None


class MetricsController(Controller):
    path = PATH
    include_in_schema = False
    job_counts: JobCounts  # one per app (see `metrics_routes`)

    @get(cache_control=None)
    @inject
    async def scrape(self, queue: FromDishka[ProcrastinateJobQueue]) -> Response[bytes]:
        # Litestar's PrometheusController, plus the jobs: its registry (every worker's files
        # in multiprocess mode), then a registry of this scrape's job gauges.
        registry: CollectorRegistry = REGISTRY
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        jobs = CollectorRegistry()
        jobs.register(JobsCollector(queue.tasks(), await self.job_counts(queue)))
        body = generate_latest(registry) + generate_latest(jobs)
        return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def metrics_routes(exposure: str) -> tuple[list[ControllerRouterHandler], list[Middleware]]:
    """The route and the request-measuring middleware for `PHOTOSHARE_METRICS`."""
    if exposure == "off":
        return [], []
    metrics()
    guards: list[Guard] = [_loopback_only] if exposure == "local" else []
    controller = type(
        "GuardedMetricsController", (MetricsController,), {"guards": guards, "job_counts": JobCounts()}
    )
    config = PrometheusConfig(
        app_name="photoshare",
        prefix="photoshare",
        group_path=True,
        exclude=[PATH],
        middleware_class=_RouteLabelledMiddleware,
    )
    return [controller], [config.middleware]


def count_refusal(path: str) -> None:
    metrics().rate_limit_refusals.labels(path=path).inc()


async def sample_forever(pool: AsyncConnectionPool, image_work: anyio.CapacityLimiter) -> None:
    """Copy the pool's and the image limiter's state into the gauges every few seconds."""
    gauges = metrics()
    while True:
        stats = pool.get_stats()
        size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
        gauges.db_connections.labels(state="in_use").set(size - idle)
        gauges.db_connections.labels(state="idle").set(idle)
        gauges.db_connections.labels(state="waiting").set(stats.get("requests_waiting", 0))
        gauges.image_work.labels(state="in_flight").set(image_work.borrowed_tokens)
        gauges.image_work.labels(state="waiting").set(image_work.statistics().tasks_waiting)
        await asyncio.sleep(SAMPLE_SECONDS)


@contextlib.asynccontextmanager
async def sampling(pool: AsyncConnectionPool, image_work: anyio.CapacityLimiter) -> Any:
    task = asyncio.create_task(sample_forever(pool, image_work))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
