"""audit events by subject, for an owner agency's "who read this record"

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 21:00:00.000000
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_subject", "audit_event", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
