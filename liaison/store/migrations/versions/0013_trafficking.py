"""trafficking case and victim facts for statistics, and first responders' indicator screenings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trafficking_case",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("victims", sa.Integer(), nullable=False),
        sa.Column("minors", sa.Integer(), nullable=False),
        sa.Column("defendants", sa.Integer(), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "entity_id"),
    )
    op.create_table(
        "trafficking_victim",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("exploitation", sa.String(length=48), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("gender", sa.String(length=32), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "entity_id", "exploitation"),
    )
    op.create_table(
        "indicator_screening",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=32), sa.ForeignKey("agency.code"), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("setting", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("observed", sa.JSON(), nullable=False),
        sa.Column("advice", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_token"),
    )
    op.create_index("ix_indicator_screening_agency", "indicator_screening", ["agency", "created"])


def downgrade() -> None:
    op.drop_index("ix_indicator_screening_agency", table_name="indicator_screening")
    op.drop_table("indicator_screening")
    op.drop_table("trafficking_victim")
    op.drop_table("trafficking_case")
