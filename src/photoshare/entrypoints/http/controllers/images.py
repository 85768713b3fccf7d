"""Images served by the service itself when no Cloudinary is configured."""

from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Request, Response, get
from litestar.params import FromPath, Parameter

from photoshare.application.links import ReadOriginal, RenderLinkedImage
from photoshare.application.ports import RenderedImage
from photoshare.domain.transformations import CANONICAL_PATTERN
from photoshare.entrypoints.http.caching import IMAGE
from photoshare.entrypoints.http.openapi_answers import answers, binary

Key = Annotated[str, Parameter(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Spec = Annotated[str, Parameter(max_length=200, pattern=CANONICAL_PATTERN)]


def _headers(etag: str) -> dict[str, str]:
    return {
        "ETag": etag,
        "Cache-Control": IMAGE,
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


def _answer(request: Request, image: RenderedImage, etag: str) -> Response[bytes]:  # type: ignore[type-arg]
    # The image is found first: a cache revalidating a deleted photo gets 404, never 304.
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=_headers(etag))
    return Response(image.data, media_type=image.content_type, headers=_headers(etag))


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
    etag = f'"{key}"'
    return _answer(request, await read(key), etag)


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
    etag = f'"{spec}/{key}"'
    return _answer(request, await render(key, spec), etag)
