"""Share links: made by the owner of a photo or album, managed under /api/shares, opened by
anyone holding the link (/api/shared/{slug} and its QR code; the web client draws /s/{slug}).

Every answer on these paths is `Cache-Control: no-store` (set in `security.py`, so errors too).
"""

import uuid
from typing import Annotated, Any, Literal

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Body, FromPath, FromQuery, HeaderParameter, Parameter

from photoshare.application.auth import Principal
from photoshare.application.readmodels import SharedView, SharePage, ShareView
from photoshare.application.shares import (
    CreateShare,
    DeleteShare,
    EditShare,
    GetShare,
    ListShares,
    OpenShare,
    RenderShareQr,
    ShareTerms,
    Visit,
)
from photoshare.domain.shares import ShareKind
from photoshare.entrypoints.http.guards import authenticated
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers, binary
from photoshare.entrypoints.http.schemas import ShareIn, SharePatch

Slug = Annotated[str, Parameter(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
SharePassword = Annotated[
    str | None,
    HeaderParameter(name="X-Share-Password", max_length=128, description="a protected share's password"),
]
ShareBody = Annotated[ShareIn | None, Body(description="every field optional")]


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _terms(data: ShareIn | None) -> ShareTerms:
    if data is None:
        return ShareTerms()
    return ShareTerms(
        label=data.label,
        expires_at=data.expires_at,
        expires_in=data.expires_in,
        password=data.password,
        max_views=data.max_views,
    )


class SharesController(Controller):
    path = "/api"
    tags = ["shares"]

    @post(
        "/photos/{photo_id:uuid}/shares",
        status_code=201,
        guards=[authenticated],
        security=SECURITY,
        operation_id="sharePhoto",
        summary="Share a photo by a link",
        description="The photo's owner or an admin. Optional label (who it is for), expiry "
        "(`expires_at` or `expires_in` seconds), password and view limit.",
    )
    @inject
    async def share_photo(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        create: FromDishka[CreateShare],
        get_share: FromDishka[GetShare],
        data: ShareBody = None,
    ) -> ShareView:
        share_id = await create(principal.user, ShareKind.PHOTO, photo_id, _terms(data))
        return await get_share(principal.user, share_id)

    @post(
        "/albums/{album_id:uuid}/shares",
        status_code=201,
        guards=[authenticated],
        security=SECURITY,
        operation_id="shareAlbum",
        summary="Share an album by a link",
        description="The album's owner or an admin. Optional label (who it is for), expiry "
        "(`expires_at` or `expires_in` seconds), password and view limit.",
    )
    @inject
    async def share_album(
        self,
        album_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        create: FromDishka[CreateShare],
        get_share: FromDishka[GetShare],
        data: ShareBody = None,
    ) -> ShareView:
        share_id = await create(principal.user, ShareKind.ALBUM, album_id, _terms(data))
        return await get_share(principal.user, share_id)

    @get(
        "/shares",
        guards=[authenticated],
        security=SECURITY,
        operation_id="listShares",
        summary="Your share links",
        description="Any user: a page of the caller's share links, newest first, each with its "
        "`view_count` and `last_viewed_at`.",
    )
    @inject
    async def list_shares(
        self,
        principal: FromDishka[Principal],
        list_shares: FromDishka[ListShares],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> SharePage:
        return await list_shares(principal.user, limit, offset)

    @get(
        "/shares/{share_id:uuid}",
        guards=[authenticated],
        security=SECURITY,
        operation_id="getShare",
        summary="A share link",
        description="Its owner or an admin (404 for anyone else): the link's terms and counters.",
    )
    @inject
    async def get_share(
        self, share_id: FromPath[uuid.UUID], principal: FromDishka[Principal], get_share: FromDishka[GetShare]
    ) -> ShareView:
        return await get_share(principal.user, share_id)

    @patch(
        "/shares/{share_id:uuid}",
        guards=[authenticated],
        security=SECURITY,
        operation_id="updateShare",
        summary="Change a share link",
        description="Its owner or an admin. Any of label, expires_at, max_views and password; "
        "`null` clears one.",
    )
    @inject
    async def edit_share(
        self,
        share_id: FromPath[uuid.UUID],
        data: SharePatch,
        principal: FromDishka[Principal],
        edit: FromDishka[EditShare],
        get_share: FromDishka[GetShare],
    ) -> ShareView:
        await edit(
            principal.user,
            share_id,
            label=data.label,
            expires_at=data.expires_at,
            max_views=data.max_views,
            password=data.password,
        )
        return await get_share(principal.user, share_id)

    @delete(
        "/shares/{share_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="deleteShare",
        summary="Revoke a share link",
        description="Its owner or an admin. The link stops working at once.",
    )
    @inject
    async def revoke(
        self, share_id: FromPath[uuid.UUID], principal: FromDishka[Principal], revoke: FromDishka[DeleteShare]
    ) -> None:
        await revoke(principal.user, share_id)

    @get(
        "/shared/{slug:str}",
        operation_id="openShared",
        summary="Open a share link",
        description="Anyone with the link: the shared photo, or a page of the album's photos. Each "
        "successful read counts one view (link-preview bots are answered but not counted). 401 for "
        "a missing or wrong `X-Share-Password`, 410 once expired or used up, 404 when unknown or "
        "revoked; misses and wrong passwords are rate-limited (429).",
        responses=answers(401, 410, 429),
    )
    @inject
    async def open_share(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[Slug],
        open_share: FromDishka[OpenShare],
        password: SharePassword = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> SharedView:
        visit = Visit(
            client=_client(request),
            user_agent=request.headers.get("user-agent"),
            password=password,
            limit=limit,
            offset=offset,
        )
        return await open_share(slug, visit)

    @get(
        "/shared/{slug:str}/qr",
        media_type="image/png",
        operation_id="getSharedQr",
        summary="A share link's QR code",
        description="Anyone with the link: the QR code of the share's `url`, as PNG or "
        "(`format=svg`) SVG. Unknown slugs are rate-limited (429).",
        responses={
            **binary("image/*", "The QR code: `image/png`, or `image/svg+xml` for `format=svg`."),
            **answers(429),
        },
    )
    @inject
    async def share_qr(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[Slug],
        render: FromDishka[RenderShareQr],
        format: FromQuery[Literal["png", "svg"]] = "png",
    ) -> Response[bytes]:
        body = await render(slug, format, _client(request))
        return Response(body, media_type="image/svg+xml" if format == "svg" else "image/png")
