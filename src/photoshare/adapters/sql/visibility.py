"""The visibility rule (domain/access.py) as SQL: the one place it becomes a WHERE clause.

The constant is inlined (not bound) so that the planner can use the partial indexes
on `visibility = 'public'` whatever plan a prepared statement settles on.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from photoshare.domain.access import LISTED, Visibility, VisibleTo

_LISTED: sa.ColumnElement[str] = sa.literal_column(f"'{LISTED.value}'")
_PRIVATE: sa.ColumnElement[str] = sa.literal_column(f"'{Visibility.PRIVATE.value}'")


def listed(table: Any) -> sa.ColumnElement[bool]:
    """What lists, search and counts show, whoever asks: public rows."""
    condition: sa.ColumnElement[bool] = table.c.visibility == _LISTED
    return condition


def visible(table: Any, to: VisibleTo) -> sa.ColumnElement[bool]:
    """Rows (photos or albums: both have `visibility` and `owner_id`) that `to` may see."""
    if to.is_admin:
        return sa.true()
    not_private: sa.ColumnElement[bool] = table.c.visibility != _PRIVATE
    if to.viewer_id is None:
        return not_private
    return sa.or_(not_private, table.c.owner_id == to.viewer_id)


def listed_to(table: Any, to: VisibleTo) -> sa.ColumnElement[bool]:
    """Items in an owner's list: all of them for the owner and admins, else the listed ones."""
    if to.is_admin:
        return sa.true()
    if to.viewer_id is None:
        return listed(table)
    return sa.or_(listed(table), table.c.owner_id == to.viewer_id)
