"""red threads: a thread carries its handling code, and a RED thread the users it is for

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-09 12:00:00.000000

A thread takes the TLP code of its opening message. Threads written before this revision are
given it from their first message, except that a thread becomes RED only if every one of its
messages is RED: it is then named to the senders and users of those messages, the only people
who read anything in it, and the other users of its agencies stop seeing its subject. A thread
holding any message shared more widely stays readable by its agencies (AMBER, or its first
message's code), so that nobody loses a message they could read.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_THREAD = sa.table(
    "message_thread",
    sa.column("id", sa.String),
    sa.column("created_by", sa.String),
    sa.column("handling", sa.String),
    sa.column("to_users", sa.Text),
)
_MESSAGE = sa.table(
    "message",
    sa.column("id", sa.String),
    sa.column("thread", sa.String),
    sa.column("sender", sa.String),
    sa.column("handling", sa.String),
    sa.column("to_users", sa.Text),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("message_thread") as batch:
        batch.add_column(sa.Column("handling", sa.String(length=16), server_default="AMBER", nullable=False))
        batch.add_column(sa.Column("to_users", sa.Text(), server_default="|", nullable=False))
    connection = op.get_bind()
    creators = dict(connection.execute(sa.select(_THREAD.c.id, _THREAD.c.created_by)).all())
    by_thread: dict[str, list[tuple[str, str, str]]] = {}
    query = sa.select(_MESSAGE.c.thread, _MESSAGE.c.sender, _MESSAGE.c.handling, _MESSAGE.c.to_users)
    for thread, sender, handling, to_users in connection.execute(
        query.order_by(_MESSAGE.c.created_at, _MESSAGE.c.id)
    ):
        by_thread.setdefault(thread, []).append((sender, handling, to_users))
    for thread, posts in by_thread.items():
        if all(handling == "RED" for _sender, handling, _to in posts):
            named = {user for _s, _h, to_users in posts for user in to_users.split("|") if user}
            named |= {sender for sender, _h, _to in posts}
            named.discard(creators.get(thread, ""))
            values = {"handling": "RED", "to_users": "|" + "".join(f"{user}|" for user in sorted(named))}
        elif posts[0][1] != "RED":
            values = {"handling": posts[0][1]}
        else:
            continue
        connection.execute(sa.update(_THREAD).where(_THREAD.c.id == thread).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("message_thread") as batch:
        batch.drop_column("to_users")
        batch.drop_column("handling")
