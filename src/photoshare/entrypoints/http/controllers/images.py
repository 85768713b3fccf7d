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

from photoshare.application.links import ReadOriginal, ReadVariant, RenderLinkedImage, Signature
from photoshare.application.ports.images import RenderedImage
from photoshare.domain.photos import VARIANT_SIZES
from photoshare.domain.transformations import CANONICAL_PATTERN
from photoshare.entrypoints.http.caching import IMAGE, SIGNED_IMAGE
from photoshare.entrypoints.http.openapi_answers import answers, binary

Key = Annotated[str, Parameter(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Spec = Annotated[str, Parameter(max_length=200, pattern=CANONICAL_PATTERN)]
VariantName = Annotated[str, Parameter(pattern="^(" + "|".join(VARIANT_SIZES) + ")$")]
Expires = Annotated[int | None, Parameter(ge=0, le=2**40, description="signed URLs: Unix time")]
SignatureParam = Annotated[str | None, Parameter(max_length=100, pattern=r"^[A-Za-z0-9_-]*$")]
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


def _headers(etag: str, *, negotiated: bool, signed: bool) -> dict[str, str]:
    headers = {
        "ETag": etag,
        "Cache-Control": SIGNED_IMAGE if signed else IMAGE,
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if negotiated:
        headers["Vary"] = "Accept"
    return headers


def _answer(
    request: Request,  # type: ignore[type-arg]
    image: RenderedImage,
    etag: str,
    *,
    negotiated: bool,
    signed: bool,
) -> Response[bytes]:
    # The image is found (and its signature checked) first: a cache revalidating a deleted
    # photo gets 404, never 304.
    headers = _headers(etag, negotiated=negotiated, signed=signed)
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(image.data, media_type=image.content_type, headers=headers)


@get(
    "/images/{key:str}",
    tags=["images"],
    operation_id="getImage",
    summary="An original image",
    description="Public. A photo's `url`: its bytes as uploaded; `If-None-Match` gives 304. An "
    "unlisted or private photo's only by its signed URL (`expires`, `signature`): 403 for a wrong "
    "or expired signature, 404 without one.",
    responses={**binary("image/*", "The image: JPEG, PNG, WebP or GIF."), **answers(304, 403)},
)
@inject
async def original_image(
    request: Request,  # type: ignore[type-arg]
    key: FromPath[Key],
    read: FromDishka[ReadOriginal],
    expires: Expires = None,
    signature: SignatureParam = None,
) -> Response[bytes]:
    """An original; an unlisted or private photo's only with a valid signature (else 404 or 403)."""
    image = await read(key, Signature(expires, signature))
    return _answer(request, image, f'"{key}"', negotiated=False, signed=signature is not None)


@get(
    "/images/t/{spec:str}/{key:str}",
    tags=["images"],
    operation_id="getTransformedImage",
    summary="A transformed image",
    description="Public. A link's `url`: the photo rendered with the link's transformation "
    "(only transformations of a link exist); `If-None-Match` gives 304. An unlisted or private "
    "photo's only by its signed URL, as for originals.",
    responses={**binary("image/*", "The image: JPEG, PNG, WebP or GIF."), **answers(304, 403)},
)
@inject
async def transformed_image(
    request: Request,  # type: ignore[type-arg]
    spec: FromPath[Spec],
    key: FromPath[Key],
    render: FromDishka[RenderLinkedImage],
    expires: Expires = None,
    signature: SignatureParam = None,
) -> Response[bytes]:
    image = await render(
        key, spec, Signature(expires, signature), offered_formats(request.headers.get("accept"))
    )
    return _answer(
        request, image, f'"{spec}/{key}.{image.format}"', negotiated=True, signed=signature is not None
    )


@get(
    "/images/v/{name:str}/{key:str}",
    tags=["images"],
    operation_id="getVariantImage",
    summary="A sized variant of a photo",
    description="Public. One of a photo's `variants` (thumb, small, medium, large), in AVIF or WebP "
    "when `Accept` names them, else JPEG (PNG with transparency); `Vary: Accept`, an ETag per "
    "format, `If-None-Match` gives 304. An unlisted or private photo's variants only with a "
    "valid signature, like its original.",
    responses={**binary("image/*", "The variant: AVIF, WebP, JPEG or PNG."), **answers(304, 403)},
)
@inject
async def variant_image(
    request: Request,  # type: ignore[type-arg]
    name: FromPath[VariantName],
    key: FromPath[Key],
    read: FromDishka[ReadVariant],
    expires: Expires = None,
    signature: SignatureParam = None,
) -> Response[bytes]:
    image = await read(
        key, name, Signature(expires, signature), offered_formats(request.headers.get("accept"))
    )
    return _answer(
        request, image, f'"{name}/{key}.{image.format}"', negotiated=True, signed=signature is not None
    )
