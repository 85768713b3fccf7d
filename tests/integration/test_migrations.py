"""Migration stairway on a fresh database: every revision upgrades, downgrades and upgrades again."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from photoshare.adapters.embedded_postgres import EmbeddedPostgres
from photoshare.adapters.sql import migrate
from photoshare.adapters.sql.tables import include_name, metadata

PROCRASTINATE = "procrastinate_"
ACCOUNT_TABLES = {"users", "refresh_tokens", "revoked_tokens", "rate_counters"}
_names = itertools.count()


@pytest.fixture
def empty_url(pg: EmbeddedPostgres) -> Iterator[str]:
    name = f"stairway_{next(_names)}"
    pg.drop_database(name)
    pg.ensure_database(name)
    yield pg.url(name)
    pg.drop_database(name)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    # procrastinate's own tables (migration 0008) are its schema, not ours.
    return {n for n in names if not n.startswith(PROCRASTINATE)}


def _job_tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {n for n in sa.inspect(conn).get_table_names() if n.startswith(PROCRASTINATE)}
    finally:
        engine.dispose()


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def test_upgrade_to_head_creates_every_table(empty_url: str) -> None:
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == set(metadata.tables)
    assert _tables(empty_url) >= ACCOUNT_TABLES


def test_upgrade_downgrade_upgrade_round_trip(empty_url: str) -> None:
    migrate.upgrade(empty_url, "head")
    assert _job_tables(empty_url) >= {"procrastinate_jobs", "procrastinate_workers"}
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    assert _job_tables(empty_url) == set()
    migrate.upgrade(empty_url, "head")
    assert _tables(empty_url) == set(metadata.tables)


def test_every_revision_upgrades_downgrades_and_upgrades_again(empty_url: str) -> None:
    revisions = _revisions(empty_url)
    assert revisions
    previous = "base"
    for revision in revisions:
        migrate.upgrade(empty_url, revision)
        after_up = _tables(empty_url)
        migrate.downgrade(empty_url, previous)
        migrate.upgrade(empty_url, revision)
        assert _tables(empty_url) == after_up, revision
        previous = revision
    assert _tables(empty_url) == set(metadata.tables)


def test_migrated_schema_matches_the_table_definitions(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = sa.create_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []
