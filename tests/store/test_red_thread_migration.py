"""Migration 0019 on both backends: threads written before it get their handling code, and a
thread becomes RED only if every message in it is RED, named to those messages' senders and users.

Strategy: step back one revision, write three threads as the earlier schema held them, step up
again and list them as a user of the thread's agencies whom no RED message named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

import liaison.store
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.messaging import messages
from liaison.store.tables import MessageRow, ThreadParticipantRow, UtcDateTime

NOW = dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC)
_OLD_THREAD = sa.table(
    "message_thread",
    sa.column("id", sa.String),
    sa.column("subject", sa.String),
    sa.column("created_by", sa.String),
    sa.column("created_at", UtcDateTime()),
    sa.column("updated_at", UtcDateTime()),
)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(liaison.store.__file__).parent / "migrations"))
    return config


def test_threads_of_red_messages_alone_become_red_threads(engine: Engine, agency: Agency) -> None:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    for user, code in (("alice", "NCB-FR"), ("carmen", "NCB-ES"), ("bea", "NCB-ES")):
        access.add_user(engine, Identity.operator(), user, code, Role.ANALYST, NOW)
    posts = {  # thread: (sender, handling, named), oldest first
        "all-red": [("alice", "RED", "|carmen|"), ("carmen", "RED", "|alice|")],
        "red-then-amber": [("alice", "RED", "|carmen|"), ("carmen", "AMBER", "|")],
        "green": [("alice", "GREEN", "|")],
    }
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")  # as written before threads had a handling code
        for thread, thread_posts in posts.items():
            connection.execute(
                _OLD_THREAD.insert().values(
                    id=thread, subject=thread, created_by="alice", created_at=NOW, updated_at=NOW
                )
            )
            for code in ("NCB-ES", "NCB-FR"):
                connection.execute(ThreadParticipantRow.__table__.insert().values(thread=thread, agency=code))
            for number, (sender, handling, named) in enumerate(thread_posts):
                connection.execute(
                    MessageRow.__table__.insert().values(
                        id=f"{thread}-{number}",
                        thread=thread,
                        sender=sender,
                        sender_agency="NCB-FR" if sender == "alice" else "NCB-ES",
                        priority="routine",
                        handling=handling,
                        to_users=named,
                        body="b",
                        entity_refs=[],
                        reply_to=None,
                        created_at=NOW + dt.timedelta(minutes=number),
                    )
                )
        command.upgrade(config, "head")
    found = {t.subject: t for t in messages.list_threads(engine, access.identity_of(engine, "carmen"))[0]}
    assert {subject: (t.handling, t.to_users) for subject, t in found.items()} == {
        "all-red": ("RED", ("carmen",)),
        "red-then-amber": ("AMBER", ()),
        "green": ("GREEN", ()),
    }
    shown = {t.subject for t in messages.list_threads(engine, access.identity_of(engine, "bea"))[0]}
    assert shown == {"red-then-amber", "green"}
