"""The schema as SQLAlchemy Core tables. Migrations mirror it; constraint names are shared constants."""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.base import convention
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

from photoshare.domain.access import LISTED
from photoshare.domain.accounts import PAT_NAME_MAX, USER_AGENT_MAX
from photoshare.domain.albums import ALBUM_DESCRIPTION_MAX, ALBUM_TITLE_MAX
from photoshare.domain.comments import COMMENT_MAX
from photoshare.domain.photos import DESCRIPTION_MAX, TAG_MAX_LENGTH
from photoshare.domain.shares import SHARE_LABEL_MAX
from photoshare.domain.users import BIO_MAX, EMAIL_MAX, FULL_NAME_MAX, USERNAME_MAX

metadata = sa.MetaData(naming_convention=convention)

# Constraint names that adapters translate into domain errors.
UQ_USERNAME = "uq_users_username_lower"
UQ_EMAIL = "uq_users_email_lower"
PK_RATINGS = "pk_ratings"
UQ_TAG_NAME = "uq_tags_name"
UQ_LINK_SLUG = "uq_links_slug"
UQ_SHARE_SLUG = "uq_shares_slug"
PK_ALBUM_PHOTOS = "pk_album_photos"

# The listed (public) photos as SQL, for partial indexes and the statements they serve.
LISTED_SQL = f"visibility = '{LISTED.value}'"
UNLISTED_SQL = f"visibility <> '{LISTED.value}'"

# The text search configuration of `q` (migration 0010): `simple` lower-cases words and
# neither stems nor drops stop words, since tags are names and descriptions any language.
SEARCH_CONFIG = "simple"
# The words of the description and of the tag names, and each tag name whole as
# `#name` (`photo_search_vector`, migration 0010), so that `q` with `tag` is one tsquery.
TAG_LEXEME_PREFIX = "#"
SEARCH_VECTOR_SQL = "photo_search_vector(description, tag_names)"


def _ts(name: str, **kw: object) -> sa.Column[object]:
    return sa.Column(name, DateTimeUTC(timezone=True), nullable=False, **kw)  # type: ignore[arg-type]


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("username", sa.String(USERNAME_MAX), nullable=False),
    sa.Column("email", sa.String(EMAIL_MAX), nullable=False),
    sa.Column("password_hash", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("full_name", sa.String(FULL_NAME_MAX)),
    sa.Column("bio", sa.String(BIO_MAX)),
    sa.Column("token_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("photo_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("comment_count", sa.Integer, nullable=False, server_default="0"),
    _ts("created_at"),
    # Migration 0009: accounts people can recover.
    sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("avatar_key", sa.String(200)),
    sa.Index(UQ_USERNAME, sa.func.lower(sa.text("username")), unique=True),
    sa.Index(UQ_EMAIL, sa.func.lower(sa.text("email")), unique=True),
)


def username_is(username: str) -> sa.ColumnElement[bool]:
    """Usernames are unique ignoring case (UQ_USERNAME's expression, so the index answers)."""
    return sa.func.lower(users.c.username) == username.lower()


refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("family", sa.String(64), nullable=False, index=True),
    _ts("expires_at", index=True),
    sa.Column("spent_at", DateTimeUTC(timezone=True)),
)

# A refresh-token family is a session (migration 0009).
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    _ts("created_at"),
    _ts("last_used_at"),
    _ts("expires_at"),
    sa.Column("user_agent", sa.String(USER_AGENT_MAX)),
    sa.Column("revoked_at", DateTimeUTC(timezone=True)),
    sa.Index("ix_sessions_user_id", "user_id"),
)

one_time_tokens = sa.Table(
    "one_time_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("email", sa.String(EMAIL_MAX)),
    _ts("created_at"),
    _ts("expires_at", index=True),
    sa.Column("used_at", DateTimeUTC(timezone=True)),
    sa.Index("ix_one_time_tokens_user_purpose", "user_id", "purpose"),
)

personal_tokens = sa.Table(
    "personal_tokens",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(PAT_NAME_MAX), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("scopes", ARRAY(sa.String(16)), nullable=False),
    sa.Column("token_version", sa.Integer, nullable=False),
    _ts("created_at"),
    sa.Column("expires_at", DateTimeUTC(timezone=True)),
    sa.UniqueConstraint("token_hash", name="uq_personal_tokens_token_hash"),
    sa.Index("ix_personal_tokens_user_id", "user_id"),
)

revoked_tokens = sa.Table(
    "revoked_tokens",
    metadata,
    sa.Column("token_id", sa.String(64), primary_key=True),
    _ts("expires_at", index=True),
)

# UNLOGGED (migration 0006): counters are cheap to lose and written on every limited request.
rate_counters = sa.Table(
    "rate_counters",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    _ts("window_ends", index=True),
    prefixes=["UNLOGGED"],
)

photos = sa.Table(
    "photos",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("owner_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("image_key", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(32), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("description", sa.String(DESCRIPTION_MAX), nullable=False, server_default=""),
    # Denormalised copy of the photo's tag names (photo_tags is the truth): a page reads one row.
    sa.Column("tag_names", ARRAY(sa.String(TAG_MAX_LENGTH)), nullable=False, server_default="{}"),
    sa.Column("rating_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rating_average", sa.Numeric(3, 2)),
    sa.Column("comment_count", sa.Integer, nullable=False, server_default="0"),
    _ts("created_at"),
    _ts("updated_at"),
    # Migration 0008: `processing` until the variants job has run; `variants` is
    # `[{name, width, height, format}]`, `exif` the camera settings (never GPS).
    sa.Column("status", sa.String(16), nullable=False, server_default="processing"),
    sa.Column("variants", JSONB, nullable=False, server_default="[]"),
    sa.Column("placeholder", sa.String(64)),
    sa.Column("checksum", sa.String(64)),
    sa.Column("taken_at", DateTimeUTC(timezone=True)),
    sa.Column("exif", JSONB),
    sa.Column("show_metadata", sa.Boolean, nullable=False, server_default=sa.false()),
    # The words of the description and the tag names, computed by PostgreSQL on every
    # write (migration 0010): `q` is a full-text query on it, through its GIN index.
    sa.Column("search_vector", TSVECTOR, sa.Computed(SEARCH_VECTOR_SQL, persisted=True), nullable=False),
    # public, unlisted or private (migration 0007); lists and search show public ones only.
    sa.Column("visibility", sa.String(16), nullable=False, server_default="public"),
    # The sort indexes hold listed (public) photos only: a page walks only what it may show.
    sa.Index(
        "ix_photos_created_at_id",
        sa.text("created_at DESC"),
        sa.text("id DESC"),
        postgresql_where=sa.text(LISTED_SQL),
    ),
    sa.Index("ix_photos_owner_created", "owner_id", sa.text("created_at DESC")),
    # The image routes find a key's photo (is it public?) by this (migration 0007).
    sa.Index("ix_photos_image_key", "image_key"),
    sa.Index("ix_photos_rating_id", "rating_average", "id", postgresql_where=sa.text(LISTED_SQL)),
    # Search (migration 0004): `-rating` reads this one forwards (unrated last), `q` and
    # `tag` use the GIN indexes (`q` ix_photos_search_vector since migration 0010).
    sa.Index(
        "ix_photos_rating_desc_id",
        sa.text("rating_average DESC NULLS LAST"),
        sa.text("id DESC"),
        postgresql_where=sa.text(LISTED_SQL),
    ),
    # The few photos that are not listed, by owner and by tag: counts subtract them.
    sa.Index("ix_photos_hidden_owner", "owner_id", postgresql_where=sa.text(UNLISTED_SQL)),
    sa.Index(
        "ix_photos_hidden_tag_names",
        "tag_names",
        postgresql_using="gin",
        postgresql_where=sa.text(UNLISTED_SQL),
    ),
    sa.Index("ix_photos_tag_names", "tag_names", postgresql_using="gin"),
    sa.Index("ix_photos_owner_checksum", "owner_id", "checksum"),
    sa.Index("ix_photos_taken_at_id", sa.text("taken_at DESC"), sa.text("id DESC")),
    sa.Index("ix_photos_processing", "created_at", postgresql_where=sa.text("status = 'processing'")),
    sa.Index("ix_photos_search_vector", "search_vector", postgresql_using="gin"),
)

# Stored images whose photo is gone (or whose upload was given up on): the periodic
# sweep job removes them from the store, then the row.
image_tombstones = sa.Table(
    "image_tombstones",
    metadata,
    sa.Column("image_key", sa.String(200), primary_key=True),
    _ts("deleted_at"),
)

# The number of photos, kept exact by triggers on `photos` (migration 0004): the total of
# an unfiltered page is the sum of these few rows instead of a count over every photo.
photo_totals = sa.Table(
    "photo_totals",
    metadata,
    sa.Column("shard", sa.SmallInteger, primary_key=True),
    sa.Column("photos", sa.BigInteger, nullable=False),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.String(TAG_MAX_LENGTH), nullable=False),
    sa.UniqueConstraint("name", name=UQ_TAG_NAME),
    sa.Index("ix_tags_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
)

photo_tags = sa.Table(
    "photo_tags",
    metadata,
    sa.Column(
        "photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("tag_id", sa.BigInteger, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_photo_tags_tag_id", "tag_id"),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(32), nullable=False),
    sa.Column("transformation", JSONB, nullable=False),
    _ts("created_at"),
    sa.UniqueConstraint("slug", name=UQ_LINK_SLUG),
    sa.Index("ix_links_photo_id", "photo_id"),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("author_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("text", sa.String(COMMENT_MAX), nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    sa.Index("ix_comments_photo_created", "photo_id", "created_at", "id"),
    sa.Index("ix_comments_author_id", "author_id"),
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("value", sa.SmallInteger, nullable=False),
    _ts("created_at"),
    sa.PrimaryKeyConstraint("photo_id", "user_id", name=PK_RATINGS),
    sa.CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
    sa.Index("ix_ratings_user_id", "user_id"),
)

albums = sa.Table(
    "albums",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("owner_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("title", sa.String(ALBUM_TITLE_MAX), nullable=False),
    sa.Column("description", sa.String(ALBUM_DESCRIPTION_MAX), nullable=False, server_default=""),
    sa.Column("visibility", sa.String(16), nullable=False, server_default="public"),
    sa.Column("cover_photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("updated_at"),
    sa.Index("ix_albums_owner_created", "owner_id", sa.text("created_at DESC")),
)

# A photo in an album, in order; deleting the photo (or the album) removes the row.
album_photos = sa.Table(
    "album_photos",
    metadata,
    sa.Column("album_id", UUID(as_uuid=True), sa.ForeignKey("albums.id", ondelete="CASCADE"), nullable=False),
    sa.Column("photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    _ts("added_at"),
    sa.PrimaryKeyConstraint("album_id", "photo_id", name=PK_ALBUM_PHOTOS),
    sa.Index("ix_album_photos_album_position", "album_id", "position", "photo_id"),
    sa.Index("ix_album_photos_photo_id", "photo_id"),
)

shares = sa.Table(
    "shares",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("slug", sa.String(32), nullable=False),
    sa.Column("owner_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("photo_id", UUID(as_uuid=True), sa.ForeignKey("photos.id", ondelete="CASCADE")),
    sa.Column("album_id", UUID(as_uuid=True), sa.ForeignKey("albums.id", ondelete="CASCADE")),
    sa.Column("label", sa.String(SHARE_LABEL_MAX)),
    sa.Column("expires_at", DateTimeUTC(timezone=True)),
    sa.Column("max_views", sa.Integer),
    sa.Column("view_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_viewed_at", DateTimeUTC(timezone=True)),
    sa.Column("password_hash", sa.String(100)),
    _ts("created_at"),
    sa.UniqueConstraint("slug", name=UQ_SHARE_SLUG),
    sa.CheckConstraint("(photo_id IS NULL) <> (album_id IS NULL)", name="one_target"),
    sa.Index("ix_shares_owner_created", "owner_id", sa.text("created_at DESC")),
    sa.Index("ix_shares_photo_id", "photo_id"),
    sa.Index("ix_shares_album_id", "album_id"),
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For alembic's comparisons: procrastinate's tables are its schema, not ours."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))
