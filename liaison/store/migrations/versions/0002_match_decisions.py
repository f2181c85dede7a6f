"""match pairs: xref candidates and reviewers' decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_pair",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("left_dataset", sa.String(length=64), nullable=False),
        sa.Column("left_id", sa.String(length=255), nullable=False),
        sa.Column("right_dataset", sa.String(length=64), nullable=False),
        sa.Column("right_id", sa.String(length=255), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("match_pair", schema=None) as batch_op:
        batch_op.create_index("ix_match_pair_left_dataset", ["left_dataset"], unique=False)
        batch_op.create_index("ix_match_pair_right_dataset", ["right_dataset"], unique=False)
        batch_op.create_index("ix_match_pair_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_pair", schema=None) as batch_op:
        batch_op.drop_index("ix_match_pair_status")
        batch_op.drop_index("ix_match_pair_right_dataset")
        batch_op.drop_index("ix_match_pair_left_dataset")

    op.drop_table("match_pair")
