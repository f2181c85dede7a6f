"""Seizure trends over a million seizures: Liaison's access-filtered queries, and DuckDB beside them.

Run with `python bench/trends.py` (options `--seizures 1000000 --seed 11`). Imports the real
CITES species index, then generates `--seizures` seizures (60 CITES taxa, 45 countries, 10
commodities, 2000-2021, routes of two to four countries) as two agencies' datasets, one GREEN and
one AMBER, written through the store's own path (an FtM Event record and its seizure row each)
into a fresh SQLite store. Then, as an analyst of a third agency (who reads only the GREEN half)
and as the AMBER owner, it times each trend query five times: by species, by country, by
commodity, one genus's history (all its species), and the route legs. The reference is DuckDB
running the same grouping over the same rows held in memory as columns, with no access filter:
what a columnar engine does with the plain aggregate. Reported: median and worst latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from followthemoney import model  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from liaison import store  # noqa: E402
from liaison.ingest.base import Record  # noqa: E402
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role  # noqa: E402
from liaison.model.seizure import Commodity, SeizureReport  # noqa: E402
from liaison.services.accounts import access, agencies  # noqa: E402
from liaison.services.sharing.imports import write_records  # noqa: E402
from liaison.services.wildlife import seizures  # noqa: E402
from liaison.store.seizures import write_seizures  # noqa: E402
from liaison.store.species import species_named  # noqa: E402


def _words(text: str) -> tuple[str, ...]:
    """A pool of words written as one space-separated string."""
    return tuple(text.split())


SPECIES = (
    "Manis javanica",
    "Manis pentadactyla",
    "Manis gigantea",
    "Manis tricuspis",
    "Manis temminckii",
    "Manis crassicaudata",
    "Loxodonta africana",
    "Elephas maximus",
    "Ceratotherium simum",
    "Diceros bicornis",
    "Panthera tigris",
    "Panthera pardus",
    "Panthera onca",
    "Ursus thibetanus",
    "Pterocarpus santalinus",
    "Dalbergia nigra",
    "Dalbergia cochinchinensis",
    "Aquilaria malaccensis",
    "Psittacus erithacus",
    "Crocodylus niloticus",
    "Python bivittatus",
    "Chelonia mydas",
    "Eretmochelys imbricata",
    "Hippocampus kuda",
    "Totoaba macdonaldi",
    "Acipenser baerii",
    "Saiga tatarica",
    "Moschus moschiferus",
    "Cacatua sulphurea",
    "Geochelone elegans",
)
COUNTRIES = _words(
    "cn vn th my id ph mm la kh in np pk bd lk hk tw sg ng cm cg cd ga ug ke tz mz zw za na bw zm "
    "ao ci gh tg bj ae tr be fr de nl us mx br"
)
COMMODITIES = ("live", "whole", "carcass", "scales", "ivory", "horn", "meat", "skin", "timber", "other")
BATCH = 10_000
RUNS = 5


def generate(count: int, seed: int) -> list[SeizureReport]:
    """`count` seizures, deterministic for the seed: three in five weighed, the rest counted."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        year = rng.randrange(2000, 2022)
        route = tuple(rng.sample(COUNTRIES, rng.randrange(2, 5)))
        weighed = rng.random() < 0.6
        quantity = round(rng.uniform(0.5, 2_000), 1) if weighed else float(rng.randrange(1, 200))
        made.append(
            SeizureReport(
                day=dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
                year=year,
                country=route[-1],
                location="",
                species=rng.choice(SPECIES),
                commodity=Commodity(rng.choice(COMMODITIES)),
                quantity=quantity,
                unit="kg" if weighed else "individuals",
                weight_kg=quantity if weighed else None,
                individuals=None if weighed else quantity,
                concealment="",
                route=route,
            )
        )
    return made


def load(url: str, reports: list[SeizureReport], index: Path) -> tuple[float, dict[str, int]]:
    """The species index and the seizures, half GREEN (WL-KE), half AMBER (WL-TZ); seconds to write."""
    engine = store.open_engine(url)
    store.migrate(engine)
    now = dt.datetime.now(dt.UTC)
    operator = Identity.operator()
    for code in ("WL-KE", "WL-TZ", "NCB-FR"):
        agencies.register(engine, Agency(code, code, code[-2:], AgencyKind.WILDLIFE), operator)
    access.add_user(engine, operator, "owner", "WL-TZ", Role.ANALYST, now)
    access.add_user(engine, operator, "reader", "NCB-FR", Role.ANALYST, now)
    seizures.import_species(engine, operator, index, now)
    with Session(engine) as session:
        taxa = {name: found[0].taxon_id for name, found in species_named(session, SPECIES).items()}
    keyed = {
        name: taxa[__import__("liaison.ingest.cites_species", fromlist=["name_key"]).name_key(name)]
        for name in SPECIES
    }
    began = time.perf_counter()
    half = len(reports) // 2
    for agency, handling, part in (
        ("WL-KE", Handling.GREEN, reports[:half]),
        ("WL-TZ", Handling.AMBER, reports[half:]),
    ):
        dataset = f"{agency.lower().replace('-', '_')}_seizures"
        envelope = Envelope(agency, dataset, handling, "benchmark", now.date().replace(year=now.year + 5))
        with Session(engine) as session, session.begin():
            for start in range(0, len(part), BATCH):
                chunk = part[start : start + BATCH]
                records = []
                for number, report in enumerate(chunk, start=start):
                    proxy = model.make_entity("Event")
                    proxy.id = f"{dataset}-{number}"
                    proxy.add("name", f"Seizure of {report.species}")
                    proxy.add("date", report.day.isoformat() if report.day else None)
                    proxy.add("country", report.country)
                    records.append(Record(proxy, number))
                result = write_records(
                    session,
                    records,
                    envelope=envelope,
                    title=dataset,
                    kind="bench",
                    source="bench",
                    now=now,
                    identity=operator,
                    batch_size=BATCH,
                )
                rows = [
                    (str(record.proxy.id), report, keyed[report.species])
                    for record, report in zip(records, chunk, strict=True)
                ]
                write_seizures(session.connection(), dataset, rows, result.run_id)
    seconds = time.perf_counter() - began
    engine.dispose()
    return seconds, keyed


def _time(call: object) -> list[float]:
    spent = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        spent.append(time.perf_counter() - began)
    return spent


def main() -> None:
    """Generate, load, query, compare."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seizures", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--index",
        type=Path,
        default=ROOT / "data" / "wildlife" / "cites_species_index_2017-04-21.csv.gz",
    )
    args = parser.parse_args()
    reports = generate(args.seizures, args.seed)
    with tempfile.TemporaryDirectory(prefix="liaison-trends-") as folder:
        url = f"sqlite:///{folder}/liaison.db"
        seconds, keyed = load(url, reports, args.index)
        rate = len(reports) / seconds
        print(f"wrote {len(reports):,} seizures (records and seizure rows) in {seconds:.1f} s, {rate:,.0f}/s")
        engine = store.open_engine(url)
        now = dt.datetime.now(dt.UTC)
        results: dict[str, dict[str, list[float]]] = {}
        for user in ("reader", "owner"):
            who = access.identity_of(engine, user)
            queries = {
                "by species": lambda who=who: seizures.trend(
                    engine, who, "species", purpose="bench", now=now
                ),
                "by country": lambda who=who: seizures.trend(
                    engine, who, "country", purpose="bench", now=now
                ),
                "by commodity": lambda who=who: seizures.trend(
                    engine, who, "commodity", purpose="bench", now=now
                ),
                "genus Manis history": lambda who=who: seizures.trend(
                    engine, who, "commodity", species="Manis", purpose="bench", now=now
                ),
                "route legs": lambda who=who: seizures.routes(engine, who, purpose="bench", now=now),
            }
            results[user] = {name: _time(query) for name, query in queries.items()}
        engine.dispose()
    duck = _reference(reports, keyed)
    heads = ("reader p50", "max", "owner p50", "max", "DuckDB p50", "ratio")
    print(f"\n{'query':<20} " + " ".join(f"{head:>11}" for head in heads))
    for name, spent in duck.items():
        reader, owner = results["reader"][name], results["owner"][name]
        ratio = statistics.median(owner) / statistics.median(spent)
        cells = [statistics.median(reader), max(reader), statistics.median(owner), max(owner)]
        shown = " ".join(f"{cell:>10.3f}s" for cell in cells)
        print(f"{name:<20} {shown} {statistics.median(spent):>10.4f}s {ratio:>10.0f}x")


def _reference(reports: list[SeizureReport], keyed: dict[str, int]) -> dict[str, list[float]]:
    """DuckDB's times for the same groupings over the same rows, held in memory as columns."""
    import duckdb
    import pyarrow as pa

    legs = [pair for report in reports for pair in pairwise(report.route)]
    connection = duckdb.connect()
    columns = {
        "year": [report.year for report in reports],
        "taxon": [keyed[report.species] for report in reports],
        "country": [report.country for report in reports],
        "commodity": [report.commodity.value for report in reports],
        "kg": [report.weight_kg for report in reports],
        "ind": [report.individuals for report in reports],
    }
    connection.register("seizure", pa.table(columns))
    connection.register("leg", pa.table({"source": [a for a, _b in legs], "target": [b for _a, b in legs]}))
    manis = ", ".join(str(keyed[name]) for name in SPECIES if name.startswith("Manis"))
    grouped = "SELECT year, {0}, count(*), sum(kg), sum(ind) FROM seizure {1} GROUP BY 1, 2 ORDER BY 1, 2"
    sql = {
        "by species": grouped.format("taxon", ""),
        "by country": grouped.format("country", ""),
        "by commodity": grouped.format("commodity", ""),
        "genus Manis history": grouped.format("commodity", f"WHERE taxon IN ({manis})"),
        "route legs": "SELECT source, target, count(*) FROM leg GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 500",
    }
    return {
        name: _time(lambda query=query: connection.execute(query).fetchall()) for name, query in sql.items()
    }


if __name__ == "__main__":
    main()
