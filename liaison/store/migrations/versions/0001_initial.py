"""entities, datasets, agencies and import runs

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 18:02:47.929943
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_country"), ["country"], unique=False)

    op.create_table(
        "dataset",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_owner_agency"), ["owner_agency"], unique=False)

    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_run_dataset"), ["dataset"], unique=False)

    op.create_table(
        "entity",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=512), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("owner_agency", sa.String(length=32), nullable=False),
        sa.Column("handling", sa.String(length=16), nullable=False),
        sa.Column("releasability", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retention_review", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
        ),
        sa.PrimaryKeyConstraint("dataset", "id"),
    )
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index("ix_entity_caption", ["caption"], unique=False)
        batch_op.create_index("ix_entity_dataset_schema", ["dataset", "schema"], unique=False)
        batch_op.create_index("ix_entity_id", ["id"], unique=False)
        batch_op.create_index("ix_entity_owner_handling", ["owner_agency", "handling"], unique=False)
        batch_op.create_index("ix_entity_retention", ["retention_review"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_retention")
        batch_op.drop_index("ix_entity_owner_handling")
        batch_op.drop_index("ix_entity_id")
        batch_op.drop_index("ix_entity_dataset_schema")
        batch_op.drop_index("ix_entity_caption")

    op.drop_table("entity")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_run_dataset"))

    op.drop_table("import_run")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_owner_agency"))

    op.drop_table("dataset")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_country"))

    op.drop_table("agency")
