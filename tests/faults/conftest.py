"""Fault tests reuse the integration fixtures (`pg`, `settings`, `app`, `client`, ...).

`pytest_plugins` is refused in a conftest below the root one, so the fixtures are imported:
in a run of the whole suite this folder gets its own session-wide embedded PostgreSQL.
"""

from tests.integration.conftest import *  # noqa: F403
