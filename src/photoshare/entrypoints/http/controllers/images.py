"""Images served by the service itself when no Cloudinary is configured.

Originals are served as uploaded. Variants and transformed images negotiate their format:
AVIF, then WebP, when `Accept` names them, else JPEG (PNG for images with transparency);
each answer says `Vary: Accept` and carries an ETag of its own representation.
"""

from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Request, Response, get
from litestar.params import FromPath, Parameter

from photoshare.application.links import ReadOriginal, ReadVariant, RenderLinkedImage
from photoshare.application.ports import RenderedImage
from photoshare.domain.photos import VARIANT_SIZES
from photoshare.domain.transformations import CANONICAL_PATTERN
from photoshare.entrypoints.http.caching import IMAGE
from photoshare.entrypoints.http.openapi_answers import answers, binary

Key = Annotated[str, Parameter(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Spec = Annotated[str, Parameter(max_length=200, pattern=CANONICAL_PATTERN)]
VariantName = Annotated[str, Parameter(pattern="^(" + "|".join(VARIANT_SIZES) + ")$")]
# Media types a client may name in Accept -> the format the renderers know them by.
_NEGOTIABLE = {"image/avif": "avif", "image/webp": "webp"}


def offered_formats(accept: str | None) -> frozenset[str]:
    """The modern formats an `Accept` header names with a non-zero quality (wildcards name none)."""
    found: set[str] = set()
    for item in (accept or "").split(",")[:64]:
        media, *params = (part.strip() for part in item.split(";"))
        fmt = _NEGOTIABLE.get(media.lower())
        if fmt is None:
            continue
        quality = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            if float(quality) > 0:
                found.add(fmt)
        except ValueError:
            continue
    return frozenset(found)


def _headers(etag: str, *, negotiated: bool) -> dict[str, str]:
    headers = {
        "ETag": etag,
        "Cache-Control": IMAGE,
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if negotiated:
        headers["Vary"] = "Accept"
    return headers


def _answer(request: Request, image: RenderedImage, etag: str, *, negotiated: bool) -> Response[bytes]:  # type: ignore[type-arg]
    # The image is found first: a cache revalidating a deleted photo gets 404, never 304.
    headers = _headers(etag, negotiated=negotiated)
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(image.data, media_type=image.content_type, headers=headers)


@get(
    "/images/{key:str}",
    tags=["images"],
    operation_id="getImage",
    summary="An original image",
    description="Public. A photo's `url`: its bytes as uploaded; `If-None-Match` gives 304.",
    responses={**binary("image/*", "The image: JPEG, PNG, WebP or GIF."), **answers(304)},
)
@inject
async def original_image(
    request: Request,  # type: ignore[type-arg]
    key: FromPath[Key],
    read: FromDishka[ReadOriginal],
) -> Response[bytes]:
    return _answer(request, await read(key), f'"{key}"', negotiated=False)


@get(
    "/images/t/{spec:str}/{key:str}",
    tags=["images"],
    operation_id="getTransformedImage",
    summary="A transformed image",
    description="Public. A link's `url`: the photo rendered with the link's transformation "
    "(only transformations of a link exist); `If-None-Match` gives 304.",
    responses={**binary("image/*", "The image: JPEG, PNG, WebP or GIF."), **answers(304)},
)
@inject
async def transformed_image(
    request: Request,  # type: ignore[type-arg]
    spec: FromPath[Spec],
    key: FromPath[Key],
    render: FromDishka[RenderLinkedImage],
) -> Response[bytes]:
    image = await render(key, spec, offered_formats(request.headers.get("accept")))
    return _answer(request, image, f'"{spec}/{key}.{image.format}"', negotiated=True)


@get(
    "/images/v/{name:str}/{key:str}",
    tags=["images"],
    operation_id="getVariantImage",
    summary="A sized variant of a photo",
    description="Public. One of a photo's `variants` (thumb, small, medium, large), in AVIF or WebP "
    "when `Accept` names them, else JPEG (PNG with transparency); `Vary: Accept`, an ETag per "
    "format, `If-None-Match` gives 304.",
    responses={**binary("image/*", "The variant: AVIF, WebP, JPEG or PNG."), **answers(304)},
)
@inject
async def variant_image(
    request: Request,  # type: ignore[type-arg]
    name: FromPath[VariantName],
    key: FromPath[Key],
    read: FromDishka[ReadVariant],
) -> Response[bytes]:
    image = await read(key, name, offered_formats(request.headers.get("accept")))
    return _answer(request, image, f'"{name}/{key}.{image.format}"', negotiated=True)
