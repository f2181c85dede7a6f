"""hit/no-hit references, access requests and alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hit_reference",
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("seeker", sa.String(length=64), nullable=False),
        sa.Column("seeker_agency", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref"),
        sa.UniqueConstraint("seeker", "dataset", "entity_id", name="uq_hit_reference_seeker_record"),
    )
    op.create_index("ix_hit_reference_owner_agency", "hit_reference", ["owner_agency"])
    op.create_table(
        "access_request",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("requester_agency", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("release_entry", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["ref"], ["hit_reference.ref"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_request_owner_agency", "access_request", ["owner_agency"])
    op.create_index("ix_access_request_requester", "access_request", ["requester"])
    op.create_index("ix_access_request_dataset_status", "access_request", ["dataset", "status"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=True),
        sa.Column("user", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_agency", "alert", ["agency"])
    op.create_index("ix_alert_user", "alert", ["user"])


def downgrade() -> None:
    op.drop_index("ix_alert_user", "alert")
    op.drop_index("ix_alert_agency", "alert")
    op.drop_table("alert")
    op.drop_index("ix_access_request_dataset_status", "access_request")
    op.drop_index("ix_access_request_requester", "access_request")
    op.drop_index("ix_access_request_owner_agency", "access_request")
    op.drop_table("access_request")
    op.drop_index("ix_hit_reference_owner_agency", "hit_reference")
    op.drop_table("hit_reference")
