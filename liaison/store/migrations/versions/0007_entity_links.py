"""the reference index: which records point at which, filled from the records already stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 21:40:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op
from followthemoney import model
from followthemoney.types import registry

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    link = op.create_table(
        "entity_link",
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "source", "target"),
    )
    op.create_index("ix_entity_link_target", "entity_link", ["target"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT dataset, id, schema, properties, import_run FROM entity"))
    batch: list[dict[str, object]] = []
    for dataset, source, schema_name, properties, run in rows:
        schema = model.get(schema_name)
        values = json.loads(properties) if isinstance(properties, str) else properties
        if schema is None:
            continue
        for name, found in values.items():
            prop = schema.get(name)
            if prop is None or prop.type != registry.entity:
                continue
            for target in dict.fromkeys(found):
                if target != source:
                    batch.append({"dataset": dataset, "source": source, "target": target, "import_run": run})
        if len(batch) >= 5_000:
            op.bulk_insert(link, batch)
            batch = []
    if batch:
        op.bulk_insert(link, batch)


def downgrade() -> None:
    op.drop_index("ix_entity_link_target", table_name="entity_link")
    op.drop_table("entity_link")
