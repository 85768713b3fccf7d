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
from photoshare.application.readmodels import RatingCreated, RatingEntry, RatingQueries
from photoshare.domain.access import VisibleTo
from photoshare.domain.errors import InvalidInput, NotFound
from photoshare.entrypoints.http.guards import authenticated, staff, throttled
from photoshare.entrypoints.http.openapi import SECURITY
from photoshare.entrypoints.http.schemas import RatingIn


async def strict_value(request: Request[Any, Any, Any]) -> int:
    """Litestar converts bodies leniently ("3" and 3.0 would pass as 3): re-read the same bytes
    strictly, so only a JSON integer is a rating."""
    try:
        return msgspec.json.decode(await request.body(), type=RatingIn).value
    except msgspec.ValidationError as error:
        raise InvalidInput(str(error), field="value") from None


class RatingsController(Controller):
    path = "/api/photos/{photo_id:uuid}/ratings"
    tags = ["ratings"]
    security = SECURITY

    @post("/", status_code=201, guards=[authenticated, throttled("rating", per_user=True)])
    @inject
    async def rate(
        self,
        photo_id: FromPath[uuid.UUID],
        data: JSONBody[RatingIn],
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        rate: FromDishka[RatePhoto],
    ) -> RatingCreated:
        """Once per user per photo (409 for a second); never your own photo (403)."""
        # `data` documents and checks the body; `strict_value` refuses what lenient decoding let through.
        return await rate(principal.user, photo_id, await strict_value(request))

    @get("/", guards=[staff])
    @inject
    async def list_ratings(
        self,
        photo_id: FromPath[uuid.UUID],
        principal: FromDishka[Principal],
        queries: FromDishka[RatingQueries],
    ) -> list[RatingEntry]:
        """Who rated the photo and how, oldest first."""
        entries = await queries.list_for_photo(photo_id, VisibleTo.of(principal.user))
        if entries is None:
            raise NotFound("no such photo")
        return entries

    @delete("/{username:str}", status_code=204, guards=[staff])
    @inject
    async def remove(
        self,
        photo_id: FromPath[uuid.UUID],
        username: FromPath[str],
        principal: FromDishka[Principal],
        remove: FromDishka[DeleteRating],
    ) -> None:
        """Remove one user's rating; the photo's average follows at once."""
        await remove(principal.user, photo_id, username)
