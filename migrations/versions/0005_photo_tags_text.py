"""Tag names as text, for `q`: a generated column with its own trigram index.

`q` matches tag names too. Tested on the array (`tag_names && <the names q matches>`),
that side costs a comparison per name per row: at 10k photos a common word matching 61
tag names spent 39 ms there, and the matching names had to be fetched by a statement of
their own so that the planner could estimate them. As text (the names joined by a
newline), it is one ILIKE per row, answered by a trigram index with the column's own
statistics, exactly like the description. A newline inside `q` could straddle two names,
so the query falls back to testing each name for such a `q`.

PostgreSQL computes the column on every write (COPY included): no writer can forget it.
`array_to_string` is only STABLE in general (element output functions may depend on
settings); for varchar elements it is not, hence the IMMUTABLE wrapper a generated
column requires (plpgsql: a SQL wrapper would not be inlined either, but costs more).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION photo_tags_text(names varchar[]) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ BEGIN RETURN array_to_string(names, E'\\n'); END $$
        """
    )
    op.add_column(
        "photos",
        sa.Column(
            "tags_text", sa.Text(), sa.Computed("photo_tags_text(tag_names)", persisted=True), nullable=False
        ),
    )
    op.execute("CREATE INDEX ix_photos_tags_text_trgm ON photos USING gin (tags_text gin_trgm_ops)")


def downgrade() -> None:
    op.drop_index("ix_photos_tags_text_trgm", table_name="photos")
    op.drop_column("photos", "tags_text")
    op.execute("DROP FUNCTION photo_tags_text(varchar[])")
