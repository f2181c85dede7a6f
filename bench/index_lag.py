"""Index lag benchmark: how soon a running server screens what another process committed.

Run with `python bench/index_lag.py` (options: `--rounds 20`). A fresh SQLite store holds the UN
consolidated list; `liaison serve` runs over it. Then, while it runs, another process (the CLI,
`liaison import ftm`) imports one new person at a time, and the benchmark polls `/match` every
20 ms until the server finds her: the lag from the CLI's exit (its commit) to screening, against
the 2 s required. Then the CLI imports the whole OFAC SDN 2024 list (43,474 records) and the lag
until a listed OFAC name is screened is set beside the reference: what the server did before it
followed the store, a restart, timed from start to the first answer that finds the same name.
Last, the server's CPU while idle for 10 s: what polling the change feed costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UN = ROOT / "data/watchlists/un/un_consolidated_2026-02-27.xml.gz"
OFAC = ROOT / "data/watchlists/ofac_sdn_2024/sdn.csv.gz"
OFAC_NAME = {"schema": "Organization", "properties": {"name": ["AEROCARIBBEAN AIRLINES"]}}
"""The first entry of the SDN list: found once the list is in the index."""
LIAISON = str(Path(sys.executable).with_name("liaison"))
KEY = "index-lag-bench-key"
REQUIRED = 2.0
POLL = 0.02
IDLE_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(check: Callable[[], bool], seconds: float) -> float:
    """Poll `check` every POLL seconds until it holds; the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise SystemExit(f"not seen within {seconds:.0f} s")
        time.sleep(POLL)
    return time.monotonic() - started


def _finds(url: str, query: dict[str, object], entity_id: str | None = None) -> bool:
    try:
        answer = httpx.post(
            f"{url}/match/default",
            json={"queries": {"q": query}},
            headers={"Authorization": f"ApiKey {KEY}"},
            timeout=30,
        )
    except httpx.TransportError:
        return False
    if answer.status_code != 200:
        return False
    results = answer.json()["responses"]["q"]["results"]
    return any(entity_id is None or result["id"] == entity_id for result in results)


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([LIAISON, *args], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"liaison {' '.join(args)}: {done.stdout}{done.stderr}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`liaison serve` over the store, stopped on exit; `started` is when it was launched."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self._log = log.open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [LIAISON, "serve", "--port", self.url.rsplit(":", 1)[1]],
            env=env,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,
        )

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="liaison-lag-") as work_dir:
        work = Path(work_dir)
        env = {
            **os.environ,
            "LIAISON_DATABASE_URL": f"sqlite:///{work / 'liaison.db'}",
            "LIAISON_API_KEY": KEY,
        }
        _cli(env, "init")
        _cli(env, "agency", "add", "BENCH", "--name", "Benchmark agency", "--country", "FR", "--kind", "ncb")
        _cli(env, "import", "un-xml", str(UN), "--dataset", "un", "--agency", "BENCH", "--handling", "CLEAR")
        with Server(env, work / "server.log") as server:
            _until(lambda: _ready(server.url), 300)
            lags = []
            for number in range(rounds):
                entity_id = f"bench-{number}"
                person = {"schema": "Person", "properties": {"name": [f"Oksana Hrytsenko{number:02d}"]}}
                path = work / f"{entity_id}.ftm.json"
                path.write_text(json.dumps({"id": entity_id, **person}) + "\n")
                _cli(
                    env,
                    "import",
                    "ftm",
                    str(path),
                    "--dataset",
                    "news",
                    "--agency",
                    "BENCH",
                    "--handling",
                    "CLEAR",
                )
                lags.append(_until(partial(_finds, server.url, person, entity_id), 60))
            _cli(
                env,
                "import",
                "ofac",
                str(OFAC),
                "--dataset",
                "ofac",
                "--agency",
                "BENCH",
                "--handling",
                "CLEAR",
            )
            whole_list = _until(lambda: _finds(server.url, OFAC_NAME), 300)
            before = _cpu_seconds(server.process.pid)
            time.sleep(IDLE_SECONDS)
            idle = (_cpu_seconds(server.process.pid) - before) / IDLE_SECONDS
        with Server(env, work / "restart.log") as restarted:
            restart = _until(lambda: _finds(restarted.url, OFAC_NAME), 300)
    lags.sort()
    p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))]
    print(f"index lag, {dt.date.today()}: {rounds} one-person imports by the CLI beside a running server")
    print(
        f"  median {statistics.median(lags):.3f} s, p95 {p95:.3f} s, max {lags[-1]:.3f} s"
        f" (required: {REQUIRED} s)"
    )
    print(f"  OFAC SDN 2024 imported beside it: screened {whole_list:.2f} s after the CLI returned")
    print(f"  reference, a restart over the same store: screened {restart:.2f} s after launch")
    print(f"  ratio restart / follow: {restart / whole_list:.1f}")
    print(f"  idle server CPU while following: {idle * 100:.2f}% of a core")
    if lags[-1] > REQUIRED:
        raise SystemExit(f"a change took {lags[-1]:.2f} s to be screened, above {REQUIRED} s")


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


if __name__ == "__main__":
    main()
