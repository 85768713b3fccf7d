"""Images on the local disk: the `ImageStore` and `ImageRenderer` for running without Cloudinary.

Layout under `root`: `originals/<key>`, `variants/<name>/<key>.<jpg|png>` for the
variants the job makes, `cache/<canonical>/<key>.<ext>` for renderings of transformations
and `cache/v_<name>/<key>.<avif|webp>` for variants re-encoded in a negotiated format
(each encoded once, on first request). A rendering that failed leaves `<key>.<ext>.failed`
instead, holding the reason, so asking again answers at once instead of paying for the
failure again. Files are written to a temporary name and renamed into place, so a
reader never sees half a file and a failed write leaves nothing behind. Rendering
runs in a worker thread under the shared limiter; plain file I/O uses anyio's
default thread pool so reads do not queue behind renders.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio
import anyio.to_thread

from photoshare.adapters.imaging import placeholder_of
from photoshare.adapters.storage import rendering
from photoshare.adapters.storage.keys import checked_key, split_key
from photoshare.application.ports.images import (
    CleanImage,
    RenderedImage,
    Rendition,
    UrlSigner,
    variant_signed_as,
)
from photoshare.domain.errors import DomainError, InvalidInput, StorageFull, Unavailable
from photoshare.domain.photos import VARIANT_SIZES, Variant
from photoshare.domain.transformations import Transformation

_ORIGINAL_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FAILED = ".failed"
logger = logging.getLogger(__name__)


class LocalImageStore:
    """Implements `ImageStore` and `ImageRenderer` on a directory."""

    def __init__(
        self,
        root: Path,
        public_base_url: str,
        limiter: anyio.CapacityLimiter,
        max_pixels: int,
        signer: UrlSigner | None = None,
    ) -> None:
        self._originals = root / "originals"
        self._variants = root / "variants"
        self._cache = root / "cache"
        self._base_url = public_base_url.rstrip("/")
        self._limiter = limiter
        self._max_pixels = max_pixels  # the most pixels one rendering may hold
        self._signer = signer

    # --- ImageStore ---------------------------------------------------------------------------

    async def save(self, key: str, image: CleanImage, *, private: bool = False) -> None:
        await anyio.to_thread.run_sync(self._save, checked_key(key), image.data)

    async def set_private(self, key: str, private: bool) -> None:
        """Nothing to move: the image routes ask the photo's visibility (`ImageGate`)."""

    async def delete(self, key: str, *, private: bool = False) -> None:
        await anyio.to_thread.run_sync(self._delete, checked_key(key))

    def original_url(self, key: str, *, signed: bool = False) -> str:
        url = f"{self._base_url}/images/{quote(checked_key(key))}"
        return self._signed(url, key, "") if signed else url

    def transformed_url(self, key: str, transformation: Transformation, *, signed: bool = False) -> str:
        canonical = transformation.canonical()
        url = f"{self._base_url}/images/t/{quote(canonical, safe=',')}/{quote(checked_key(key))}"
        return self._signed(url, key, canonical) if signed else url

    def _signed(self, url: str, key: str, variant: str) -> str:
        if self._signer is None:
            raise RuntimeError("this store was built without a URL signer")
        expires, signature = self._signer.sign(key, variant)
        return f"{url}?{urlencode({'expires': expires, 'signature': signature})}"

    def variant_url(self, key: str, variant: Variant, *, signed: bool = False) -> str:
        url = f"{self._base_url}/images/v/{variant.name}/{quote(checked_key(key))}"
        return self._signed(url, key, variant_signed_as(variant.name)) if signed else url

    async def placeholder_at_upload(self, image: CleanImage) -> str | None:
        return None  # made by the variants job, from the thumb it renders anyway

    async def make_variants(self, key: str, planned: tuple[Variant, ...]) -> Rendition | None:
        source = await anyio.to_thread.run_sync(_read_or_none, self._originals / checked_key(key))
        if source is None:
            return None
        placeholder = await anyio.to_thread.run_sync(
            self._make_variants, key, source, planned, limiter=self._limiter
        )
        return Rendition(planned, placeholder)

    async def sweep_orphans(self) -> int:
        return await anyio.to_thread.run_sync(self._sweep_orphans)

    # --- ImageRenderer ------------------------------------------------------------------------

    async def original(self, key: str) -> RenderedImage | None:
        _, extension = split_key(key)
        data = await anyio.to_thread.run_sync(_read_or_none, self._originals / key)
        if data is None:
            return None
        return RenderedImage(data, _ORIGINAL_TYPES.get(extension, "application/octet-stream"))

    async def render(
        self, key: str, transformation: Transformation, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        _, extension = split_key(key)
        fmt = rendering.negotiated_format(transformation, extension, offered)  # None: JPEG or PNG
        folder = self._cache / transformation.canonical()
        candidates = [folder / f"{key}.{f}" for f in ((fmt,) if fmt else rendering.FALLBACKS)]
        original, cached = await anyio.to_thread.run_sync(self._original_and_cached, key, candidates)
        if original is None:  # deleted: a rendering left by a racing render must not outlive it
            return None
        if cached is not None:
            return cached
        failed_path = candidates[0].with_name(candidates[0].name + _FAILED)
        if (reason := await anyio.to_thread.run_sync(_read_or_none, failed_path)) is not None:
            raise InvalidInput(reason.decode(errors="replace"), field="transformation")
        source = await anyio.to_thread.run_sync(_read_or_none, original)
        if source is None:
            return None
        try:
            data, made = await anyio.to_thread.run_sync(
                self._render, source, transformation, fmt, limiter=self._limiter
            )
        except InvalidInput as exc:  # the same bytes and options fail the same way every time
            await anyio.to_thread.run_sync(_cache_quietly, failed_path, exc.detail.encode())
            raise
        await anyio.to_thread.run_sync(_cache_quietly, folder / f"{key}.{made}", data)
        return RenderedImage(data, rendering.CONTENT_TYPES[made], made)

    async def variant(
        self, key: str, name: str, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        checked_key(key)
        if name not in VARIANT_SIZES:
            return None
        masters = [self._variants / name / f"{key}.{f}" for f in rendering.FALLBACKS]
        fmt = rendering.modern_choice(offered)
        if fmt is None:
            return await anyio.to_thread.run_sync(_first_image, masters)
        cached_path = self._cache / f"v_{name}" / f"{key}.{fmt}"
        original, cached = await anyio.to_thread.run_sync(self._original_and_cached, key, [cached_path])
        if original is None:
            return None
        if cached is not None:
            return cached
        master = await anyio.to_thread.run_sync(_first_image, masters)
        if master is None:
            return None
        data = await anyio.to_thread.run_sync(rendering.transcode, master.data, fmt, limiter=self._limiter)
        await anyio.to_thread.run_sync(_cache_quietly, cached_path, data)
        return RenderedImage(data, rendering.CONTENT_TYPES[fmt], fmt)

    # --- blocking helpers ---------------------------------------------------------------------

    def _render(self, source: bytes, transformation: Transformation, fmt: str | None) -> tuple[bytes, str]:
        """Whatever Pillow raises becomes a domain error: a link never answers 500."""
        try:
            return rendering.render(source, transformation, fmt, self._max_pixels)
        except InvalidInput:
            raise
        except MemoryError as exc:  # the machine, not the request: worth a retry later
            raise Unavailable("not enough memory to render the image now") from exc
        except Exception as exc:
            logger.warning("rendering %s as %s failed", transformation.canonical(), fmt, exc_info=True)
            raise InvalidInput(
                "this image cannot be rendered with this transformation", field="transformation"
            ) from exc

    def _original_and_cached(
        self, key: str, candidates: list[Path]
    ) -> tuple[Path | None, RenderedImage | None]:
        original = self._originals / key
        if not original.is_file():
            return None, None
        return original, _first_image(candidates)

    def _make_variants(self, key: str, source: bytes, planned: tuple[Variant, ...]) -> str:
        """Blocking: write each variant in its fallback format (the source of every other
        encoding of it), replacing any earlier run's; the placeholder comes from the smallest."""
        images = rendering.downsized(source, [(v.width, v.height) for v in planned])
        by_size = {image.size: image for image in images}
        try:
            for variant in planned:
                image = by_size[(variant.width, variant.height)]
                fmt = rendering.fallback_for(image)
                folder = self._variants / variant.name
                folder.mkdir(parents=True, exist_ok=True)
                _write_atomically(folder / f"{key}.{fmt}", rendering.encode(image, fmt, 88), durable=False)
                for other in rendering.FALLBACKS:  # a re-run that chose the other format
                    if other != fmt:
                        (folder / f"{key}.{other}").unlink(missing_ok=True)
                for modern in rendering.MODERN:  # encodings of an earlier run's master
                    (self._cache / f"v_{variant.name}" / f"{key}.{modern}").unlink(missing_ok=True)
        except OSError as exc:
            raise _storage_error(exc) from exc
        return placeholder_of(images[-1])

    def _sweep_orphans(self) -> int:
        """Blocking: derived files (variants, renderings) whose original is gone."""
        removed = 0
        for top in (self._variants, self._cache):
            if not top.is_dir():
                continue
            for folder in top.iterdir():
                for path in folder.iterdir() if folder.is_dir() else ():
                    if path.name.startswith("."):
                        continue  # a write in progress
                    original = path.name.removesuffix(_FAILED).rsplit(".", 1)[0]
                    if not (self._originals / original).is_file():
                        path.unlink(missing_ok=True)
                        removed += 1
        return removed

    def _save(self, key: str, data: bytes) -> None:
        try:
            self._originals.mkdir(parents=True, exist_ok=True)
            _write_atomically(self._originals / key, data, durable=True)
            self._drop_renderings(key)  # a replaced original must not be served old renderings
        except OSError as exc:
            raise _storage_error(exc) from exc

    def _delete(self, key: str) -> None:
        try:
            (self._originals / key).unlink(missing_ok=True)
            self._drop_renderings(key)
        except OSError as exc:
            raise _storage_error(exc) from exc

    def _drop_renderings(self, key: str) -> None:
        for top in (self._variants, self._cache):
            if not top.is_dir():
                continue
            for folder in top.iterdir():
                for fmt in rendering.CONTENT_TYPES:
                    (folder / f"{key}.{fmt}").unlink(missing_ok=True)
                    (folder / f"{key}.{fmt}{_FAILED}").unlink(missing_ok=True)


def _storage_error(exc: OSError) -> DomainError:
    if exc.errno in _FULL:
        return StorageFull("no space left to store the image")
    return Unavailable("the image storage failed")


def _first_image(paths: list[Path]) -> RenderedImage | None:
    """The first of these files that exists, typed by its extension."""
    for path in paths:
        data = _read_or_none(path)
        if data is not None:
            fmt = path.suffix[1:]
            return RenderedImage(data, rendering.CONTENT_TYPES[fmt], fmt)
    return None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _storage_error(exc) from exc


def _write_atomically(path: Path, data: bytes, *, durable: bool) -> None:
    """Temp file in the same directory, then `os.replace`: the name holds all of it or nothing."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")  # keys never start with "."
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _cache_quietly(path: Path, data: bytes) -> None:
    """A cache write that fails (full disk) only costs a re-render next time."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data, durable=False)
