"""Search: trigram indexes for `q`, indexes for the tag, rating and date filters, and an
exact photo total kept by triggers.

- `q` is `ILIKE '%…%'` on descriptions and tag names: pg_trgm GIN indexes make both
  index scans (the escaped pattern from `like_pattern` keeps its trigrams).
- `tag` is `tag_names @> ARRAY[…]`: a GIN index on the denormalised array.
- `-rating` sorts `DESC NULLS LAST`, which the ascending `(rating_average, id)` index
  cannot give when read backwards (that would put the unrated first): it gets its own.
- The unfiltered `total` would otherwise count a million rows per page: `photo_totals`
  holds it, kept by statement-level triggers (one row update per INSERT, DELETE or COPY
  statement, however many rows) in the same transaction as the change, so it is exact
  for every writer, cascades from deleted users included. Rows are per backend shard,
  so concurrent uploads do not queue on one counter row.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TRIGGER_FUNCTIONS = """
CREATE FUNCTION photo_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, count(*) FROM added HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE FUNCTION photo_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, -count(*) FROM removed HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE FUNCTION photo_totals_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM photo_totals;
    RETURN NULL;
END $$;
"""

_TRIGGERS = """
CREATE TRIGGER photo_totals_on_insert AFTER INSERT ON photos
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION photo_totals_add();
CREATE TRIGGER photo_totals_on_delete AFTER DELETE ON photos
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION photo_totals_remove();
CREATE TRIGGER photo_totals_on_truncate AFTER TRUNCATE ON photos
    FOR EACH STATEMENT EXECUTE FUNCTION photo_totals_reset();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_photos_description_trgm ON photos USING gin (description gin_trgm_ops)")
    op.execute("CREATE INDEX ix_tags_name_trgm ON tags USING gin (name gin_trgm_ops)")
    op.create_index("ix_photos_tag_names", "photos", ["tag_names"], postgresql_using="gin")
    op.create_index(
        "ix_photos_rating_desc_id",
        "photos",
        [sa.literal_column("rating_average DESC NULLS LAST"), sa.literal_column("id DESC")],
    )
    op.create_table(
        "photo_totals",
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("photos", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_photo_totals")),
    )
    op.execute("INSERT INTO photo_totals (shard, photos) SELECT 0, count(*) FROM photos")
    op.execute(_TRIGGER_FUNCTIONS)
    op.execute(_TRIGGERS)


def downgrade() -> None:
    for trigger in ("photo_totals_on_truncate", "photo_totals_on_delete", "photo_totals_on_insert"):
        op.execute(f"DROP TRIGGER {trigger} ON photos")
    for function in ("photo_totals_reset", "photo_totals_remove", "photo_totals_add"):
        op.execute(f"DROP FUNCTION {function}()")
    op.drop_table("photo_totals")
    op.drop_index("ix_photos_rating_desc_id", table_name="photos")
    op.drop_index("ix_photos_tag_names", table_name="photos")
    op.drop_index("ix_tags_name_trgm", table_name="tags")
    op.drop_index("ix_photos_description_trgm", table_name="photos")
    # pg_trgm stays: other objects may use it, and it costs nothing unused.
