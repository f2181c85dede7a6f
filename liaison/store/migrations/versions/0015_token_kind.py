"""token kind: web sessions told apart from API tokens

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="api", nullable=False))
    # Sessions started before this revision were written as plain tokens; the audit trail
    # recorded each start as `session.start` on `token:<id>`, which tells them apart.
    op.execute(
        "UPDATE api_token SET kind = 'session' WHERE 'token:' || id IN "
        "(SELECT subject FROM audit_event WHERE action = 'session.start')"
    )


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("kind")
