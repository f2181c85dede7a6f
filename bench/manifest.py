"""Passenger-manifest screening, end to end through the API: one flight, then a busy hub's day.

Run with `python bench/manifest.py` (options `--repeat 10`, `--flights 1000`, `--database URL`).
It loads the demo world (the UN and OFAC lists, the demo agencies' records and published
notices) into a fresh SQLite store, adds the UK sanctions list, 2,000 reported lost or stolen
documents and a hub's border police (BP-RO, in no running operation, whose officer screens), and
generates 300-passenger flights: travellers with made-up names, plus planted ones taken from
the three lists (names re-cased and stripped of accents, split into surname and given names as a
carrier would) and planted holders of reported documents. Every
passenger is screened against everything in the store: the lists, notices and agencies' records.

Each manifest is posted to `POST /api/v1/manifests` as CSV and as a UN/EDIFACT PAXLST message
(written by `write_paxlst`), in process with FastAPI's TestClient: the HTTP stack, parsing,
matching, the register lookup, referrals, audit and the store's transaction, but no network.
The target is under one second for 300 passengers; the recall of planted travellers is the
share flagged (a possible match naming the planted listing, or a document hit). Then a hub's
day: `--flights` different flights one after another, with throughput and p50/p99 per manifest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
PASSENGERS = 300
PLANTED_LISTED = 10
PLANTED_DOCUMENTS = 5
REPORTED = 2_000
LISTS = ("un_sc", "us_ofac_sdn", "uk_hmt")
AGENCY, OFFICER = "BP-RO", "radu"
"""The hub's border police and its officer, who screens the manifests."""
GIVEN = (
    "Anna",
    "Maria",
    "Olena",
    "Ivan",
    "Mohamed",
    "Fatima",
    "Jose",
    "Lucia",
    "Wei",
    "Mei",
    "Ahmed",
    "Sofia",
    "Pierre",
    "Claire",
    "Kwame",
    "Amina",
    "Hiroshi",
    "Yuki",
    "Carlos",
    "Ana",
    "Dmitri",
    "Elena",
    "Tomasz",
    "Agnieszka",
    "Raj",
    "Priya",
    "Omar",
    "Leila",
    "John",
    "Sarah",
    "Mihai",
    "Ioana",
)
FAMILY = (
    "Popescu",
    "Ionescu",
    "Garcia",
    "Martinez",
    "Novak",
    "Kowalski",
    "Nguyen",
    "Tran",
    "Schmidt",
    "Muller",
    "Dubois",
    "Moreau",
    "Rossi",
    "Russo",
    "Okafor",
    "Adeyemi",
    "Tanaka",
    "Suzuki",
    "Singh",
    "Patel",
    "Haddad",
    "Khalil",
    "Smith",
    "Jones",
    "Petrenko",
    "Shevchenko",
    "Silva",
    "Santos",
    "Yilmaz",
    "Demir",
    "Andersen",
    "Larsen",
    "Costa",
    "Ferreira",
    "Horvat",
    "Kovacs",
)
NATIONS = ("md", "ro", "ua", "es", "fr", "de", "it", "pl", "tr", "ng", "in", "cn", "vn", "br", "gb", "us")


@dataclass(frozen=True, slots=True)
class Planted:
    """A listed person to put on a flight: the listing's id and how a carrier would write them."""

    listing: str
    surname: str
    given: str
    birth_date: str | None
    nationality: str | None


def _plain(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _prepare(database: str | None) -> str:
    if database is not None:
        return database
    url = f"sqlite:///{tempfile.mkdtemp(prefix='liaison-manifest-')}/liaison.db"
    env = {**os.environ, "LIAISON_DATABASE_URL": url}
    liaison = str(Path(sys.executable).with_name("liaison"))
    shared = Path(os.environ.get("LIAISON_SHARED_DATA", ROOT / "data"))
    uk = [
        "import",
        "uk",
        str(shared / "watchlists" / "uk"),
        "--dataset",
        "uk_hmt",
        "--agency",
        "GS-LYON",
        "--handling",
        "CLEAR",
        "--title",
        "UK sanctions list",
    ]
    # The demo's border police (BP-MD) take part in Liberterra II, which screens its flights
    # against the operation's watchlists only; the bench's border agency takes part in none, so
    # every passenger is screened against everything in the store.
    hub = [
        [
            "agency",
            "add",
            AGENCY,
            "--name",
            "Border Police, Bucharest Henri Coanda",
            "--country",
            "RO",
            "--kind",
            "border",
        ],
        ["user", "add", OFFICER, "--agency", AGENCY, "--role", "officer"],
    ]
    for command in (["init"], ["demo"], uk, *hub):
        subprocess.run([liaison, *command], env=env, check=True, capture_output=True)
    return url


def _listed(url: str, rng: random.Random) -> list[Planted]:
    """Listed people with a full birth date and a name a carrier would print, drawn from each list."""
    from sqlalchemy.orm import Session

    from liaison import store
    from liaison.model import Identity

    engine = store.open_engine(url)
    found: list[Planted] = []
    with Session(engine) as session:
        for dataset in LISTS:
            for stored in store.iter_dataset(session, dataset, Identity.operator()):
                proxy = stored.proxy
                if proxy.schema.name != "Person":
                    continue
                births = [value for value in proxy.get("birthDate") if len(value) == 10]
                names = [name for name in proxy.get("name") if _plain(name).isascii()]
                if not births or not names:
                    continue
                parts = _plain(names[0]).replace(",", " ").split()
                if len(parts) < 2:
                    continue
                nationality = (proxy.get("nationality") or [None])[0]
                found.append(
                    Planted(
                        str(proxy.id), parts[-1].title(), " ".join(parts[:-1]).title(), births[0], nationality
                    )
                )
    engine.dispose()
    return rng.sample(found, min(len(found), 400))


def _report_documents(url: str, rng: random.Random) -> list[tuple[str, str]]:
    """Report documents stolen as BP-MD's officer felix; the register the manifests meet."""
    from liaison import store
    from liaison.services.accounts import access
    from liaison.services.screening import travel_documents

    engine = store.open_engine(url)
    officer = access.identity_of(engine, "felix")
    now = dt.datetime.now(dt.UTC)
    reported = []
    for _ in range(REPORTED):
        country, number = rng.choice(NATIONS), f"{rng.choice('ABCDEFGH')}{rng.randrange(10**7, 10**8)}"
        try:
            travel_documents.report(
                engine,
                officer,
                country=country,
                number=number,
                kind="passport",
                status=rng.choice(("lost", "stolen")),
                now=now,
            )
        except Exception:  # a number drawn twice is reported once
            continue
        reported.append((country, number))
    engine.dispose()
    return reported


def _flight(rng: random.Random, number: int, listed: list[Planted], reported: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """A flight of PASSENGERS: mostly made-up travellers, some listed, some on reported documents."""
    from liaison.model.manifest import Flight, Manifest, Passenger, TravelDocument

    today = dt.date.today()
    planted = rng.sample(listed, PLANTED_LISTED)
    carried = rng.sample(reported, PLANTED_DOCUMENTS)
    tagged = []
    for position in range(1, PASSENGERS + 1):
        nationality = rng.choice(NATIONS)
        surname, given = rng.choice(FAMILY), f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"
        birth = dt.date(rng.randrange(1940, 2010), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        expiry = today.replace(year=today.year + 3)
        document = TravelDocument("passport", f"X{rng.randrange(10**8, 10**9)}", nationality, expiry)
        tag = None
        if position <= PLANTED_LISTED:
            person = planted[position - 1]
            surname, given, birth = person.surname, person.given, person.birth_date or birth
            nationality, tag = person.nationality or nationality, person.listing
        elif position <= PLANTED_LISTED + PLANTED_DOCUMENTS:
            country, number_text = carried[position - PLANTED_LISTED - 1]
            document, tag = TravelDocument("passport", number_text, country, expiry), "document"
        gender = rng.choice(("male", "female"))
        tagged.append((surname, given, birth, nationality, gender, document, tag))
    # Planted travellers sit anywhere on the flight, not at its head.
    rng.shuffle(tagged)
    people = [
        Passenger(index, f"line {index + 1}", surname, given, birth, nationality, gender, (document,))
        for index, (surname, given, birth, nationality, gender, document, _tag) in enumerate(tagged, start=1)
    ]
    planted_by_name = {passenger.name: row[-1] for passenger, row in zip(people, tagged, strict=True)}
    flight = Flight(f"RO{number:04d}", "OTP", "MAD", dt.datetime.now(dt.UTC).replace(microsecond=0), None)
    return Manifest("bench", "csv", flight, tuple(people), ()), planted_by_name


def _csv(manifest) -> str:  # type: ignore[no-untyped-def]
    lines = [
        "surname,given_names,birth_date,nationality,gender,document_type,document_number,"
        "document_country,document_expiry,flight,departure,arrival"
    ]
    for passenger in manifest.passengers:
        document = passenger.documents[0]
        lines.append(
            ",".join(
                (
                    passenger.surname,
                    passenger.given_names,
                    passenger.birth_date or "",
                    passenger.nationality or "",
                    passenger.gender or "",
                    "P",
                    document.number,
                    document.country or "",
                    str(document.expiry or ""),
                    manifest.flight.number,
                    manifest.flight.departure,
                    manifest.flight.arrival,
                )
            )
        )
    return "\n".join(lines) + "\n"


def _recall(body: dict[str, object], planted: dict[str, str | None]) -> tuple[int, int, int]:
    """(listed found, documents found, made-up travellers raised) in one screened manifest."""
    listed = documents = raised = 0
    for passenger in body["passengers"]:  # type: ignore[attr-defined]
        wanted = planted.get(passenger["name"])
        listings = {hit.get("listing") for hit in passenger["hits"] if hit["type"] == "match"}
        if wanted == "document":
            documents += passenger["status"] == "document_hit"
        elif wanted is not None:
            listed += wanted in listings
        elif passenger["status"] != "clear":
            raised += 1
    return listed, documents, raised


def main() -> None:
    """Time one flight as CSV and as PAXLST, then a hub's day of flights, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--flights", type=int, default=1_000)
    parser.add_argument("--database", default=None, help="A store prepared by an earlier run.")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    fresh = options.database is None
    url = _prepare(options.database)
    listed = _listed(url, rng)
    reported = _report_documents(url, rng) if fresh else [("md", "A00000000")] * PLANTED_DOCUMENTS

    from fastapi.testclient import TestClient

    from liaison.api.app import create_app
    from liaison.ingest.manifest import write_paxlst
    from liaison.model import Identity
    from liaison.services.accounts import access
    from liaison.settings import Settings

    settings = Settings(database_url=url, rate_per_second=100_000, rate_burst=100_000)
    app = create_app(settings)
    engine = app.state.engine
    made, _ = access.create_token(
        engine, Identity.operator(), OFFICER, dt.datetime.now(dt.UTC), scopes=("read", "write")
    )
    headers = {"Authorization": f"ApiKey {made.text}"}
    with TestClient(app) as client:

        def post(text: str, name: str, content_type: str) -> tuple[float, dict[str, object]]:
            began = time.perf_counter()
            answer = client.post(
                "/api/v1/manifests",
                params={"purpose": "bench: advance passenger information", "name": name},
                content=text.encode(),
                headers={**headers, "Content-Type": content_type},
            )
            elapsed = time.perf_counter() - began
            if answer.status_code != 201:
                raise SystemExit(f"{name}: {answer.status_code} {answer.text[:300]}")
            body = answer.json()
            if body["operation"] is not None:
                raise SystemExit(
                    f"{name}: filed into operation {body['operation']!r}, screened against its lists only"
                )
            return elapsed, body

        print(
            f"\none flight of {PASSENGERS} passengers ({PLANTED_LISTED} listed, {PLANTED_DOCUMENTS} on "
            f"reported documents), {options.repeat} flights each format"
        )
        print(
            f"{'format':8} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'p95/target':>11} {'listed found':>13} "
            f"{'documents found':>16} {'others raised':>14}"
        )
        for form in ("csv", "paxlst"):
            times, listed_found, documents_found, raised = [], 0, 0, 0
            post(_csv(_flight(rng, 0, listed, reported)[0]), "warmup.csv", "text/csv")
            for repeat in range(options.repeat):
                manifest, planted = _flight(rng, repeat + 1, listed, reported)
                if form == "csv":
                    elapsed, body = post(_csv(manifest), f"ux{repeat}.csv", "text/csv")
                else:
                    text = write_paxlst(manifest, now=dt.datetime.now(dt.UTC))
                    elapsed, body = post(text, f"ux{repeat}.edi", "text/plain")
                found = _recall(body, planted)
                times.append(elapsed)
                listed_found, documents_found, raised = (
                    listed_found + found[0],
                    documents_found + found[1],
                    raised + found[2],
                )
            times.sort()
            p95 = times[max(int(len(times) * 0.95) - 1, 0)]
            median = statistics.median(times)
            print(
                f"{form:8} {median:7.3f} {p95:7.3f} {times[-1]:7.3f} {p95 / TARGET_S:11.2f} "
                f"{listed_found:>6}/{PLANTED_LISTED * options.repeat:<6} "
                f"{documents_found:>8}/{PLANTED_DOCUMENTS * options.repeat:<7} "
                f"{raised:>7}/{(PASSENGERS - PLANTED_LISTED - PLANTED_DOCUMENTS) * options.repeat:<6}"
            )

        if options.flights:
            times = []
            began = time.perf_counter()
            for number in range(options.flights):
                manifest, _planted = _flight(rng, 1_000 + number, listed, reported)
                elapsed, _body = post(_csv(manifest), f"hub{number}.csv", "text/csv")
                times.append(elapsed)
            total = time.perf_counter() - began
            times.sort()
            p99 = times[max(int(len(times) * 0.99) - 1, 0)]
            travellers = options.flights * PASSENGERS
            print(
                f"\nhub day: {options.flights} flights, {travellers:,} passengers in {total:.0f} s: "
                f"{travellers / total:,.0f} passengers/s, "
                f"{options.flights / total * 3600:,.0f} flights/hour; "
                f"per manifest p50 {statistics.median(times):.3f} s, p99 {p99:.3f} s, max {times[-1]:.3f} s"
            )


if __name__ == "__main__":
    main()
