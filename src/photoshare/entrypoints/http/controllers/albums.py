"""Albums: create, read (as their visibility allows), edit, delete, their ordered photos, and
the albums a photo is in."""

import uuid
from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, delete, get, patch, post, put
from litestar.params import Body, FromPath, Parameter

from photoshare.application.albums import CreateAlbum, DeleteAlbum, EditAlbum, PutAlbumPhoto, RemoveAlbumPhoto
from photoshare.application.auth import Principal, Viewer
from photoshare.application.readmodels import AlbumPage, AlbumQueries, AlbumView, PhotoPage
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.entrypoints.http.guards import authenticated
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import AlbumIn, AlbumPatch, AlbumPhotoIn

Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class AlbumsController(Controller):
    path = "/api"
    tags = ["albums"]

    @post(
        "/albums",
        status_code=201,
        guards=[authenticated],
        security=SECURITY,
        operation_id="createAlbum",
        summary="Create an album",
        description="Any user. A title, an optional description and a visibility (public by "
        "default; unlisted albums are reachable by id only, private ones by their owner and admins).",
    )
    @inject
    async def create(
        self,
        data: AlbumIn,
        principal: FromDishka[Principal],
        create: FromDishka[CreateAlbum],
        queries: FromDishka[AlbumQueries],
    ) -> AlbumView:
        album_id = await create(
            principal.user, data.title, data.description, Visibility.parse(data.visibility)
        )
        return await queries.get(album_id, VisibleTo.of(principal.user))

    @get(
        "/albums/{album_id:uuid}",
        operation_id="getAlbum",
        summary="An album",
        description="Public and unlisted albums for anyone; private ones for their owner and admins "
        "(404 for anyone else). A bad token is 401.",
        responses=answers(401, 403),
    )
    @inject
    async def get_album(
        self, album_id: FromPath[uuid.UUID], viewer: FromDishka[Viewer], queries: FromDishka[AlbumQueries]
    ) -> AlbumView:
        return await queries.get(album_id, viewer.sees)

    @patch(
        "/albums/{album_id:uuid}",
        guards=[authenticated],
        security=SECURITY,
        operation_id="updateAlbum",
        summary="Change an album",
        description="Its owner or an admin (403 for anyone else). Any of title, description, "
        "visibility and `cover_photo_id` (a photo in the album; `null` removes the cover).",
    )
    @inject
    async def edit(
        self,
        album_id: FromPath[uuid.UUID],
        data: AlbumPatch,
        principal: FromDishka[Principal],
        edit: FromDishka[EditAlbum],
        queries: FromDishka[AlbumQueries],
    ) -> AlbumView:
        await edit(
            principal.user,
            album_id,
            title=data.title,
            description=data.description,
            visibility=Visibility(data.visibility) if data.visibility else None,
            cover_photo_id=data.cover_photo_id,
        )
        return await queries.get(album_id, VisibleTo.of(principal.user))

    @delete(
        "/albums/{album_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="deleteAlbum",
        summary="Delete an album",
        description="Its owner or an admin (403 for anyone else). The album and its share links "
        "go; its photos stay.",
    )
    @inject
    async def remove(
        self, album_id: FromPath[uuid.UUID], principal: FromDishka[Principal], remove: FromDishka[DeleteAlbum]
    ) -> None:
        await remove(principal.user, album_id)

    @get(
        "/albums/{album_id:uuid}/photos",
        operation_id="listAlbumPhotos",
        summary="An album's photos",
        description="Anyone who may see the album: a page of its photos in album order, only "
        "those the caller may see. A bad token is 401.",
        responses=answers(401, 403),
    )
    @inject
    async def list_photos(
        self,
        album_id: FromPath[uuid.UUID],
        viewer: FromDishka[Viewer],
        queries: FromDishka[AlbumQueries],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> PhotoPage:
        await queries.get(album_id, viewer.sees)
        return await queries.photos(album_id, viewer.sees, limit, offset)

    @put(
        "/albums/{album_id:uuid}/photos/{photo_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="addAlbumPhoto",
        summary="Put a photo in an album",
        description="The album's owner or an admin, with a photo they may see (a private photo "
        "only its owner's). Idempotent: a photo is in an album once; `position` moves it.",
    )
    @inject
    async def put_photo(
        self,
        album_id: FromPath[uuid.UUID],
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        put_photo: FromDishka[PutAlbumPhoto],
        data: Annotated[
            AlbumPhotoIn | None, Body(description="optional: where in the album (0 is first)")
        ] = None,
    ) -> None:
        await put_photo(principal.user, album_id, photo_id, data.position if data else None)

    @delete(
        "/albums/{album_id:uuid}/photos/{photo_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="removeAlbumPhoto",
        summary="Take a photo out of an album",
        description="The album's owner or an admin. The photo itself stays.",
    )
    @inject
    async def remove_photo(
        self,
        album_id: FromPath[uuid.UUID],
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        remove_photo: FromDishka[RemoveAlbumPhoto],
    ) -> None:
        await remove_photo(principal.user, album_id, photo_id)

    @get(
        "/users/{username:str}/albums",
        operation_id="listUserAlbums",
        summary="A user's albums",
        description="Public: a user's public albums, newest first; all of them for the owner and "
        "admins. A bad token is 401.",
        responses=answers(401, 403),
    )
    @inject
    async def of_user(
        self,
        username: FromPath[str],
        viewer: FromDishka[Viewer],
        queries: FromDishka[AlbumQueries],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> AlbumPage:
        return await queries.of_user(username, viewer.sees, limit, offset)

    @get(
        "/photos/{photo_id:uuid}/albums",
        operation_id="listPhotoAlbums",
        summary="The albums holding a photo",
        description="Anyone who may see the photo (404 for anyone else): a page of the albums it "
        "is in, newest first: the public ones, and also your own (admins: all of them). A bad "
        "token is 401.",
        responses=answers(401, 403),
    )
    @inject
    async def of_photo(
        self,
        photo_id: FromPath[uuid.UUID],
        viewer: FromDishka[Viewer],
        queries: FromDishka[AlbumQueries],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> AlbumPage:
        return await queries.holding(photo_id, viewer.sees, limit, offset)
