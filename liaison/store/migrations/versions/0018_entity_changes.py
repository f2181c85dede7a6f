"""entity changes: the feed of entity writes and deletions, in commit order, that every server's index follows

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-09 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_change",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.Column("entity_id", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_entity_dataset_run", "entity", ["dataset", "import_run"])


def downgrade() -> None:
    op.drop_index("ix_entity_dataset_run", table_name="entity")
    op.drop_table("entity_change")
