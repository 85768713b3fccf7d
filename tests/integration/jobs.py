"""Running the job worker in tests: drain the queue in-process, no sleeps, a timeout instead."""

from __future__ import annotations

from typing import Any

import anyio
import psycopg
from dishka import Provider
from psycopg.rows import dict_row

from photoshare.adapters.jobs.tasks import IMAGES_QUEUE
from photoshare.config import Settings, libpq_url
from photoshare.entrypoints.worker import run_worker

DRAIN_TIMEOUT = 60.0


async def drain(
    settings: Settings, *queues: str, override: tuple[Provider, ...] = (), **options: Any
) -> None:
    """Run a worker until no job is due (procrastinate's `wait=False`), within a timeout."""
    with anyio.fail_after(DRAIN_TIMEOUT):
        await run_worker(
            settings,
            *override,
            wait=False,
            queues=list(queues or (IMAGES_QUEUE,)),
            listen_notify=False,
            **options,
        )


def jobs_in(database_url: str, task_suffix: str = "") -> list[dict[str, Any]]:
    with psycopg.connect(libpq_url(database_url), row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT id, task_name, status::text AS status, attempts, scheduled_at, args"
            " FROM procrastinate_jobs WHERE task_name LIKE %s ORDER BY id",
            [f"%{task_suffix}"],
        ).fetchall()


def make_due(database_url: str, job_id: int) -> None:
    """A retry waits out its backoff; tests move its time forward instead of sleeping."""
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [job_id])
