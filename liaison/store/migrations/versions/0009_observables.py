"""the observable index: IPs, domains, URLs, hashes, e-mails, phones and wallets of stored records

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:45:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op
from followthemoney import model

from liaison.store.observables import observable_rows

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "observable",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("ip_key", sa.String(length=40), nullable=True),
        sa.Column("import_run", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "value", "dataset", "entity_id"),
    )
    op.create_index("ix_observable_record", "observable", ["dataset", "entity_id"])
    op.create_index("ix_observable_ip_key", "observable", ["ip_key"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT dataset, id, schema, properties, import_run FROM entity"))
    batch: list[dict[str, object]] = []
    for dataset, entity_id, schema_name, properties, run in rows:
        if model.get(schema_name) is None:
            continue
        values = json.loads(properties) if isinstance(properties, str) else properties
        proxy = model.get_proxy({"id": entity_id, "schema": schema_name, "properties": values}, cleaned=True)
        batch.extend(dict(zip(_COLUMNS, row, strict=True)) for row in observable_rows(dataset, [proxy], run))
        if len(batch) >= 5_000:
            op.bulk_insert(table, batch)
            batch = []
    if batch:
        op.bulk_insert(table, batch)


_COLUMNS = ("kind", "value", "dataset", "entity_id", "ip_key", "import_run")


def downgrade() -> None:
    op.drop_index("ix_observable_ip_key", table_name="observable")
    op.drop_index("ix_observable_record", table_name="observable")
    op.drop_table("observable")
