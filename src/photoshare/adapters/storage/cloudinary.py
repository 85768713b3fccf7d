"""`ImageStore` on Cloudinary: originals are uploaded there and its CDN renders transformations.

The SDK keeps a process-wide config read from the environment; this adapter passes
its own credentials and URL options with every call instead, so two stores (or a
test stub) never see each other's settings. The SDK blocks, so its calls run in a
worker thread under the shared limiter.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.to_thread
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils

from photoshare.adapters.imaging import placeholder_of_bytes
from photoshare.adapters.storage.keys import split_key
from photoshare.application.ports.images import CleanImage, RenderedImage, Rendition
from photoshare.domain.errors import DomainError, Unavailable, UpstreamFailed
from photoshare.domain.photos import VARIANT_SIZES, Variant
from photoshare.domain.transformations import Transformation

# Delivery URL options the SDK would otherwise read from its global config.
_URL_DEFAULTS: dict[str, Any] = {
    "secure": True,
    "cname": None,
    "cdn_subdomain": False,
    "secure_cdn_subdomain": False,
    "sign_url": False,
    "auth_token": False,
    "use_root_path": False,
    "shorten": False,
    "use_fetch_format": False,
    "force_version": True,
    "responsive_width": False,
    "dpr": None,
}
logger = logging.getLogger(__name__)
PUBLIC_DELIVERY, PRIVATE_DELIVERY = "upload", "authenticated"
SIGNED_URL_TTL = 3600


def _delivery(private: bool) -> str:
    return PRIVATE_DELIVERY if private else PUBLIC_DELIVERY


_RETRY_LATER = {420, 429}  # Cloudinary's rate limits: not the request's fault
_UNPARSABLE_STATUS = re.compile(r"server response \((\d{3})\)")  # the SDK's message for non-JSON answers


class CloudinaryImageStore:
    """Implements `ImageStore`; `cloudinary_url` is `cloudinary://<api_key>:<api_secret>@<cloud_name>`."""

    def __init__(
        self,
        cloudinary_url: str,
        limiter: anyio.CapacityLimiter,
        folder: str = "photoshare",
        upload_prefix: str | None = None,
        timeout: float = 30,
    ) -> None:
        parts = urlsplit(cloudinary_url)
        if parts.scheme != "cloudinary" or not (parts.hostname and parts.username and parts.password):
            raise ValueError("CLOUDINARY_URL must look like cloudinary://<api_key>:<api_secret>@<cloud_name>")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self._limiter = limiter
        self._folder = folder.strip("/")
        self._api: dict[str, Any] = {
            "cloud_name": parts.hostname,
            "api_key": parts.username,
            "api_secret": parts.password,
            "signature_algorithm": query.get("signature_algorithm", cloudinary.utils.SIGNATURE_SHA1),
            "signature_version": 2,
            "timeout": timeout,
            "return_error": True,  # errors come back with their HTTP status instead of a bare message
        }
        if prefix := upload_prefix or query.get("upload_prefix"):
            self._api["upload_prefix"] = prefix.rstrip("/")
        # Cloudinary's token-based authentication (its account's token key, hex): signed URLs
        # then expire too. Without it they are signed, and the asset is moved back to the
        # public type, or deleted, to end them.
        self._auth_token_key = query.get("auth_token_key")
        secure_distribution = parts.path.strip("/") or None  # cloudinary://k:s@cloud/cdn.example.com
        self._url_options: dict[str, Any] = {
            **_URL_DEFAULTS,
            "cloud_name": parts.hostname,
            "private_cdn": secure_distribution is not None,
            "secure_distribution": secure_distribution,
        }

    def _public_id(self, key: str) -> tuple[str, str]:
        stem, extension = split_key(key)
        return (f"{self._folder}/{stem}" if self._folder else stem), extension

    async def save(self, key: str, image: CleanImage, *, private: bool = False) -> None:
        public_id, _ = self._public_id(key)
        await self._call(
            cloudinary.uploader.upload,
            (key, image.data),  # (file name, bytes): the SDK sends it as a multipart file
            public_id=public_id,
            resource_type="image",
            type=_delivery(private),
            overwrite=True,
        )

    async def set_private(self, key: str, private: bool) -> None:
        """Move the asset between the public and the authenticated delivery types."""
        public_id, _ = self._public_id(key)
        await self._call(
            cloudinary.uploader.rename,
            public_id,
            public_id,
            resource_type="image",
            type=_delivery(not private),
            to_type=_delivery(private),
            overwrite=True,
            invalidate=True,
        )

    async def delete(self, key: str, *, private: bool = False) -> None:
        public_id, _ = self._public_id(key)
        # A missing asset answers {"result": "not found"}, which is fine here.
        await self._call(
            cloudinary.uploader.destroy,
            public_id,
            resource_type="image",
            type=_delivery(private),
            invalidate=True,
        )

    def original_url(self, key: str, *, signed: bool = False) -> str:
        public_id, extension = self._public_id(key)
        return self._url(public_id, signed, format=extension or None)

    def transformed_url(self, key: str, transformation: Transformation, *, signed: bool = False) -> str:
        public_id, extension = self._public_id(key)
        options = _sdk_options(transformation)
        options.setdefault("format", extension or None)
        return self._url(public_id, signed, **options)

    def variant_url(self, key: str, variant: Variant, *, signed: bool = False) -> str:
        """Sized by the CDN on delivery: `c_limit` never upscales, `f_auto`/`q_auto` let it
        pick the format (AVIF, WebP...) and quality per browser. `signed`: authenticated
        delivery, like the original of a hidden photo."""
        public_id, _ = self._public_id(key)
        side = VARIANT_SIZES.get(variant.name, max(variant.width, variant.height))
        return self._url(
            public_id, signed, width=side, height=side, crop="limit", fetch_format="auto", quality="auto"
        )

    async def make_variants(self, key: str, planned: tuple[Variant, ...]) -> Rendition | None:
        return Rendition(planned, None)  # nothing to render here: the CDN sizes on delivery

    async def placeholder_at_upload(self, image: CleanImage) -> str | None:
        # The bytes are not readable back from here later, so the placeholder is made now.
        return await anyio.to_thread.run_sync(placeholder_of_bytes, image.data, limiter=self._limiter)

    async def sweep_orphans(self) -> int:
        return 0  # Cloudinary derives on delivery and `delete` invalidates those: nothing is left

    def _url(self, public_id: str, signed: bool, **options: Any) -> str:
        if signed:
            # Authenticated delivery: the CDN serves the asset only with the SDK's signature
            # (over the public id and transformation); with a token key the URL also expires.
            options |= {"type": PRIVATE_DELIVERY, "sign_url": True, "api_secret": self._api["api_secret"]}
            if self._auth_token_key:
                options["auth_token"] = {"key": self._auth_token_key, "duration": SIGNED_URL_TTL}
        url, _ = cloudinary.utils.cloudinary_url(public_id, **(self._url_options | options))
        return str(url)

    async def _call(self, function: Any, *args: Any, **options: Any) -> dict[str, Any]:
        def call() -> dict[str, Any]:
            try:
                result: dict[str, Any] = function(*args, **options, **self._api)
            except cloudinary.exceptions.Error as exc:
                raise _from_exception(exc) from exc
            if isinstance(result.get("error"), dict):
                error = result["error"]
                raise _from_status(error.get("http_code"), str(error.get("message", "")))
            return result

        return await anyio.to_thread.run_sync(call, limiter=self._limiter)


def _sdk_options(t: Transformation) -> dict[str, Any]:
    """Our Transformation in the SDK's option names; the SDK writes the URL syntax."""
    options: dict[str, Any] = {
        "width": t.width,
        "height": t.height,
        "crop": t.crop,
        "gravity": _gravity(t),
        "angle": t.angle,
        "effect": t.effect,
        "radius": t.radius,
        "quality": t.quality,
        "format": t.format,  # the delivery extension: photo.webp is delivered as WebP
    }
    return {name: value for name, value in options.items() if value is not None}


def _gravity(t: Transformation) -> str | None:
    """Gravity only where Cloudinary uses it: scale and fit ignore it, pad takes compass points only.

    Sending it elsewhere would at best do nothing and at worst (`g_auto` with `c_scale`)
    make the CDN answer 400 for a link we handed out.
    """
    if t.crop in ("fill", "crop", "thumb"):
        return t.gravity
    if t.crop == "pad" and t.gravity not in ("auto", "face"):
        return t.gravity
    return None


def _from_status(status: object, message: str) -> DomainError:
    # Cloudinary's own words go to the log only: clients get a plain 502 or 503.
    logger.warning("Cloudinary answered %s: %s", status, message[:500])
    if isinstance(status, int) and 400 <= status < 500 and status not in _RETRY_LATER:
        return UpstreamFailed("the image service refused the request")
    return Unavailable("the image service cannot answer now")


_REFUSALS = (
    cloudinary.exceptions.BadRequest,
    cloudinary.exceptions.AuthorizationRequired,
    cloudinary.exceptions.NotAllowed,
    cloudinary.exceptions.NotFound,
    cloudinary.exceptions.AlreadyExists,
)


def _from_exception(exc: cloudinary.exceptions.Error) -> DomainError:
    """Errors the SDK raises itself: statuses it named, unreadable answers, or no answer at all."""
    if isinstance(exc, _REFUSALS):
        return _from_status(400, str(exc))
    if match := _UNPARSABLE_STATUS.search(str(exc)):
        return _from_status(int(match.group(1)), str(exc))
    # RateLimited, GeneralError, and connections refused, reset or timed out (a bare Error).
    logger.warning("Cloudinary call failed: %s", str(exc)[:500])
    return Unavailable("the image service cannot answer now")


class NoLocalImages:
    """`ImageRenderer` beside Cloudinary: its CDN serves the images, the service renders nothing."""

    async def original(self, key: str) -> RenderedImage | None:
        return None

    async def render(
        self, key: str, transformation: Transformation, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        return None

    async def variant(
        self, key: str, name: str, offered: frozenset[str] = frozenset()
    ) -> RenderedImage | None:
        return None
