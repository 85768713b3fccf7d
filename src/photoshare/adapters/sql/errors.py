"""Constraint violations become domain errors, recognised by the constraint's name."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from photoshare.domain.errors import Conflict


def constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def conflict_from(error: IntegrityError, known: Mapping[str, Conflict]) -> Conflict:
    """The domain error for a known constraint; re-raise anything else unchanged."""
    name = constraint_name(error)
    if name is not None and name in known:
        return known[name]
    raise error
