"""Import benchmark: generated FtM entities and the real lists into SQLite and PostgreSQL.

Run with `make bench` (or `python bench/import.py --sizes 25000,100000`). Each import runs in its
own process so its peak memory (max RSS) is its own; a streaming importer's peak stays flat as
the file grows. The reference is followthemoney's own streaming parse of the same file
(`model.get_proxy` per line, as `ftm` commands read), which stores nothing: the ratio shows
what validation and the database cost on top of reading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT / "data"
REAL_LISTS = (
    ("un-xml", SHARED / "watchlists/un/un_consolidated_2026-02-27.xml.gz"),
    ("ofac", SHARED / "watchlists/ofac_sdn_2024/sdn.csv.gz"),
    ("uk", SHARED / "watchlists/uk"),
)
GIVEN = [
    "Ali",
    "Maria",
    "Oleksandr",
    "Chen",
    "Fatima",
    "John",
    "Aisha",
    "Ivan",
    "Li",
    "Carlos",
    "Amina",
    "Pierre",
]
FAMILY = ["Hassan", "Petrenko", "Wang", "Okafor", "Garcia", "Smith", "Ivanova", "Nguyen", "Dubois", "Khan"]
COUNTRIES = ["fr", "es", "ua", "ng", "cn", "ru", "ir", "th", "br", "de", "tr", "ae"]


def generate(path: Path, count: int, seed: int = 1) -> None:
    """Write `count` FtM entities: persons, companies and ownerships between them."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for index in range(count):
            kind = index % 10
            if kind < 6:
                data = {
                    "id": f"bench-p{index}",
                    "schema": "Person",
                    "properties": {
                        "name": [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {index}"],
                        "birthDate": [
                            f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                        ],
                        "nationality": [rng.choice(COUNTRIES)],
                        "passportNumber": [f"P{rng.randint(10**7, 10**8 - 1)}"],
                    },
                }
            elif kind < 9:
                data = {
                    "id": f"bench-c{index}",
                    "schema": "Company",
                    "properties": {
                        "name": [f"{rng.choice(FAMILY)} Trading {index} LLC"],
                        "jurisdiction": [rng.choice(COUNTRIES)],
                        "incorporationDate": [str(rng.randint(1990, 2024))],
                        "registrationNumber": [str(rng.randint(10**6, 10**7))],
                    },
                }
            else:
                data = {
                    "id": f"bench-o{index}",
                    "schema": "Ownership",
                    "properties": {
                        "owner": [f"bench-p{index - 9}"],
                        "asset": [f"bench-c{index - 1}"],
                        "percentage": ["51"],
                    },
                }
            handle.write(orjson.dumps(data) + b"\n")


def run_one(kind: str, path: str, url: str) -> dict[str, float]:
    """Import one source into a fresh store in this process; return records, seconds and peak RSS."""
    from liaison import ingest, store
    from liaison.model import Agency, AgencyKind, Envelope, Handling
    from liaison.services.accounts.agencies import register
    from liaison.services.sharing.imports import import_records

    engine = store.open_engine(url)
    store.migrate(engine)
    register(engine, Agency("BENCH", "Benchmark agency", "FR", AgencyKind.NCB))
    now = dt.datetime.now(dt.UTC)
    envelope = Envelope("BENCH", "bench", Handling.GREEN, "benchmark", now.date())
    start = time.perf_counter()
    result = import_records(
        engine,
        ingest.read(kind, Path(path)),
        envelope=envelope,
        title="bench",
        kind=kind,
        source=path,
        now=now,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"records": result.records, "seconds": seconds, "peak_mb": peak}


def run_reference(path: str) -> dict[str, float]:
    """followthemoney's own streaming parse of an FtM file, storing nothing."""
    from followthemoney import model

    start = time.perf_counter()
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            model.get_proxy(orjson.loads(line))
            count += 1
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"records": count, "seconds": seconds, "peak_mb": peak}


def in_process(*args: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter, so peak memory is that run's alone."""
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="25000,100000,400000",
        help="Comma-separated sizes of the generated FtM files; peak memory should stay flat across them.",
    )
    parser.add_argument("--no-postgres", action="store_true", help="Measure SQLite only.")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "PATH", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--reference", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    if args.reference:
        print(json.dumps(run_reference(args.reference)))
        return

    from tests.postgres import find_bindir, running_cluster

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="liaison-bench-")))
        sizes = sorted({int(size) for size in args.sizes.split(",")})
        files = {}
        for size in sizes:
            files[size] = work / f"generated-{size}.ftm.json"
            generate(files[size], size)
        backends: list[tuple[str, object]] = [("sqlite", None)]
        bindir = None if args.no_postgres else find_bindir()
        if bindir is not None:
            backends.append(("postgresql", stack.enter_context(running_cluster(bindir))))
        print(_line("source", "backend", "records", "seconds", "entities/s", "peak MB", "vs ftm parse"))
        for size in sizes:
            reference = in_process("--reference", str(files[size]))
            rate = reference["records"] / reference["seconds"]
            print(_measured(f"generated {size:,}", "ftm parse", reference, "1.00"))
            for name, cluster in backends:
                result = in_process(
                    "--one", "ftm", str(files[size]), _fresh_url(name, cluster, work, f"gen{size}")
                )
                ours = result["records"] / result["seconds"]
                print(_measured("", name, result, f"{ours / rate:.2f}"))
        for kind, path in REAL_LISTS:
            for name, cluster in backends:
                result = in_process(
                    "--one", kind, str(path), _fresh_url(name, cluster, work, kind.replace("-", ""))
                )
                print(_measured(f"{kind} {path.name}"[:27], name, result, "-"))


def _line(*cells: str) -> str:
    source, backend, *numbers = cells
    widths = (10, 9, 12, 9, 14)
    return f"{source:<28}{backend:<12}" + "".join(
        f"{cell:>{width}}" for cell, width in zip(numbers, widths, strict=True)
    )


def _measured(source: str, backend: str, result: dict[str, float], ratio: str) -> str:
    rate = result["records"] / result["seconds"]
    return _line(
        source,
        backend,
        f"{result['records']:,.0f}",
        f"{result['seconds']:.2f}",
        f"{rate:,.0f}",
        f"{result['peak_mb']:.0f}",
        ratio,
    )


def _fresh_url(backend: str, cluster: object, work: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / (name + '.db')}"
    from sqlalchemy import create_engine, text

    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return cluster.url(name)  # type: ignore[attr-defined, no-any-return]


if __name__ == "__main__":
    main()
