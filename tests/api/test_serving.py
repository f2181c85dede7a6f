"""`liaison serve` with several workers: one TCP socket shared, requests answered, state shared."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from liaison import store
from liaison.api.serving import _tcp_socket
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies


def test_the_shared_socket_says_tcp_so_connections_get_nodelay() -> None:
    # asyncio sets TCP_NODELAY on accepted connections only when the listener says IPPROTO_TCP;
    # uvicorn's own multi-worker socket says 0, which cost ~40 ms per keep-alive request.
    sock = _tcp_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def _initialised(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """The `liaison` command and an environment naming a fresh, initialised store."""
    env = {**os.environ, "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    liaison = str(Path(sys.executable).parent / "liaison")
    subprocess.run([liaison, "init"], env=env, check=True, capture_output=True)
    return liaison, env


def test_two_workers_serve_on_one_port(tmp_path: Path) -> None:
    liaison, env = _initialised(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [liaison, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        answered = None
        for _ in range(900):  # up to ~90 s: two workers start slowly on a busy machine
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answered is not None and answered.json()["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_port_in_use_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    liaison, env = _initialised(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = subprocess.run(
            [liaison, "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=120
        )
    assert refused.returncode == 7
    assert "serving sqlite:///" in refused.stdout and "0 agencies" in refused.stdout
    assert f"127.0.0.1:{port} is already in use" in refused.stderr and "--port" in refused.stderr
    assert "Traceback" not in refused.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answering(url: str) -> None:
    for _ in range(900):  # up to ~90 s on a busy machine; a second or two on an idle one
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_failed_logins_on_one_server_count_on_another(tmp_path: Path) -> None:
    # Two servers over one store, as the workers of `liaison serve --workers 2` are, but each on
    # its own port so that the test chooses which one answers.
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = store.open_engine(url)
    store.migrate(engine)
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), Identity.operator())
    password = "correct horse battery"
    now = dt.datetime.now(dt.UTC)
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, now, password=password)
    engine.dispose()
    env = {**os.environ, "LIAISON_DATABASE_URL": url, "LIAISON_LOGIN_FAILURES_PER_ACCOUNT": "3"}
    liaison = str(Path(sys.executable).parent / "liaison")
    servers, urls = [], []
    for number in (1, 2):
        port = _free_port()
        log = (tmp_path / f"server{number}.log").open("wb")
        servers.append(
            subprocess.Popen(
                [liaison, "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for served in urls:
            _answering(served)
        first, second = urls
        for served in (first, second, first):
            wrong = httpx.post(f"{served}/api/v1/session", json={"user": "alice", "password": "guess"})
            assert wrong.status_code == 401
        for served in (second, first):
            refused = httpx.post(f"{served}/api/v1/session", json={"user": "alice", "password": password})
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
