"""Indicator correlation at scale: Liaison's observable index against a pairwise table of the MISP kind.

Run with `python bench/ioc.py` (options `--indicators 1000000 --agencies 50 --seed 3`).
Generates indicators as 50 agencies would hold them: IP addresses, domains, URLs, hashes and
e-mail addresses, most seen once, a fifth drawn from a shared pool of 5,000 values that many
agencies hold (botnet C2 addresses, phishing domains). Each indicator is a record of its agency.

Liaison: the records' observables are written through the store's own path (`write_observables`
on FtM entities, into the migrated `observable` table of a fresh SQLite store), then who else
holds a value is asked for a sample of values (`holdings`, as `liaison correlate` does). The
baseline stores what MISP's correlation table stores: on every new attribute, one row for each
earlier attribute with the same value, in a table indexed both ways. Both are timed at growing
sizes; rows stored and database size are reported for each, and the pairwise table is built only
while it stays under `--pair-cap` rows (its exact size is counted beyond that).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED_POOL = 5_000
SHARED_SHARE = 0.2
BATCH = 5_000
LOOKUPS = 2_000
# The FtM schema and property a record of each kind of indicator carries it in.
CARRIER = {
    "ip": ("UserAccount", "ipAddress"),
    "email": ("UserAccount", "email"),
    "url": ("LegalEntity", "website"),
}


def _value(rng: random.Random, number: int) -> tuple[str, str]:
    """An indicator value of a kind drawn by the number: the same number, the same value."""
    kind = ("ip", "ip", "url", "email", "ip")[number % 5]
    if kind == "ip":
        return (
            kind,
            f"{11 + number % 200}.{(number // 200) % 256}.{(number // 51_200) % 256}.{number % 251 + 1}",
        )
    if kind == "url":
        return kind, f"https://login-{number}.example/verify?id={number % 997}"
    return kind, f"support{number}@mail{number % 311}.example"


def indicators(count: int, agencies: int, seed: int) -> list[tuple[int, str, str]]:
    """(agency, kind, value) for `count` indicators, a fifth of them from the shared pool."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        shared = rng.random() < SHARED_SHARE
        key = rng.randrange(SHARED_POOL) if shared else SHARED_POOL + number
        kind, value = _value(rng, key)
        made.append((rng.randrange(agencies), kind, value))
    return made


def _liaison(made: list[tuple[int, str, str]], folder: Path) -> tuple[float, int, int, list[float]]:
    """Index the indicators as records' observables; (seconds, rows, bytes, lookup seconds)."""
    from followthemoney import model
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from liaison import store
    from liaison.model.observables import guess_observable
    from liaison.store.observables import holdings, write_observables
    from liaison.store.tables import ObservableRow

    url = f"sqlite:///{folder / 'liaison.db'}"
    engine = store.open_engine(url)
    store.migrate(engine)
    began = time.perf_counter()
    for start in range(0, len(made), BATCH):
        proxies = []
        for number, (agency, kind, value) in enumerate(made[start : start + BATCH], start=start):
            schema, prop = CARRIER[kind]
            proxy = model.make_entity(schema)
            proxy.id = f"ind-{number}"
            proxy.add(prop, value)
            proxies.append((agency, proxy))
        with Session(engine) as session, session.begin():
            connection = session.connection()
            for agency in sorted({agency for agency, _proxy in proxies}):
                mine = [proxy for owner, proxy in proxies if owner == agency]
                write_observables(connection, f"agency_{agency:02d}", mine, run_id=1)
    elapsed = time.perf_counter() - began
    with Session(engine) as session:
        rows = session.scalar(select(func.count()).select_from(ObservableRow)) or 0
    rng = random.Random(11)
    latencies = []
    with Session(engine) as session:
        for _ in range(LOOKUPS):
            _agency, _kind, value = made[rng.randrange(len(made))]
            observable = guess_observable(value)
            asked = time.perf_counter()
            holdings(session, [observable], 200)
            latencies.append(time.perf_counter() - asked)
    engine.dispose()
    return elapsed, rows, (folder / "liaison.db").stat().st_size, latencies


def _pairwise(made: list[tuple[int, str, str]], folder: Path) -> tuple[float, int, int]:
    """MISP's way: each new attribute correlates with every earlier one of the same value."""
    path = folder / "pairwise.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE attribute (id INTEGER PRIMARY KEY, agency INTEGER, value TEXT);"
        "CREATE INDEX ix_attribute_value ON attribute (value);"
        "CREATE TABLE correlation (attribute_id INTEGER, other_id INTEGER, other_agency INTEGER);"
        "CREATE INDEX ix_correlation_attribute ON correlation (attribute_id);"
        "CREATE INDEX ix_correlation_other ON correlation (other_id);"
    )
    began = time.perf_counter()
    for start in range(0, len(made), BATCH):
        with connection:
            for number, (agency, _kind, value) in enumerate(made[start : start + BATCH], start=start):
                earlier = connection.execute(
                    "SELECT id, agency FROM attribute WHERE value = ?", (value,)
                ).fetchall()
                connection.execute("INSERT INTO attribute VALUES (?, ?, ?)", (number, agency, value))
                connection.executemany(
                    "INSERT INTO correlation VALUES (?, ?, ?)",
                    [(number, other, owner) for other, owner in earlier],
                )
    elapsed = time.perf_counter() - began
    (rows,) = connection.execute("SELECT count(*) FROM correlation").fetchone()
    connection.close()
    return elapsed, rows, path.stat().st_size


def _pairs(made: list[tuple[int, str, str]]) -> int:
    counts = collections.Counter(value for _agency, _kind, value in made)
    return sum(count * (count - 1) // 2 for count in counts.values())


def main() -> None:
    """Index growing prefixes of the indicators both ways and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--pair-cap", type=int, default=5_000_000)
    options = parser.parse_args()
    made = indicators(options.indicators, options.agencies, options.seed)
    total = options.indicators
    sizes = sorted({max(total // 8, 1), max(total // 4, 1), total // 2, total})
    print(
        f"{options.indicators:,} indicators, {options.agencies} agencies, {SHARED_SHARE:.0%} from a pool "
        f"of {SHARED_POOL:,} shared values; machine: {os.cpu_count()} cores"
    )
    print(
        f"{'indicators':>10} {'liaison s':>10} {'rows':>10} {'MB':>6} {'lookup p50 ms':>14} {'p99 ms':>7} "
        f"{'pairwise s':>11} {'pair rows':>11} {'MB':>6} {'rows ratio':>11}"
    )
    for size in sizes:
        prefix = made[:size]
        with tempfile.TemporaryDirectory(prefix="liaison-ioc-") as folder:
            elapsed, rows, size_bytes, latencies = _liaison(prefix, Path(folder))
            pairs = _pairs(prefix)
            if pairs <= options.pair_cap:
                pair_seconds, built, pair_bytes = _pairwise(prefix, Path(folder))
                assert built == pairs, (built, pairs)
                pair_text = f"{pair_seconds:11.1f} {pairs:11,} {pair_bytes / 1e6:6.0f}"
            else:
                pair_text = f"{'not built':>11} {pairs:11,} {'':>6}"
        latencies.sort()
        p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"{size:>10,} {elapsed:10.1f} {rows:10,} {size_bytes / 1e6:6.0f} {p50 * 1e3:14.2f} "
            f"{p99 * 1e3:7.2f} {pair_text} {pairs / max(rows, 1):11.2f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MiB (the indicators, generated up front, included)")


if __name__ == "__main__":
    main()
