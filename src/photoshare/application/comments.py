"""Comments on photos: anyone logged in adds, the author edits, moderators and admins delete.

The rules are the domain's (`Comment.edit`, `ensure_may_delete`); each use case loads,
asks the domain, saves through the repository (which keeps the counters) and commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.engagement import CommentRepository
from photoshare.application.ports.photos import PhotoLookups
from photoshare.domain.access import VisibleTo
from photoshare.domain.comments import Comment, ensure_may_delete, validate_text
from photoshare.domain.errors import NotFound
from photoshare.domain.users import User


async def load_comment(comments: CommentRepository, comment_id: uuid.UUID) -> Comment:
    comment = await comments.get(comment_id)
    if comment is None:
        raise NotFound("no such comment")
    return comment


async def load_visible_comment(
    photos: PhotoLookups, comments: CommentRepository, comment_id: uuid.UUID, by: User
) -> Comment:
    """A comment on a photo the caller may not see is as unknown as the photo."""
    comment = await load_comment(comments, comment_id)
    photo = await photos.get(comment.photo_id)
    if photo is None or not VisibleTo.of(by).may_see(photo.owner_id, photo.visibility):
        raise NotFound("no such comment")
    return comment


@dataclass(frozen=True, slots=True)
class AddComment:
    photos: PhotoLookups
    comments: CommentRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, by: User, photo_id: uuid.UUID, text: str) -> uuid.UUID:
        body = validate_text(text)
        photo = await load_visible_photo(self.photos, photo_id, by)
        now = self.clock.now()
        comment = Comment(
            id=uuid.uuid4(), photo_id=photo.id, author_id=by.id, text=body, created_at=now, updated_at=now
        )
        await self.comments.add(comment)
        await self.uow.commit()
        return comment.id


@dataclass(frozen=True, slots=True)
class EditComment:
    photos: PhotoLookups
    comments: CommentRepository
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, by: User, comment_id: uuid.UUID, text: str) -> None:
        comment = await load_visible_comment(self.photos, self.comments, comment_id, by)
        edited = comment.edit(by=by, text=text, now=self.clock.now())
        await self.comments.update(edited)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class DeleteComment:
    photos: PhotoLookups
    comments: CommentRepository
    uow: UnitOfWork

    async def __call__(self, by: User, comment_id: uuid.UUID) -> None:
        comment = await load_visible_comment(self.photos, self.comments, comment_id, by)
        ensure_may_delete(comment, by)
        if not await self.comments.delete(comment):
            raise NotFound("no such comment")  # a concurrent moderator got there first
        await self.uow.commit()
