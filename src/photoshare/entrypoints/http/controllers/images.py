"""Images served by the service itself when no Cloudinary is configured."""

from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Request, Response, get
from litestar.params import FromPath, Parameter

from photoshare.application.links import ReadOriginal, RenderLinkedImage, Signature
from photoshare.application.ports import RenderedImage
from photoshare.entrypoints.http.caching import IMAGE

Key = Annotated[str, Parameter(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Spec = Annotated[str, Parameter(max_length=200, pattern=r"^[a-z]_[A-Za-z0-9-]+(,[a-z]_[A-Za-z0-9-]+)*$")]
Expires = Annotated[int | None, Parameter(ge=0, le=2**40, description="signed URLs: Unix time")]
SignatureParam = Annotated[str | None, Parameter(max_length=100, pattern=r"^[A-Za-z0-9_-]*$")]
# A signed URL is one viewer's capability: only their browser keeps it, and not for long.
SIGNED = "private, max-age=300"


def _headers(etag: str, signed: bool = False) -> dict[str, str]:
    return {
        "ETag": etag,
        "Cache-Control": SIGNED if signed else IMAGE,
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


def _answer(request: Request, image: RenderedImage, etag: str, signed: bool) -> Response[bytes]:  # type: ignore[type-arg]
    # The image is found (and its signature checked) first: a cache revalidating a deleted
    # photo gets 404, never 304.
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=_headers(etag, signed))
    return Response(image.data, media_type=image.content_type, headers=_headers(etag, signed))


@get("/images/{key:str}", tags=["images"])
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
    return _answer(request, image, f'"{key}"', signature is not None)


@get("/images/t/{spec:str}/{key:str}", tags=["images"])
@inject
async def transformed_image(
    request: Request,  # type: ignore[type-arg]
    spec: FromPath[Spec],
    key: FromPath[Key],
    render: FromDishka[RenderLinkedImage],
    expires: Expires = None,
    signature: SignatureParam = None,
) -> Response[bytes]:
    image = await render(key, spec, Signature(expires, signature))
    return _answer(request, image, f'"{spec}/{key}"', signature is not None)
