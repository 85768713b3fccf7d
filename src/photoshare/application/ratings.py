"""Ratings: 1-5, once per user per photo, never on one's own photo; moderators remove them.

The photo's stored summary (count, total, average) changes in the same transaction as the
rating, inside the repository, so a page sorted by rating never aggregates the ratings table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports.accounts import UserRepository
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.engagement import RatingRepository
from photoshare.application.ports.photos import PhotoLookups
from photoshare.application.readmodels import RatingCreated
from photoshare.domain.errors import Forbidden, NotFound
from photoshare.domain.ratings import rate
from photoshare.domain.users import User


@dataclass(frozen=True, slots=True)
class RatePhoto:
    photos: PhotoLookups
    ratings: RatingRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, by: User, photo_id: uuid.UUID, value: int) -> RatingCreated:
        photo = await load_visible_photo(self.photos, photo_id, by)
        rating = rate(photo, by, value, self.clock.now())
        await self.ratings.add(rating)  # a second rating by the same user is a Conflict here
        await self.uow.commit()
        return RatingCreated(photo_id=rating.photo_id, value=rating.value, created_at=rating.created_at)


@dataclass(frozen=True, slots=True)
class DeleteRating:
    """Moderation: a moderator or admin removes one user's rating of a photo."""

    photos: PhotoLookups
    users: UserRepository
    ratings: RatingRepository
    uow: UnitOfWork

    async def __call__(self, by: User, photo_id: uuid.UUID, username: str) -> None:
        if not by.role.is_staff:
            raise Forbidden("only moderators and admins delete ratings")
        await load_visible_photo(self.photos, photo_id, by)
        rater = await self.users.get_by_username(username)
        if rater is None or await self.ratings.delete(photo_id, rater.id) is None:
            raise NotFound(f"{username!r} has not rated this photo")
        await self.uow.commit()
