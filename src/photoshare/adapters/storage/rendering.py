"""Cloudinary's transformation subset, rendered with Pillow so the local store serves what the CDN would.

The steps run in Cloudinary's order for one transformation component:
resize/crop, then the effect, then rounded corners, then rotation, then encoding.
Everything that becomes empty (pad bands, cut corners, rotated canvas) is transparent
while working and turns white only when the output format (JPEG) has no alpha.
An animation stays one when the output format can hold it (GIF, WebP): every frame is
transformed. Before any pixel is decoded, the geometry the domain computes from the
header's size is checked against the pixel budget and the output format's limits.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageSequence, ImageStat

from photoshare.domain.transformations import Size, Transformation, ensure_renderable

CONTENT_TYPES = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
}
#: The formats a client may ask for by `Accept`, best first; without them, a fallback.
MODERN = ("avif", "webp")
FALLBACKS = ("jpg", "png")  # JPEG, or PNG for images with transparency
_PILLOW_FORMAT = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "avif": "AVIF"}
_ANIMATABLE = {"gif", "webp"}  # as on Cloudinary: PNG and JPEG outputs take the first frame
_DEFAULT_QUALITY = 85
_AVIF_QUALITY = 60  # AVIF's scale: 60 looks like JPEG's 85 at about half the bytes
_AVIF_SPEED = 8  # of 0-10: a 2048-pixel picture encodes in well under a second
_DEFAULT_FRAME_MS = 100
_PNG_COMPRESSION = 3  # half the time of the default 6 for about the same size on photos
_SALIENCY_SIDE = 64  # the saliency guess looks at a thumbnail this big
_SALIENCY_STEPS = 9  # candidate window positions per axis
# Classic sepia tone matrix (rows: output R, G, B; columns: input R, G, B, offset).
_SEPIA = (0.393, 0.769, 0.189, 0, 0.349, 0.686, 0.168, 0, 0.272, 0.534, 0.131, 0)
_TRANSPARENT = (0, 0, 0, 0)


def modern_choice(offered: frozenset[str]) -> str | None:
    """The best format the client named (AVIF before WebP), or None for the fallback."""
    return next((fmt for fmt in MODERN if fmt in offered), None)


def negotiated_format(
    transformation: Transformation, original_extension: str, offered: frozenset[str]
) -> str | None:
    """The format of a rendering: the transformation's own, else the best the client named,
    else None (JPEG, or PNG with transparency, decided from the pixels). A GIF stays
    animated: WebP if named (it animates too), else GIF."""
    if transformation.format:
        return transformation.format
    if original_extension.lower() == "gif":
        return "webp" if "webp" in offered else "gif"
    return modern_choice(offered)


def fallback_for(image: Image.Image) -> str:
    """JPEG, or PNG when some pixel is not fully opaque."""
    if image.mode != "RGBA":
        return "jpg"
    lowest, _ = image.getchannel("A").getextrema()  # one band: (min, max)
    return "png" if isinstance(lowest, int | float) and lowest < 255 else "jpg"


def render(
    data: bytes, transformation: Transformation, fmt: str | None, max_pixels: int
) -> tuple[bytes, str]:
    """Blocking: apply the transformation to an encoded original and encode the result as
    `fmt`, or (None) as JPEG or PNG by transparency; the bytes and the format made.

    Raises `InvalidInput` before decoding when the rendering would exceed `max_pixels` (one
    canvas, or all frames of an animation together) or the format's largest side.
    """
    with Image.open(io.BytesIO(data)) as source:
        frames = getattr(source, "n_frames", 1) if fmt in _ANIMATABLE else 1
        ensure_renderable(transformation, Size(*source.size), fmt or "jpg", max_pixels, frames=frames)
        if frames == 1:
            picture = _transformed(_working_copy(source), transformation)
            made = fmt or fallback_for(picture)
            return _encode(picture, made, transformation.quality), made
        assert fmt is not None
        pictures, durations = [], []
        for frame in ImageSequence.Iterator(source):
            picture = _working_copy(frame)  # decodes the frame, which is when WebP reads its duration
            durations.append(int(frame.info.get("duration") or _DEFAULT_FRAME_MS))
            pictures.append(_transformed(picture, transformation))
        loop = source.info.get("loop")
    animation = _encode_animation(
        pictures, durations, loop if isinstance(loop, int) else None, fmt, transformation
    )
    return animation, fmt


def downsized(data: bytes, sizes: list[tuple[int, int]]) -> list[Image.Image]:
    """Blocking: the original (its first frame) at each size, largest first, each resized from
    the one before."""
    with Image.open(io.BytesIO(data)) as source:
        current = _working_copy(source)
    out = []
    for size in sorted(sizes, key=lambda s: -s[0] * s[1]):
        current = current if current.size == size else current.resize(size, Image.Resampling.LANCZOS)
        out.append(current)
    return out


def transcode(data: bytes, fmt: str) -> bytes:
    """Blocking: re-encode an image (a variant) in another format."""
    with Image.open(io.BytesIO(data)) as source:
        image = _working_copy(source)
    return _encode(image, fmt, None)


def encode(image: Image.Image, fmt: str, quality: int | None) -> bytes:
    return _encode(image, fmt, quality)


def _transformed(image: Image.Image, t: Transformation) -> Image.Image:
    image = _resize(image, t)
    image = _apply_effect(image, t.effect)
    image = _round_corners(image, t.radius)
    return _rotate(image, t.angle)


def _guard(width: int, height: int) -> tuple[int, int]:
    """A step never makes an empty picture (the budget was checked up front, by the domain)."""
    return max(1, width), max(1, height)


def _working_copy(source: Image.Image) -> Image.Image:
    has_alpha = source.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in source.info
    return source.convert("RGBA" if has_alpha else "RGB")


def _resized(image: Image.Image, width: int, height: int) -> Image.Image:
    size = _guard(width, height)
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)


def _resize(image: Image.Image, t: Transformation) -> Image.Image:
    w, h = t.width, t.height
    if w is None and h is None:
        return image
    mode = t.crop or "scale"
    iw, ih = image.size
    if mode == "crop":  # a region of the original, never scaled
        return _cut(image, min(w or iw, iw), min(h or ih, ih), t.gravity)
    if w is None or h is None:  # one side given: every mode keeps the aspect ratio
        factor = w / iw if w is not None else (h or ih) / ih
        return _resized(image, round(iw * factor), round(ih * factor))
    if mode == "scale":
        return _resized(image, w, h)
    if mode in ("fill", "thumb"):
        factor = max(w / iw, h / ih)
        covered = _resized(image, max(w, round(iw * factor)), max(h, round(ih * factor)))
        return _cut(covered, w, h, t.gravity)
    factor = min(w / iw, h / ih)
    fitted = _resized(image, min(w, round(iw * factor)), min(h, round(ih * factor)))
    if mode == "fit":
        return fitted
    # pad: the fitted picture on a w x h canvas, placed by gravity (face/auto mean center here)
    canvas = Image.new("RGBA", (w, h), _TRANSPARENT)
    gravity = t.gravity if t.gravity not in ("auto", "face") else "center"
    canvas.paste(fitted.convert("RGBA"), _compass(w - fitted.width, h - fitted.height, gravity))
    return canvas


def _cut(image: Image.Image, width: int, height: int, gravity: str | None) -> Image.Image:
    if gravity in ("auto", "face"):
        x, y = _salient_origin(image, width, height)
    else:
        x, y = _compass(image.width - width, image.height - height, gravity)
    return image.crop((x, y, x + width, y + height))


def _compass(free_x: int, free_y: int, gravity: str | None) -> tuple[int, int]:
    """Top-left corner of a window with `free_*` pixels of slack, placed by a compass gravity."""
    fx = {"west": 0.0, "east": 1.0}.get(gravity or "", 0.5)
    fy = {"north": 0.0, "south": 1.0}.get(gravity or "", 0.5)
    return round(free_x * fx), round(free_y * fy)


def _salient_origin(image: Image.Image, width: int, height: int) -> tuple[int, int]:
    """Where to cut for `auto`/`face`: the window holding the most edges, ties going to the center.

    Not face detection: a cheap stand-in that keeps the detailed subject of a photo
    instead of the plain sky or wall beside it.
    """
    free_x, free_y = image.width - width, image.height - height
    if free_x <= 0 and free_y <= 0:
        return 0, 0
    scale = min(1.0, _SALIENCY_SIDE / max(image.size))
    small = image.convert("L").resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.BOX
    )
    edges = small.filter(ImageFilter.FIND_EDGES)
    win_w, win_h = max(1, round(width * scale)), max(1, round(height * scale))

    def positions(free: int) -> list[int]:
        steps = min(_SALIENCY_STEPS, free + 1)
        spots = {round(free * i / max(1, steps - 1)) for i in range(steps)}
        return sorted(spots, key=lambda p: abs(p - free / 2))  # center first wins ties

    best, best_score = _compass(free_x, free_y, "center"), -1.0
    for y in positions(free_y):
        for x in positions(free_x):
            sx, sy = round(x * scale), round(y * scale)
            score = ImageStat.Stat(edges.crop((sx, sy, sx + win_w, sy + win_h))).sum[0]
            if score > best_score:
                best, best_score = (x, y), score
    return best


def _split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    if image.mode == "RGBA":
        return image.convert("RGB"), image.getchannel("A")
    return image.convert("RGB"), None


def _apply_effect(image: Image.Image, effect: str | None) -> Image.Image:
    if effect is None:
        return image
    if effect == "pixelate":
        block = max(2, round(max(image.size) / 50))
        small = image.resize(
            (math.ceil(image.width / block), math.ceil(image.height / block)), Image.Resampling.BOX
        )
        return small.resize(image.size, Image.Resampling.NEAREST)
    rgb, alpha = _split_alpha(image)
    if effect == "grayscale":
        rgb = ImageOps.grayscale(rgb).convert("RGB")
    elif effect == "sepia":
        rgb = rgb.convert("RGB", _SEPIA)
    elif effect == "negate":
        rgb = ImageOps.invert(rgb)
    elif effect == "blur":
        rgb = rgb.filter(ImageFilter.GaussianBlur(radius=max(2.0, max(image.size) / 100)))
    elif effect == "sharpen":
        rgb = rgb.filter(ImageFilter.UnsharpMask(radius=2, percent=150, threshold=2))
    if alpha is not None:
        rgb.putalpha(alpha)
    return rgb


def _round_corners(image: Image.Image, radius: int | str | None) -> Image.Image:
    if radius is None or radius == 0:
        return image
    mask = Image.new("L", image.size, 0)
    box = (0, 0, image.width - 1, image.height - 1)
    draw = ImageDraw.Draw(mask)
    if radius == "max":  # a circle for a square picture, an ellipse otherwise
        draw.ellipse(box, fill=255)
    else:
        draw.rounded_rectangle(box, radius=min(int(radius), min(image.size) // 2), fill=255)
    rounded = image.convert("RGBA")
    rounded.putalpha(ImageChops.multiply(rounded.getchannel("A"), mask))
    return rounded


def _rotate(image: Image.Image, angle: int | None) -> Image.Image:
    """Clockwise, as Cloudinary rotates; the canvas grows to hold the whole picture."""
    turn = (angle or 0) % 360
    if turn == 0:
        return image
    exact = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    if turn in exact:
        return image.transpose(exact[turn])
    return image.convert("RGBA").rotate(
        -turn, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=_TRANSPARENT
    )


def _encode(image: Image.Image, fmt: str, quality: int | None) -> bytes:
    out = io.BytesIO()
    if fmt == "jpg" and image.mode == "RGBA":  # JPEG has no alpha: empty areas become white
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    options: dict[str, object] = {}
    if fmt in ("jpg", "webp"):
        options["quality"] = quality or _DEFAULT_QUALITY
    elif fmt == "avif":
        options.update(quality=quality or _AVIF_QUALITY, speed=_AVIF_SPEED)
    elif fmt == "png":
        options["compress_level"] = _PNG_COMPRESSION
    image.save(out, _PILLOW_FORMAT[fmt], **options)
    return out.getvalue()


def _encode_animation(
    pictures: list[Image.Image], durations: list[int], loop: int | None, fmt: str, t: Transformation
) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {"save_all": True, "append_images": pictures[1:], "duration": durations}
    if loop is not None:
        options["loop"] = loop
    if fmt == "gif":
        options["disposal"] = 2  # every frame is a full picture: clear before drawing the next
    else:
        options["quality"] = t.quality or _DEFAULT_QUALITY
    pictures[0].save(out, _PILLOW_FORMAT[fmt], **options)
    return out.getvalue()
