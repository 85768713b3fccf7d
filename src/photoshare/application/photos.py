"""Upload, edit and delete photos. Storage side effects are ordered so that no row ever
points at a missing image and a failed write leaves no orphaned file."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.images import ImageInspector, ImageStore, ImageTombstones
from photoshare.application.ports.jobs import Job, JobQueue
from photoshare.application.ports.photos import PhotoLookups, PhotoRepository
from photoshare.application.readmodels import PhotoPage, PhotoQueries, PhotoSearch
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.errors import Forbidden, NotFound, PayloadTooLarge, Unavailable
from photoshare.domain.photos import Photo, ensure_may_manage, tag_set, validate_description
from photoshare.domain.users import User

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


async def load_photo(photos: PhotoLookups, photo_id: uuid.UUID) -> Photo:
    photo = await photos.get(photo_id)
    if photo is None:
        raise NotFound("no such photo")
    return photo


async def load_visible_photo(photos: PhotoLookups, photo_id: uuid.UUID, by: User | None) -> Photo:
    """The photo if `by` may see it; a private photo of someone else is as unknown as a missing one."""
    photo = await load_photo(photos, photo_id)
    if not VisibleTo.of(by).may_see(photo.owner_id, photo.visibility):
        raise NotFound("no such photo")
    return photo


def check_upload_size(data: bytes) -> None:
    """Photos and avatars alike: the one place an upload's size is refused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"an upload may be at most {MAX_UPLOAD_BYTES} bytes")


async def defer_quietly(jobs: JobQueue, job: Job, **args: str) -> None:
    """Enqueue after a commit: a queue that cannot take the job now must not fail a request
    whose change is already made; the periodic jobs catch up (see `RequeueProcessing`)."""
    try:
        await jobs.defer(job, **args)
    except Exception:
        log.warning("could not enqueue %s %s; the periodic jobs will catch up", job, args, exc_info=True)


@dataclass(frozen=True, slots=True)
class UploadPhoto:
    """Stores the original and the row, then hands the variants to a background job:
    the photo answers `processing` (its original already served) until the job is done."""

    photos: PhotoRepository
    inspector: ImageInspector
    store: ImageStore
    clock: Clock
    uow: UnitOfWork
    jobs: JobQueue
    tombstones: ImageTombstones

    async def __call__(
        self,
        owner: User,
        data: bytes,
        description: str | None,
        tags: Iterable[str],
        visibility: Visibility = Visibility.PUBLIC,
    ) -> uuid.UUID:
        check_upload_size(data)
        # Validate the cheap things before decoding the image.
        text, names = validate_description(description), tag_set(tags)
        image = await self.inspector.clean(data)
        photo_id, now = uuid.uuid4(), self.clock.now()
        photo = Photo(
            id=photo_id,
            owner_id=owner.id,
            image_key=f"{photo_id}.{image.extension}",
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            description=text,
            tags=names,
            created_at=now,
            updated_at=now,
            visibility=visibility,
            checksum=image.checksum or None,
            taken_at=image.taken_at,
            exif=image.exif,
        )
        try:
            await self.store.save(photo.image_key, image, private=visibility.signed_urls)
            placeholder = await self.store.placeholder_at_upload(image)
        except Unavailable:
            # No answer is not a refusal: a store that timed out may still keep the image
            # (Cloudinary finishing an upload we gave up on). Nothing will point at it: remove
            # it now, and leave a tombstone so the sweep removes it again once it has landed.
            await self._discard_quietly(photo.image_key, private=visibility.signed_urls)
            raise
        photo = replace(photo, placeholder=placeholder)
        try:
            await self.photos.add(photo)
            await self.uow.commit()
        except BaseException:
            # The row did not land: the stored image must not outlive it, even if the rollback fails too.
            try:
                await self.uow.rollback()
            finally:
                await self.store.delete(photo.image_key, private=visibility.signed_urls)
            raise
        await defer_quietly(self.jobs, Job.MAKE_VARIANTS, photo_id=str(photo.id))
        return photo.id

    async def _discard_quietly(self, key: str, *, private: bool) -> None:
        try:
            await self.store.delete(key, private=private)
        except Exception:
            log.warning("image %s may be left in the store: removing it failed", key, exc_info=True)
        try:
            await self.tombstones.add(key, self.clock.now())
            await self.uow.commit()
        except Exception:
            log.warning("image %s may be left in the store: no tombstone", key, exc_info=True)


@dataclass(frozen=True, slots=True)
class EditPhoto:
    photos: PhotoLookups
    repository: PhotoRepository
    store: ImageStore
    clock: Clock
    uow: UnitOfWork

    async def __call__(
        self,
        by: User,
        photo_id: uuid.UUID,
        description: str,
        tags: Iterable[str] | None,
        visibility: Visibility | None = None,
        show_metadata: bool | None = None,
    ) -> Photo:
        photo = await load_visible_photo(self.photos, photo_id, by)
        edited = photo.edit(
            by=by,
            description=description,
            tags=tags,
            now=self.clock.now(),
            visibility=visibility,
            show_metadata=show_metadata,
        )
        restrict = edited.visibility.signed_urls
        if restrict == photo.visibility.signed_urls:
            await self.repository.update(edited)
            await self.uow.commit()
            return edited
        # The store's delivery follows the visibility; it is put back if the row does not land.
        await self.store.set_private(photo.image_key, restrict)
        try:
            await self.repository.update(edited)
            await self.uow.commit()
        except BaseException:
            try:
                await self.uow.rollback()
            finally:
                await self.store.set_private(photo.image_key, not restrict)
            raise
        return edited


@dataclass(frozen=True, slots=True)
class DeletePhoto:
    photos: PhotoLookups
    repository: PhotoRepository
    store: ImageStore
    uow: UnitOfWork
    tombstones: ImageTombstones
    clock: Clock
    jobs: JobQueue

    async def __call__(self, by: User, photo_id: uuid.UUID) -> None:
        photo = await load_visible_photo(self.photos, photo_id, by)
        ensure_may_manage(photo, by)
        # Row first (its links, comments and ratings go with it) with a tombstone for its
        # image in the same transaction, then the image and its variants: a failure in
        # between leaves a tombstone that the sweep job acts on, never a row without an image.
        await self.repository.delete(photo.id)
        await self.tombstones.add(photo.image_key, self.clock.now())
        await self.uow.commit()
        try:
            await self.store.delete(photo.image_key, private=photo.visibility.signed_urls)
        except Exception:
            log.exception("photo %s deleted but its image %s could not be removed", photo.id, photo.image_key)
            await defer_quietly(self.jobs, Job.SWEEP_IMAGES)
            return
        await self.tombstones.remove(photo.image_key)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class SearchPhotos:
    """The public photo search; filtering by uploader is for moderators and admins only."""

    queries: PhotoQueries

    async def __call__(self, by: User | None, search: PhotoSearch) -> PhotoPage:
        if search.owner is not None and (by is None or not by.role.is_staff):
            raise Forbidden("only moderators and admins filter by uploader")
        return await self.queries.search(search)
