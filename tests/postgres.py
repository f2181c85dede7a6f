"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, on a free local port.

PostgreSQL refuses to run as root, so under root (as in CI) the cluster runs as the
`postgres` user. Without PostgreSQL installed, the caller skips, unless
LIAISON_REQUIRE_POSTGRES=1, when it fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cluster", "find_bindir", "running_cluster"]


@dataclass(frozen=True)
class Cluster:
    """A running cluster: connect as user `liaison` over TCP on 127.0.0.1:port."""

    port: int

    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://liaison@127.0.0.1:{self.port}/{database}"


def find_bindir() -> Path | None:
    """The folder of initdb and pg_ctl, preferring the newest installed major version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def running_cluster(bindir: Path) -> Iterator[Cluster]:
    """Start a cluster for the duration of the block, then stop it and delete its files."""
    root = Path(tempfile.mkdtemp(prefix="liaison-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True}
    try:
        subprocess.run(
            _as_postgres(
                [str(bindir / "initdb"), "-D", str(data), "-U", "liaison", "--auth=trust", "-E", "UTF8"]
            ),
            **run,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-w",
                    "-l",
                    str(root / "log"),
                    "start",
                ]
            ),
            **run,
        )
        try:
            yield Cluster(port)
        finally:
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), **run
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
