"""Ratings: 1-5, once per user per photo, never on one's own photo."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.photos import Photo
from photoshare.domain.users import User

RATING_MIN, RATING_MAX = 1, 5


def validate_value(value: int) -> int:
    if isinstance(value, bool) or not RATING_MIN <= value <= RATING_MAX:
        raise InvalidInput(f"value must be an integer {RATING_MIN}-{RATING_MAX}", field="value")
    return value


@dataclass(frozen=True, slots=True)
class Rating:
    photo_id: uuid.UUID
    user_id: uuid.UUID
    value: int
    created_at: datetime


def rate(photo: Photo, by: User, value: int, now: datetime) -> Rating:
    if photo.owner_id == by.id:
        raise Forbidden("you cannot rate your own photo")
    return Rating(photo_id=photo.id, user_id=by.id, value=validate_value(value), created_at=now)


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """The photo's stored aggregate, kept exact by adding and removing single values."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> float | None:
        """The mean to two places, rounded half away from zero as PostgreSQL's `round(numeric,
        2)` does (Python's `round(17 / 8, 2)` would give 2.12, not 2.13). The SQL adapter
        stores the same expression; tests/integration/test_rating_average.py pins the two."""
        if self.count == 0:
            return None
        mean = (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return float(mean)

    def add(self, value: int) -> RatingSummary:
        return RatingSummary(self.count + 1, self.total + validate_value(value))

    def remove(self, value: int) -> RatingSummary:
        if self.count == 0:
            raise InvalidInput("no rating to remove")
        return RatingSummary(self.count - 1, self.total - value)
