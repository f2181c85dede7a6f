"""peers: the nodes this node is peered with, and which node hosts each agency

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 23:00:00.000000

An agency hosted by a peer is registered here too, with the peer's name in `node`, so that
releasability and sharing groups can name it; agencies without one are hosted here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("public_key"),
    )
    # Added in place: rebuilding `agency`, as a batch would on SQLite, trips the keys that name it.
    op.add_column("agency", sa.Column("node", sa.String(length=63), nullable=True))
    op.create_index("ix_agency_node", "agency", ["node"])


def downgrade() -> None:
    op.drop_index("ix_agency_node", "agency")
    op.drop_column("agency", "node")
    op.drop_table("peer")
