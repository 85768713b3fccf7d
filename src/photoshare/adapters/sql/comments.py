"""Comments in PostgreSQL: the repository (with its counters) and the read queries.

The repository writes through the request's session; the queries read on the plain pool.

Counters move with `n = n ± 1` in the comment's own transaction. Every write locks the
photo row first, then the comment, then the author: the order in which deleting a photo
reaches them (its row, then the cascade), so the two never wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.reader import PgAutocommit, PgReader, sql_text
from photoshare.adapters.sql.tables import comments, photos, users
from photoshare.adapters.sql.visibility import shapes, viewer_shape, visible
from photoshare.application.readmodels import CommentPage, CommentView, UserRef
from photoshare.domain.access import VisibleTo
from photoshare.domain.comments import Comment
from photoshare.domain.errors import NotFound

_COMMENT_COLUMNS = (
    comments.c.id,
    comments.c.photo_id,
    comments.c.author_id,
    comments.c.text,
    comments.c.created_at,
    comments.c.updated_at,
)


def _add_statement() -> sa.Update:
    """A comment and both its counters in one statement (three round trips before): the
    photo's row first (locked, and proof that it still exists), then the comment, then its
    author's counter; no row back means the photo is gone."""
    one = sa.literal_column("1", sa.Integer)  # inlined: the statement is compiled once
    counted = (
        sa.update(photos)
        .where(photos.c.id == sa.bindparam("new_photo_id"))
        .values(comment_count=photos.c.comment_count + one)
        .returning(photos.c.id)
        .cte("counted")
    )
    fields = ("id", "author_id", "text", "created_at", "updated_at")
    added = (
        sa.insert(comments)
        .from_select(
            ["photo_id", *fields],
            sa.select(counted.c.id, *(sa.bindparam(f"new_{f}", type_=comments.c[f].type) for f in fields)),
        )
        .returning(comments.c.author_id)
        .cte("added")
    )
    return (
        sa.update(users)
        .where(users.c.id.in_(sa.select(added.c.author_id)))
        .values(comment_count=users.c.comment_count + one)
        .returning(users.c.id)
    )


_ADD_SQL = sql_text(_add_statement())


class SqlCommentRepository:
    def __init__(self, session: AsyncSession, db: PgAutocommit) -> None:
        self._session = session
        self._db = db

    async def get(self, comment_id: uuid.UUID) -> Comment | None:
        row = (
            await self._session.execute(sa.select(*_COMMENT_COLUMNS).where(comments.c.id == comment_id))
        ).first()
        return Comment(*row) if row else None

    async def _count_on_photo(self, photo_id: uuid.UUID, delta: int) -> bool:
        """Move the photo's counter (locking its row); False when the photo is gone."""
        found = await self._session.execute(
            sa.update(photos)
            .where(photos.c.id == photo_id)
            .values(comment_count=photos.c.comment_count + delta)
            .returning(photos.c.id)
        )
        return found.first() is not None

    async def _count_on_author(self, author_id: uuid.UUID, delta: int) -> None:
        await self._session.execute(
            sa.update(users)
            .where(users.c.id == author_id)
            .values(comment_count=users.c.comment_count + delta)
        )

    async def add(self, comment: Comment) -> None:
        values = {
            "new_id": comment.id,
            "new_photo_id": comment.photo_id,
            "new_author_id": comment.author_id,
            "new_text": comment.text,
            "new_created_at": comment.created_at,
            "new_updated_at": comment.updated_at,
        }
        # One statement is atomic on its own: it runs self-committing on the pool, so a new
        # comment needs no session, BEGIN or COMMIT (the use case commits right after anyway).
        if not await self._db.execute_sql(_ADD_SQL, values):
            raise NotFound("no such photo")

    async def update(self, comment: Comment) -> None:
        await self._session.execute(
            sa.update(comments)
            .where(comments.c.id == comment.id)
            .values(text=comment.text, updated_at=comment.updated_at)
        )

    async def delete(self, comment: Comment) -> bool:
        # Lock the photo row before the comment's (see the module docstring).
        await self._session.execute(
            sa.select(photos.c.id).where(photos.c.id == comment.photo_id).with_for_update(key_share=True)
        )
        gone = await self._session.execute(
            sa.delete(comments).where(comments.c.id == comment.id).returning(comments.c.author_id)
        )
        author_id = gone.scalar()
        if author_id is None:
            return False
        await self._count_on_photo(comment.photo_id, -1)
        await self._count_on_author(author_id, -1)
        return True


_VIEW = sa.select(
    comments.c.id,
    comments.c.photo_id,
    users.c.username,
    comments.c.text,
    comments.c.created_at,
    comments.c.updated_at,
).join_from(comments, users, users.c.id == comments.c.author_id)

# A comments page is two reads, compiled once (the count per viewer shape) rather than per
# request: building and compiling them was most of the page's Python time.
_PHOTO_COUNT = [
    sql_text(
        sa.select(photos.c.comment_count).where(
            photos.c.id == sa.bindparam("photo_id"), visible(photos, shape, viewer=sa.bindparam("viewer_id"))
        )
    )
    for shape in shapes()
]
_PAGE = sql_text(
    _VIEW.where(comments.c.photo_id == sa.bindparam("photo_id"))
    .order_by(comments.c.created_at, comments.c.id)
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .offset(sa.bindparam("offset", type_=sa.Integer))
)


def _view(row: Any) -> CommentView:
    return CommentView(
        id=row.id,
        photo_id=row.photo_id,
        author=UserRef(row.username),
        text=row.text,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlCommentQueries:
    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def page(self, photo_id: uuid.UUID, limit: int, offset: int, to: VisibleTo) -> CommentPage:
        # The photo's stored counter is the total: it says whether the photo exists (and may
        # be seen) too, and costs one primary-key read however many comments there are.
        found = await self._reader.first_sql(
            _PHOTO_COUNT[viewer_shape(to)], {"photo_id": photo_id, "viewer_id": to.viewer_id}
        )
        if found is None:
            raise NotFound("no such photo")
        total = found[0]
        rows = await self._reader.all_sql(_PAGE, {"photo_id": photo_id, "limit": limit, "offset": offset})
        return CommentPage(items=[_view(r) for r in rows], total=total, limit=limit, offset=offset)

    async def get(self, comment_id: uuid.UUID, to: VisibleTo) -> CommentView:
        row = await self._reader.first(
            _VIEW.join(photos, photos.c.id == comments.c.photo_id).where(
                comments.c.id == comment_id, visible(photos, to)
            )
        )
        if row is None:
            raise NotFound("no such comment")
        return _view(row)
