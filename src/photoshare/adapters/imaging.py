"""Pillow adapter for `ImageInspector`: trust the bytes, not the name, and keep no metadata.

An upload is decoded in a worker thread, bounded by a shared limiter, because
decoding is CPU work that would stall the event loop. The size in the header is
checked before any pixel is decoded, so a small file that claims a huge canvas
(a decompression bomb) costs nothing. The stored copy is re-encoded from pixels
alone: EXIF (GPS position, camera serial numbers), XMP and comments are dropped
after the EXIF orientation has been applied, so the picture stays upright.
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import anyio
import anyio.to_thread
import fast_thumbhash
from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

from photoshare.application.ports.images import CleanImage
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
    taken_at: datetime | None = None
    exif: dict[str, str | float | int] | None = None


def clean_image(data: bytes, max_pixels: int) -> CleanImage:
    """Blocking: verify, decode and re-encode `data`; raises domain errors only."""
    try:
        fmt = _verified_format(data, max_pixels)
        with _decoded(data, fmt, max_pixels) as decoded:
            encoded = _encode(decoded)
            width, height = decoded.frames[0].size
    except UnidentifiedImageError as exc:
        raise UnsupportedMedia("only JPEG, PNG, WebP and GIF images are accepted") from exc
    except Image.DecompressionBombError as exc:
        raise InvalidInput("the image has too many pixels", field="file") from exc
    except _BROKEN as exc:
        raise InvalidInput("the image file is broken or truncated", field="file") from exc
    content_type, extension = _ACCEPTED[fmt]
    return CleanImage(
        encoded,
        content_type,
        extension,
        width,
        height,
        checksum=hashlib.sha256(data).hexdigest(),
        taken_at=decoded.taken_at,
        exif=decoded.exif,
    )


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


@contextmanager
def _decoded(data: bytes, fmt: str, max_pixels: int) -> Iterator[_Decoded]:
    """The frames, upright and stripped, valid until the block ends (the file closes then).
    A single frame is turned upright in place and encoded before the file closes, so an
    upload's pixels are held once: a copy of a 12-megapixel photo is 36 MB and ~15% of the
    upload's time. An animation's frames are copies (the next seek reuses the pixels)."""
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
        decoded.taken_at, decoded.exif = read_exif(image.getexif())
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
            if animated:
                upright = ImageOps.exif_transpose(frame)  # a decoded copy, orientation applied
            else:
                upright = frame
                ImageOps.exif_transpose(frame, in_place=True)
            storable = _storable_mode(upright, fmt)  # reads `transparency`, so before the wipe
            storable.info = {}  # EXIF, XMP, comments and text chunks go no further
            decoded.frames.append(storable)
        yield decoded


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
        out.append(
            CleanImage(
                data=buffer.getvalue(),
                content_type=content_type,
                extension=extension,
                width=size,
                height=size,
            )
        )
    return out


# --- metadata: read before it is stripped; GPS (its own IFD) is never read --------------

_EXIF_IFD = ExifTags.IFD.Exif
_T = ExifTags.Base


def read_exif(exif: Image.Exif) -> tuple[datetime | None, dict[str, str | float | int] | None]:
    """When the picture was taken, and the camera settings named by METADATA_FIELDS."""
    try:
        return _read_exif(exif)
    except Exception:  # a broken EXIF block costs the metadata, never the upload
        return None, None


def _read_exif(exif: Image.Exif) -> tuple[datetime | None, dict[str, str | float | int] | None]:
    sub = exif.get_ifd(_EXIF_IFD)
    taken_at = _taken_at(
        sub.get(_T.DateTimeOriginal) or exif.get(_T.DateTime), sub.get(_T.OffsetTimeOriginal)
    )
    make, model = _text(exif.get(_T.Make)), _text(exif.get(_T.Model))
    camera = (
        model
        if model and make and model.lower().startswith(make.lower())
        else " ".join(p for p in (make, model) if p)
    )
    settings: dict[str, Any] = {
        "camera": camera or None,
        "lens": _text(sub.get(_T.LensModel)),
        "focal_length": _number(sub.get(_T.FocalLength)),
        "aperture": _number(sub.get(_T.FNumber)),
        "exposure": _exposure(sub.get(_T.ExposureTime)),
        "iso": _integer(sub.get(_T.ISOSpeedRatings)),
    }
    kept = {k: v for k, v in settings.items() if v is not None}
    return taken_at, kept or None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text[:100] or None


def _positive(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if 0 < number < 1e6 else None  # also refuses NaN


def _number(value: object) -> float | None:
    number = _positive(value)
    return None if number is None else round(number, 2)


def _integer(value: object) -> int | None:
    if isinstance(value, tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and 0 < value < 10_000_000 else None


def _exposure(value: object) -> str | None:
    seconds = _positive(value)
    if seconds is None:
        return None
    if seconds >= 1:
        return f"{seconds:g}"
    return (
        f"1/{round(1 / seconds)}" if (1 / seconds) >= 1.5 else str(Fraction(seconds).limit_denominator(100))
    )


def _taken_at(stamp: object, offset: object) -> datetime | None:
    text = _text(stamp)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone: timezone = UTC
    if (offset_text := _text(offset)) and len(offset_text) == 6 and offset_text[0] in "+-":
        try:
            hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
            sign = 1 if offset_text[0] == "+" else -1
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            zone = UTC
    return moment.replace(tzinfo=zone)  # no offset recorded: the camera's clock, read as UTC


# --- placeholders ----------------------------------------------------------------------------

_PLACEHOLDER_SIDE = 100  # ThumbHash's own limit on its input; it keeps ~7x7 coefficients of it


def placeholder_of(image: Image.Image) -> str:
    """Blocking: the ThumbHash of a picture, base64 (about 25-35 characters)."""
    small = image.convert("RGBA")
    small.thumbnail((_PLACEHOLDER_SIDE, _PLACEHOLDER_SIDE), Image.Resampling.BOX)
    hashed = fast_thumbhash.rgba_to_thumb_hash(small.width, small.height, small.tobytes())
    return base64.b64encode(bytes(hashed)).decode("ascii")


def placeholder_of_bytes(data: bytes) -> str:
    """Blocking: decode (at a reduced size where the format allows) and hash."""
    with Image.open(io.BytesIO(data), formats=_OPENERS) as image:
        image.draft("RGB", (_PLACEHOLDER_SIDE * 2, _PLACEHOLDER_SIDE * 2))  # JPEG: decode at a fraction
        return placeholder_of(ImageOps.exif_transpose(image))
