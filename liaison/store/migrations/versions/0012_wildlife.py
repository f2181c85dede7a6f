"""the CITES species index and wildlife seizures with their route legs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "species",
        sa.Column("taxon_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.String(length=16), nullable=False),
        sa.Column("kingdom", sa.String(length=32), nullable=False),
        sa.Column("class", sa.String(length=64), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("genus", sa.String(length=64), nullable=False),
        sa.Column("listing", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("taxon_id"),
    )
    op.create_table(
        "species_name",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("taxon_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("key", "taxon_id", "kind"),
    )
    op.create_table(
        "seizure",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("taxon_id", sa.Integer(), nullable=False),
        sa.Column("species", sa.String(length=200), nullable=False),
        sa.Column("commodity", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("individuals", sa.Float(), nullable=True),
        sa.Column("concealment", sa.Text(), nullable=False),
        sa.Column("route", sa.JSON(), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "entity_id"),
    )
    op.create_index("ix_seizure_year", "seizure", ["year"])
    op.create_index("ix_seizure_taxon_year", "seizure", ["taxon_id", "year"])
    op.create_index("ix_seizure_country_year", "seizure", ["country", "year"])
    op.create_table(
        "seizure_leg",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=2), nullable=False),
        sa.Column("target", sa.String(length=2), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "entity_id", "position"),
    )
    op.create_index("ix_seizure_leg_countries", "seizure_leg", ["source", "target"])


def downgrade() -> None:
    op.drop_index("ix_seizure_leg_countries", table_name="seizure_leg")
    op.drop_table("seizure_leg")
    for index in ("ix_seizure_country_year", "ix_seizure_taxon_year", "ix_seizure_year"):
        op.drop_index(index, table_name="seizure")
    op.drop_table("seizure")
    op.drop_table("species_name")
    op.drop_table("species")
