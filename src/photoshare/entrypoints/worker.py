"""The job worker: procrastinate's worker with the service's dishka container in its context.

`photoshare worker` runs one on its own; `photoshare serve` starts one beside the HTTP
workers (see `cli.serve`). Any number may run, on any number of machines: they share
the jobs through PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate
from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider

from photoshare.adapters.jobs.tasks import QUEUES
from photoshare.config import Settings
from photoshare.entrypoints import ioc

log = logging.getLogger("photoshare.worker")
#: On SIGTERM/SIGINT, running jobs get this long to finish; the rest are cancelled and come
#: back through the stalled-job retry (every job is idempotent).
SHUTDOWN_SECONDS = 5.0


async def run_worker(settings: Settings, *override: Provider, wait: bool = True, **options: Any) -> None:
    """Work through the jobs; with `wait=False`, return once none is due (tests, one-off runs).

    `override` replaces providers, as in `create_app`; `options` go to procrastinate's
    worker (`name`, `concurrency`, `queues`, ...).
    """
    # The same providers as the HTTP app, so a task's use case is wired as a request's is
    # (LitestarProvider only declares the Request that the HTTP-only providers need).
    container = make_async_container(
        *ioc.providers(settings), LitestarProvider(), *override, context={Settings: settings}
    )
    try:
        app = await container.get(procrastinate.App)
        options.setdefault("queues", list(QUEUES))
        options.setdefault("concurrency", settings.image_concurrency)
        options.setdefault("install_signal_handlers", wait)
        options.setdefault("shutdown_graceful_timeout", SHUTDOWN_SECONDS)
        await app.run_worker_async(
            wait=wait,
            delete_jobs="successful",  # done jobs go; failed ones stay, counted by /health
            additional_context={"container": container},
            **options,
        )
    finally:
        await container.close()


def main(settings: Settings) -> None:
    log.info("job worker started (queues: %s)", ", ".join(QUEUES))
    asyncio.run(run_worker(settings))
