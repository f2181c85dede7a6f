"""peers: the nodes this node is peered with, their last sync, the nonces of their requests, and
which node hosts each agency

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
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("withdrawn", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("public_key"),
    )
    op.create_table(
        "peer_nonce",
        sa.Column("peer", sa.String(length=63), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("peer", "nonce"),
    )
    op.create_index("ix_peer_nonce_seen_at", "peer_nonce", ["seen_at"])
    # Added in place: rebuilding `agency`, as a batch would on SQLite, trips the keys that name it.
    op.add_column("agency", sa.Column("node", sa.String(length=63), nullable=True))
    op.create_index("ix_agency_node", "agency", ["node"])


def downgrade() -> None:
    op.drop_index("ix_agency_node", "agency")
    op.drop_column("agency", "node")
    op.drop_table("peer_nonce")
    op.drop_table("peer")
