"""Transformed links of a photo, their QR codes, and the public short-link redirect."""

import hashlib
import uuid
from typing import Annotated, Literal

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Redirect

from photoshare.application.auth import Principal
from photoshare.application.links import CreateLink, DeleteLink, ListLinks, RenderQr, ResolveLink
from photoshare.application.readmodels import LinkView
from photoshare.entrypoints.http.caching import IMMUTABLE, REDIRECT
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.schemas import TransformationIn

Slug = Annotated[str, Parameter(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class PhotoLinksController(Controller):
    path = "/api/photos/{photo_id:uuid}/transformations"
    tags = ["links"]
    guards = [authenticated]
    security = SECURITY

    @post("/", status_code=201, guards=[throttled("link", per_user=True)])
    @inject
    async def create(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[TransformationIn],
        principal: FromDishka[Principal],
        create: FromDishka[CreateLink],
    ) -> LinkView:
        return await create(principal.user, photo_id, msgspec.structs.asdict(data))

    @get("/")
    @inject
    async def list_links(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        list_links: FromDishka[ListLinks],
    ) -> list[LinkView]:
        return await list_links(principal.user, photo_id)

    @delete("/{link_id:uuid}", status_code=204)
    @inject
    async def remove(
        self,
        photo_id: FromPath[uuid.UUID],
        link_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        remove: FromDishka[DeleteLink],
    ) -> None:
        await remove(principal.user, photo_id, link_id)


@get("/api/links/{slug:str}/qr", tags=["links"], media_type="image/png")
@inject
async def link_qr(
    request: Request,  # type: ignore[type-arg]
    slug: FromPath[Slug],
    render: FromDishka[RenderQr],
    format: FromQuery[Literal["png", "svg"]] = "png",
) -> Response[bytes]:
    """The QR code encoding the short link; it never changes, so it caches for a year."""
    etag = '"' + hashlib.sha256(f"{slug}:{format}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    body = await render(slug, format)
    media_type = "image/svg+xml" if format == "svg" else "image/png"
    return Response(body, media_type=media_type, headers=headers)


@get("/t/{slug:str}", tags=["links"], status_code=302)
@inject
async def short_link(slug: FromPath[Slug], resolve: FromDishka[ResolveLink]) -> Redirect:
    """Where a scanned QR code lands: a redirect to the transformed image."""
    return Redirect(await resolve(slug), status_code=302, headers={"Cache-Control": REDIRECT})
