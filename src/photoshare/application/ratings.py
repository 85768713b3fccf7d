"""Ratings: 1-5, once per user per photo, never on one's own photo; moderators remove them.

The photo's stored summary (count, total, average) changes in the same transaction as the
rating, inside the repository, so a page sorted by rating never aggregates the ratings table.
"""

from __future__ import annotations

import uuid

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports import (
    Clock,
    PhotoRepository,
    RatingRepository,
    UnitOfWork,
    UserRepository,
)
from photoshare.application.readmodels import RatingCreated
from photoshare.domain.errors import Forbidden, NotFound
from photoshare.domain.ratings import rate
from photoshare.domain.users import User


class RatePhoto:
    def __init__(
        self, photos: PhotoRepository, ratings: RatingRepository, clock: Clock, uow: UnitOfWork
    ) -> None:
        self._photos, self._ratings, self._clock, self._uow = photos, ratings, clock, uow

    async def __call__(self, by: User, photo_id: uuid.UUID, value: int) -> RatingCreated:
        photo = await load_visible_photo(self._photos, photo_id, by)
        rating = rate(photo, by, value, self._clock.now())
        await self._ratings.add(rating)  # a second rating by the same user is a Conflict here
        await self._uow.commit()
        return RatingCreated(photo_id=rating.photo_id, value=rating.value, created_at=rating.created_at)


class DeleteRating:
    """Moderation: a moderator or admin removes one user's rating of a photo."""

    def __init__(
        self, photos: PhotoRepository, users: UserRepository, ratings: RatingRepository, uow: UnitOfWork
    ) -> None:
        self._photos, self._users, self._ratings, self._uow = photos, users, ratings, uow

    async def __call__(self, by: User, photo_id: uuid.UUID, username: str) -> None:
        if not by.role.is_staff:
            raise Forbidden("only moderators and admins delete ratings")
        await load_visible_photo(self._photos, photo_id, by)
        rater = await self._users.get_by_username(username)
        if rater is None or await self._ratings.delete(photo_id, rater.id) is None:
            raise NotFound(f"{username!r} has not rated this photo")
        await self._uow.commit()
