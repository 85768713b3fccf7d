"""Background jobs, image variants, placeholders, checksums and picture metadata.

The job queue is procrastinate's: its schema (tables, functions and triggers prefixed
`procrastinate_`) is the SQL the installed procrastinate ships, applied here so that
`photoshare migrate` brings everything. A later procrastinate release that changes its
schema comes with SQL migrations (`procrastinate.schema.SchemaManager.get_migrations_path()`):
apply them in a new revision of ours.

Photos gain `status` (`processing` until the variants job has run), `variants`
(`[{name, width, height, format}]`), `placeholder` (a ThumbHash, base64), `checksum`
(SHA-256 hex of the uploaded bytes), `taken_at`, `exif` (camera settings; never GPS) and
`show_metadata`. Existing photos start as `processing`: the periodic requeue job makes
their variants. `image_tombstones` lists stored images whose photo is gone, for the
periodic sweep to remove.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def upgrade() -> None:
    # One script of many statements; the driver reads `%` as a placeholder, so it is doubled
    # (as procrastinate's own `apply_schema` does).
    op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    op.add_column("photos", sa.Column("status", sa.String(16), nullable=False, server_default="processing"))
    op.add_column("photos", sa.Column("variants", JSONB, nullable=False, server_default="[]"))
    op.add_column("photos", sa.Column("placeholder", sa.String(64)))
    op.add_column("photos", sa.Column("checksum", sa.String(64)))
    op.add_column("photos", sa.Column("taken_at", sa.DateTime(timezone=True)))
    op.add_column("photos", sa.Column("exif", JSONB))
    op.add_column("photos", sa.Column("show_metadata", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_photos_owner_checksum", "photos", ["owner_id", "checksum"])
    op.create_index("ix_photos_taken_at_id", "photos", [sa.text("taken_at DESC"), sa.text("id DESC")])
    op.create_index(
        "ix_photos_processing",
        "photos",
        ["created_at"],
        postgresql_where=sa.text("status = 'processing'"),
    )
    op.create_table(
        "image_tombstones",
        sa.Column("image_key", sa.String(200), primary_key=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("image_tombstones")
    op.drop_index("ix_photos_processing", "photos")
    op.drop_index("ix_photos_taken_at_id", "photos")
    op.drop_index("ix_photos_owner_checksum", "photos")
    for column in ("show_metadata", "exif", "taken_at", "checksum", "placeholder", "variants", "status"):
        op.drop_column("photos", column)
    for table in _PROCRASTINATE_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    # procrastinate's functions and types, whatever their versioned names.
    op.execute(
        """
        DO $$
        DECLARE fn record;
        BEGIN
            FOR fn IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE 'DROP FUNCTION ' || fn.sig || ' CASCADE';
            END LOOP;
        END $$
        """
    )
    for type_name in (
        "procrastinate_job_to_defer_v1",
        "procrastinate_job_event_type",
        "procrastinate_job_status",
    ):
        op.execute(f"DROP TYPE IF EXISTS {type_name} CASCADE")
