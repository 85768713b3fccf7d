"""Pillow adapter for `ImageInspector`: trust the bytes, not the name, and keep no metadata.

An upload is decoded in a worker thread, bounded by a shared limiter, because
decoding is CPU work that would stall the event loop. The size in the header is
checked before any pixel is decoded, so a small file that claims a huge canvas
(a decompression bomb) costs nothing. The stored copy is re-encoded from pixels
alone: EXIF (GPS position, camera serial numbers), XMP and comments are dropped
after the EXIF orientation has been applied, so the picture stays upright.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio
import anyio.to_thread
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from photoshare.application.ports import CleanImage
from photoshare.domain.errors import InvalidInput, UnsupportedMedia

# Pillow's format name -> (content type, extension). MPO is a JPEG with extra frames.
_ACCEPTED = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
_OPENERS = ["JPEG", "PNG", "WEBP", "GIF"]  # only these parsers ever see uploaded bytes
_ANIMATED = {"GIF", "WEBP", "PNG"}
_JPEG_MODES = {"L", "RGB", "CMYK"}
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
_QUALITY = 90
_DEFAULT_FRAME_MS = 100
# Errors Pillow raises for files that are truncated or malformed past the header.
_BROKEN = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


class PillowImageInspector:
    """Implements `ImageInspector`; `max_pixels` bounds one image and all frames of an animation."""

    def __init__(self, limiter: anyio.CapacityLimiter, max_pixels: int) -> None:
        self._limiter = limiter
        self._max_pixels = max_pixels

    async def clean(self, data: bytes) -> CleanImage:
        return await anyio.to_thread.run_sync(clean_image, data, self._max_pixels, limiter=self._limiter)


@dataclass
class _Decoded:
    fmt: str
    frames: list[Image.Image]
    durations: list[int] = field(default_factory=list)
    loop: int | None = None
    icc_profile: bytes | None = None


def clean_image(data: bytes, max_pixels: int) -> CleanImage:
    """Blocking: verify, decode and re-encode `data`; raises domain errors only."""
    try:
        fmt = _verified_format(data, max_pixels)
        decoded = _decode(data, fmt, max_pixels)
        encoded = _encode(decoded)
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia("only JPEG, PNG, WebP and GIF images are accepted") from exc
    except Image.DecompressionBombError as exc:
        raise InvalidInput("the image has too many pixels", field="file") from exc
    except _BROKEN as exc:
        raise InvalidInput("the image file is broken or truncated", field="file") from exc
    content_type, extension = _ACCEPTED[fmt]
    width, height = decoded.frames[0].size
    return CleanImage(encoded, content_type, extension, width, height)


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise InvalidInput("the image is empty", field="file")
    if width * height > max_pixels:
        raise InvalidInput(f"the image has more than {max_pixels} pixels", field="file")


def _verified_format(data: bytes, max_pixels: int) -> str:
    """Pillow's own checks on the structure; `verify()` leaves the image unusable, so we reopen later."""
    with Image.open(io.BytesIO(data), formats=_OPENERS) as probe:
        fmt = probe.format
        if fmt not in _ACCEPTED:
            raise UnsupportedMedia("only JPEG, PNG, WebP and GIF images are accepted")
        _check_size(probe.size, max_pixels)
        probe.verify()
    return fmt


def _decode(data: bytes, fmt: str, max_pixels: int) -> _Decoded:
    with Image.open(io.BytesIO(data), formats=_OPENERS) as image:
        if image.format != fmt:
            raise UnsupportedMedia("the image changed type between reads")
        _check_size(image.size, max_pixels)
        loop = image.info.get("loop")
        decoded = _Decoded(
            fmt=fmt,
            frames=[],
            loop=loop if isinstance(loop, int) else None,
            icc_profile=image.info.get("icc_profile") or None,
        )
        animated = fmt in _ANIMATED and bool(getattr(image, "is_animated", False))
        source = ImageSequence.Iterator(image) if animated else iter([image])
        budget = max_pixels
        for frame in source:
            # Counted before decoding: thousands of tiny frames on a big canvas are a bomb too.
            budget -= frame.size[0] * frame.size[1]
            if budget < 0:
                raise InvalidInput("the animation has too many pixels", field="file")
            duration = frame.info.get("duration")
            decoded.durations.append(int(duration) if duration else _DEFAULT_FRAME_MS)
            upright = ImageOps.exif_transpose(frame)  # a decoded copy, orientation applied
            storable = _storable_mode(upright, fmt)  # reads `transparency`, so before the wipe
            storable.info = {}  # EXIF, XMP, comments and text chunks go no further
            decoded.frames.append(storable)
    return decoded


def _has_alpha(frame: Image.Image) -> bool:
    return frame.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in frame.info


def _storable_mode(frame: Image.Image, fmt: str) -> Image.Image:
    """A mode the encoder writes without help from `info` (which is about to be emptied)."""
    if fmt in ("JPEG", "MPO"):
        return frame if frame.mode in _JPEG_MODES else frame.convert("RGB")
    if fmt == "PNG" and frame.mode in _PNG_MODES and "transparency" not in frame.info:
        return frame
    if fmt == "WEBP" and frame.mode in ("RGB", "RGBA"):
        return frame
    # GIF always goes through RGBA: Pillow rebuilds the palette and its transparent entry.
    return frame.convert("RGBA" if fmt == "GIF" or _has_alpha(frame) else "RGB")


def _encode(decoded: _Decoded) -> bytes:
    out = io.BytesIO()
    first, rest = decoded.frames[0], decoded.frames[1:]
    options: dict[str, object] = {}
    if decoded.icc_profile and decoded.fmt != "GIF":
        options["icc_profile"] = decoded.icc_profile  # colour, not metadata: keeps colours right
    if decoded.fmt in ("JPEG", "MPO"):
        first.save(out, "JPEG", quality=_QUALITY, **options)
        return out.getvalue()
    if rest:
        options.update(save_all=True, append_images=rest, duration=decoded.durations)
        if decoded.loop is not None:
            options["loop"] = decoded.loop
        if decoded.fmt == "GIF":
            options["disposal"] = 2  # every frame is a full picture: clear before drawing the next
    if decoded.fmt == "WEBP":
        options["quality"] = _QUALITY
    first.save(out, decoded.fmt, **options)
    return out.getvalue()


class PillowAvatarMaker:
    """Implements `AvatarMaker` on an already cleaned image (no metadata left to strip)."""

    def __init__(self, limiter: anyio.CapacityLimiter) -> None:
        self._limiter = limiter

    async def squares(self, image: CleanImage, sizes: Sequence[int]) -> list[CleanImage]:
        return await anyio.to_thread.run_sync(square_images, image, tuple(sizes), limiter=self._limiter)


# JPEG stays JPEG; everything else (transparency, a GIF's first frame) becomes PNG.
_AVATAR_FORMATS = {"image/jpeg": ("JPEG", "image/jpeg", "jpg"), "image/webp": ("WEBP", "image/webp", "webp")}
_PNG = ("PNG", "image/png", "png")


def square_images(image: CleanImage, sizes: tuple[int, ...]) -> list[CleanImage]:
    fmt, content_type, extension = _AVATAR_FORMATS.get(image.content_type, _PNG)
    with Image.open(io.BytesIO(image.data)) as source:
        source.seek(0)
        frame = source.convert("RGB" if fmt == "JPEG" else "RGBA")
    out = []
    for size in sizes:
        square = ImageOps.fit(frame, (size, size), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
        buffer = io.BytesIO()
        square.save(buffer, fmt, **({"quality": _QUALITY} if fmt != "PNG" else {}))
        out.append(CleanImage(buffer.getvalue(), content_type, extension, size, size))
    return out
