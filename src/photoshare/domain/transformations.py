"""The transformation value object: exactly the Cloudinary subset the service supports.

Both image stores take this object: Cloudinary builds its URL from `as_params()`,
the local store renders it with Pillow. Anything outside the subset is `InvalidInput`.
The geometry of a rendering (every canvas it passes through, hence the output size) is
plain arithmetic on the input size, so whether a link can ever be rendered is decided
here, when the link is created, and again by the renderer before it decodes a pixel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal, get_args

from photoshare.domain.errors import InvalidInput

Crop = Literal["fill", "fit", "scale", "thumb", "crop", "pad"]
Gravity = Literal["auto", "center", "face", "north", "south", "east", "west"]
Effect = Literal["grayscale", "sepia", "blur", "pixelate", "negate", "sharpen"]
Format = Literal["jpg", "png", "webp"]

CROPS: tuple[str, ...] = get_args(Crop)
GRAVITIES: tuple[str, ...] = get_args(Gravity)
EFFECTS: tuple[str, ...] = get_args(Effect)
FORMATS: tuple[str, ...] = get_args(Format)
#: Crops that fill or cut a box: they need a width or a height.
SIZED_CROPS: tuple[str, ...] = ("fill", "crop", "thumb", "pad")
DIMENSION_MIN, DIMENSION_MAX = 1, 4000
ANGLE_MIN, ANGLE_MAX = -360, 360
RADIUS_MIN, RADIUS_MAX = 0, 2000
QUALITY_MIN, QUALITY_MAX = 1, 100
# Without a format option the original's type is kept (an animated GIF stays an animated GIF).
OUTPUT_FORMATS: dict[str, str] = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
# The longest side each output format can encode: libjpeg stops at 65,500, WebP stores
# 14 bits per side, GIF 16 bits, PNG 31 bits.
MAX_SIDE: dict[str, int] = {"jpg": 65_500, "webp": 16_383, "avif": 16_384, "gif": 65_535, "png": 2**31 - 1}
_INTEGER = re.compile(r"-?[0-9]+")  # ASCII only: str.isdigit() also says yes to "³"

# Cloudinary's short parameter names, in the order its URLs conventionally list them.
_SHORT_NAMES = {
    "angle": "a",
    "crop": "c",
    "effect": "e",
    "format": "f",
    "gravity": "g",
    "height": "h",
    "quality": "q",
    "radius": "r",
    "width": "w",
}

_PART = f"[{''.join(sorted(_SHORT_NAMES.values()))}]_[A-Za-z0-9-]+"
#: The shape of what `canonical()` writes (whether the values are valid is `from_canonical`'s say).
CANONICAL_PATTERN = f"^{_PART}(,{_PART})*$"


def _int_in(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer {low}-{high}", field=name)
    return value


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}", field=name)
    return str(value)


@dataclass(frozen=True, slots=True)
class Size:
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class Transformation:
    width: int | None = None
    height: int | None = None
    crop: Crop | None = None
    gravity: Gravity | None = None
    angle: int | None = None
    effect: Effect | None = None
    radius: int | Literal["max"] | None = None
    format: Format | None = None
    quality: int | None = None

    def __post_init__(self) -> None:
        if all(getattr(self, f.name) is None for f in fields(self)):
            raise InvalidInput("give at least one transformation option", field="transformation")
        if self.width is not None:
            _int_in("width", self.width, DIMENSION_MIN, DIMENSION_MAX)
        if self.height is not None:
            _int_in("height", self.height, DIMENSION_MIN, DIMENSION_MAX)
        if self.crop is not None:
            _choice("crop", self.crop, CROPS)
        if self.gravity is not None:
            _choice("gravity", self.gravity, GRAVITIES)
        if self.angle is not None:
            _int_in("angle", self.angle, ANGLE_MIN, ANGLE_MAX)
        if self.effect is not None:
            _choice("effect", self.effect, EFFECTS)
        if self.radius is not None and self.radius != "max":
            _int_in("radius", self.radius, RADIUS_MIN, RADIUS_MAX)
        if self.format is not None:
            _choice("format", self.format, FORMATS)
        if self.quality is not None:
            _int_in("quality", self.quality, QUALITY_MIN, QUALITY_MAX)
        if self.crop in SIZED_CROPS and self.width is None and self.height is None:
            raise InvalidInput(f"crop {self.crop} needs a width or a height", field="crop")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Transformation:
        """Build from a JSON-like mapping; unknown keys are refused, not ignored."""
        unknown = sorted(set(data) - set(_SHORT_NAMES))
        if unknown:
            raise InvalidInput(f"unknown transformation option: {unknown[0]}", field=unknown[0])
        return cls(**{k: v for k, v in data.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_canonical(cls, text: str) -> Transformation:
        """Parse what `canonical()` wrote (e.g. from an image URL); anything else is refused."""
        long_names = {short: name for name, short in _SHORT_NAMES.items()}
        data: dict[str, object] = {}
        for part in text.split(","):
            short, _, value = part.partition("_")
            name = long_names.get(short)
            if name is None or not value or name in data:
                raise InvalidInput(f"not a transformation: {text[:64]!r}", field="transformation")
            textual = name in ("crop", "gravity", "effect", "format")
            data[name] = value if textual or not _INTEGER.fullmatch(value) else int(value)
        return cls.from_mapping(data)

    def as_dict(self) -> dict[str, int | str]:
        """The options that are set, by their long names (stored with the link)."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def canonical(self) -> str:
        """A stable Cloudinary-style key such as `c_fill,h_200,w_300`: same options, same string."""
        parts = sorted(f"{_SHORT_NAMES[k]}_{v}" for k, v in self.as_dict().items())
        return ",".join(parts)

    def output_format(self, original_extension: str) -> str:
        """The format (jpg, png, webp or gif) a rendering of an original with this extension gets."""
        return self.format or OUTPUT_FORMATS.get(original_extension.lower(), "png")

    def canvases(self, source: Size) -> tuple[Size, ...]:
        """Every picture a rendering of `source` holds, in Cloudinary's order: the input, the
        resize/crop steps, then the rotation. The last one is the output."""
        steps = [source, *self._resized(source)]
        rotated = _rotated(steps[-1], self.angle)
        return (*steps, rotated) if rotated != steps[-1] else tuple(steps)

    def output_size(self, source: Size) -> Size:
        return self.canvases(source)[-1]

    def _resized(self, source: Size) -> list[Size]:
        w, h = self.width, self.height
        if w is None and h is None:
            return []
        mode = self.crop or "scale"
        iw, ih = source.width, source.height
        if mode == "crop":  # a region of the original, never scaled
            return [Size(min(w or iw, iw), min(h or ih, ih))]
        if w is None or h is None:  # one side given: every mode keeps the aspect ratio
            factor = w / iw if w is not None else (h or ih) / ih
            return [_at_least_one(round(iw * factor), round(ih * factor))]
        if mode == "scale":
            return [Size(w, h)]
        if mode in ("fill", "thumb"):  # cover the box, then cut it out
            factor = max(w / iw, h / ih)
            return [_at_least_one(max(w, round(iw * factor)), max(h, round(ih * factor))), Size(w, h)]
        factor = min(w / iw, h / ih)
        fitted = _at_least_one(min(w, round(iw * factor)), min(h, round(ih * factor)))
        return [fitted] if mode == "fit" else [fitted, Size(w, h)]  # pad: on a w x h canvas


def _at_least_one(width: int, height: int) -> Size:
    return Size(max(1, width), max(1, height))


def _rotated(size: Size, angle: int | None) -> Size:
    """The canvas of a clockwise rotation that grows to hold the whole picture (as Pillow's
    `rotate(expand=True)` computes it: the rounded-out bounding box of the turned corners)."""
    turn = (angle or 0) % 360
    if turn in (0, 180):
        return size
    if turn in (90, 270):
        return Size(size.height, size.width)
    # Pillow's own arithmetic, step by step, so the sizes agree to the pixel.
    rad = math.radians(turn)
    a = e = round(math.cos(rad), 15)
    b, d = round(math.sin(rad), 15), round(-math.sin(rad), 15)
    cx, cy = size.width / 2, size.height / 2
    c = a * -cx + b * -cy + 0.0 + cx
    f = d * -cx + e * -cy + 0.0 + cy
    corners = ((0, 0), (size.width, 0), (size.width, size.height), (0, size.height))
    xs = [a * x + b * y + c for x, y in corners]
    ys = [d * x + e * y + f for x, y in corners]
    return Size(math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys)))


def ensure_renderable(
    transformation: Transformation, source: Size, fmt: str, max_pixels: int, *, frames: int = 1
) -> Size:
    """The output size, or `InvalidInput` when some step would exceed the pixel budget or the
    output would not fit the format. `frames` counts the pictures of an animation kept whole."""
    canvases = transformation.canvases(source)
    output = canvases[-1]
    if max(c.pixels for c in canvases) > max_pixels or output.pixels * frames > max_pixels:
        raise InvalidInput(
            f"the transformed image would be too large: at most {max_pixels} pixels may be rendered",
            field="transformation",
        )
    limit = MAX_SIDE[fmt]
    if max(output.width, output.height) > limit:
        raise InvalidInput(
            f"the transformed image would be {output.width}x{output.height} pixels;"
            f" {fmt} allows at most {limit} pixels a side",
            field="transformation",
        )
    return output
