"""takedowns of malicious IPs, domains and servers, per operation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "takedown",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation", sa.String(length=32), sa.ForeignKey("operation.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("notified_to", sa.String(length=200), nullable=False),
        sa.Column("identified_on", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operation", "kind", "value", name="uq_takedown_target"),
    )
    op.create_index("ix_takedown_operation_country", "takedown", ["operation", "country"])


def downgrade() -> None:
    op.drop_index("ix_takedown_operation_country", table_name="takedown")
    op.drop_table("takedown")
