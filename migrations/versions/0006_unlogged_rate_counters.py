"""Rate counters without WAL: losing them in a crash only resets some windows.

Every limited write request upserts two counters (per client, per account); as logged
rows each upsert waited for its own WAL flush, tripling the commits of a comment or a
rating. Revoked tokens stay logged: forgetting a revocation would be a security bug.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE rate_counters SET UNLOGGED")


def downgrade() -> None:
    op.execute("ALTER TABLE rate_counters SET LOGGED")
