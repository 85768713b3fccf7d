"""Photos: upload (multipart), read (public), edit, delete, and the searchable list."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, Parameter

from photoshare.application.auth import Principal, Viewer
from photoshare.application.photos import MAX_UPLOAD_BYTES, DeletePhoto, EditPhoto, UploadPhoto
from photoshare.application.readmodels import PhotoPage, PhotoQueries, PhotoSearch, PhotoSort, PhotoView
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.errors import Forbidden, InvalidInput, NotFound
from photoshare.domain.photos import tag_key
from photoshare.domain.text import nfc
from photoshare.entrypoints.http.caching import conditional_json
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.schemas import PhotoUpdateIn

# The multipart envelope around a 10 MiB file; the file itself is checked exactly.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024
SortParam = Literal["-created_at", "created_at", "-rating", "rating"]


@dataclass
class UploadForm:
    file: UploadFile | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    visibility: str | None = None


async def photo_view(queries: PhotoQueries, photo_id: uuid.UUID, to: VisibleTo) -> PhotoView:
    view = await queries.get(photo_id, to)
    if view is None:
        raise NotFound("no such photo")
    return view


def parse_moment(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """A date (whole day, UTC) or an ISO 8601 timestamp (naive means UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.min, UTC)
            return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date or an ISO 8601 timestamp", field=name) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class PhotosController(Controller):
    path = "/api/photos"
    tags = ["photos"]

    @post(
        "/",
        status_code=201,
        guards=[authenticated, throttled("upload", per_user=True)],
        security=SECURITY,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    @inject
    async def upload(
        self,
        data: MultipartBody[UploadForm],
        principal: FromDishka[Principal],
        upload: FromDishka[UploadPhoto],
        queries: FromDishka[PhotoQueries],
    ) -> PhotoView:
        if not isinstance(data.file, UploadFile):
            raise InvalidInput("file is required: a JPEG, PNG, WebP or GIF image", field="file")
        # One byte past the limit is enough for the use case to refuse it; never read more.
        content = await data.file.read(MAX_UPLOAD_BYTES + 1)
        tags = [data.tags] if isinstance(data.tags, str) else data.tags
        visibility = Visibility.parse(data.visibility if isinstance(data.visibility, str) else None)
        photo = await upload(principal.user, content, data.description, tags, visibility)
        return await photo_view(queries, photo.id, VisibleTo.of(principal.user))

    @get("/{photo_id:uuid}")
    @inject
    async def get_photo(
        self,
        request: Request[Any, Any, Any],
        photo_id: FromPath[uuid.UUID],
        viewer: FromDishka[Viewer],
        queries: FromDishka[PhotoQueries],
    ) -> Response[PhotoView]:
        """Public and unlisted photos for anyone; private ones for their owner and admins (else 404)."""
        view = await photo_view(queries, photo_id, viewer.sees)
        if view.visibility != Visibility.PUBLIC:
            # Signed image URLs are for this caller only: no shared cache may keep them.
            return conditional_json(request, view, cache_control="private, no-cache")
        return conditional_json(request, view)

    @put("/{photo_id:uuid}", guards=[authenticated], security=SECURITY)
    @inject
    async def edit(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[PhotoUpdateIn],
        principal: FromDishka[Principal],
        edit: FromDishka[EditPhoto],
        queries: FromDishka[PhotoQueries],
    ) -> PhotoView:
        visibility = Visibility(data.visibility) if data.visibility else None
        await edit(principal.user, photo_id, data.description, data.tags, visibility)
        return await photo_view(queries, photo_id, VisibleTo.of(principal.user))

    @delete("/{photo_id:uuid}", status_code=204, guards=[authenticated], security=SECURITY)
    @inject
    async def remove(
        self, photo_id: FromPath[uuid.UUID], principal: FromDishka[Principal], remove: FromDishka[DeletePhoto]
    ) -> None:
        await remove(principal.user, photo_id)

    # Public reads stay up when the counters' store is down (fail open), as they did unthrottled.
    @get("/", guards=[throttled("search", fail_open=True)])
    @inject
    async def search(
        self,
        viewer: FromDishka[Viewer],
        queries: FromDishka[PhotoQueries],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
        q: Annotated[str | None, Parameter(min_length=1, max_length=100)] = None,
        tag: Annotated[str | None, Parameter(min_length=1, max_length=64)] = None,
        min_rating: Annotated[float | None, Parameter(ge=0, le=5)] = None,
        max_rating: Annotated[float | None, Parameter(ge=0, le=5)] = None,
        created_from: Annotated[str | None, Parameter(max_length=40, description="date or timestamp")] = None,
        created_to: Annotated[str | None, Parameter(max_length=40, description="date or timestamp")] = None,
        sort: FromQuery[SortParam] = "-created_at",
        owner: Annotated[
            str | None, Parameter(min_length=1, max_length=32, description="moderators and admins")
        ] = None,
    ) -> PhotoPage:
        if owner is not None and (viewer.principal is None or not viewer.principal.user.role.is_staff):
            raise Forbidden("only moderators and admins filter by uploader")
        search = PhotoSearch(
            limit=limit,
            offset=offset,
            # Compared in the forms stored: NFC text, tag names as `tag_key` gives them.
            q=nfc(q).strip() or None if q else None,
            tag=tag_key(tag) or None if tag else None,
            min_rating=min_rating,
            max_rating=max_rating,
            created_from=parse_moment("created_from", created_from, end_of_day=False),
            created_to=parse_moment("created_to", created_to, end_of_day=True),
            owner=owner,
            sort=PhotoSort(field=sort.lstrip("-"), descending=sort.startswith("-")),
        )
        return await queries.search(search)
