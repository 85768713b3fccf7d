"""Background jobs and the queue that runs them."""

from __future__ import annotations

import enum
from typing import Protocol


class Job(enum.StrEnum):
    """Background jobs, by the name the queue knows them by."""

    MAKE_VARIANTS = "make_variants"  # args: photo_id
    SWEEP_IMAGES = "sweep_images"  # no args


class JobQueue(Protocol):
    async def defer(self, job: Job, **args: str) -> None:
        """Enqueue a job to run at least once. At most one job with the same name and args
        waits at a time: deferring it again while it waits does nothing. Raises
        `Unavailable` when the queue cannot take it."""
        ...
