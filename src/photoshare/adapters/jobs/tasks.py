"""The task functions: each opens a dishka request scope and calls one use case.

The worker puts its dishka container in the job context (`additional_context`), so a task
gets its use case, repositories and stores exactly as an HTTP request does.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import procrastinate
from dishka import AsyncContainer

from photoshare.adapters.jobs.queue import NAMESPACE, task_name
from photoshare.application.ports.jobs import Job
from photoshare.application.variants import MakeVariants, RequeueProcessing, SweepImages

log = logging.getLogger(__name__)

IMAGES_QUEUE = "images"  # variants: CPU work, one at a time per worker thread
HOUSEKEEPING_QUEUE = "housekeeping"  # periodic sweeps
QUEUES = (IMAGES_QUEUE, HOUSEKEEPING_QUEUE)
# A failed job runs again after 4, 8, 16 ... 256 seconds: eight tries over about eight
# minutes, then it stays `failed` (counted by /health) and the photo keeps its original.
RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2)
#: A worker silent for this long is dead: its running jobs are put back in the queue.
STALLED_AFTER_SECONDS = 60.0


async def run_use_case(context: procrastinate.JobContext, use_case: type[Any], *args: Any) -> Any:
    container: AsyncContainer = context.additional_context["container"]
    async with container() as scope:
        call = await scope.get(use_case)
        return await call(*args)


def register(app: procrastinate.App) -> None:
    @app.task(name=task_name(Job.MAKE_VARIANTS), queue=IMAGES_QUEUE, retry=RETRY, pass_context=True)
    async def make_variants(context: procrastinate.JobContext, photo_id: str) -> None:
        await run_use_case(context, MakeVariants, uuid.UUID(photo_id))

    @app.task(name=task_name(Job.SWEEP_IMAGES), queue=HOUSEKEEPING_QUEUE, retry=RETRY, pass_context=True)
    async def sweep_images(context: procrastinate.JobContext) -> None:
        removed = await run_use_case(context, SweepImages)
        if removed:
            log.info("swept %d stored images and files of deleted photos", removed)

    @app.periodic(cron="*/10 * * * *", periodic_id="sweep")
    @app.task(name=f"{task_name(Job.SWEEP_IMAGES)}.periodic", queue=HOUSEKEEPING_QUEUE, pass_context=True)
    async def sweep_periodically(context: procrastinate.JobContext, timestamp: int) -> None:
        if removed := await run_use_case(context, SweepImages):
            log.info("swept %d stored images and files of deleted photos", removed)

    @app.periodic(cron="*/5 * * * *", periodic_id="requeue")
    @app.task(name=f"{task_name(Job.MAKE_VARIANTS)}.requeue", queue=HOUSEKEEPING_QUEUE, pass_context=True)
    async def requeue_processing(context: procrastinate.JobContext, timestamp: int) -> None:
        if requeued := await run_use_case(context, RequeueProcessing):
            log.info("requeued variants of %d photos whose job was lost", requeued)

    @app.periodic(cron="* * * * *", periodic_id="stalled")
    @app.task(name=f"{NAMESPACE}.retry_stalled", queue=HOUSEKEEPING_QUEUE, pass_context=True)
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
        await retry_stalled_jobs(context.app, STALLED_AFTER_SECONDS)


async def retry_stalled_jobs(app: procrastinate.App, seconds_since_heartbeat: float) -> int:
    """Jobs a dead worker held (killed mid-job: no heartbeat since) go back in the queue:
    at least once, even across crashes. Every job is idempotent, so running again is safe."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat))
    for job in stalled:
        log.warning("job %s (%s) was held by a dead worker: retrying it", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(stalled)
