"""operations, manifests, document reports, referrals and subject decisions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 01:54:16.451600
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "document_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("country", "number", name="uq_document_report"),
    )
    op.create_table(
        "operation",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("watchlists", sa.JSON(), nullable=False),
        sa.Column("checkpoints", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "field_result",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checkpoint", sa.String(length=16), nullable=True),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("handling", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["operation"],
            ["operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("field_result", schema=None) as batch_op:
        batch_op.create_index("ix_field_result_operation", ["operation", "id"], unique=False)

    op.create_table(
        "manifest",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("flight", sa.String(length=16), nullable=False),
        sa.Column("departure", sa.String(length=8), nullable=False),
        sa.Column("arrival", sa.String(length=8), nullable=False),
        sa.Column("departs_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["operation"],
            ["operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("manifest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifest_agency"), ["agency"], unique=False)

    op.create_table(
        "manifest_passenger",
        sa.Column("manifest", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest"],
            ["manifest.id"],
        ),
        sa.PrimaryKeyConstraint("manifest", "position"),
    )
    with op.batch_alter_table("manifest_passenger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifest_passenger_subject_key"), ["subject_key"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("manifest", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["manifest"],
            ["manifest.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_queue", ["agency", "status", "id"], unique=False)

    op.create_table(
        "subject_decision",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("listing", sa.String(length=320), nullable=False),
        sa.Column("listing_hash", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("referral", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["referral"],
            ["referral.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subject_decision", schema=None) as batch_op:
        batch_op.create_index("ix_subject_decision_subject", ["agency", "subject_key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("subject_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_decision_subject")

    op.drop_table("subject_decision")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_queue")

    op.drop_table("referral")
    with op.batch_alter_table("manifest_passenger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_passenger_subject_key"))

    op.drop_table("manifest_passenger")
    with op.batch_alter_table("manifest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_agency"))

    op.drop_table("manifest")
    with op.batch_alter_table("field_result", schema=None) as batch_op:
        batch_op.drop_index("ix_field_result_operation")

    op.drop_table("field_result")
    op.drop_table("operation")
    op.drop_table("document_report")
