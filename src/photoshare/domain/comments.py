"""Comments: authors edit their own; moderators and admins delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from photoshare.domain import text as rules
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.users import User

COMMENT_MAX = 2000


def validate_text(text: str) -> str:
    """Multi-line text (see domain/text.py), 1-COMMENT_MAX characters with something visible:
    a comment of only spaces or zero-width joiners is as empty as no comment."""
    normalised = rules.multi_line(text, field="text")
    if not 1 <= len(normalised) <= COMMENT_MAX or not rules.has_visible(normalised):
        raise InvalidInput(f"text must be 1-{COMMENT_MAX} characters, not all of them blank", field="text")
    return normalised


@dataclass(frozen=True, slots=True)
class Comment:
    id: uuid.UUID
    photo_id: uuid.UUID
    author_id: uuid.UUID
    text: str
    created_at: datetime
    updated_at: datetime

    def edit(self, *, by: User, text: str, now: datetime) -> Comment:
        """Only the author edits; the edit moves `updated_at` and keeps `created_at`."""
        if by.id != self.author_id:
            raise Forbidden("only the author may edit a comment")
        return replace(self, text=validate_text(text), updated_at=now)


def ensure_may_delete(comment: Comment, by: User) -> None:
    """Deleting is moderation: moderators and admins only, the author included in 'not allowed'."""
    if not by.role.is_staff:
        raise Forbidden("only moderators and admins delete comments")
