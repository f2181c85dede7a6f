"""Page timings: the web application's main pages rendered server-side on the demo world.

Run with `python bench/pages.py` (option `--repeat 30`). Loads the demo world into a fresh
SQLite store (or uses `--database URL` as it is), builds the application in process, logs in
through the login form as the demo analyst alice, and times each page over `--repeat` requests
after one warm-up: search (a name and a purpose), an entity page (properties, relations,
explained matches, readers) of an agency's record and of an OFAC entry, the network view and
its graph data, the dashboard, screening a name and the review queue. Times are server-side
(the ASGI call, no network or browser), the target being 300 ms for the search, entity and
network pages; the ratio column is the p95 against that budget. Every search, read and graph
is audited as in real use, so the audit chain grows while this runs.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET_MS = 300.0
"""What a page may take server-side on the demo world."""
USER = "alice"


def _prepare(database: str | None) -> str:
    if database is not None:
        return database
    url = f"sqlite:///{tempfile.mkdtemp(prefix='liaison-pages-')}/liaison.db"
    env = {**os.environ, "LIAISON_DATABASE_URL": url}
    liaison = str(Path(sys.executable).with_name("liaison"))
    for command in (["init"], ["demo"], ["xref", "ncb_es_trafficking", "ncb_ua_trafficking"]):
        subprocess.run([liaison, *command], env=env, check=True, capture_output=True)
    return url


def main() -> None:
    """Time each page and print a table with the p95 against the budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default=None, help="A demo store to use instead of a fresh one.")
    options = parser.parse_args()
    url = _prepare(options.database)

    from fastapi.testclient import TestClient

    from liaison.api.app import create_app
    from liaison.demo.world import DEMO_PASSWORD
    from liaison.settings import Settings

    entity = "f489fde47d00d5431d4176d4d0e7c4766cef44a3"  # Karim BENALI of NCB-FR's demo case
    pages = {
        "search": ("/app/search", {"q": "Natalia Petrenko", "purpose": "bench"}, True),
        "entity": (f"/app/entities/{entity}", {"purpose": "bench"}, True),
        # An entry of the 43,000-record OFAC list: its neighbourhood comes from the reference index.
        "entity (OFAC entry)": ("/app/entities/ofac-2674", {"purpose": "bench"}, True),
        "network": ("/app/network", {"entity": entity, "hops": "2"}, True),
        "network graph.json": ("/app/network/graph.json", {"entity": entity, "hops": "2"}, True),
        "dashboard": ("/app", {}, False),
        "screen a name": ("/app/screen", {"name": "Dmitrii Volkov", "purpose": "bench"}, False),
        "review queue": ("/app/review", {}, False),
    }
    settings = Settings(database_url=url, cookie_secure=False, rate_per_second=10_000, rate_burst=10_000)
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        form = client.get("/app/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        client.post("/app/login", data={"user": USER, "password": DEMO_PASSWORD, "csrf": csrf.group(1)})
        print(f"{'page':20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/budget':>11}")
        for name, (path, params, budgeted) in pages.items():
            answer = client.get(path, params=params)
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {answer.status_code}")
            times = []
            for _ in range(options.repeat):
                start = time.perf_counter()
                client.get(path, params=params)
                times.append((time.perf_counter() - start) * 1_000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            ratio = f"{p95 / BUDGET_MS:.2f}" if budgeted else "-"
            print(f"{name:20} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {ratio:>11}")


if __name__ == "__main__":
    main()
