"""Federation benchmark: one node's records pulled by three peers, decided at the source.

Run with `python bench/federation.py` (options: `--records 100000 --changes 1000`). A source node
(SQLite) holds generated people owned by NCB-FR under mixed handling and releasability: CLEAR,
GREEN, AMBER released to agencies, countries or the sharing group `schengen`, AMBER+STRICT
released to agencies, RED. `liaison serve` runs it. Three peers, each its own SQLite store and
secret, host different agencies (Spain: NCB-ES and BP-ES; Italy: NCB-IT; Germany: NCB-DE and
FIU-DE) and pull from it with `sync.pull`, as `liaison sync` does, over loopback HTTP.

For each peer: the initial pull's time, records sent against records releasable to it (worked out
here from the drawn envelopes, not asked of Liaison), so the waste, which MISP's pull showed at 73 %
(MISP #4814) and must be 0 here, and the bytes on the wire. Then `--changes` records are changed
and as many withdrawn (their releasability narrowed to nobody) at the source, and the time until
every peer holds the new state: today each pull is whole, so this is a second full pull.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from followthemoney import model  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from liaison import store  # noqa: E402
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity  # noqa: E402
from liaison.services.accounts import access, agencies  # noqa: E402
from liaison.services.federation import nodes, peers, sync  # noqa: E402
from liaison.settings import Settings  # noqa: E402
from liaison.store.tables import EntityRow  # noqa: E402

LIAISON = str(Path(sys.executable).with_name("liaison"))
SOURCE_AGENCY = Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB)
PEERS = {
    "ncb-madrid": (
        Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB),
        Agency("BP-ES", "Fronteras", "ES", AgencyKind.BORDER),
    ),
    "ncb-rome": (Agency("NCB-IT", "NCB Rome", "IT", AgencyKind.NCB),),
    "bka-wiesbaden": (
        Agency("NCB-DE", "NCB Wiesbaden", "DE", AgencyKind.NCB),
        Agency("FIU-DE", "FIU Germany", "DE", AgencyKind.FIU),
    ),
}
GROUP = ("schengen", ("NCB-ES", "NCB-IT"))
ENTRIES = (
    *(f"agency:{code}" for code in ("NCB-ES", "BP-ES", "NCB-IT", "NCB-DE", "FIU-DE", "NCB-FR")),
    *("country:es", "country:it", "country:de", "country:pt", "group:schengen"),
)
HANDLINGS = {
    Handling.CLEAR: 0.2,
    Handling.GREEN: 0.2,
    Handling.AMBER: 0.4,
    Handling.AMBER_STRICT: 0.1,
    Handling.RED: 0.1,
}
NOW = dt.datetime.now(dt.UTC)
BATCH = 2_000
FIRST = ("Ana", "Luis", "Marco", "Petra", "Ivan", "Olga", "Jonas", "Mira", "Tomas", "Lena", "Pavel", "Sara")
LAST = ("Garcia", "Rossi", "Muller", "Novak", "Ivanova", "Silva", "Costa", "Weber", "Horvat", "Popescu")


def _secret(seed: int) -> str:
    return base64.b64encode(random.Random(seed).randbytes(32)).decode()


def _settings(folder: Path, name: str, port: int, seed: int) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / f'{name}.db'}",
        node_name=name,
        node_url=f"http://127.0.0.1:{port}",
        port=port,
        secret_key=_secret(seed),
    )


def _open(settings: Settings, hosted: tuple[Agency, ...]) -> Engine:
    engine = store.open_engine(settings.database_url)
    store.migrate(engine)
    for agency in hosted:
        agencies.register(engine, agency)
    return engine


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "LIAISON_DATABASE_URL": settings.database_url,
        "LIAISON_NODE_NAME": settings.node_name,
        "LIAISON_NODE_URL": settings.node_url or "",
        "LIAISON_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
        "LIAISON_RATE_PER_SECOND": "100000",
        "LIAISON_RATE_BURST": "100000",
    }


@dataclass
class Drawn:
    """A record's envelope as drawn."""

    handling: Handling
    release: tuple[str, ...]


def _draw(rng: random.Random) -> Drawn:
    handling = rng.choices(list(HANDLINGS), list(HANDLINGS.values()))[0]
    if handling in (Handling.CLEAR, Handling.GREEN):
        return Drawn(handling, ())
    return Drawn(handling, tuple(rng.sample(ENTRIES, rng.randint(0, 3))))


def _releasable(drawn: Drawn, hosted: tuple[Agency, ...]) -> bool:
    """The handling rules spelled out: whether one of a peer's agencies receives the record."""
    if drawn.handling in (Handling.CLEAR, Handling.GREEN):
        return True
    if drawn.handling is Handling.RED:
        return False
    for agency in hosted:
        named = {f"agency:{agency.code}"}
        if drawn.handling is Handling.AMBER:
            named |= {f"country:{agency.country.lower()}"}
            named |= {f"group:{GROUP[0]}"} if agency.code in GROUP[1] else set()
        if named & set(drawn.release):
            return True
    return False


def _write(engine: Engine, drawn: dict[str, Drawn], rng: random.Random, suffix: str = "") -> None:
    """Write the records as a few imports, one per envelope (as the datasets of an agency are)."""
    by_envelope: dict[tuple[Handling, tuple[str, ...]], list[str]] = {}
    for entity_id, envelope in drawn.items():
        by_envelope.setdefault((envelope.handling, envelope.release), []).append(entity_id)
    with Session(engine) as session, session.begin():
        store.claim_dataset(session, "ncb_fr_people", "People of interest", "NCB-FR", NOW)
        for (handling, release), ids in by_envelope.items():
            envelope = Envelope(
                "NCB-FR", "ncb_fr_people", handling, "bench", NOW.date().replace(year=NOW.year + 5), release
            )
            run = store.start_import(session, "ncb_fr_people", "bench", "bench", NOW)
            for start in range(0, len(ids), BATCH):
                rows = []
                for entity_id in ids[start : start + BATCH]:
                    proxy = model.make_entity("Person")
                    proxy.id = entity_id
                    proxy.add("name", f"{rng.choice(FIRST)} {rng.choice(LAST)}{suffix}")
                    proxy.add(
                        "birthDate",
                        f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    )
                    rows.append((proxy, "bench:1"))
                store.write_batch(session, rows, envelope, run, NOW)
            store.finish_import(session, run, len(ids))


@dataclass
class Wire:
    """A transport that counts what crossed: requests, bytes received (body and headers)."""

    requests: int = 0
    bytes: int = 0

    def __call__(self, url: str, headers: dict[str, str]) -> httpx.Response:
        response = httpx.get(url, headers=headers, timeout=120)
        self.requests += 1
        self.bytes += len(response.content) + sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        return response


def _held(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(EntityRow.id)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    folder = Path(tempfile.mkdtemp(prefix="liaison-federation-"))
    port = 18_400 + rng.randint(0, 500)
    source = _settings(folder, "ncb-paris", port, 1)
    source_engine = _open(source, (SOURCE_AGENCY,))
    receivers = {
        name: (_settings(folder, name, port + n + 1, n + 2), hosted)
        for n, (name, hosted) in enumerate(PEERS.items())
    }
    engines = {}
    for name, (settings, hosted) in receivers.items():
        engines[name] = _open(settings, hosted)
        peers.add(
            source_engine,
            Identity.operator(),
            nodes.descriptor(engines[name], settings),
            nodes.descriptor(source_engine, source),
            NOW,
        )
        peers.add(
            engines[name],
            Identity.operator(),
            nodes.descriptor(source_engine, source),
            nodes.descriptor(engines[name], settings),
            NOW,
        )
    access.add_group(source_engine, Identity.operator(), GROUP[0], "", NOW)
    for code in GROUP[1]:
        access.join_group(source_engine, Identity.operator(), GROUP[0], code, NOW)

    drawn = {f"p{number:07d}": _draw(rng) for number in range(options.records)}
    started = time.perf_counter()
    _write(source_engine, drawn, rng)
    mix = Counter(envelope.handling.value for envelope in drawn.values())
    written = f"{options.records:,} records written in {time.perf_counter() - started:.1f} s"
    print(f"source: {written} ({', '.join(f'{code} {count:,}' for code, count in sorted(mix.items()))})")

    log = (folder / "source.log").open("wb")
    server = subprocess.Popen(
        [LIAISON, "serve", "--port", str(port)],
        env=_env(source),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        print(
            f"\n{'peer':<15}{'agencies':<16}{'releasable':>11}{'sent':>9}{'waste':>7}{'missing':>8}{'requests':>9}{'MB':>8}{'seconds':>9}{'rec/s':>8}"
        )
        for name, (settings, hosted) in receivers.items():
            wire = Wire()
            began = time.perf_counter()
            pulled = sync.pull(engines[name], Identity.operator(), settings, "ncb-paris", NOW, get=wire)
            took = time.perf_counter() - began
            expected = {entity_id for entity_id, envelope in drawn.items() if _releasable(envelope, hosted)}
            held = _held(engines[name])
            waste = len(held - expected) / max(1, len(held))
            codes = ",".join(agency.code for agency in hosted)
            counts = f"{len(expected):>11,}{pulled.received:>9,}{waste:>7.1%}{len(expected - held):>8,}"
            wire_figures = (
                f"{wire.requests:>9,}{wire.bytes / 1e6:>8.1f}{took:>9.1f}{pulled.received / took:>8,.0f}"
            )
            print(f"{name:<15}{codes:<16}{counts}{wire_figures}")

        ids = sorted(drawn)
        changed = rng.sample(ids, options.changes)
        withdrawn = rng.sample(sorted(set(ids) - set(changed)), options.changes)
        for entity_id in withdrawn:
            drawn[entity_id] = Drawn(Handling.AMBER, ())
        _write(
            source_engine,
            {entity_id: drawn[entity_id] for entity_id in changed + withdrawn},
            rng,
            suffix=" Jr",
        )
        print(
            f"\n{options.changes:,} records changed and {options.changes:,} withdrawn at the source; "
            "a second pull:"
        )
        print(f"{'peer':<15}{'received':>10}{'withdrawn':>10}{'changes seen':>14}{'MB':>8}{'seconds':>9}")
        total = 0.0
        for name, (settings, hosted) in receivers.items():
            wire = Wire()
            began = time.perf_counter()
            pulled = sync.pull(engines[name], Identity.operator(), settings, "ncb-paris", NOW, get=wire)
            took = time.perf_counter() - began
            total += took
            expected = {entity_id for entity_id, envelope in drawn.items() if _releasable(envelope, hosted)}
            with Session(engines[name]) as session:
                query = select(EntityRow.id, EntityRow.caption).where(EntityRow.id.in_(changed))
                names = {entity_id: caption for entity_id, caption in session.execute(query)}
            seen = sum(1 for entity_id in changed if names.get(entity_id, "").endswith(" Jr"))
            due = sum(1 for entity_id in changed if entity_id in expected)
            assert _held(engines[name]) == expected, f"{name} does not hold what is releasable to it"
            print(
                f"{name:<15}{pulled.received:>10,}{pulled.withdrawn:>10,}{f'{seen:,}/{due:,}':>14}"
                f"{wire.bytes / 1e6:>8.1f}{took:>9.1f}"
            )
        print(f"every peer up to date {total:.1f} s after the changes (pulls one after another)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
