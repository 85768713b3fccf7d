"""Ratings of a photo: rate it (anyone but its owner), list and remove them (moderators, admins)."""

import uuid
from typing import Any

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody

from photoshare.application.auth import Principal
from photoshare.application.ratings import DeleteRating, RatePhoto
from photoshare.application.readmodels import MyRating, RatingCreated, RatingEntry, RatingQueries
from photoshare.domain.access import VisibleTo
from photoshare.domain.errors import InvalidInput
from photoshare.domain.ratings import RATING_MAX, RATING_MIN
from photoshare.entrypoints.http.guards import authenticated, staff, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import RatingIn


class _Number(msgspec.Struct, forbid_unknown_fields=True):
    value: float


async def strict_value(request: Request[Any, Any, Any]) -> int:
    """Litestar converts bodies leniently ("3" and true would pass as 3): re-read the same bytes
    strictly, so only a JSON number that is an integer is a rating. JSON Schema calls 3.0 an
    integer, and so does the document, so 3.0 is 3."""
    try:
        value = msgspec.json.decode(await request.body(), type=_Number).value
        if not value.is_integer():
            raise InvalidInput(f"value must be an integer {RATING_MIN}-{RATING_MAX}", field="value")
        return msgspec.convert({"value": int(value)}, RatingIn).value
    except msgspec.ValidationError as error:
        raise InvalidInput(str(error), field="value") from None


class RatingsController(Controller):
    path = "/api/photos/{photo_id:uuid}/ratings"
    tags = ["ratings"]
    security = SECURITY

    @post(
        "/",
        status_code=201,
        guards=[authenticated, throttled("rating", per_user=True)],
        operation_id="ratePhoto",
        summary="Rate a photo",
        description="Any user but the photo's owner (403): a JSON integer 1-5, once per user per "
        "photo (409 for a second). The photo's average follows at once.",
        responses=answers(409, 429),
    )
    @inject
    async def rate(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[RatingIn],
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        rate: FromDishka[RatePhoto],
    ) -> RatingCreated:
        # `data` documents and checks the body; `strict_value` refuses what lenient decoding let through.
        return await rate(principal.user, photo_id, await strict_value(request))

    @get(
        "/",
        guards=[staff],
        operation_id="listRatings",
        summary="Who rated a photo",
        description="Moderators and admins only: each rating, oldest first.",
    )
    @inject
    async def list_ratings(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        queries: FromDishka[RatingQueries],
    ) -> list[RatingEntry]:
        return await queries.list_for_photo(photo_id, VisibleTo.of(principal.user))

    @get(
        "/me",
        guards=[authenticated],
        operation_id="getMyRating",
        summary="Your own rating of a photo",
        description="Any user: the rating you gave the photo, `value` null until you rate it "
        "(so a client shows it instead of offering the stars again). 404 for a photo you may not see.",
    )
    @inject
    async def mine(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        queries: FromDishka[RatingQueries],
    ) -> MyRating:
        return await queries.mine(photo_id, VisibleTo.of(principal.user))

    @delete(
        "/{username:str}",
        status_code=204,
        guards=[staff],
        operation_id="deleteRating",
        summary="Remove a user's rating",
        description="Moderators and admins only. The photo's average follows at once.",
    )
    @inject
    async def remove(
        self,
        photo_id: FromPath[uuid.UUID],
        username: FromPath[str],
        principal: FromDishka[Principal],
        remove: FromDishka[DeleteRating],
    ) -> None:
        await remove(principal.user, photo_id, username)
