"""The background side of photos: variants and placeholders, and sweeping what deletes leave.

Each class is what one job runs; all are idempotent, since a job runs at least once
(again after a worker died mid-way, or when deferred twice).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from photoshare.application.photos import defer_quietly
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.images import ImageStore, ImageTombstones, Rendition
from photoshare.application.ports.jobs import Job, JobQueue
from photoshare.application.ports.photos import PhotoLookups, PhotoRepository
from photoshare.domain.photos import PhotoStatus, planned_variants

log = logging.getLogger(__name__)

#: A photo processing for longer than this lost its job (the queue was down at upload).
LOST_JOB_AFTER = timedelta(minutes=10)
#: A tombstone is acted on only after this: an upload that timed out may still land meanwhile.
SWEEP_GRACE = timedelta(minutes=2)
BATCH = 500


@dataclass(frozen=True, slots=True)
class MakeVariants:
    photos: PhotoLookups
    repository: PhotoRepository
    store: ImageStore
    uow: UnitOfWork

    async def __call__(self, photo_id: uuid.UUID) -> None:
        photo = await self.photos.get(photo_id)
        if photo is None or photo.status is PhotoStatus.READY:
            return  # deleted since, or done by an earlier run of this job
        rendition = await self.store.make_variants(
            photo.image_key, planned_variants(photo.width, photo.height)
        )
        if rendition is None:
            # Nothing to make them from: done, with none (so it is not requeued for ever).
            log.warning("photo %s has no stored original; it gets no variants", photo_id)
            rendition = Rendition((), None)
        if not await self.repository.mark_ready(photo.id, rendition):
            # Deleted while we rendered: what we wrote belongs to nobody.
            await self.store.delete(photo.image_key)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class RequeueProcessing:
    """Periodic: photos whose variants job was never enqueued (or was lost) get one."""

    photos: PhotoRepository
    jobs: JobQueue
    clock: Clock

    async def __call__(self) -> int:
        stuck = await self.photos.processing_since(self.clock.now() - LOST_JOB_AFTER, BATCH)
        for photo_id in stuck:
            await defer_quietly(self.jobs, Job.MAKE_VARIANTS, photo_id=str(photo_id))
        return len(stuck)


@dataclass(frozen=True, slots=True)
class SweepImages:
    """Periodic: remove the images (and variants) of deleted photos, then orphaned files."""

    tombstones: ImageTombstones
    store: ImageStore
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, grace: timedelta = SWEEP_GRACE) -> int:
        removed = 0
        for key in await self.tombstones.due(self.clock.now() - grace, BATCH):
            await self.store.delete(key)  # missing is fine; a failure retries the job later
            await self.tombstones.remove(key)
            await self.uow.commit()
            removed += 1
        return removed + await self.store.sweep_orphans()
