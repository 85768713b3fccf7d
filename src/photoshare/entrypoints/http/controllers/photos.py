"""Photos: upload (multipart), read (public), edit, delete, and the searchable list."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, Parameter

from photoshare.application.auth import Principal, Viewer
from photoshare.application.photos import (
    MAX_UPLOAD_BYTES,
    DeletePhoto,
    EditPhoto,
    SearchPhotos,
    UploadPhoto,
)
from photoshare.application.readmodels import (
    ExistingChecksums,
    PhotoPage,
    PhotoQueries,
    PhotoSearch,
    PhotoSort,
    PhotoView,
)
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.errors import InvalidInput
from photoshare.domain.photos import MAX_CHECKSUMS, MAX_TAGS_PER_PHOTO, tag_key
from photoshare.domain.ratings import RATING_MAX
from photoshare.domain.text import nfc
from photoshare.entrypoints.http.bodies import strict_json
from photoshare.entrypoints.http.caching import PRIVATE_REVALIDATE, conditional_json
from photoshare.entrypoints.http.guards import authenticated, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import ChecksumsIn, PhotoUpdateIn, UploadForm

# The multipart envelope around a 10 MiB file; the file itself is checked exactly.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024
# The most checksums a check takes, each quoted with a comma (67 bytes), and some room.
CHECK_BODY_LIMIT = (MAX_CHECKSUMS + 10) * 70
SortParam = Literal["-created_at", "created_at", "-rating", "rating", "-taken_at", "taken_at"]


# Litestar leaves a zero lower bound out of the document; say it there too.
RatingBound = Annotated[float | None, Parameter(ge=0, le=RATING_MAX, schema_extra={"minimum": 0})]
# A date (the whole day, UTC) or an RFC 3339 timestamp; documented as exactly those formats.
Moment = Annotated[
    str | None,
    Parameter(
        max_length=40,
        description="a date (the whole day, UTC) or a timestamp (naive means UTC)",
        schema_extra={
            "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
        },
    ),
]


def parse_moment(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """A date (whole day, UTC) or an ISO 8601 timestamp (naive means UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.min, UTC)
            return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
        parsed = datetime.fromisoformat(value.upper())  # RFC 3339 allows a lower-case "t" and "z"
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
        operation_id="uploadPhoto",
        summary="Upload a photo",
        description="Any user. Multipart fields `file` (JPEG, PNG, WebP or GIF, at most 10 MiB), "
        "`description`, `tags` (comma-separated or repeated, at most 5) and `visibility`. 413 for a larger file, "
        "415 for anything that is not one of those images.",
        responses=answers(415, 429),
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
        if len(tags) > MAX_TAGS_PER_PHOTO:  # as many fields as a JSON edit may list (the document's maxItems)
            raise InvalidInput(f"at most {MAX_TAGS_PER_PHOTO} tags fields", field="tags")
        visibility = Visibility.parse(data.visibility if isinstance(data.visibility, str) else None)
        photo_id = await upload(principal.user, content, data.description, tags, visibility)
        return await queries.get(photo_id, VisibleTo.of(principal.user))

    @get(
        "/{photo_id:uuid}",
        operation_id="getPhoto",
        summary="A photo",
        description="Public and unlisted photos for anyone, private ones for their owner and admins "
        "(404 for anyone else); a bad token is 401. With an ETag: `If-None-Match` gives 304 while "
        "the photo is unchanged.",
        responses=answers(304, 401, 403),
    )
    @inject
    async def get_photo(
        self,
        request: Request[Any, Any, Any],
        photo_id: FromPath[uuid.UUID],
        viewer: FromDishka[Viewer],
        queries: FromDishka[PhotoQueries],
    ) -> Response[PhotoView]:
        """Public and unlisted photos for anyone; private ones for their owner and admins (else 404)."""
        view = await queries.get(photo_id, viewer.sees)
        if view.visibility != Visibility.PUBLIC:
            # Signed image URLs are for this caller only: no shared cache may keep them.
            return conditional_json(request, view, cache_control=PRIVATE_REVALIDATE)
        return conditional_json(request, view)

    @put(
        "/{photo_id:uuid}",
        guards=[authenticated],
        security=SECURITY,
        operation_id="updatePhoto",
        summary="Change a photo's description, tags and visibility",
        description="Its owner or an admin (403 for anyone else). Tags, when given, replace the "
        "photo's; `visibility` (public, unlisted, private) and `show_metadata` when given.",
    )
    @inject
    async def edit(
        self,
        request: Request[Any, Any, Any],
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[PhotoUpdateIn],
        principal: FromDishka[Principal],
        edit: FromDishka[EditPhoto],
        queries: FromDishka[PhotoQueries],
    ) -> PhotoView:
        # `data` documents and checks the body; the strict read refuses `0` for `show_metadata`.
        data = await strict_json(request, PhotoUpdateIn)
        visibility = Visibility(data.visibility) if data.visibility else None
        await edit(principal.user, photo_id, data.description, data.tags, visibility, data.show_metadata)
        return await queries.get(photo_id, VisibleTo.of(principal.user))

    @post(
        "/check",
        status_code=200,
        guards=[authenticated],
        security=SECURITY,
        request_max_body_size=CHECK_BODY_LIMIT,
        operation_id="checkChecksums",
        summary="Which of these files are uploaded already",
        description="Any user. For each SHA-256 (hex, at most 1000) of a file the caller has "
        "already uploaded, the photo's id: a client syncing a camera roll uploads only the rest.",
    )
    @inject
    async def check(
        self, data: JSONBody[ChecksumsIn], principal: FromDishka[Principal], queries: FromDishka[PhotoQueries]
    ) -> ExistingChecksums:
        """Which of these files (by SHA-256 of their bytes) the caller has already uploaded:
        a client syncing a camera roll uploads only the rest."""
        checksums = sorted({c.lower() for c in data.checksums})
        return ExistingChecksums(existing=await queries.existing_checksums(principal.user.id, checksums))

    @delete(
        "/{photo_id:uuid}",
        status_code=204,
        guards=[authenticated],
        security=SECURITY,
        operation_id="deletePhoto",
        summary="Delete a photo",
        description="Its owner or an admin (403 for anyone else). The stored image and its "
        "transformed links go too.",
    )
    @inject
    async def remove(
        self, photo_id: FromPath[uuid.UUID], principal: FromDishka[Principal], remove: FromDishka[DeletePhoto]
    ) -> None:
        await remove(principal.user, photo_id)

    # Public reads stay up when the counters' store is down (fail open), as they did unthrottled.
    @get(
        "/",
        guards=[throttled("search", fail_open=True)],
        operation_id="searchPhotos",
        summary="Search photos",
        description="Public: a page of photos, newest first by default. `owner` is for moderators "
        "and admins only (403 for anyone else); a bad token is 401.",
        responses=answers(401, 403, 429),
    )
    @inject
    async def search(
        self,
        viewer: FromDishka[Viewer],
        search_photos: FromDishka[SearchPhotos],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
        q: Annotated[str | None, Parameter(min_length=1, max_length=100)] = None,
        tag: Annotated[str | None, Parameter(min_length=1, max_length=64)] = None,
        min_rating: RatingBound = None,
        max_rating: RatingBound = None,
        created_from: Moment = None,
        created_to: Moment = None,
        taken_from: Moment = None,
        taken_to: Moment = None,
        sort: FromQuery[SortParam] = "-created_at",
        owner: Annotated[
            str | None, Parameter(min_length=1, max_length=32, description="moderators and admins")
        ] = None,
    ) -> PhotoPage:
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
            taken_from=parse_moment("taken_from", taken_from, end_of_day=False),
            taken_to=parse_moment("taken_to", taken_to, end_of_day=True),
            owner=owner,
            sort=PhotoSort(field=sort.lstrip("-"), descending=sort.startswith("-")),
        )
        return await search_photos(viewer.user, search)
