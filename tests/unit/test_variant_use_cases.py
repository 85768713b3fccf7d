"""Variants, the jobs that make them and the sweeps, against in-memory fakes and a fake JobQueue."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from photoshare.application.photos import UploadPhoto
from photoshare.application.ports.jobs import Job
from photoshare.application.variants import LOST_JOB_AFTER, MakeVariants, RequeueProcessing, SweepImages
from photoshare.domain.errors import Unavailable
from photoshare.domain.photos import VARIANT_SIZES, PhotoStatus, Variant, fit_within, planned_variants
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeImageInspector,
    FakeJobQueue,
    FakeUnitOfWork,
    FixedClock,
    InMemoryImageStore,
    InMemoryPhotoRepository,
    InMemoryTombstones,
)


@pytest.mark.parametrize(
    ("size", "side", "expected"),
    [((4000, 3000), 256, (256, 192)), ((3000, 4000), 640, (480, 640)), ((300, 200), 1280, (300, 200))],
)
def test_a_variant_fits_its_long_side_and_is_never_upscaled(
    size: tuple[int, int], side: int, expected: tuple[int, int]
) -> None:
    assert fit_within(*size, side) == expected


def test_every_variant_is_planned_in_size_order() -> None:
    assert [v.name for v in planned_variants(5000, 100)] == list(VARIANT_SIZES)
    assert planned_variants(5000, 100)[0] == Variant("thumb", 256, 5)


class World:
    def __init__(self, *, queue_fails: bool = False) -> None:
        self.photos = InMemoryPhotoRepository()
        self.store = InMemoryImageStore()
        self.jobs = FakeJobQueue(Unavailable("queue down") if queue_fails else None)
        self.tombstones = InMemoryTombstones()
        self.clock = FixedClock()
        self.uow = FakeUnitOfWork()

    def upload(self) -> UploadPhoto:
        return UploadPhoto(
            self.photos, FakeImageInspector(), self.store, self.clock, self.uow, self.jobs, self.tombstones
        )

    def make_variants(self) -> MakeVariants:
        return MakeVariants(self.photos, self.photos, self.store, self.uow)


async def test_an_upload_is_processing_and_defers_its_variants_job() -> None:
    world = World()
    photo_id = await world.upload()(UserFactory.build(), b"pixels", None, [])

    assert world.photos.photos[photo_id].status is PhotoStatus.PROCESSING
    assert world.jobs.deferred == [(Job.MAKE_VARIANTS, {"photo_id": str(photo_id)})]


async def test_an_upload_succeeds_when_the_queue_cannot_take_the_job() -> None:
    world = World(queue_fails=True)
    photo_id = await world.upload()(UserFactory.build(), b"pixels", None, [])

    assert photo_id in world.photos.photos  # the requeue job makes its variants later
    assert world.jobs.deferred == []


async def test_the_job_marks_the_photo_ready_with_its_variants_and_placeholder_once() -> None:
    world = World()
    photo_id = await world.upload()(UserFactory.build(), b"pixels", None, [])

    await world.make_variants()(photo_id)
    await world.make_variants()(photo_id)  # run again (at least once): nothing more is made

    ready = world.photos.photos[photo_id]
    assert ready.status is PhotoStatus.READY
    assert ready.variants == planned_variants(640, 480)
    assert ready.placeholder == "placeholder"
    assert world.store.journal.count(f"variants {ready.image_key}") == 1


async def test_the_job_for_a_deleted_photo_does_nothing() -> None:
    world = World()
    await world.make_variants()(uuid.uuid4())
    assert world.store.journal == []


async def test_a_failing_store_fails_the_job_so_the_queue_retries_it() -> None:
    world = World()
    photo_id = await world.upload()(UserFactory.build(), b"pixels", None, [])
    world.store.fail["variants"] = OSError("disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        await world.make_variants()(photo_id)
    assert world.photos.photos[photo_id].status is PhotoStatus.PROCESSING


async def test_requeue_defers_only_photos_processing_for_too_long() -> None:
    world = World()
    old_id = await world.upload()(UserFactory.build(), b"pixels", None, [])
    world.clock.advance((LOST_JOB_AFTER + timedelta(seconds=1)).total_seconds())
    await world.upload()(UserFactory.build(), b"pixels", None, [])  # recent: its job is still waiting
    world.jobs.deferred.clear()

    assert await RequeueProcessing(world.photos, world.jobs, world.clock)() == 1
    assert world.jobs.deferred == [(Job.MAKE_VARIANTS, {"photo_id": str(old_id)})]


async def test_the_sweep_removes_images_whose_tombstone_is_past_the_grace_period() -> None:
    world = World()
    world.store.images = {"old.jpg": b"x", "new.jpg": b"y", "kept.jpg": b"z"}
    await world.tombstones.add("old.jpg", world.clock.now() - timedelta(hours=1))
    await world.tombstones.add("new.jpg", world.clock.now())

    removed = await SweepImages(world.tombstones, world.store, world.clock, world.uow)(timedelta(minutes=2))

    assert removed == 1
    assert set(world.store.images) == {"new.jpg", "kept.jpg"}
    assert list(world.tombstones.keys) == ["new.jpg"]


async def test_a_photo_without_its_original_is_done_with_no_variants_instead_of_requeued() -> None:
    world = World()
    photo_id = await world.upload()(UserFactory.build(), b"pixels", None, [])
    world.store.images.clear()  # the original is gone (a seeded row, a lost disk)

    await world.make_variants()(photo_id)

    done = world.photos.photos[photo_id]
    assert (done.status, done.variants) == (PhotoStatus.READY, ())
    world.clock.advance((LOST_JOB_AFTER + timedelta(seconds=1)).total_seconds())
    assert await RequeueProcessing(world.photos, world.jobs, world.clock)() == 0


async def test_an_upload_the_store_timed_out_on_leaves_a_tombstone_for_the_sweep() -> None:
    world = World()
    world.store.fail["save"] = Unavailable("Cloudinary did not answer")

    with pytest.raises(Unavailable):
        await world.upload()(UserFactory.build(), b"pixels", None, [])

    # The store may still finish that upload later: the sweep removes the key again then.
    [key] = world.tombstones.keys
    assert key.endswith(".png")
    assert world.photos.photos == {}
