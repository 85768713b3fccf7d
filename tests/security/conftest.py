"""The security tests run on the integration tests' real infrastructure.

The fixtures are the integration tests' own, re-exported here (pytest finds fixtures by name
in a conftest's namespace): an embedded PostgreSQL per session, a fresh migrated database per
test, the real app and its clients. (`pytest_plugins` is no option: pytest honours it only in
the rootdir's conftest.)
"""

from __future__ import annotations

import pytest

from tests.integration import conftest as integration
from tests.integration.accounts import Client
from tests.security.world import World, build_world

pg = integration.pg
database_url = integration.database_url
data_dir = integration.data_dir
settings = integration.settings
app = integration.app
client = integration.client
concurrent_client = integration.concurrent_client
refusing_client = integration.refusing_client
valkey_server = integration.valkey_server
valkey_url = integration.valkey_url
_no_fsync_in_the_test_cluster = integration._no_fsync_in_the_test_cluster  # autouse, session-wide


@pytest.fixture
async def world(client: Client) -> World:
    """Accounts with every role and one resource of every kind, owned by known people."""
    return await build_world(client)
