"""procrastinate's app on the service's database, and the `JobQueue` port over it.

Jobs live in PostgreSQL (procrastinate's tables, migration 0008), so they survive restarts
and any number of workers on any number of machines share them: a worker takes a job with
`SELECT ... FOR UPDATE SKIP LOCKED`. Each job carries a `lock` and a `queueing_lock` made of
its name and arguments: at most one copy waits, and two copies never run at once (a second
worker leaves it until the first is done).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import procrastinate
from procrastinate import exceptions
from psycopg_pool import AsyncConnectionPool

from photoshare.adapters.sql.reader import RECONNECT_WINDOW
from photoshare.application.ports.jobs import Job
from photoshare.config import libpq_url
from photoshare.domain.errors import Unavailable

NAMESPACE = "photoshare"
POOL_SIZE = 4  # deferring is one short statement; the worker adds its own listener

# Jobs by queue, task and status, and for waiting ones how long the oldest has been due
# (since it was deferred, or since its retry time: a retry still backing off counts 0).
# Done jobs are deleted (see `worker`), so this groups only the live and the failed ones;
# the deferral time is looked up for waiting jobs only.
_JOB_COUNTS = """
SELECT j.queue_name AS queue, j.task_name AS task, j.status::text AS status, count(*) AS jobs,
       coalesce(max(greatest(0, extract(epoch FROM now() - coalesce(j.scheduled_at, d.at)))), 0)
           AS oldest_due_seconds
FROM procrastinate_jobs AS j
LEFT JOIN LATERAL (
    SELECT min(e.at) AS at FROM procrastinate_events AS e
    WHERE j.status = 'todo' AND e.job_id = j.id AND e.type = 'deferred'
) AS d ON true
GROUP BY 1, 2, 3
"""


@dataclass(frozen=True, slots=True)
class JobCount:
    """How many jobs of one task are in one procrastinate status (`todo`, `doing`, `failed`...)."""

    queue: str
    task: str
    status: str
    jobs: int
    oldest_due_seconds: float  # waiting (`todo`) jobs only; 0 otherwise


def task_name(job: Job) -> str:
    return f"{NAMESPACE}.{job.value}"


def job_key(job: Job, args: dict[str, str]) -> str:
    """One job's identity: its name and arguments, in a stable order."""
    return ":".join([job.value, *(f"{k}={args[k]}" for k in sorted(args))])


def create_job_app(database_url: str) -> procrastinate.App:
    """The app with every task registered (see `tasks`); open it before use (`opened`)."""
    from photoshare.adapters.jobs.tasks import register

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url)))
    register(app)
    return app


@asynccontextmanager
async def opened(app: procrastinate.App, database_url: str) -> AsyncIterator[procrastinate.App]:
    """Open the app on a pool that does not wait for the database: a service started while
    PostgreSQL is down answers 503s until it is back, as the other pools do."""
    pool = AsyncConnectionPool(
        libpq_url(database_url),
        min_size=1,
        max_size=POOL_SIZE,
        open=False,
        timeout=5,
        reconnect_timeout=RECONNECT_WINDOW,
        check=AsyncConnectionPool.check_connection,
    )
    await pool.open(wait=False)
    try:
        await app.open_async(pool=pool)
        yield app
    finally:
        await app.close_async()
        await pool.close()


class ProcrastinateJobQueue:
    """Implements `JobQueue`."""

    def __init__(self, app: procrastinate.App) -> None:
        self._app = app

    async def defer(self, job: Job, **args: str) -> None:
        key = job_key(job, args)
        deferrer = self._app.tasks[task_name(job)].configure(lock=key, queueing_lock=key)
        try:
            await deferrer.defer_async(**args)
        except exceptions.AlreadyEnqueued:
            return  # the same job is already waiting: it will do this
        except exceptions.ConnectorException as error:
            raise Unavailable("the job queue cannot take the job now") from error

    async def failed_count(self) -> int:
        """Jobs that ran out of retries (shown by /health)."""
        row = await self._app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'failed'"
        )
        return int(row["n"])

    async def counts(self) -> list[JobCount]:
        """Every task's jobs by status, in one query (read at each `/metrics` scrape)."""
        rows = await self._app.connector.execute_query_all_async(_JOB_COUNTS)
        return [
            JobCount(r["queue"], r["task"], r["status"], int(r["jobs"]), float(r["oldest_due_seconds"]))
            for r in rows
        ]

    def tasks(self) -> dict[str, str]:
        """Every registered task's name and queue: each gets a sample even with no jobs."""
        return {
            name: task.queue for name, task in self._app.tasks.items() if name.startswith(f"{NAMESPACE}.")
        }
