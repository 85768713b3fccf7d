"""The Transformation value object: exactly Cloudinary's subset, each bound and choice enforced."""

from __future__ import annotations

import pytest

from photoshare.config import Settings
from photoshare.domain.errors import InvalidInput
from photoshare.domain.transformations import (
    CROPS,
    EFFECTS,
    FORMATS,
    GRAVITIES,
    MAX_SIDE,
    Size,
    Transformation,
    ensure_renderable,
)

BUDGET = Settings().max_image_pixels  # 40,000,000 by default


@pytest.mark.parametrize(
    "options",
    [
        {"width": 1},
        {"width": 4000},
        {"height": 1},
        {"height": 4000},
        {"angle": -360},
        {"angle": 360},
        {"angle": 0},
        {"radius": 0},
        {"radius": 2000},
        {"radius": "max"},
        {"quality": 1},
        {"quality": 100},
        *({"crop": c, "width": 10} for c in CROPS),
        *({"gravity": g} for g in GRAVITIES),
        *({"effect": e} for e in EFFECTS),
        *({"format": f} for f in FORMATS),
    ],
)
def test_every_documented_value_is_accepted(options: dict[str, object]) -> None:
    assert Transformation.from_mapping(options).as_dict() == options


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"width": 0}, "width"),
        ({"width": 4001}, "width"),
        ({"width": -5}, "width"),
        ({"width": 1.5}, "width"),
        ({"width": "300"}, "width"),
        ({"width": True}, "width"),
        ({"height": 0}, "height"),
        ({"height": 4001}, "height"),
        ({"angle": -361}, "angle"),
        ({"angle": 361}, "angle"),
        ({"radius": -1}, "radius"),
        ({"radius": 2001}, "radius"),
        ({"radius": "min"}, "radius"),
        ({"radius": "MAX"}, "radius"),
        ({"quality": 0}, "quality"),
        ({"quality": 101}, "quality"),
        ({"crop": "bogus", "width": 10}, "crop"),
        ({"crop": "FILL", "width": 10}, "crop"),
        ({"gravity": "northwest"}, "gravity"),
        ({"effect": "vignette"}, "effect"),
        ({"format": "gif"}, "format"),
        ({"format": "jpeg"}, "format"),
    ],
)
def test_out_of_bounds_or_unknown_values_are_refused_naming_the_field(
    options: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        Transformation.from_mapping(options)
    assert caught.value.field == field


def test_unknown_option_is_refused_not_ignored() -> None:
    with pytest.raises(InvalidInput) as caught:
        Transformation.from_mapping({"width": 100, "opacity": 50})
    assert caught.value.field == "opacity"


@pytest.mark.parametrize("options", [{}, {"width": None}])
def test_empty_transformation_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Transformation.from_mapping(options)


def test_direct_construction_with_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Transformation()


@pytest.mark.parametrize("crop", ["fill", "crop", "thumb", "pad"])
def test_cropping_modes_need_a_size(crop: str) -> None:
    with pytest.raises(InvalidInput):
        Transformation.from_mapping({"crop": crop})
    assert Transformation.from_mapping({"crop": crop, "height": 20}).height == 20


def test_canonical_is_sorted_short_names_independent_of_order() -> None:
    a = Transformation.from_mapping({"width": 300, "crop": "fill", "height": 200, "effect": "grayscale"})
    b = Transformation.from_mapping({"effect": "grayscale", "height": 200, "crop": "fill", "width": 300})

    assert a.canonical() == b.canonical() == "c_fill,e_grayscale,h_200,w_300"


@pytest.mark.parametrize(
    "options",
    [
        {"width": 300, "crop": "fill", "height": 200, "effect": "grayscale"},
        {"angle": -90},
        {"radius": "max", "format": "png"},
        {"radius": 25, "quality": 80, "gravity": "north", "width": 50, "crop": "thumb"},
        {"width": 4000, "height": 1, "crop": "pad", "gravity": "east", "effect": "sepia", "format": "webp"},
    ],
)
def test_canonical_round_trips(options: dict[str, object]) -> None:
    original = Transformation.from_mapping(options)

    parsed = Transformation.from_canonical(original.canonical())

    assert parsed == original
    assert parsed.as_dict() == options


@pytest.mark.parametrize(
    "text",
    [
        "",
        "w",
        "w_",
        "w_abc",
        "x_100",
        "w_100,w_200",
        "w_0",
        "w_4001",
        "c_bogus,w_10",
        "c_fill",
        "r_min",
        "w_100,,h_100",
        "width_100",
        "w_1e3",
        "a_--5",
        "w_\u00b3",  # superscript three
        "w_\u0661\u0660\u0660",  # Arabic-Indic 100
        "../etc/passwd",
    ],
)
def test_from_canonical_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidInput):
        Transformation.from_canonical(text)


# --- geometry: what a rendering of a known input size holds, decided before any pixel ---------

PHOTO = Size(800, 600)


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"effect": "sepia"}, (800, 600)),
        ({"width": 300, "height": 200}, (300, 200)),  # no crop given means scale
        ({"width": 300}, (300, 225)),
        ({"height": 300}, (400, 300)),
        ({"width": 300, "height": 300, "crop": "fit"}, (300, 225)),
        ({"width": 1600, "height": 900, "crop": "fit"}, (1200, 900)),
        ({"width": 300, "height": 300, "crop": "fill"}, (300, 300)),
        ({"width": 2000, "height": 100, "crop": "crop"}, (800, 100)),
        ({"width": 100, "height": 100, "crop": "thumb"}, (100, 100)),
        ({"width": 300, "height": 300, "crop": "pad"}, (300, 300)),
        ({"angle": 90}, (600, 800)),
        ({"angle": -90}, (600, 800)),
        ({"angle": 180}, (800, 600)),
        ({"width": 100, "height": 100, "crop": "fill", "angle": 45}, (142, 142)),
    ],
)
def test_output_size_follows_cloudinarys_geometry(options: dict[str, object], size: tuple[int, int]) -> None:
    assert Transformation.from_mapping(options).output_size(PHOTO) == Size(*size)


def test_every_intermediate_canvas_is_counted() -> None:
    # Filling a wide box from a one-pixel column first scales the column to the box's width.
    canvases = Transformation(width=4000, height=4000, crop="fill").canvases(Size(1, 70_000))

    assert canvases[0] == Size(1, 70_000)
    assert canvases[1] == Size(4000, 280_000_000)
    assert canvases[-1] == Size(4000, 4000)


@pytest.mark.parametrize(
    ("original", "options", "fmt"),
    [
        ("jpg", {"width": 10}, "jpg"),
        ("png", {"width": 10}, "png"),
        ("webp", {"width": 10}, "webp"),
        ("gif", {"width": 10}, "gif"),  # an animated GIF stays one: not a PNG under a .gif name
        ("gif", {"format": "png"}, "png"),
        ("jpg", {"format": "webp"}, "webp"),
    ],
)
def test_output_format_is_the_option_or_the_originals(
    original: str, options: dict[str, object], fmt: str
) -> None:
    assert Transformation.from_mapping(options).output_format(original) == fmt


@pytest.mark.parametrize(
    ("fmt", "longest"), [("jpg", 65_500), ("webp", 16_383), ("gif", 65_535), ("png", 2**31 - 1)]
)
def test_each_format_takes_sides_up_to_its_limit(fmt: str, longest: int) -> None:
    t = Transformation(effect="grayscale")
    side = min(longest, 10**9)
    assert ensure_renderable(t, Size(1, side), fmt, max_pixels=10**9) == Size(1, side)
    assert MAX_SIDE[fmt] == longest


@pytest.mark.parametrize(
    ("source", "options", "fmt"),
    [
        (Size(1, 70_000), {"format": "jpg"}, "jpg"),
        (Size(20_000, 1), {"format": "webp"}, "webp"),
        (Size(17_000, 1), {"effect": "grayscale", "format": "webp"}, "webp"),
        (Size(70_000, 1), {"angle": 90, "format": "webp"}, "webp"),  # 1 x 70000 once turned
        (Size(4000, 16_000), {"angle": 10}, "webp"),  # the rotated canvas is what is encoded
    ],
)
def test_an_output_longer_than_its_format_allows_is_refused(
    source: Size, options: dict[str, object], fmt: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ensure_renderable(Transformation.from_mapping(options), source, fmt, max_pixels=10**9)
    assert refused.value.field == "transformation"
    assert fmt in refused.value.detail


@pytest.mark.parametrize(
    ("source", "options"),
    [
        (Size(6000, 6000), {"effect": "sharpen", "angle": -17, "format": "webp"}),  # 7,493 px a side
        (Size(1, 70_000), {"width": 4000, "height": 4000, "crop": "fill"}),  # an enormous middle step
        (Size(2000, 1), {"height": 4000}),  # one side given keeps the ratio: 8,000,000 x 4000
    ],
)
def test_a_rendering_over_the_pixel_budget_is_refused(source: Size, options: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match="too large"):
        ensure_renderable(Transformation.from_mapping(options), source, "png", max_pixels=BUDGET)


def test_the_largest_rotation_of_the_largest_box_fits_the_default_budget() -> None:
    t = Transformation(width=4000, height=4000, crop="pad", angle=45)
    # 5658, not 5657: what Pillow's rounding-out of the turned corners makes of it.
    assert ensure_renderable(t, Size(100, 100), "png", max_pixels=BUDGET) == Size(5658, 5658)


def test_an_animation_counts_every_frame_against_the_budget() -> None:
    t = Transformation(width=1000, height=1000)
    assert ensure_renderable(t, Size(10, 10), "gif", max_pixels=BUDGET, frames=40) == Size(1000, 1000)
    with pytest.raises(InvalidInput, match="too large"):
        ensure_renderable(t, Size(10, 10), "gif", max_pixels=BUDGET, frames=41)
