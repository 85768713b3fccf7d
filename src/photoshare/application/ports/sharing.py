"""Albums and share links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from photoshare.domain.albums import Album
from photoshare.domain.shares import Share


class AlbumRepository(Protocol):
    async def get(self, album_id: uuid.UUID) -> Album | None: ...

    async def add(self, album: Album) -> None: ...

    async def update(self, album: Album) -> None: ...

    async def delete(self, album_id: uuid.UUID) -> None: ...

    async def put_photo(
        self, album_id: uuid.UUID, photo_id: uuid.UUID, position: int | None, now: datetime
    ) -> None:
        """Place the photo in the album (idempotent): at `position` (0 is first; past the end
        is last), or, with None, last when new and where it was otherwise."""
        ...

    async def remove_photo(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool:
        """False when the photo was not in the album."""
        ...

    async def contains(self, album_id: uuid.UUID, photo_id: uuid.UUID) -> bool: ...


class ShareRepository(Protocol):
    async def add(self, share: Share) -> None: ...

    async def get(self, share_id: uuid.UUID) -> Share | None: ...

    async def get_by_slug(self, slug: str) -> Share | None: ...

    async def update(self, share: Share) -> None:
        """Write label, expiry, view limit and password hash (never the counters)."""
        ...

    async def delete(self, share_id: uuid.UUID) -> None: ...

    async def list_for_owner(self, owner_id: uuid.UUID, limit: int, offset: int) -> tuple[list[Share], int]:
        """A page of the owner's shares, newest first, and their total."""
        ...

    async def count_view(self, share_id: uuid.UUID, now: datetime) -> Share | None:
        """Count one view, atomically and only while the share is open (not expired, under
        its limit): with N views left and many at once, exactly N get the share back; the
        others get None."""
        ...
