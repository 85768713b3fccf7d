"""Word search: a stored tsvector over the description and the tag names, with a GIN index.

`q` was `ILIKE '%…%'` with trigram indexes: a common word's matches cost a recheck of
every candidate and an exact count of all of them (190-310 ms p95 at 1M photos). Now `q`
is a full-text query (`websearch_to_tsquery`, the last word a prefix) on `search_vector`.

- The `simple` configuration: lower-cased words, no stemming and no stop words. Tags are
  names, not English, and descriptions are in any language: stemming would make `sunset`
  match `sunsets` but also mangle names, and an English stop list would drop words
  people do search for.
- A generated column: PostgreSQL computes it on every write (COPY included), so no writer
  can forget it. It cannot read the generated `tags_text`, so it names the tag names
  through the same IMMUTABLE `photo_tags_text` (migration 0005).
- `tags_text` and both trigram indexes on `photos` served only the ILIKE: dropped, so a
  write maintains one GIN index instead of two trigram ones. `ix_tags_name_trgm` (tag
  prefix listing) stays.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Kept in step with `photos.search_vector` in adapters/sql/tables.py (a migration is frozen
# in time, so it does not import the expression).
_VECTOR = (
    "to_tsvector('simple'::regconfig, description)"
    " || to_tsvector('simple'::regconfig, photo_tags_text(tag_names))"
)


def upgrade() -> None:
    op.drop_index("ix_photos_tags_text_trgm", table_name="photos")
    op.drop_index("ix_photos_description_trgm", table_name="photos")
    op.drop_column("photos", "tags_text")
    op.add_column(
        "photos", sa.Column("search_vector", TSVECTOR(), sa.Computed(_VECTOR, persisted=True), nullable=False)
    )
    op.create_index("ix_photos_search_vector", "photos", ["search_vector"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_photos_search_vector", table_name="photos")
    op.drop_column("photos", "search_vector")
    op.add_column(
        "photos",
        sa.Column(
            "tags_text", sa.Text(), sa.Computed("photo_tags_text(tag_names)", persisted=True), nullable=False
        ),
    )
    op.execute("CREATE INDEX ix_photos_tags_text_trgm ON photos USING gin (tags_text gin_trgm_ops)")
    op.execute("CREATE INDEX ix_photos_description_trgm ON photos USING gin (description gin_trgm_ops)")
