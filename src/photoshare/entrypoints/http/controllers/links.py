"""Transformed links of a photo, their QR codes, and the public short-link redirect."""

import hashlib
import uuid
from typing import Annotated, Literal

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Redirect

from photoshare.application.auth import Principal
from photoshare.application.links import CreateLink, DeleteLink, GetLink, ListLinks, RenderQr, ResolveLink
from photoshare.application.readmodels import LinkView
from photoshare.entrypoints.http.caching import IMMUTABLE, REDIRECT
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers, binary
from photoshare.entrypoints.http.schemas import TransformationIn

Slug = Annotated[str, Parameter(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class PhotoLinksController(Controller):
    path = "/api/photos/{photo_id:uuid}/transformations"
    tags = ["links"]
    security = SECURITY
    # Guards on each handler, not here: Litestar gives a controller's guards to the OPTIONS
    # answer it adds, which must not need a token.

    @post(
        "/",
        status_code=201,
        operation_id="createTransformation",
        guards=[authenticated, throttled("link", per_user=True)],
        summary="Create a transformed link",
        description="The photo's owner or an admin (403 for anyone else). Cloudinary's "
        "transformation names, at least one option; anything else is 400, and so is a "
        "transformation the photo cannot be rendered with. The answer's `link` is the short link "
        "its QR code encodes.",
        responses=answers(429),
    )
    @inject
    async def create(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[TransformationIn],
        principal: FromDishka[Principal],
        create: FromDishka[CreateLink],
        get_link: FromDishka[GetLink],
    ) -> LinkView:
        return await get_link(
            principal.user, photo_id, await create(principal.user, photo_id, data.options())
        )

    @get(
        "/",
        operation_id="listTransformations",
        guards=[authenticated],
        summary="A photo's transformed links",
        description="The photo's owner or an admin (403 for anyone else).",
    )
    @inject
    async def list_links(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        list_links: FromDishka[ListLinks],
    ) -> list[LinkView]:
        return await list_links(principal.user, photo_id)

    @delete(
        "/{link_id:uuid}",
        status_code=204,
        operation_id="deleteTransformation",
        guards=[authenticated],
        summary="Delete a transformed link",
        description="The photo's owner or an admin (403 for anyone else). Its short link and QR code stop working.",
    )
    @inject
    async def remove(
        self,
        photo_id: FromPath[uuid.UUID],
        link_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        remove: FromDishka[DeleteLink],
    ) -> None:
        await remove(principal.user, photo_id, link_id)


@get(
    "/api/links/{slug:str}/qr",
    tags=["links"],
    media_type="image/png",
    operation_id="getLinkQr",
    summary="A link's QR code",
    description="Public. The QR code encoding the short link, as PNG or (`format=svg`) SVG. It "
    "never changes, so it caches for a year; `If-None-Match` gives 304.",
    responses={
        **binary("image/*", "The QR code: `image/png`, or `image/svg+xml` for `format=svg`."),
        **answers(304),
    },
)
@inject
async def link_qr(
    request: Request,  # type: ignore[type-arg]
    slug: FromPath[Slug],
    render: FromDishka[RenderQr],
    format: FromQuery[Literal["png", "svg"]] = "png",
) -> Response[bytes]:
    etag = '"' + hashlib.sha256(f"{slug}:{format}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    body = await render(slug, format)
    media_type = "image/svg+xml" if format == "svg" else "image/png"
    return Response(body, media_type=media_type, headers=headers)


@get(
    "/t/{slug:str}",
    tags=["links"],
    status_code=302,
    operation_id="followLink",
    summary="Follow a short link",
    description="Public: where a scanned QR code lands, a redirect to the transformed image.",
)
@inject
async def short_link(slug: FromPath[Slug], resolve: FromDishka[ResolveLink]) -> Redirect:
    """Where a scanned QR code lands: a redirect to the transformed image."""
    return Redirect(await resolve(slug), status_code=302, headers={"Cache-Control": REDIRECT})
