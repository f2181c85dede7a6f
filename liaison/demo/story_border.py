"""The demo story's border chapter: flight UX1094 from Madrid into Chisinau, screened by felix of
BP-MD during Liberterra II, and what the officers made of its hits.

felix reported a Moldovan passport stolen weeks ago; the flight's PAXLST manifest (thirty people,
written here from the seed and read back by the same reader as any carrier's file) carries it,
the network's organiser and driver, and a person on the UN list. Its counts file into the
operation's tally. felix denies the listed traveller and olga confirms (four eyes); he refers the
organiser to investigators and clears a namesake; the stolen passport and the driver wait in
BP-MD's queue. elena records an indicator screening of the minibus at Leușeni.
"""

from __future__ import annotations

import datetime as dt
import random

from liaison.demo.identifiers import passport_number
from liaison.demo.story_operations import WATCHLISTS
from liaison.demo.story_scene import Scene
from liaison.ingest.base import read_as_file
from liaison.ingest.manifest import read_manifest, write_paxlst
from liaison.model.manifest import Flight, Manifest, Passenger, TravelDocument
from liaison.services.screening import entry_decisions, manifests, travel_documents
from liaison.services.screening.matching_service import MatchingService
from liaison.services.trafficking import indicator_screening

__all__ = ["FLIGHT", "MANIFEST_FILE", "screen_flight", "stolen_passport"]

FLIGHT = "UX1094"
MANIFEST_FILE = "UX1094.edi"
TO_CHISINAU = ("md", "es", "ua", "fr")
Person = tuple[str, str, str, str, str]
"""A passenger as the story writes one: surname, given names, birth date, nationality, passport."""
# Everyday travellers from Madrid to Chisinau: (nationality, given names, surnames).
TRAVELLERS = {
    "md": (
        ("Ana", "Ion", "Elena", "Vasile", "Cristina", "Andrei", "Tatiana", "Mihai"),
        ("Ceban", "Rusnac", "Lupu", "Bivol", "Cojocari", "Moraru", "Grosu", "Turcan"),
    ),
    "es": (("Lucía", "Javier", "Marta", "Pablo", "Carmen"), ("García", "Martínez", "López", "Sánchez")),
    "ua": (("Olha", "Taras", "Iryna"), ("Kovalenko", "Boyko", "Hnatiuk")),
    "fr": (("Camille", "Julien"), ("Martin", "Bernard")),
}
UN_LISTED = ("KIM", "KWANG-IL", "1969-09-01", "kp", "PS381420397")
"""A person on the UN list (un-sc-690745) with his listed passport: the deny."""
NAMESAKE = ("JOHNSON", "Andre", "1997-06-11", "us", "584219377")
"""Shares name and birth year with a listed Haitian gang leader (un-sc-6909378), but is a US
citizen on a US passport: cleared."""


def stolen_passport(seed: int) -> str:
    """The number of the Moldovan passport felix reported stolen, drawn from the seed."""
    return passport_number(random.Random(f"{seed}/story/stolen"), "md")


def _person(position: int, surname: str, given: str, born: str, country: str, number: str) -> Passenger:
    document = TravelDocument("passport", number, country, None)
    return Passenger(position, f"passenger {position}", surname, given, born, country, None, (document,))


def _known(scene: Scene, dataset: str, key: str, surname: str, given: str) -> Person:
    proxy = scene.entity(dataset, key)
    country = proxy.first("nationality") or ""
    return (surname, given, proxy.first("birthDate") or "", country, proxy.first("passportNumber") or "")


def _manifest(
    scene: Scene, flight: Flight, travellers: int, special: list[Person], countries: tuple[str, ...]
) -> Manifest:
    """A flight's passengers: everyday travellers drawn from the seed, with the special ones among them."""
    rng = scene.rng(f"manifest/{flight.number}")
    names = sorted(
        (country, given, surname)
        for country in countries
        for given in TRAVELLERS[country][0]
        for surname in TRAVELLERS[country][1]
    )
    people = []
    for country, given, surname in rng.sample(names, travellers):
        born = dt.date(rng.randrange(1950, 2010), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        people.append((surname.upper(), given, born, country, passport_number(rng, country)))
    for person in special:
        people.insert(rng.randrange(len(people) + 1), person)
    passengers = tuple(_person(position, *person) for position, person in enumerate(people, start=1))
    return Manifest(f"{flight.number}.edi", "paxlst", flight, passengers, ())


def _flights(scene: Scene) -> list[tuple[str, Manifest]]:
    """Who screens which flight: felix UX1094 (thirty people: the network's organiser and driver, a
    listed person, a namesake, and two sisters, one on the stolen passport); hugo TK269 for the
    Coordination Centre (a listed person among them); dmitri PS9117 to Alicante, on which the
    network's leader is booked."""
    year, rng = scene.now.year, scene.rng("manifest")
    departs = scene.ago(hours=6).replace(minute=35, second=0, microsecond=0)
    arrives = departs + dt.timedelta(hours=4, minutes=5)
    felix = [
        _known(scene, "bp_md_trafficking_crossings", "rusu", "RUSU", "Ion"),
        _known(scene, "bp_md_trafficking_crossings", "moroz", "MOROZ", "Viktor"),
        UN_LISTED,
        NAMESAKE,
        ("ROTARU", "Daniela", f"{year - 22}-04-19", "md", stolen_passport(scene.seed)),
        ("ROTARU", "Irina", f"{year - 19}-11-02", "md", passport_number(rng, "md")),
    ]
    hugo = [("NGABU NJABU", "FLORIBERT", "1971-05-23", "cd", "OB0243318")]
    dmitri = [_known(scene, "ncb_ua_trafficking", "petrenko", "PETRENKO", "Oleksandr")]
    later = scene.ago(hours=3).replace(minute=10, second=0, microsecond=0)
    istanbul = Flight("TK269", "IST", "KIV", later, later + dt.timedelta(hours=1, minutes=50))
    alicante = Flight("PS9117", "KBP", "ALC", scene.now + dt.timedelta(hours=5), None)
    return [
        ("felix", _manifest(scene, Flight(FLIGHT, "MAD", "KIV", departs, arrives), 24, felix, TO_CHISINAU)),
        ("hugo", _manifest(scene, istanbul, 15, hugo, ("md", "ua"))),
        ("dmitri", _manifest(scene, alicante, 11, dmitri, ("ua", "es"))),
    ]


def _decide(scene: Scene, manifest_id: str) -> None:
    """felix decides on three referrals of the flight; olga confirms his deny."""
    felix, now = scene.who("felix"), scene.ago(hours=3)
    referrals, _total = entry_decisions.list_referrals(scene.engine, felix)
    mine = {
        str((referral.subject.get("properties") or {}).get("lastName", [""])[0]): referral
        for referral in referrals
        if referral.manifest == manifest_id
    }
    decisions = (
        ("KIM", "deny", "UN Security Council travel ban: name, birth date, nationality and passport agree."),
        (
            "RUSU",
            "refer",
            "Organiser in NCB-UA's trafficking file: referred to the investigators of "
            "Liberterra II for a secondary interview.",
        ),
        (
            "JOHNSON",
            "clear",
            "Namesake of the listed Haitian gang leader: a US citizen on a US passport, "
            "identity confirmed at the desk.",
        ),
    )
    for surname, decision, reason in decisions:
        referral = mine[surname]
        hit = next(hit for hit in referral.hits if hit["type"] == "match")
        made = entry_decisions.decide(
            scene.engine, felix, referral.referral_id, hit["listing"], decision, reason, now
        )
        if decision == "deny":
            entry_decisions.confirm(
                scene.engine, scene.who("olga"), made.decision_id, scene.ago(hours=2, minutes=40)
            )


def screen_flight(scene: Scene) -> bool:
    """felix's stolen passport, the flight screened and decided on, and elena's screening at Leușeni."""
    felix = scene.who("felix")
    number = stolen_passport(scene.seed)
    if any(report.number == number for report in travel_documents.list_reports(scene.engine, felix)):
        return False
    travel_documents.report(
        scene.engine,
        felix,
        country="md",
        number=number,
        kind="passport",
        status="stolen",
        note="Reported by its holder, Daniela ROTARU, after a burglary in Chisinau; police report 4417.",
        now=scene.ago(days=24),
    )
    settings, screened, now = scene.settings, {}, scene.ago(minutes=30)
    matching = MatchingService(scene.engine, candidates=settings.match_candidates, datasets=WATCHLISTS)
    try:
        for user, built in _flights(scene):
            flight = built.flight
            written = write_paxlst(built, sender=flight.number[:2], recipient="API", now=scene.ago(hours=7))
            manifest = read_as_file(
                written.encode(), built.source, lambda path: read_manifest(path, scene.now.date())
            )
            screened[user] = manifests.screen(
                scene.engine,
                matching,
                scene.who(user),
                manifest,
                threshold=settings.match_threshold,
                purpose=f"API check of flight {flight.number}",
                now=min(flight.departs_at or now, now),
            )
    finally:
        matching.close()
    _decide(scene, screened["felix"].manifest.manifest_id)
    indicator_screening.record(
        scene.engine,
        scene.who("elena"),
        token=f"demo-story-{scene.seed}-leuseni-minibus",
        setting="border",
        country="md",
        language="en",
        observed=["documents_withheld", "speaks_for", "deception", "debt_bondage", "unaware_location"],
        notes="Sprinter BH9670EM at Leușeni: the driver holds the four women's passports and answers "
        "for them; they owe 'travel costs' for hostess jobs in Alicante.",
        now=scene.ago(days=1, hours=2),
    )
    return True
