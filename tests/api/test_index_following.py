"""Every server's matching index follows the store: what another process commits is screened.

Strategy: two `liaison serve` processes over one small SQLite store; the CLI, a third process,
imports a new person, and one server deletes her again. The requirement is 2 s from commit to
screening; the test polls with a generous deadline, so that a loaded machine does not fail it,
and prints the lag it measured (bench/index_lag.py measures it). Starting servers costs most of
the test's time, so PostgreSQL's feed is tested in one process (tests/services/test_live_index.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from liaison import store
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity
from liaison.services.accounts import agencies
from liaison.services.sharing.imports import import_records

KEY = "index-following-test-key"
DEADLINE = 30.0
"""Seconds a change may take to be screened before the test fails: far above the 2 s required."""
PETRENKO = {"schema": "Person", "properties": {"name": ["Natalia Petrenko"], "birthDate": ["1984-05-17"]}}
LIAISON = str(Path(sys.executable).with_name("liaison"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _store(url: str) -> None:
    """One agency and one list holding one person, so that the servers start with an index."""
    engine = store.open_engine(url)
    store.migrate(engine)
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), Identity.operator())
    now = dt.datetime.now(dt.UTC)
    proxy = entity_from_dict(
        {"id": "w-sokolov", "schema": "Person", "properties": {"name": ["Ivan Sokolov"]}}, "test", "1"
    )
    envelope = Envelope("NCB-FR", "watchlist", Handling.CLEAR, "screening", dt.date(now.year + 1, 1, 1))
    import_records(
        engine, [Record(proxy, "1")], envelope=envelope, title="Watchlist", kind="ftm", source="t", now=now
    )
    engine.dispose()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Two servers over a fresh small store, and the environment a CLI needs to reach that store."""
    database_url = f"sqlite:///{tmp_path / 'liaison.db'}"
    _store(database_url)
    env = {**os.environ, "LIAISON_DATABASE_URL": database_url, "LIAISON_API_KEY": KEY}
    started, urls = [], []
    for number in (1, 2):
        port = _free_port()
        log = (tmp_path / f"server{number}.log").open("wb")
        started.append(
            subprocess.Popen(
                [LIAISON, "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            _until(partial(_ready, url), 90, f"{url} never became ready")
        yield urls, env
    finally:
        for server in started:
            server.terminate()
        for server in started:
            server.wait(timeout=20)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _until(check: Callable[[], bool], seconds: float, failure: str) -> float:
    """Poll `check` until it holds; the seconds it took, or the test fails after `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(failure)


def _found(url: str, dataset: str = "default") -> set[str]:
    answer = httpx.post(
        f"{url}/match/{dataset}",
        json={"queries": {"q": PETRENKO}},
        headers={"Authorization": f"ApiKey {KEY}"},
        timeout=10,
    )
    if answer.status_code == 404:  # a dataset the index does not know yet
        return set()
    answer.raise_for_status()
    return {result["id"] for result in answer.json()["responses"]["q"]["results"]}


def _screens(url: str, expected: set[str]) -> bool:
    return _found(url) == expected


def _caught_up(url: str) -> bool:
    return bool(_index(url)["behind"] == 0)


def _index(url: str) -> dict[str, Any]:
    health = httpx.get(f"{url}/api/v1/health", timeout=10).json()
    index: dict[str, Any] = health["index"]
    return index


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([LIAISON, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_what_the_cli_imports_and_another_server_deletes_every_server_screens(
    servers: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    urls, env = servers
    for url in urls:
        assert _found(url) == set()
        assert _index(url)["behind"] == 0
    listed = tmp_path / "new_list.ftm.json"
    listed.write_text(json.dumps({"id": "n-petrenko", **PETRENKO}) + "\n")
    _cli(
        env,
        "import",
        "ftm",
        str(listed),
        "--dataset",
        "new_list",
        "--agency",
        "NCB-FR",
        "--handling",
        "CLEAR",
    )
    lags = [
        _until(partial(_screens, url, {"n-petrenko"}), DEADLINE, f"{url} never screened it") for url in urls
    ]
    print(f"import screened {', '.join(f'{lag:.2f}' for lag in lags)} s after the CLI returned")
    for url in urls:
        # The new dataset is known by name too, and the index reports itself caught up.
        assert _found(url, "new_list") == {"n-petrenko"}
        _until(partial(_caught_up, url), DEADLINE, f"{url} stayed behind")
        index = _index(url)
        assert index["lag_seconds"] == 0 and index["version"] > 0
    first, second = urls
    deleted = httpx.delete(
        f"{first}/api/v1/datasets/new_list/entities/n-petrenko",
        headers={"Authorization": f"ApiKey {KEY}"},
        timeout=10,
    )
    assert deleted.status_code == 204
    for url in (second, first):
        _until(partial(_screens, url, set()), DEADLINE, f"{url} still screens a deleted record")
        _until(partial(_caught_up, url), DEADLINE, f"{url} stayed behind")
