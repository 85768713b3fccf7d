"""Comments and ratings, with the counters their stores keep."""

from __future__ import annotations

import uuid
from typing import Protocol

from photoshare.domain.comments import Comment
from photoshare.domain.ratings import Rating, RatingSummary


class CommentRepository(Protocol):
    async def get(self, comment_id: uuid.UUID) -> Comment | None: ...

    async def add(self, comment: Comment) -> None:
        """Insert and bump the photo's and author's comment counters, atomically and at
        once (the SQL store does it in one self-committing statement, outside the unit of
        work: call it last, just before the commit).

        Raises `NotFound` when the photo is gone (deleted since it was loaded).
        """
        ...

    async def update(self, comment: Comment) -> None: ...

    async def delete(self, comment: Comment) -> bool:
        """Delete and lower the counters; False (and nothing changed) when it was already gone."""
        ...


class RatingRepository(Protocol):
    async def add(self, rating: Rating) -> RatingSummary:
        """Insert and update the photo's stored summary in the same transaction.

        Raises `Conflict` when this user already rated this photo (a unique constraint decides),
        `NotFound` when the photo is gone.
        """
        ...

    async def delete(self, photo_id: uuid.UUID, user_id: uuid.UUID) -> RatingSummary | None:
        """Remove one rating and update the summary; None when there was none."""
        ...
