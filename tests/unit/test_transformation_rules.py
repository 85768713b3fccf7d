"""The Transformation value object: exactly Cloudinary's subset, each bound and choice enforced."""

from __future__ import annotations

import pytest

from photoshare.domain.errors import InvalidInput
from photoshare.domain.transformations import (
    CROPS,
    EFFECTS,
    FORMATS,
    GRAVITIES,
    Transformation,
)


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
