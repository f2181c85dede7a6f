"""The node's secret: the key outside the database that seals stored secrets and from which the
audit chain's and the node's signing keys are derived."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from liaison.access.sealing import Sealer, key_file, read_key
from liaison.errors import Unavailable
from liaison.settings import Settings

__all__ = ["beside_store", "node_secret"]


def beside_store(database_url: str) -> Path | None:
    """`<file>.key` beside an SQLite store's file; other stores have no default place for a key."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).with_name(Path(url.database).name + ".key")


def node_secret(settings: Settings, create: bool = True) -> Sealer:
    """The configured secret: LIAISON_SECRET_KEY, else the key file (made when missing and `create`)."""
    if settings.secret_key is not None:
        return read_key(settings.secret_key.get_secret_value(), "LIAISON_SECRET_KEY")
    path = settings.secret_key_file or beside_store(settings.database_url)
    if path is None:
        raise Unavailable(
            "this node has no secret kept outside the database: set LIAISON_SECRET_KEY "
            "(e.g. `openssl rand -base64 32`) or LIAISON_SECRET_KEY_FILE"
        )
    return key_file(path, create)
