"""PillowImageInspector against real images made here with Pillow."""

from __future__ import annotations

import io
import time

import anyio
import pytest
from PIL import Image, ImageSequence
from PIL.PngImagePlugin import PngInfo

from photoshare.adapters.imaging import PillowImageInspector
from photoshare.domain.errors import InvalidInput, UnsupportedMedia

MAX_PIXELS = 4_000_000
ORIENTATION, GPS_IFD, EXIF_IFD, BODY_SERIAL = 0x0112, 0x8825, 0x8769, 0xA431


@pytest.fixture
def inspector() -> PillowImageInspector:
    return PillowImageInspector(anyio.CapacityLimiter(2), max_pixels=MAX_PIXELS)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def picture(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Left half red, right half blue: orientation and cropping stay visible."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("JPEG", "image/jpeg", "jpg"),
        ("PNG", "image/png", "png"),
        ("WEBP", "image/webp", "webp"),
        ("GIF", "image/gif", "gif"),
    ],
)
async def test_each_accepted_format_keeps_its_type_and_size(
    inspector: PillowImageInspector, fmt: str, content_type: str, extension: str
) -> None:
    clean = await inspector.clean(encode(picture(), fmt))

    assert (clean.content_type, clean.extension) == (content_type, extension)
    assert (clean.width, clean.height) == (64, 48)
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert stored.format == fmt
        assert stored.size == (64, 48)


async def test_type_is_decided_by_the_bytes_not_the_name(inspector: PillowImageInspector) -> None:
    clean = await inspector.clean(encode(picture(), "PNG"))  # whatever the upload claimed

    assert clean.content_type == "image/png"


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, not a picture\n" * 10,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"\xff\xd8\xff\xe0" + b"\x00garbage that only starts like a JPEG" * 20,
        b"",
    ],
    ids=["text", "pdf", "jpeg-magic-garbage", "empty"],
)
async def test_non_images_are_unsupported_media(inspector: PillowImageInspector, data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        await inspector.clean(data)


async def test_other_image_formats_are_unsupported_media(inspector: PillowImageInspector) -> None:
    with pytest.raises(UnsupportedMedia):
        await inspector.clean(encode(picture(), "BMP"))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
async def test_truncated_image_is_refused_as_invalid_input(inspector: PillowImageInspector, fmt: str) -> None:
    noisy = Image.effect_noise((200, 200), 64).convert("RGB")
    data = encode(noisy, fmt)

    with pytest.raises(InvalidInput):
        await inspector.clean(data[: len(data) // 2])


async def test_decompression_bomb_is_refused_quickly(inspector: PillowImageInspector) -> None:
    bomb = encode(Image.new("1", (20_000, 20_000)), "PNG", optimize=True)  # 400 Mpx in a tiny file
    assert len(bomb) < 100_000

    started = time.perf_counter()
    with pytest.raises(InvalidInput):
        await inspector.clean(bomb)
    assert time.perf_counter() - started < 1.0


async def test_image_over_the_configured_pixel_limit_is_refused() -> None:
    inspector = PillowImageInspector(anyio.CapacityLimiter(1), max_pixels=10_000)

    with pytest.raises(InvalidInput):
        await inspector.clean(encode(Image.new("L", (101, 100)), "PNG"))


async def test_animation_over_the_pixel_budget_is_refused() -> None:
    inspector = PillowImageInspector(anyio.CapacityLimiter(1), max_pixels=10_000)
    frames = [Image.new("L", (50, 50), shade) for shade in range(0, 250, 25)]  # 10 x 2500 px

    with pytest.raises(InvalidInput):
        await inspector.clean(encode(frames[0], "GIF", save_all=True, append_images=frames[1:]))


def exif_with_secrets() -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90 degrees clockwise to display"
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = "SERIAL-0042-XYZ"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (48.0, 51.0, 29.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.0)
    return exif


async def test_jpeg_exif_is_stripped_after_orientation_is_applied(inspector: PillowImageInspector) -> None:
    upload = encode(picture((64, 48)), "JPEG", exif=exif_with_secrets().tobytes())
    with Image.open(io.BytesIO(upload)) as original:  # the test image really carries the secrets
        assert original.getexif().get_ifd(GPS_IFD)
        assert b"SERIAL-0042-XYZ" in upload

    clean = await inspector.clean(upload)

    assert (clean.width, clean.height) == (48, 64)
    assert b"SERIAL-0042-XYZ" not in clean.data
    assert b"SpyCam" not in clean.data
    assert b"Exif" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert stored.size == (48, 64)
        assert not stored.getexif()
        assert "exif" not in stored.info
        # Rotated clockwise: the red left half of the photo is now on top.
        red, _, blue = stored.convert("RGB").getpixel((24, 5))  # type: ignore[misc]
        assert red > 200
        assert blue < 60


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
async def test_exif_and_xmp_are_stripped_from_png_and_webp(inspector: PillowImageInspector, fmt: str) -> None:
    xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">SERIAL-XMP-777</x:xmpmeta>'
    extra: dict[str, object] = {"xmp": xmp.encode()}
    if fmt == "PNG":  # Pillow writes PNG XMP only as an iTXt chunk
        chunks = PngInfo()
        chunks.add_itxt("XML:com.adobe.xmp", xmp)
        extra = {"pnginfo": chunks}
    upload = encode(picture((64, 48)), fmt, exif=exif_with_secrets().tobytes(), **extra)
    assert b"SERIAL-0042-XYZ" in upload
    assert b"SERIAL-XMP-777" in upload

    clean = await inspector.clean(upload)

    assert (clean.width, clean.height) == (48, 64)
    for secret in (b"SERIAL-0042-XYZ", b"SpyCam", b"SERIAL-XMP-777"):
        assert secret not in clean.data
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert not stored.getexif()


async def test_gif_comment_is_stripped_and_animation_kept(inspector: PillowImageInspector) -> None:
    frames = [Image.new("RGB", (30, 20), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    upload = encode(
        frames[0], "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0, comment=b"ME-AT-HOME"
    )

    clean = await inspector.clean(upload)

    assert b"ME-AT-HOME" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as stored:
        colours = [frame.convert("RGB").getpixel((5, 5)) for frame in ImageSequence.Iterator(stored)]
    assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


async def test_png_transparency_survives(inspector: PillowImageInspector) -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (5, 0, 10, 10))

    clean = await inspector.clean(encode(image, "PNG"))

    with Image.open(io.BytesIO(clean.data)) as stored:
        rgba = stored.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0  # type: ignore[index]
        assert rgba.getpixel((9, 9)) == (0, 128, 0, 255)


async def test_a_single_frame_upload_is_cleaned_without_copying_its_pixels(
    inspector: PillowImageInspector, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = encode(picture((64, 48)), "JPEG")
    copies = 0
    real = Image.Image.copy

    def counted(self: Image.Image) -> Image.Image:
        nonlocal copies
        copies += 1
        return real(self)

    monkeypatch.setattr(Image.Image, "copy", counted)
    clean = await inspector.clean(upload)

    assert copies == 0  # a 12-megapixel photo's copy is 36 MB and ~15% of the upload
    assert (clean.width, clean.height) == (64, 48)
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert stored.convert("RGB").getpixel((5, 24))[0] > 200  # type: ignore[index]  # still the picture
