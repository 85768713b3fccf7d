"""The background side of photos: variants and placeholders, and sweeping what deletes leave.

Each class is what one job runs; all are idempotent, since a job runs at least once
(again after a worker died mid-way, or when deferred twice).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from photoshare.application.photos import defer_quietly
from photoshare.application.ports import (
    Clock,
    ImageStore,
    ImageTombstones,
    Job,
    JobQueue,
    PhotoRepository,
    Rendition,
    UnitOfWork,
)
from photoshare.domain.photos import PhotoStatus, planned_variants

log = logging.getLogger(__name__)

#: A photo processing for longer than this lost its job (the queue was down at upload).
LOST_JOB_AFTER = timedelta(minutes=10)
#: A tombstone is acted on only after this: an upload that timed out may still land meanwhile.
SWEEP_GRACE = timedelta(minutes=2)
BATCH = 500


class MakeVariants:
    def __init__(self, photos: PhotoRepository, store: ImageStore, uow: UnitOfWork) -> None:
        self._photos, self._store, self._uow = photos, store, uow

    async def __call__(self, photo_id: uuid.UUID) -> None:
        photo = await self._photos.get(photo_id)
        if photo is None or photo.status is PhotoStatus.READY:
            return  # deleted since, or done by an earlier run of this job
        rendition = await self._store.make_variants(
            photo.image_key, planned_variants(photo.width, photo.height)
        )
        if rendition is None:
            # Nothing to make them from: done, with none (so it is not requeued for ever).
            log.warning("photo %s has no stored original; it gets no variants", photo_id)
            rendition = Rendition((), None)
        if not await self._photos.mark_ready(photo.id, rendition):
            # Deleted while we rendered: what we wrote belongs to nobody.
            await self._store.delete(photo.image_key)
        await self._uow.commit()


class RequeueProcessing:
    """Periodic: photos whose variants job was never enqueued (or was lost) get one."""

    def __init__(self, photos: PhotoRepository, jobs: JobQueue, clock: Clock) -> None:
        self._photos, self._jobs, self._clock = photos, jobs, clock

    async def __call__(self) -> int:
        stuck = await self._photos.processing_since(self._clock.now() - LOST_JOB_AFTER, BATCH)
        for photo_id in stuck:
            await defer_quietly(self._jobs, Job.MAKE_VARIANTS, photo_id=str(photo_id))
        return len(stuck)


class SweepImages:
    """Periodic: remove the images (and variants) of deleted photos, then orphaned files."""

    def __init__(self, tombstones: ImageTombstones, store: ImageStore, clock: Clock, uow: UnitOfWork) -> None:
        self._tombstones, self._store, self._clock, self._uow = tombstones, store, clock, uow

    async def __call__(self, grace: timedelta = SWEEP_GRACE) -> int:
        removed = 0
        for key in await self._tombstones.due(self._clock.now() - grace, BATCH):
            await self._store.delete(key)  # missing is fine; a failure retries the job later
            await self._tombstones.remove(key)
            await self._uow.commit()
            removed += 1
        return removed + await self._store.sweep_orphans()
