"""CITES trade records (the Trade Database's comparative tabulation), reference data

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cites_trade",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("appendix", sa.String(length=4), nullable=False),
        sa.Column("taxon_id", sa.Integer(), nullable=True),
        sa.Column("taxon", sa.String(length=200), nullable=False),
        sa.Column("importer", sa.String(length=2), nullable=False),
        sa.Column("exporter", sa.String(length=2), nullable=False),
        sa.Column("origin", sa.String(length=2), nullable=False),
        sa.Column("importer_quantity", sa.Float(), nullable=True),
        sa.Column("exporter_quantity", sa.Float(), nullable=True),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cites_trade_taxon_year", "cites_trade", ["taxon_id", "year"])


def downgrade() -> None:
    op.drop_index("ix_cites_trade_taxon_year", table_name="cites_trade")
    op.drop_table("cites_trade")
