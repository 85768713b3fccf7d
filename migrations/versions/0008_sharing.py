"""Sharing: photo visibility, albums, and share links.

- `photos.visibility` (`public` by default, so every existing photo stays as it was).
  Lists and search show public photos only: the sort indexes become partial on
  `visibility = 'public'` (a page walks only what it may show), and `photo_totals` counts
  public photos only (its triggers filter the transition tables; a row trigger follows a
  change of visibility). Non-public photos are few: partial indexes find them by owner
  (profile counts) and by tag (tag counts subtract them from the index-only count).
  Image keys get an index: the image routes ask whether a key's photo is public.
- `albums` and their ordered `album_photos` (a photo leaves every album when deleted;
  a deleted cover photo leaves the album without a cover).
- `shares`: a capability link to a photo or an album, with its counters.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PUBLIC = "visibility = 'public'"
HIDDEN = "visibility <> 'public'"

_COUNTING = """
CREATE OR REPLACE FUNCTION photo_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, count(*) FROM added WHERE visibility = 'public' HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION photo_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, -count(*) FROM removed WHERE visibility = 'public' HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE FUNCTION photo_totals_revisible() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    VALUES (pg_backend_pid() % 16, CASE WHEN NEW.visibility = 'public' THEN 1 ELSE -1 END)
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE TRIGGER photo_totals_on_visibility AFTER UPDATE OF visibility ON photos FOR EACH ROW
    WHEN ((OLD.visibility = 'public') IS DISTINCT FROM (NEW.visibility = 'public'))
    EXECUTE FUNCTION photo_totals_revisible();
"""

_ALL_COUNTING = """
DROP TRIGGER photo_totals_on_visibility ON photos;
DROP FUNCTION photo_totals_revisible();

CREATE OR REPLACE FUNCTION photo_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, count(*) FROM added HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION photo_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO photo_totals (shard, photos)
    SELECT pg_backend_pid() % 16, -count(*) FROM removed HAVING count(*) > 0
    ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos;
    RETURN NULL;
END $$;
"""

_SORT_INDEXES = {
    "ix_photos_created_at_id": [sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
    "ix_photos_rating_id": ["rating_average", "id"],
    "ix_photos_rating_desc_id": [
        sa.literal_column("rating_average DESC NULLS LAST"),
        sa.literal_column("id DESC"),
    ],
}


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, DateTimeUTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("photos", sa.Column("visibility", sa.String(16), server_default="public", nullable=False))
    for name, columns in _SORT_INDEXES.items():
        op.drop_index(name, table_name="photos")
        op.create_index(name, "photos", columns, postgresql_where=sa.text(PUBLIC))
    op.create_index("ix_photos_image_key", "photos", ["image_key"])
    op.create_index("ix_photos_hidden_owner", "photos", ["owner_id"], postgresql_where=sa.text(HIDDEN))
    op.create_index(
        "ix_photos_hidden_tag_names",
        "photos",
        ["tag_names"],
        postgresql_using="gin",
        postgresql_where=sa.text(HIDDEN),
    )
    op.execute(_COUNTING)

    op.create_table(
        "albums",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), server_default="", nullable=False),
        sa.Column("visibility", sa.String(16), server_default="public", nullable=False),
        sa.Column("cover_photo_id", UUID(as_uuid=True), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_albums_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cover_photo_id"],
            ["photos.id"],
            name=op.f("fk_albums_cover_photo_id_photos"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_albums")),
    )
    op.create_index("ix_albums_owner_created", "albums", ["owner_id", sa.literal_column("created_at DESC")])
    op.create_table(
        "album_photos",
        sa.Column("album_id", UUID(as_uuid=True), nullable=False),
        sa.Column("photo_id", UUID(as_uuid=True), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _ts("added_at"),
        sa.ForeignKeyConstraint(
            ["album_id"], ["albums.id"], name=op.f("fk_album_photos_album_id_albums"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_album_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("album_id", "photo_id", name=op.f("pk_album_photos")),
    )
    op.create_index("ix_album_photos_album_position", "album_photos", ["album_id", "position", "photo_id"])
    op.create_index("ix_album_photos_photo_id", "album_photos", ["photo_id"])
    op.create_table(
        "shares",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("slug", sa.String(32), nullable=False),
        sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
        sa.Column("photo_id", UUID(as_uuid=True), nullable=True),
        sa.Column("album_id", UUID(as_uuid=True), nullable=True),
        sa.Column("label", sa.String(100), nullable=True),
        _ts("expires_at", nullable=True),
        sa.Column("max_views", sa.Integer(), nullable=True),
        sa.Column("view_count", sa.Integer(), server_default="0", nullable=False),
        _ts("last_viewed_at", nullable=True),
        sa.Column("password_hash", sa.String(100), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("(photo_id IS NULL) <> (album_id IS NULL)", name=op.f("ck_shares_one_target")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_shares_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_shares_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["album_id"], ["albums.id"], name=op.f("fk_shares_album_id_albums"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("slug", name="uq_shares_slug"),
    )
    op.create_index("ix_shares_owner_created", "shares", ["owner_id", sa.literal_column("created_at DESC")])
    op.create_index("ix_shares_photo_id", "shares", ["photo_id"])
    op.create_index("ix_shares_album_id", "shares", ["album_id"])


def downgrade() -> None:
    op.drop_table("shares")
    op.drop_table("album_photos")
    op.drop_table("albums")
    op.execute(_ALL_COUNTING)
    op.drop_index("ix_photos_hidden_tag_names", table_name="photos")
    op.drop_index("ix_photos_hidden_owner", table_name="photos")
    op.drop_index("ix_photos_image_key", table_name="photos")
    for name, columns in _SORT_INDEXES.items():
        op.drop_index(name, table_name="photos")
        op.create_index(name, "photos", columns)
    # Hidden photos were not counted: count every photo again, as before.
    op.execute("DELETE FROM photo_totals")
    op.execute("INSERT INTO photo_totals (shard, photos) SELECT 0, count(*) FROM photos")
    op.drop_column("photos", "visibility")
