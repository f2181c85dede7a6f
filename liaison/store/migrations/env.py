"""Alembic environment: runs on the connection Liaison hands over (see liaison.store.db.migrate)."""

from alembic import context

from liaison.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
