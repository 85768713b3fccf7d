"""Images: verifying uploads, storing, rendering and signing them, QR codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from photoshare.domain.access import Visibility
from photoshare.domain.photos import Variant
from photoshare.domain.transformations import Transformation


@dataclass(frozen=True, slots=True)
class CleanImage:
    """An uploaded image after verification: metadata stripped, orientation applied."""

    data: bytes
    content_type: str  # image/jpeg, image/png, image/webp, image/gif
    extension: str  # jpg, png, webp, gif
    width: int
    height: int
    checksum: str = ""  # SHA-256 hex of the bytes as uploaded (before cleaning)
    taken_at: datetime | None = None  # from EXIF, read before it was stripped
    exif: dict[str, str | float | int] | None = None  # camera settings (METADATA_FIELDS), never GPS


class ImageInspector(Protocol):
    async def clean(self, data: bytes) -> CleanImage:
        """Raises `UnsupportedMedia` when the bytes are not a JPEG/PNG/WebP/GIF,
        `InvalidInput` for a decompression bomb or a broken file."""
        ...


class AvatarMaker(Protocol):
    async def squares(self, image: CleanImage, sizes: Sequence[int]) -> list[CleanImage]:
        """The image cropped to its centred square, scaled to each size (first frame only)."""
        ...


@dataclass(frozen=True, slots=True)
class RenderedImage:
    data: bytes
    content_type: str
    #: Which representation this is (e.g. `avif`), for a per-format ETag; "" for an original.
    format: str = ""


@dataclass(frozen=True, slots=True)
class Rendition:
    """What the variants job made: the variants as stored, and a ThumbHash (base64) if it made one."""

    variants: tuple[Variant, ...]
    placeholder: str | None


class ImageStore(Protocol):
    async def save(self, key: str, image: CleanImage, *, private: bool = False) -> None:
        """Store the original (`private`: delivered only by signed URLs).
        Raises `Unavailable`, `UpstreamFailed` or `StorageFull`."""
        ...

    async def set_private(self, key: str, private: bool) -> None:
        """Deliver the image only by signed URLs from now on, or by plain ones again."""
        ...

    async def delete(self, key: str, *, private: bool = False) -> None:
        """Remove the original (stored `private` or not) and anything derived from it;
        missing keys are fine."""
        ...

    def original_url(self, key: str, *, signed: bool = False) -> str:
        """`signed`: a capability URL that expires (images of unlisted and private photos)."""
        ...

    def transformed_url(self, key: str, transformation: Transformation, *, signed: bool = False) -> str: ...

    def variant_url(self, key: str, variant: Variant, *, signed: bool = False) -> str:
        """`signed`: like `original_url`, for the variants of unlisted and private photos."""
        ...

    async def make_variants(self, key: str, planned: tuple[Variant, ...]) -> Rendition | None:
        """Make the planned variants of a stored original (idempotent: making them again
        overwrites them); None when the original is gone. A CDN that sizes on delivery
        makes nothing and answers the plan as it is."""
        ...

    async def placeholder_at_upload(self, image: CleanImage) -> str | None:
        """A store that cannot read originals back (Cloudinary) computes the placeholder
        while it has the bytes; one that can (the local disk) leaves it to the job: None."""
        ...

    async def sweep_orphans(self) -> int:
        """Remove derived files whose original is gone; the number removed."""
        ...


def variant_signed_as(name: str) -> str:
    """What a sized variant's URL signature covers besides the key. A transformation's
    canonical form never has a `v_` part, so one signature cannot pass for the other."""
    return f"v_{name}"


class UrlSigner(Protocol):
    """Signatures of image URLs: over the image key, its transformation and the expiry."""

    def sign(self, key: str, variant: str) -> tuple[int, str]:
        """(expires as a Unix time, signature) for the image `key` rendered as `variant`
        (a transformation's canonical form, `variant_signed_as(name)` for a sized variant,
        "" for the original)."""
        ...

    def verify(self, key: str, variant: str, expires: int, signature: str) -> bool:
        """True only for an untampered signature that has not expired."""
        ...


class ImageIndex(Protocol):
    async def visibility(self, image_key: str) -> Visibility | None:
        """The visibility of the photo whose original this is; None when there is none."""
        ...


class ImageRenderer(Protocol):
    """Renders stored images (the local store only). `offered` names the modern formats the
    client accepts (`avif`, `webp`); the renderer answers the best of them, else JPEG (PNG for
    images with transparency). An explicit `format` in a transformation wins."""

    async def original(self, key: str) -> RenderedImage | None: ...

    async def render(
        self, key: str, transformation: Transformation, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None: ...

    async def variant(
        self, key: str, name: str, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        """A variant made by the job, in the negotiated format; None if it does not exist."""
        ...


class ImageTombstones(Protocol):
    """Stored images whose photo is gone, until the sweep has removed them from the store."""

    async def add(self, image_key: str, at: datetime) -> None: ...

    async def due(self, before: datetime, limit: int) -> list[str]: ...

    async def remove(self, image_key: str) -> None: ...


class QrRenderer(Protocol):
    def png(self, text: str) -> bytes: ...

    def svg(self, text: str) -> bytes: ...
