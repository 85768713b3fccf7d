"""Comments: a photo's page of comments (public), add, edit by the author, delete by staff."""

import uuid
from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from photoshare.application.auth import Principal, Viewer
from photoshare.application.comments import AddComment, DeleteComment, EditComment
from photoshare.application.readmodels import CommentPage, CommentQueries, CommentView
from photoshare.domain.access import VisibleTo
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import CommentIn


class CommentsController(Controller):
    path = "/api"
    tags = ["comments"]

    @get(
        "/photos/{photo_id:uuid}/comments",
        operation_id="listComments",
        summary="A photo's comments",
        description="Public: a page of the photo's comments, oldest first. A token, when sent, "
        "must be valid (401) and its account not banned (403), as on every public route.",
        responses=answers(401, 403),
    )
    @inject
    async def list_comments(
        self,
        photo_id: FromPath[uuid.UUID],
        viewer: FromDishka[Viewer],
        queries: FromDishka[CommentQueries],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> CommentPage:
        return await queries.page(photo_id, limit, offset, viewer.sees)

    @post(
        "/photos/{photo_id:uuid}/comments",
        status_code=201,
        guards=[authenticated, throttled("comment", per_user=True)],
        security=SECURITY,
        operation_id="addComment",
        summary="Comment on a photo",
        description="Any user: 1-2000 characters.",
        responses=answers(429),
    )
    @inject
    async def add(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[CommentIn],
        principal: FromDishka[Principal],
        add: FromDishka[AddComment],
        queries: FromDishka[CommentQueries],
    ) -> CommentView:
        comment_id = await add(principal.user, photo_id, data.text)
        return await queries.get(comment_id, VisibleTo.of(principal.user))

    @get(
        "/comments/{comment_id:uuid}",
        operation_id="getComment",
        summary="A comment",
        description="Public. A token, when sent, must be valid (401) and its account not banned (403).",
        responses=answers(401, 403),
    )
    @inject
    async def get_comment(
        self, comment_id: FromPath[uuid.UUID], viewer: FromDishka[Viewer], queries: FromDishka[CommentQueries]
    ) -> CommentView:
        return await queries.get(comment_id, viewer.sees)

    @put(
        "/comments/{comment_id:uuid}",
        guards=[authenticated],
        security=SECURITY,
        operation_id="editComment",
        summary="Edit a comment",
        description="Its author only (403 for anyone else). `updated_at` moves, `created_at` stays.",
    )
    @inject
    async def edit(
        self,
        comment_id: FromPath[uuid.UUID],
        data: JSONBody[CommentIn],
        principal: FromDishka[Principal],
        edit: FromDishka[EditComment],
        queries: FromDishka[CommentQueries],
    ) -> CommentView:
        await edit(principal.user, comment_id, data.text)
        return await queries.get(comment_id, VisibleTo.of(principal.user))

    @delete(
        "/comments/{comment_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="deleteComment",
        summary="Delete a comment",
        description="Moderators and admins only; the author gets 403.",
    )
    @inject
    async def remove(
        self,
        comment_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        remove: FromDishka[DeleteComment],
    ) -> None:
        await remove(principal.user, comment_id)
