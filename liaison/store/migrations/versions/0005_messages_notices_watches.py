"""messages, notices and diffusions, watches, webhooks and their deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_thread",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "thread_participant",
        sa.Column("thread", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["thread"], ["message_thread.id"]),
        sa.ForeignKeyConstraint(["agency"], ["agency.code"]),
        sa.PrimaryKeyConstraint("thread", "agency"),
    )
    op.create_index("ix_thread_participant_agency", "thread_participant", ["agency"])
    op.create_table(
        "message",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("thread", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("sender_agency", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("handling", sa.String(length=16), nullable=False),
        sa.Column("to_users", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("entity_refs", sa.JSON(), nullable=False),
        sa.Column("reply_to", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread"], ["message_thread.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_message_thread", "message", ["thread"])
    op.create_table(
        "message_receipt",
        sa.Column("message", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message"], ["message.id"]),
        sa.PrimaryKeyConstraint("message", "user"),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_status", "notice", ["status"])
    op.create_table(
        "watch",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user"], ["app_user.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_watch_user", "watch", ["user"])
    op.create_table(
        "webhook",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user"], ["app_user.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_user", "webhook", ["user"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webhook", sa.String(length=32), nullable=False),
        sa.Column("alert", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["webhook"], ["webhook.id"]),
        sa.ForeignKeyConstraint(["alert"], ["alert.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_due", "webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_user", "webhook")
    op.drop_table("webhook")
    op.drop_index("ix_watch_user", "watch")
    op.drop_table("watch")
    op.drop_index("ix_notice_status", "notice")
    op.drop_table("notice")
    op.drop_table("message_receipt")
    op.drop_index("ix_message_thread", "message")
    op.drop_table("message")
    op.drop_index("ix_thread_participant_agency", "thread_participant")
    op.drop_table("thread_participant")
    op.drop_table("message_thread")
