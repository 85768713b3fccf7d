"""The visibility rule (domain/access.py) as SQL: the one place it becomes a WHERE clause.

The constant is inlined (not bound) so that the planner can use the partial indexes
on `visibility = 'public'` whatever plan a prepared statement settles on.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from photoshare.domain.access import LISTED, Visibility, VisibleTo

_LISTED: sa.ColumnElement[str] = sa.literal_column(f"'{LISTED.value}'")
_PRIVATE: sa.ColumnElement[str] = sa.literal_column(f"'{Visibility.PRIVATE.value}'")


def listed(table: Any) -> sa.ColumnElement[bool]:
    """What lists, search and counts show, whoever asks: public rows."""
    condition: sa.ColumnElement[bool] = table.c.visibility == _LISTED
    return condition


def visible(table: Any, to: VisibleTo, viewer: Any = None) -> sa.ColumnElement[bool]:
    """Rows (photos or albums: both have `visibility` and `owner_id`) that `to` may see.
    `viewer` stands for the viewer's id when given (a bind parameter, for statements
    compiled once per shape: see `viewer_shape`)."""
    if to.is_admin:
        return sa.true()
    not_private: sa.ColumnElement[bool] = table.c.visibility != _PRIVATE
    if to.viewer_id is None:
        return not_private
    return sa.or_(not_private, table.c.owner_id == (to.viewer_id if viewer is None else viewer))


# One viewer of each shape the rule tells apart: anonymous, signed in, admin.
_SHAPES = (VisibleTo(), VisibleTo(viewer_id=uuid.UUID(int=0)), VisibleTo(is_admin=True))


def viewer_shape(to: VisibleTo) -> int:
    """Which of the rule's three shapes `to` is (an index into `shapes()`)."""
    return 2 if to.is_admin else 0 if to.viewer_id is None else 1


def shapes() -> tuple[VisibleTo, ...]:
    """A viewer of each shape, to compile a statement once per shape with `visible(...,
    viewer=sa.bindparam("viewer_id"))`; the request then binds only its values."""
    return _SHAPES


def listed_to(table: Any, to: VisibleTo) -> sa.ColumnElement[bool]:
    """Items in an owner's list: all of them for the owner and admins, else the listed ones."""
    if to.is_admin:
        return sa.true()
    if to.viewer_id is None:
        return listed(table)
    return sa.or_(listed(table), table.c.owner_id == to.viewer_id)
