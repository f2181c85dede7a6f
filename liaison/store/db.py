"""Opening the store: engine, connection settings per database, and migrations to the latest schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from liaison.errors import BadInput, Conflict, Unavailable

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["head_revision", "is_current", "migrate", "open_engine", "reading"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def open_engine(url: str) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL, with JSON through orjson for speed."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BadInput(f"LIAISON_DATABASE_URL: not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BadInput(f"LIAISON_DATABASE_URL: unsupported database {backend!r}; use sqlite or postgresql")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # PostgreSQL keeps up to 20 connections open per process: FastAPI runs up to 40 requests at
    # once in threads, and connections beyond a smaller pool were opened and closed per burst,
    # each a new backend process, which showed as latency spikes under load.
    pool = {"pool_size": 20, "max_overflow": 20} if backend == "postgresql" else {}
    engine = create_engine(parsed, json_serializer=_dumps, json_deserializer=orjson.loads, **pool)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def reading(engine: Engine) -> Engine:
    """The engine for transactions that only read, each from one snapshot of the store.

    On SQLite they neither take nor wait for the write lock (WAL lets them read while an import
    writes); on PostgreSQL they are REPEATABLE READ, so that every statement sees what the first
    saw (a read-only transaction there never fails to serialise).
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine.execution_options(**{_READ_ONLY: True})


_READ_ONLY = "liaison_read_only"


def _sqlite_begin(connection: Any) -> None:
    # Nearly every transaction writes (an audit event at least). A deferred transaction that
    # read first cannot take the write lock while another writer holds it and fails at once;
    # an immediate one takes it at the start and waits its turn (busy_timeout), in any process.
    # Readers that never write (`reading`) begin deferred, and so wait for no writer.
    deferred = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while an import writes; NORMAL sync is safe under WAL.
    # The driver's own BEGIN is turned off: `_sqlite_begin` emits BEGIN IMMEDIATE instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache keeps the entity indexes in memory during large imports (about 15%
    # faster at 100,000 entities); it is a fixed ceiling, not growth with the file.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the store's tables to the latest migration.

    A database that already holds tables but none of Liaison's migrations is another program's:
    it is refused, not filled with Liaison's tables beside its own.
    """
    from alembic import command

    config = _alembic_config()
    try:
        with engine.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            if tables and "alembic_version" not in tables:
                shown = ", ".join(sorted(tables)[:5])
                raise Conflict(
                    f"database {_shown(engine)} is not Liaison's: it holds other tables ({shown}); "
                    "give Liaison an empty database"
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DatabaseError as exc:
        raise _unavailable(engine, exc) from exc


def head_revision() -> str:
    """The latest migration: the versions are numbered in order, each file named by its revision."""
    return max(path.name.split("_", 1)[0] for path in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def is_current(engine: Engine) -> bool:
    """Whether the database is at the latest migration (so reads and imports may proceed).

    Every command asks this, so it is read without Alembic, whose scripts take most of a second
    of CPU to load: the revision the database records against the newest migration file.
    """
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DatabaseError as exc:
        raise _unavailable(engine, exc) from exc
    return found == [head_revision()]


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string()  # the password, if any, is masked


def _unavailable(engine: Engine, exc: DatabaseError) -> Unavailable:
    if isinstance(exc, OperationalError):  # cannot connect, locked, no such file or server
        return Unavailable(f"database {_shown(engine)}: {exc.orig}")
    # "file is not a database", a damaged page: what a user can do about it, not a traceback.
    remedy = (
        "move the file away (`make clean` removes ./liaison.db and the environment) or point "
        "LIAISON_DATABASE_URL elsewhere"
        if engine.dialect.name == "sqlite"
        else "check LIAISON_DATABASE_URL names a Liaison database"
    )
    return Unavailable(f"database {_shown(engine)} cannot be read ({exc.orig}): {remedy}")
