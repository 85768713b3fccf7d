"""UploadPhoto, EditPhoto and DeletePhoto against in-memory fakes: rules, and the order of side effects."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from photoshare.application.photos import MAX_UPLOAD_BYTES, DeletePhoto, EditPhoto, UploadPhoto
from photoshare.application.ports.jobs import Job
from photoshare.domain.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    StorageFull,
    Unavailable,
    UnsupportedMedia,
)
from photoshare.domain.photos import Photo
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeImageInspector,
    FakeJobQueue,
    FixedClock,
    InMemoryImageStore,
    InMemoryPhotoRepository,
    InMemoryTombstones,
    JournaledUnitOfWork,
)

DATA = b"pretend these are pixels"


class Boom(Exception):
    """A failure no layer expects."""


@pytest.fixture
def journal() -> list[str]:
    return []


@pytest.fixture
def owner() -> User:
    return UserFactory.build()


def upload_with(
    journal: list[str],
    *,
    inspector: FakeImageInspector | None = None,
    store: InMemoryImageStore | None = None,
    photos: InMemoryPhotoRepository | None = None,
    uow: JournaledUnitOfWork | None = None,
) -> tuple[UploadPhoto, InMemoryPhotoRepository, InMemoryImageStore, JournaledUnitOfWork]:
    photos = photos or InMemoryPhotoRepository(journal=journal)
    store = store or InMemoryImageStore(journal)
    uow = uow or JournaledUnitOfWork(journal)
    use_case = UploadPhoto(
        photos,
        inspector or FakeImageInspector(),
        store,
        FixedClock(),
        uow,
        FakeJobQueue(),
        InMemoryTombstones(),
    )
    return use_case, photos, store, uow


# --- upload ---------------------------------------------------------------------------------------


async def test_upload_stores_the_image_then_the_row_and_commits_once(journal: list[str], owner: User) -> None:
    upload, photos, store, uow = upload_with(journal)

    photo = photos.photos[await upload(owner, DATA, "  at the sea ", ["Sea", "sun, SEA"])]

    assert journal == [f"save {photo.image_key}", "add", "commit"]
    assert uow.commits == 1
    assert photos.photos == {photo.id: photo}
    assert store.images == {photo.image_key: DATA}
    assert photo.image_key == f"{photo.id}.png"
    assert (photo.owner_id, photo.description, photo.tags) == (owner.id, "at the sea", ("sea", "sun"))
    assert (photo.width, photo.height, photo.content_type) == (640, 480, "image/png")
    assert photo.created_at == photo.updated_at


@pytest.mark.parametrize("error", [UnsupportedMedia("not an image"), InvalidInput("bomb", field="file")])
async def test_rejected_image_stores_nothing_and_adds_no_row(
    journal: list[str], owner: User, error: Exception
) -> None:
    upload, photos, store, uow = upload_with(journal, inspector=FakeImageInspector(error))

    with pytest.raises(type(error)):
        await upload(owner, DATA, None, [])

    assert journal == []
    assert (photos.photos, store.images, uow.commits) == ({}, {}, 0)


@pytest.mark.parametrize(
    ("description", "tags"),
    [("d" * 2001, []), (None, ["1", "2", "3", "4", "5", "6"]), (None, ["x" * 33])],
)
async def test_invalid_text_is_refused_before_the_image_is_decoded(
    journal: list[str], owner: User, description: str | None, tags: list[str]
) -> None:
    inspector = FakeImageInspector()
    upload, photos, _, _ = upload_with(journal, inspector=inspector)

    with pytest.raises(InvalidInput):
        await upload(owner, DATA, description, tags)

    assert (inspector.seen, journal, photos.photos) == (0, [], {})


async def test_oversized_upload_is_refused_before_anything_else(journal: list[str], owner: User) -> None:
    inspector = FakeImageInspector()
    upload, *_ = upload_with(journal, inspector=inspector)

    with pytest.raises(PayloadTooLarge):
        await upload(owner, b"\0" * (MAX_UPLOAD_BYTES + 1), None, [])

    assert (inspector.seen, journal) == (0, [])


async def test_failed_store_save_adds_no_row(journal: list[str], owner: User) -> None:
    store = InMemoryImageStore(journal, fail={"save": StorageFull("disk full")})
    upload, photos, _, uow = upload_with(journal, store=store)

    with pytest.raises(StorageFull):
        await upload(owner, DATA, None, [])

    assert [e.split()[0] for e in journal] == ["save"]
    assert (photos.photos, uow.commits) == ({}, 0)


async def test_failed_row_insert_deletes_the_stored_image_and_propagates(
    journal: list[str], owner: User
) -> None:
    photos = InMemoryPhotoRepository(journal=journal, fail_add=Boom("insert failed"))
    upload, _, store, uow = upload_with(journal, photos=photos)

    with pytest.raises(Boom):
        await upload(owner, DATA, None, ["a"])

    saved_key = journal[0].removeprefix("save ")
    assert journal[:2] == [f"save {saved_key}", "add"]
    assert f"delete {saved_key}" in journal[2:]
    assert (store.images, photos.photos, uow.commits) == ({}, {}, 0)


async def test_failed_commit_deletes_the_stored_image_and_propagates(journal: list[str], owner: User) -> None:
    uow = JournaledUnitOfWork(journal, fail_commit=Unavailable("database went away"))
    upload, _, store, _ = upload_with(journal, uow=uow)

    with pytest.raises(Unavailable):
        await upload(owner, DATA, None, [])

    saved_key = journal[0].removeprefix("save ")
    assert journal[:3] == [f"save {saved_key}", "add", "commit"]
    assert f"delete {saved_key}" in journal[3:]
    assert store.images == {}
    assert uow.commits == 0


async def test_stored_image_is_deleted_even_when_the_rollback_fails_too(
    journal: list[str], owner: User
) -> None:
    uow = JournaledUnitOfWork(
        journal, fail_commit=Unavailable("database went away"), fail_rollback=Unavailable("still away")
    )
    upload, _, store, _ = upload_with(journal, uow=uow)

    with pytest.raises(Unavailable):
        await upload(owner, DATA, None, [])

    assert store.images == {}
    assert journal[-1].startswith("delete ")


# --- edit -----------------------------------------------------------------------------------------


async def _stored_photo(owner: User, journal: list[str]) -> tuple[Photo, InMemoryPhotoRepository]:
    upload, photos, _, _ = upload_with(journal)
    photo = photos.photos[await upload(owner, DATA, "first", ["old"])]
    journal.clear()
    return photo, photos


async def test_owner_edit_saves_and_commits(journal: list[str], owner: User) -> None:
    photo, photos = await _stored_photo(owner, journal)
    clock = FixedClock()
    clock.advance(60)
    uow = JournaledUnitOfWork(journal)

    edited = await EditPhoto(photos, photos, InMemoryImageStore(), clock, uow)(
        owner, photo.id, "second", ["New"]
    )

    assert journal == ["update", "commit"]
    assert (
        photos.photos[photo.id]
        == edited
        == replace(photo, description="second", tags=("new",), updated_at=clock.now())
    )


async def test_stranger_may_not_edit(journal: list[str], owner: User) -> None:
    photo, photos = await _stored_photo(owner, journal)
    uow = JournaledUnitOfWork(journal)

    with pytest.raises(Forbidden):
        await EditPhoto(photos, photos, InMemoryImageStore(), FixedClock(), uow)(
            UserFactory.build(), photo.id, "mine", None
        )

    assert journal == []
    assert photos.photos[photo.id] == photo


async def test_editing_an_unknown_photo_is_not_found(journal: list[str], owner: User) -> None:
    photos = InMemoryPhotoRepository(journal=journal)

    with pytest.raises(NotFound):
        await EditPhoto(photos, photos, InMemoryImageStore(), FixedClock(), JournaledUnitOfWork(journal))(
            owner, uuid.uuid4(), "x", None
        )


# --- delete ---------------------------------------------------------------------------------------


TOMBSTONES = InMemoryTombstones()
JOBS = FakeJobQueue()


async def _delete_setup(
    owner: User, journal: list[str], store_fail: dict[str, Exception] | None = None
) -> tuple[Photo, InMemoryPhotoRepository, InMemoryImageStore, JournaledUnitOfWork, DeletePhoto]:
    global TOMBSTONES, JOBS
    store = InMemoryImageStore(journal, fail=store_fail)
    upload, photos, _, _ = upload_with(journal, store=store)
    photo = photos.photos[await upload(owner, DATA, None, [])]
    journal.clear()
    uow = JournaledUnitOfWork(journal)
    TOMBSTONES, JOBS = InMemoryTombstones(), FakeJobQueue()
    return photo, photos, store, uow, DeletePhoto(photos, photos, store, uow, TOMBSTONES, FixedClock(), JOBS)


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
async def test_non_owner_non_admin_may_not_delete_and_nothing_goes(
    journal: list[str], owner: User, role: Role
) -> None:
    photo, photos, store, uow, delete = await _delete_setup(owner, journal)

    with pytest.raises(Forbidden):
        await delete(UserFactory.build(role=role), photo.id)

    assert journal == []
    assert photo.id in photos.photos
    assert photo.image_key in store.images
    assert uow.commits == 0


@pytest.mark.parametrize("by_admin", [False, True])
async def test_owner_or_admin_delete_commits_the_row_before_removing_the_image(
    journal: list[str], owner: User, by_admin: bool
) -> None:
    photo, photos, store, _, delete = await _delete_setup(owner, journal)
    by = UserFactory.build(role=Role.ADMIN) if by_admin else owner

    await delete(by, photo.id)

    # The tombstone commits with the row; once the image is gone, so is the tombstone.
    assert journal == ["delete", "commit", f"delete {photo.image_key}", "commit"]
    assert (photos.photos, store.images, TOMBSTONES.keys, JOBS.deferred) == ({}, {}, {}, [])


async def test_image_removal_failure_after_commit_does_not_raise(journal: list[str], owner: User) -> None:
    photo, photos, _, uow, delete = await _delete_setup(
        owner, journal, store_fail={"delete": Unavailable("storage down")}
    )

    await delete(owner, photo.id)

    assert journal == ["delete", "commit", f"delete {photo.image_key}"]
    assert photos.photos == {}
    assert uow.commits == 1
    # The image is left for the sweep job: its tombstone stays and a sweep is enqueued.
    assert list(TOMBSTONES.keys) == [photo.image_key]
    assert JOBS.deferred == [(Job.SWEEP_IMAGES, {})]


async def test_deleting_an_unknown_photo_is_not_found(journal: list[str], owner: User) -> None:
    photos = InMemoryPhotoRepository(journal=journal)
    delete = DeletePhoto(
        photos,
        photos,
        InMemoryImageStore(journal),
        JournaledUnitOfWork(journal),
        InMemoryTombstones(),
        FixedClock(),
        FakeJobQueue(),
    )

    with pytest.raises(NotFound):
        await delete(owner, uuid.uuid4())

    assert journal == []
