"""LocalImageStore on a temporary directory: files, cache, and Cloudinary's meanings rendered with Pillow."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import anyio
import pytest
from PIL import Image, ImageFilter, ImageSequence, ImageStat

from photoshare.adapters.storage import rendering
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.application.ports.images import CleanImage
from photoshare.config import Settings
from photoshare.domain.errors import InvalidInput, StorageFull, Unavailable
from photoshare.domain.transformations import Size, Transformation

BASE = "http://photos.test"
BUDGET = Settings().max_image_pixels
RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 160, 0)


@pytest.fixture
def store(tmp_path: Path) -> LocalImageStore:
    return LocalImageStore(tmp_path, BASE + "/", anyio.CapacityLimiter(2), BUDGET)


def clean(image: Image.Image, fmt: str = "PNG") -> CleanImage:
    out = io.BytesIO()
    image.save(out, fmt)
    ext = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}[fmt]
    return CleanImage(out.getvalue(), f"image/{'jpeg' if ext == 'jpg' else ext}", ext, *image.size)


def halves(size: tuple[int, int] = (800, 600)) -> Image.Image:
    """Red on the left half, blue on the right half."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def bands(size: tuple[int, int] = (800, 600)) -> Image.Image:
    """Red top third, green middle, blue bottom third."""
    image = Image.new("RGB", size, RED)
    image.paste(GREEN, (0, size[1] // 3, size[0], 2 * size[1] // 3))
    image.paste(BLUE, (0, 2 * size[1] // 3, size[0], size[1]))
    return image


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def rendered(store: LocalImageStore, source: Image.Image, **options: object) -> Image.Image:
    """Rendered as PNG unless the options say otherwise, so pixels can be compared exactly."""
    options.setdefault("format", "png")
    await store.save("photo.png", clean(source))
    result = await store.render("photo.png", Transformation(**options))  # type: ignore[arg-type]
    assert result is not None
    return opened(result.data)


def mean(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.convert("RGB")).mean)


# --- files --------------------------------------------------------------------------------------


async def test_save_original_delete_roundtrip(store: LocalImageStore, tmp_path: Path) -> None:
    image = clean(halves((40, 30)), "JPEG")

    await store.save("abc.jpg", image)
    got = await store.original("abc.jpg")

    assert got is not None
    assert (got.data, got.content_type) == (image.data, "image/jpeg")
    assert (tmp_path / "originals" / "abc.jpg").read_bytes() == image.data

    await store.delete("abc.jpg")

    assert await store.original("abc.jpg") is None
    assert not (tmp_path / "originals" / "abc.jpg").exists()


async def test_missing_images_are_none_and_deleting_them_is_fine(store: LocalImageStore) -> None:
    assert await store.original("nothing.png") is None
    assert await store.render("nothing.png", Transformation(width=10)) is None
    await store.delete("nothing.png")


def test_urls_point_at_the_service(store: LocalImageStore) -> None:
    t = Transformation(width=300, crop="fill", radius="max")

    assert store.original_url("abc.jpg") == f"{BASE}/images/abc.jpg"
    assert store.transformed_url("abc.jpg", t) == f"{BASE}/images/t/c_fill,r_max,w_300/abc.jpg"


@pytest.mark.parametrize(
    "key", ["../escape.jpg", "a/b.jpg", "..", "", ".hidden", "a\\b.jpg", "x*.jpg", "a..b"]
)
async def test_keys_that_could_leave_the_directory_are_refused(
    store: LocalImageStore, tmp_path: Path, key: str
) -> None:
    image = clean(halves((4, 4)))

    with pytest.raises(InvalidInput):
        await store.save(key, image)
    with pytest.raises(InvalidInput):
        await store.original(key)
    with pytest.raises(InvalidInput):
        await store.render(key, Transformation(width=2))
    with pytest.raises(InvalidInput):
        await store.delete(key)
    with pytest.raises(InvalidInput):
        store.original_url(key)
    assert not any(p.is_file() for p in tmp_path.parent.glob("escape.jpg"))


@pytest.mark.parametrize(("code", "error"), [(errno.ENOSPC, StorageFull), (errno.EIO, Unavailable)])
async def test_failed_write_maps_to_domain_error_and_leaves_nothing(
    store: LocalImageStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, error: type[Exception]
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", refuse)

    with pytest.raises(error):
        await store.save("full.png", clean(halves((10, 10))))

    assert list((tmp_path / "originals").iterdir()) == []  # neither the image nor a temp file


async def test_rendering_is_cached_on_disk_and_delete_removes_it(
    store: LocalImageStore, tmp_path: Path
) -> None:
    t = Transformation(width=100, crop="fill", format="webp")
    await store.save("pic.png", clean(halves()))

    first = await store.render("pic.png", t)

    cache_file = tmp_path / "cache" / "c_fill,f_webp,w_100" / "pic.png.webp"
    assert first is not None
    assert cache_file.read_bytes() == first.data
    cache_file.write_bytes(b"marker")  # the next render must come from the cache, not Pillow
    second = await store.render("pic.png", t)
    assert second is not None
    assert second.data == b"marker"

    await store.delete("pic.png")

    assert not cache_file.exists()
    assert not (tmp_path / "originals" / "pic.png").exists()


async def test_saving_again_drops_old_renderings(store: LocalImageStore) -> None:
    t = Transformation(width=10)
    await store.save("pic.png", clean(halves((20, 20))))
    await store.render("pic.png", t)

    await store.save("pic.png", clean(Image.new("RGB", (20, 20), GREEN)))
    again = await store.render("pic.png", t)

    assert again is not None
    assert opened(again.data).convert("RGB").getpixel((2, 5)) == GREEN


# --- sizes and crops ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"width": 300, "height": 200}, (300, 200)),  # no crop given means scale
        ({"width": 300}, (300, 225)),
        ({"height": 300}, (400, 300)),
        ({"width": 300, "height": 200, "crop": "scale"}, (300, 200)),
        ({"width": 300, "height": 300, "crop": "fit"}, (300, 225)),
        ({"width": 1600, "height": 900, "crop": "fit"}, (1200, 900)),
        ({"width": 300, "height": 300, "crop": "fill"}, (300, 300)),
        ({"width": 300, "crop": "fill"}, (300, 225)),
        ({"width": 200, "height": 100, "crop": "crop"}, (200, 100)),
        ({"width": 2000, "height": 100, "crop": "crop"}, (800, 100)),
        ({"width": 100, "height": 100, "crop": "thumb"}, (100, 100)),
        ({"width": 300, "height": 300, "crop": "pad"}, (300, 300)),
    ],
)
async def test_crop_modes_give_cloudinary_sizes(
    store: LocalImageStore, options: dict[str, object], size: tuple[int, int]
) -> None:
    image = await rendered(store, halves(), **options)

    assert image.size == size
    # The domain's geometry, which decides at link creation whether a rendering fits, agrees.
    assert Transformation(**options).output_size(Size(800, 600)) == Size(*size)  # type: ignore[arg-type]


@pytest.mark.parametrize("angle", [1, 17, -17, 45, 90, 135, 200, 333])
async def test_rotated_sizes_agree_with_the_domains_geometry(store: LocalImageStore, angle: int) -> None:
    image = await rendered(store, halves((123, 45)), angle=angle)

    assert Transformation(angle=angle).output_size(Size(123, 45)) == Size(*image.size)


async def test_scale_to_both_sides_distorts_instead_of_cutting(store: LocalImageStore) -> None:
    image = await rendered(store, halves(), width=100, height=400)

    assert image.convert("RGB").getpixel((10, 200)) == RED
    assert image.convert("RGB").getpixel((90, 200)) == BLUE


async def test_crop_cuts_the_original_without_scaling(store: LocalImageStore) -> None:
    source = Image.effect_noise((800, 600), 80).convert("RGB")

    image = await rendered(store, source, width=200, height=100, crop="crop")

    assert image.convert("RGB").tobytes() == source.crop((300, 250, 500, 350)).tobytes()


@pytest.mark.parametrize(("gravity", "colour"), [("north", RED), ("center", GREEN), ("south", BLUE)])
async def test_crop_gravity_picks_the_region(
    store: LocalImageStore, gravity: str, colour: tuple[int, ...]
) -> None:
    image = await rendered(store, bands(), width=100, height=100, crop="crop", gravity=gravity)

    assert image.convert("RGB").getcolors() == [(100 * 100, colour)]


@pytest.mark.parametrize(("gravity", "colour"), [("west", RED), ("east", BLUE)])
async def test_fill_gravity_keeps_that_side(
    store: LocalImageStore, gravity: str, colour: tuple[int, ...]
) -> None:
    image = await rendered(store, halves(), width=100, height=200, crop="fill", gravity=gravity)

    assert image.size == (100, 200)
    assert image.convert("RGB").getcolors() == [(100 * 200, colour)]


@pytest.mark.parametrize("gravity", ["auto", "face"])
async def test_auto_gravity_keeps_the_detailed_subject(store: LocalImageStore, gravity: str) -> None:
    source = Image.new("RGB", (800, 400), (235, 235, 235))  # a plain wall ...
    source.paste(
        Image.effect_noise((180, 180), 90).convert("RGB"), (10, 110)
    )  # ... and a subject at the left
    centred = await rendered(store, source, width=200, height=200, crop="fill", gravity="center")
    assert ImageStat.Stat(centred.convert("L")).stddev[0] == 0  # the middle of the picture is all wall

    image = await rendered(store, source, width=200, height=200, crop="fill", gravity=gravity)

    assert ImageStat.Stat(image.convert("L")).stddev[0] > 30  # the subject is in the frame


async def test_pad_fits_and_adds_transparent_bands(store: LocalImageStore) -> None:
    image = await rendered(store, halves(), width=300, height=300, crop="pad")

    rgba = image.convert("RGBA")
    assert rgba.getpixel((150, 10))[3] == 0  # type: ignore[index]  # band above the picture
    assert rgba.getpixel((10, 150)) == (*RED, 255)
    assert rgba.getpixel((290, 150)) == (*BLUE, 255)


async def test_pad_in_jpeg_is_white(store: LocalImageStore) -> None:
    image = await rendered(store, halves(), width=300, height=300, crop="pad", format="jpg")

    r, g, b = image.convert("RGB").getpixel((150, 10))  # type: ignore[misc]
    assert min(r, g, b) > 245


# --- effects ------------------------------------------------------------------------------------


def colourful() -> Image.Image:
    image = Image.new("RGB", (120, 80), (10, 20, 30))
    image.paste((200, 120, 40), (0, 0, 60, 40))
    image.paste((40, 200, 120), (60, 40, 120, 80))
    return image


async def test_grayscale_has_no_colour(store: LocalImageStore) -> None:
    image = await rendered(store, colourful(), effect="grayscale")

    colours = [colour for _, colour in image.convert("RGB").getcolors() or []]
    assert len(colours) > 1
    assert all(r == g == b for r, g, b in colours)  # type: ignore[misc]


async def test_negate_inverts(store: LocalImageStore) -> None:
    image = await rendered(store, colourful(), effect="negate")

    assert image.convert("RGB").getpixel((100, 10)) == (245, 235, 225)
    assert image.convert("RGB").getpixel((10, 10)) == (55, 135, 215)


async def test_sepia_tints_brown(store: LocalImageStore) -> None:
    image = await rendered(store, Image.new("RGB", (20, 20), (128, 128, 128)), effect="sepia")

    r, g, b = image.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
    assert r > g > b


async def test_blur_softens_edges(store: LocalImageStore) -> None:
    source = halves((200, 100))

    image = await rendered(store, source, effect="blur")

    r, _, b = image.convert("RGB").getpixel((100, 50))  # type: ignore[misc]
    assert 40 < r < 215
    assert 40 < b < 215


async def test_pixelate_makes_blocks(store: LocalImageStore) -> None:
    source = Image.effect_noise((200, 200), 90).convert("RGB")

    image = (await rendered(store, source, effect="pixelate")).convert("RGB")

    assert image.size == (200, 200)
    assert image.getpixel((0, 0)) == image.getpixel((1, 1)) == image.getpixel((2, 2))
    assert len(image.getcolors(200 * 200) or []) < len(source.getcolors(200 * 200) or [])


async def test_sharpen_increases_edge_contrast(store: LocalImageStore) -> None:
    soft = halves((200, 100)).filter(ImageFilter.GaussianBlur(3))

    image = await rendered(store, soft, effect="sharpen")

    edges_before = ImageStat.Stat(soft.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]
    edges_after = ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]
    assert edges_after > edges_before


# --- angle, radius, format ----------------------------------------------------------------------


async def test_angle_90_rotates_clockwise_and_swaps_sides(store: LocalImageStore) -> None:
    image = await rendered(store, halves(), angle=90)

    assert image.size == (600, 800)
    assert image.convert("RGB").getpixel((300, 100)) == RED  # left half went to the top
    assert image.convert("RGB").getpixel((300, 700)) == BLUE


async def test_angle_45_expands_the_canvas_with_transparent_corners(store: LocalImageStore) -> None:
    image = await rendered(store, halves((100, 100)), angle=45)

    assert image.width > 135
    assert image.height > 135
    assert image.convert("RGBA").getpixel((0, 0))[3] == 0  # type: ignore[index]


async def test_radius_max_in_png_has_transparent_corners(store: LocalImageStore) -> None:
    image = await rendered(store, halves((200, 200)), radius="max")

    rgba = image.convert("RGBA")
    for corner in ((0, 0), (199, 0), (0, 199), (199, 199)):
        assert rgba.getpixel(corner)[3] == 0  # type: ignore[index]
    assert rgba.getpixel((50, 100)) == (*RED, 255)


async def test_radius_pixels_rounds_only_the_corners(store: LocalImageStore) -> None:
    image = await rendered(store, halves((200, 200)), radius=30)

    rgba = image.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert rgba.getpixel((0, 100))[3] == 255  # type: ignore[index]
    assert rgba.getpixel((100, 0))[3] == 255  # type: ignore[index]


async def test_radius_in_jpeg_gives_white_corners(store: LocalImageStore) -> None:
    await store.save("photo.jpg", clean(halves((200, 200)), "JPEG"))

    result = await store.render("photo.jpg", Transformation(radius="max", format="jpg"))

    assert result is not None
    assert result.content_type == "image/jpeg"
    r, g, b = opened(result.data).convert("RGB").getpixel((0, 0))  # type: ignore[misc]
    assert min(r, g, b) > 245


async def test_radius_without_format_gives_a_png_with_transparent_corners(store: LocalImageStore) -> None:
    await store.save("photo.jpg", clean(halves((200, 200)), "JPEG"))

    result = await store.render("photo.jpg", Transformation(radius="max"))

    assert result is not None
    assert (result.content_type, result.format) == ("image/png", "png")
    assert opened(result.data).convert("RGBA").getpixel((0, 0))[3] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("fmt", "content_type", "pillow"), [("jpg", "image/jpeg", "JPEG"), ("webp", "image/webp", "WEBP")]
)
async def test_format_sets_the_output_type(
    store: LocalImageStore, fmt: str, content_type: str, pillow: str
) -> None:
    await store.save("photo.png", clean(halves()))

    result = await store.render("photo.png", Transformation(format=fmt))  # type: ignore[arg-type]

    assert result is not None
    assert result.content_type == content_type
    assert opened(result.data).format == pillow


async def test_quality_changes_the_jpeg(store: LocalImageStore) -> None:
    await store.save("photo.png", clean(Image.effect_noise((300, 300), 60).convert("RGB")))

    low = await store.render("photo.png", Transformation(format="jpg", quality=10))
    high = await store.render("photo.png", Transformation(format="jpg", quality=95))

    assert low is not None
    assert high is not None
    assert len(low.data) < len(high.data) / 2


@pytest.mark.parametrize(
    ("original", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/jpeg"), ("GIF", "image/gif")]
)
async def test_without_format_or_accept_an_opaque_image_is_jpeg_and_a_gif_stays_a_gif(
    store: LocalImageStore, original: str, content_type: str
) -> None:
    image = clean(halves((60, 40)), original)
    key = f"pic.{image.extension}"
    await store.save(key, image)

    result = await store.render(key, Transformation(width=30))

    assert result is not None
    assert result.content_type == content_type
    assert opened(result.data).size == (30, 20)


async def test_transformation_too_large_to_render_is_refused(store: LocalImageStore) -> None:
    await store.save("thin.png", clean(Image.new("L", (1, 4000))))

    with pytest.raises(InvalidInput):
        await store.render("thin.png", Transformation(width=4000))  # would be 4000 x 16,000,000


@pytest.mark.parametrize(
    ("size", "transformation"),
    [
        ((1, 70_000), Transformation(format="jpg")),
        ((20_000, 1), Transformation(format="webp")),
        ((17_000, 1), Transformation(effect="grayscale", format="webp")),
    ],
)
async def test_an_output_beyond_its_formats_limit_is_refused_not_a_crash(
    store: LocalImageStore, size: tuple[int, int], transformation: Transformation
) -> None:
    await store.save("long.png", clean(Image.new("L", size)))

    with pytest.raises(InvalidInput, match="a side"):
        await store.render("long.png", transformation)


async def test_a_failed_rendering_is_remembered_and_not_paid_again(
    store: LocalImageStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.save("photo.png", clean(halves((40, 30))))
    transformation = Transformation(width=20, format="webp")
    calls: list[str] = []

    def broken_encoder(*_: object) -> bytes:
        calls.append("render")
        raise OSError("encoder error -2")  # what Pillow raises for a picture it cannot write

    monkeypatch.setattr(rendering, "render", broken_encoder)
    for _ in range(3):
        with pytest.raises(InvalidInput, match="cannot be rendered"):
            await store.render("photo.png", transformation)

    assert calls == ["render"]
    # A new original under the key forgets the failure with the renderings.
    monkeypatch.undo()
    await store.save("photo.png", clean(halves((40, 30))))
    result = await store.render("photo.png", transformation)
    assert result is not None
    assert opened(result.data).size == (20, 15)


async def test_an_original_pillow_cannot_read_is_a_domain_error(store: LocalImageStore) -> None:
    await store.save("photo.png", CleanImage(b"\x89PNG\r\n\x1a\n broken", "image/png", "png", 10, 10))

    with pytest.raises(InvalidInput):
        await store.render("photo.png", Transformation(width=5))


def animation(frames: int = 4, size: tuple[int, int] = (40, 30)) -> CleanImage:
    colours = [RED, GREEN, BLUE, (255, 255, 0), (0, 255, 255)]
    pictures = [Image.new("RGB", size, colours[n % len(colours)]) for n in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=70, loop=0)
    return CleanImage(out.getvalue(), "image/gif", "gif", *size)


@pytest.mark.parametrize(("options", "pillow"), [({}, "GIF"), ({"format": "webp"}, "WEBP")])
async def test_an_animated_gif_stays_animated_with_every_frame_transformed(
    store: LocalImageStore, options: dict[str, object], pillow: str
) -> None:
    await store.save("anim.gif", animation(4))

    result = await store.render("anim.gif", Transformation(width=20, angle=90, **options))  # type: ignore[arg-type]

    assert result is not None
    assert result.content_type == f"image/{pillow.lower()}"
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.format == pillow
        assert getattr(image, "n_frames", 1) == 4
        assert image.info.get("loop") == 0
        colours: list[tuple[int, ...]] = []
        for frame in ImageSequence.Iterator(image):
            frame.load()  # WebP knows a frame's duration once it is decoded
            assert frame.size == (15, 20)  # resized to 20 x 15, then turned
            assert frame.info["duration"] == 70
            pixel = frame.convert("RGB").getpixel((7, 10))
            assert isinstance(pixel, tuple)
            colours.append(pixel)
    assert [max(range(3), key=c.__getitem__) for c in colours[:3]] == [0, 1, 2]  # red, green, blue


async def test_an_animation_as_png_is_its_first_frame(store: LocalImageStore) -> None:
    await store.save("anim.gif", animation(3))

    result = await store.render("anim.gif", Transformation(format="png", width=20))

    assert result is not None
    assert result.content_type == "image/png"
    image = opened(result.data)
    assert getattr(image, "n_frames", 1) == 1
    assert image.convert("RGB").getpixel((5, 5)) == RED


async def test_an_animation_too_large_as_a_whole_is_refused(tmp_path: Path) -> None:
    small_budget = LocalImageStore(tmp_path, BASE, anyio.CapacityLimiter(1), max_pixels=4000 * 4000)
    await small_budget.save("anim.gif", animation(2))

    with pytest.raises(InvalidInput, match="too large"):  # two frames of 4000 x 3000
        await small_budget.render("anim.gif", Transformation(width=4000))
    result = await small_budget.render("anim.gif", Transformation(width=4000, format="png"))  # one frame
    assert result is not None


async def test_a_leftover_rendering_is_not_served_without_its_original(
    store: LocalImageStore, tmp_path: Path
) -> None:
    t = Transformation(width=10)
    await store.save("pic.png", clean(halves((20, 20))))
    await store.render("pic.png", t)
    (tmp_path / "originals" / "pic.png").unlink()  # e.g. a delete racing a render

    assert await store.render("pic.png", t) is None
