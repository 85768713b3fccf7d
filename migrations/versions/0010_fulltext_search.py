"""Word search: a stored tsvector over the description and the tag names, with a GIN index.

`q` was `ILIKE '%…%'` with trigram indexes: a common word's matches cost a recheck of
every candidate and an exact count of all of them (190-310 ms p95 at 1M photos). Now `q`
is a full-text query (`websearch_to_tsquery`, the last word a prefix) on `search_vector`.

- The `simple` configuration: lower-cased words, no stemming and no stop words. Tags are
  names, not English, and descriptions are in any language: stemming would make `sunset`
  match `sunsets` but also mangle names, and an English stop list would drop words
  people do search for.
- A generated column: PostgreSQL computes it on every write (COPY included), so no writer
  can forget it. Generated columns need IMMUTABLE functions: `photo_search_vector` is one
  (plpgsql, as `photo_tags_text` in migration 0005, whose reasons hold here too).
- Each tag name is also one whole lexeme `#name` (no word the parser makes holds a `#`):
  `q` with `tag` is then one tsquery, `words & '#tag'`, and GIN intersects the two
  posting lists itself, skipping through the long one, instead of ANDing a bitmap of
  every photo with a common tag (28% of them for `travel`) with the words' bitmap.
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

# Kept in step with adapters/sql/tables.py (SEARCH_CONFIG, TAG_LEXEME_PREFIX,
# SEARCH_VECTOR_SQL): a migration is frozen in time, so it does not import them.
_FUNCTION = """
CREATE FUNCTION photo_search_vector(description varchar, tag_names varchar[]) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$ BEGIN
    RETURN to_tsvector('simple'::regconfig, description)
        || to_tsvector('simple'::regconfig, array_to_string(tag_names, E'\\n'))
        || CASE WHEN cardinality(tag_names) = 0 THEN ''::tsvector
           ELSE array_to_tsvector(string_to_array('#' || array_to_string(tag_names, E'\\n#'), E'\\n')) END;
END $$
"""
_VECTOR = "photo_search_vector(description, tag_names)"


def upgrade() -> None:
    op.drop_index("ix_photos_tags_text_trgm", table_name="photos")
    op.drop_index("ix_photos_description_trgm", table_name="photos")
    op.drop_column("photos", "tags_text")
    op.execute(_FUNCTION)
    op.add_column(
        "photos", sa.Column("search_vector", TSVECTOR(), sa.Computed(_VECTOR, persisted=True), nullable=False)
    )
    op.create_index("ix_photos_search_vector", "photos", ["search_vector"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_photos_search_vector", table_name="photos")
    op.drop_column("photos", "search_vector")
    op.execute("DROP FUNCTION photo_search_vector(varchar, varchar[])")
    op.add_column(
        "photos",
        sa.Column(
            "tags_text", sa.Text(), sa.Computed("photo_tags_text(tag_names)", persisted=True), nullable=False
        ),
    )
    op.execute("CREATE INDEX ix_photos_tags_text_trgm ON photos USING gin (tags_text gin_trgm_ops)")
    op.execute("CREATE INDEX ix_photos_description_trgm ON photos USING gin (description gin_trgm_ops)")
