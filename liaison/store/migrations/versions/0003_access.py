"""access: users, tokens, sharing groups, the audit chain, and releasability keys on entities

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 20:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency"], ["agency.code"]),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ix_app_user_agency", "app_user", ["agency"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user"], ["app_user.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_token_user", "api_token", ["user"])
    op.create_table(
        "sharing_group",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "group_member",
        sa.Column("group", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["group"], ["sharing_group.name"]),
        sa.ForeignKeyConstraint(["agency"], ["agency.code"]),
        sa.PrimaryKeyConstraint("group", "agency"),
    )
    op.create_index("ix_group_member_agency", "group_member", ["agency"])
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    with op.batch_alter_table("entity") as batch_op:
        batch_op.add_column(sa.Column("release_keys", sa.Text(), nullable=False, server_default="|"))
    _backfill_release_keys()


def _backfill_release_keys() -> None:
    """Entities imported before this migration get their keys from their releasability JSON."""
    connection = op.get_bind()
    entity = sa.table(
        "entity",
        sa.column("dataset", sa.String),
        sa.column("id", sa.String),
        sa.column("releasability", sa.JSON),
        sa.column("release_keys", sa.Text),
    )
    rows = connection.execute(sa.select(entity.c.dataset, entity.c.id, entity.c.releasability)).all()
    for dataset, entity_id, releasability in rows:
        if releasability:
            keys = "|" + "|".join(sorted(releasability)) + "|"
            connection.execute(
                entity.update()
                .where(entity.c.dataset == dataset, entity.c.id == entity_id)
                .values(release_keys=keys)
            )


def downgrade() -> None:
    with op.batch_alter_table("entity") as batch_op:
        batch_op.drop_column("release_keys")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_event_action", "audit_event")
    op.drop_index("ix_audit_event_actor", "audit_event")
    op.drop_index("ix_audit_event_at", "audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_group_member_agency", "group_member")
    op.drop_table("group_member")
    op.drop_table("sharing_group")
    op.drop_index("ix_api_token_user", "api_token")
    op.drop_table("api_token")
    op.drop_index("ix_app_user_agency", "app_user")
    op.drop_table("app_user")
