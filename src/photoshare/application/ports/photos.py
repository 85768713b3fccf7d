"""Photos and their transformed links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from photoshare.application.ports.images import Rendition
from photoshare.domain.access import Visibility
from photoshare.domain.links import Link
from photoshare.domain.photos import Photo
from photoshare.domain.transformations import Transformation


class PhotoLookups(Protocol):
    """A photo by id, read on the read pool outside any request's transaction: a comment or
    a rating finds its photo without opening a session."""

    async def get(self, photo_id: uuid.UUID) -> Photo | None: ...


class PhotoRepository(Protocol):
    """Photo writes (and the jobs' scan for lost ones), in the request's transaction (the
    pool's lookup: `PhotoLookups`)."""

    async def add(self, photo: Photo) -> None:
        """Insert the photo and get-or-create its tags by name (safe under races)."""
        ...

    async def update(self, photo: Photo) -> None: ...

    async def delete(self, photo_id: uuid.UUID) -> None: ...

    async def mark_ready(self, photo_id: uuid.UUID, rendition: Rendition) -> bool:
        """Store the variants (and the placeholder, if the rendition has one) and set the
        status to ready; False when the photo is gone."""
        ...

    async def processing_since(self, before: datetime, limit: int) -> list[uuid.UUID]:
        """Photos still processing that were uploaded before `before` (their job was lost)."""
        ...


class LinkRepository(Protocol):
    async def add(self, link: Link) -> None: ...

    async def get(self, link_id: uuid.UUID) -> Link | None: ...

    async def list_for_photo(self, photo_id: uuid.UUID) -> Sequence[Link]: ...

    async def delete(self, link_id: uuid.UUID) -> None: ...


class LinkLookups(Protocol):
    """The public side of links (short links, QR codes, rendered images): reads on the read
    pool, outside any request's transaction."""

    async def get_by_slug(self, slug: str) -> tuple[Link, str, Visibility] | None:
        """The link, its photo's image key and the photo's visibility."""
        ...

    async def exists_for_image(self, image_key: str, transformation: Transformation) -> bool:
        """Does a stored link ask for this transformation of this image?"""
        ...
