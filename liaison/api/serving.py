"""Serving the application with uvicorn, on one process or several sharing one socket.

uvicorn's own multi-worker mode binds its socket with protocol 0; connections accepted from it
then lack TCP_NODELAY (asyncio sets it only on sockets that say IPPROTO_TCP), and every
keep-alive request after the first waited ~40 ms on the client's delayed ACK (uvicorn issue
#3149, measured here: 44 ms per request with two workers, 0.7 ms with one). So the socket is
bound here, as TCP, and handed to uvicorn's supervisor.
"""

from __future__ import annotations

import errno
import logging
import socket

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from liaison.api.app import create_app
from liaison.errors import Unavailable
from liaison.settings import Settings

__all__ = ["from_environment", "serve"]


def from_environment() -> FastAPI:
    """The application for each worker, its settings read from `LIAISON_*` as `liaison serve` does."""
    # No access log: every request that reads or changes anything is in the audit trail, and a
    # log line per request cost CPU at load. uvicorn's `access_log=False` does not reach the
    # workers it starts itself, so each worker turns the logger off here.
    logging.getLogger("uvicorn.access").disabled = True
    return create_app(Settings())


def _tcp_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise Unavailable(
                f"{host}:{port} is already in use, by another Liaison or another server: stop it, "
                "or serve on another port (--port, or LIAISON_PORT)"
            ) from exc
        raise Unavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def serve(host: str, port: int, workers: int) -> None:
    """Serve until interrupted; with several workers, each is a process with its own index."""
    config = uvicorn.Config(
        "liaison.api.serving:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
    sock = _tcp_socket(host, port)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
