"""Images made with Pillow in the test, and HTTP helpers for uploading them and following links."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image, ImageDraw

from tests.integration.accounts import Client, bearer

BASE = "http://testserver.local"
PHOTO_FIELDS = {
    "visibility",
    "id",
    "url",
    "description",
    "tags",
    "owner",
    "rating",
    "comment_count",
    "width",
    "height",
    "created_at",
    "updated_at",
    # image variants and metadata (second release)
    "status",
    "variants",
    "placeholder",
    "checksum",
    "taken_at",
    "show_metadata",
    "metadata",
}
LINK_FIELDS = {"id", "photo_id", "slug", "url", "link", "qr_url", "transformation", "created_at"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
GPS_IFD = 0x8825


def colourful(size: tuple[int, int] = (80, 60)) -> Image.Image:
    """Stripes of saturated colours, so any loss of colour (or a wrong crop) shows."""
    image = Image.new("RGB", size, (255, 0, 0))
    draw = ImageDraw.Draw(image)
    colours = [(255, 0, 0), (0, 200, 0), (0, 0, 255), (255, 200, 0), (200, 0, 200), (0, 200, 200)]
    stripe = max(1, size[0] // len(colours))
    for i, colour in enumerate(colours):
        draw.rectangle((i * stripe, 0, (i + 1) * stripe - 1, size[1]), fill=colour)
    return image


def encoded(fmt: str = "JPEG", size: tuple[int, int] = (80, 60), **options: Any) -> bytes:
    out = io.BytesIO()
    colourful(size).save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    data = encoded("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(data)) as check:  # the fixture itself must carry the position
        assert check.getexif().get_ifd(GPS_IFD)
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few hundred bytes whose header claims `width` x `height` pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def path_of(url: str) -> str:
    """The app-relative part of an absolute URL the service built from its public base URL."""
    assert url.startswith(BASE + "/"), url
    return url.removeprefix(BASE)


async def upload(
    client: Client,
    token: str | None,
    data: bytes | None = None,
    *,
    filename: str = "a.jpg",
    content_type: str = "image/jpeg",
    form: dict[str, Any] | None = None,
) -> Any:
    return await client.post(
        "/api/photos",
        files={"file": (filename, encoded() if data is None else data, content_type)},
        data=form or {},
        headers=bearer(token) if token else {},
    )


async def uploaded(client: Client, token: str, data: bytes | None = None, **form: Any) -> dict[str, Any]:
    """Upload and insist on 201; the Photo."""
    response = await upload(client, token, data, form=form)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def linked(client: Client, token: str, photo_id: str, **transformation: Any) -> dict[str, Any]:
    """Create a transformed link and insist on 201; the Link."""
    response = await client.post(
        f"/api/photos/{photo_id}/transformations", json=transformation, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
