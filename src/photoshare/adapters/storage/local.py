"""Images on the local disk: the `ImageStore` and `ImageRenderer` for running without Cloudinary.

Layout under `root`: `originals/<key>` and `cache/<canonical>/<key>.<ext>` for
renderings; a rendering that failed leaves `<key>.<ext>.failed` there instead, holding
the reason, so asking again answers at once instead of paying for the failure again.
Files are written to a temporary name and renamed into place, so a reader never sees
half a file and a failed write leaves nothing behind. Rendering
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

from photoshare.adapters.storage import rendering
from photoshare.adapters.storage.keys import checked_key, split_key
from photoshare.application.ports import CleanImage, RenderedImage, UrlSigner
from photoshare.domain.errors import DomainError, InvalidInput, StorageFull, Unavailable
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

    # --- ImageRenderer ------------------------------------------------------------------------

    async def original(self, key: str) -> RenderedImage | None:
        _, extension = split_key(key)
        data = await anyio.to_thread.run_sync(_read_or_none, self._originals / key)
        if data is None:
            return None
        return RenderedImage(data, _ORIGINAL_TYPES.get(extension, "application/octet-stream"))

    async def render(self, key: str, transformation: Transformation) -> RenderedImage | None:
        _, extension = split_key(key)
        fmt = rendering.output_format(transformation, extension)
        content_type = rendering.CONTENT_TYPES[fmt]
        cached_path = self._cache / transformation.canonical() / f"{key}.{fmt}"
        original, cached = await anyio.to_thread.run_sync(self._original_and_cached, key, cached_path)
        if original is None:  # deleted: a rendering left by a racing render must not outlive it
            return None
        if cached is not None:
            return RenderedImage(cached, content_type)
        failed_path = cached_path.with_name(cached_path.name + _FAILED)
        if (reason := await anyio.to_thread.run_sync(_read_or_none, failed_path)) is not None:
            raise InvalidInput(reason.decode(errors="replace"), field="transformation")
        source = await anyio.to_thread.run_sync(_read_or_none, original)
        if source is None:
            return None
        try:
            data = await anyio.to_thread.run_sync(
                self._render, source, transformation, fmt, limiter=self._limiter
            )
        except InvalidInput as exc:  # the same bytes and options fail the same way every time
            await anyio.to_thread.run_sync(_cache_quietly, failed_path, exc.detail.encode())
            raise
        await anyio.to_thread.run_sync(_cache_quietly, cached_path, data)
        return RenderedImage(data, content_type)

    # --- blocking helpers ---------------------------------------------------------------------

    def _render(self, source: bytes, transformation: Transformation, fmt: str) -> bytes:
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

    def _original_and_cached(self, key: str, cached_path: Path) -> tuple[Path | None, bytes | None]:
        original = self._originals / key
        if not original.is_file():
            return None, None
        return original, _read_or_none(cached_path)

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
        if not self._cache.is_dir():
            return
        for variant in self._cache.iterdir():
            for fmt in rendering.CONTENT_TYPES:
                (variant / f"{key}.{fmt}").unlink(missing_ok=True)
                (variant / f"{key}.{fmt}{_FAILED}").unlink(missing_ok=True)


def _storage_error(exc: OSError) -> DomainError:
    if exc.errno in _FULL:
        return StorageFull("no space left to store the image")
    return Unavailable("the image storage failed")


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
