"""`GET /metrics` in Prometheus' text format: requests per route and status with latency
histograms (Litestar's Prometheus middleware), rate-limit refusals, the read pool's
connections in use and waiting, and image work in flight.

With several server workers each writes its samples into `PROMETHEUS_MULTIPROC_DIR` (set by
`photoshare serve`), and any worker answers for all of them. Only loopback clients may read
it unless `PHOTOSHARE_METRICS=public`; `off` removes the route.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController, PrometheusMiddleware
from litestar.types import ControllerRouterHandler, Guard, Message, Middleware, Send
from prometheus_client import Counter, Gauge
from psycopg_pool import AsyncConnectionPool

from photoshare.domain.errors import NotFound

PATH = "/metrics"
SAMPLE_SECONDS = 5.0


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


class MetricsController(PrometheusController):
    path = PATH
    include_in_schema = False


def metrics_routes(exposure: str) -> tuple[list[ControllerRouterHandler], list[Middleware]]:
    """The route and the request-measuring middleware for `PHOTOSHARE_METRICS`."""
    if exposure == "off":
        return [], []
    metrics()
    guards: list[Guard] = [_loopback_only] if exposure == "local" else []
    controller = type("GuardedMetricsController", (MetricsController,), {"guards": guards})
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
