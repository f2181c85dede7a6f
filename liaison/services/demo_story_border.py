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

from liaison.ingest.base import read_as_file
from liaison.ingest.manifest import read_manifest, write_paxlst
from liaison.model.manifest import Flight, Manifest, Passenger, TravelDocument
from liaison.services import entry_decisions, indicator_screening, manifests, travel_documents
from liaison.services.demo_identifiers import passport_number
from liaison.services.demo_story_operations import WATCHLISTS
from liaison.services.demo_story_scene import Scene
from liaison.services.matching_service import MatchingService

__all__ = ["FLIGHT", "MANIFEST_FILE", "screen_flight", "stolen_passport"]

FLIGHT = "UX1094"
MANIFEST_FILE = "UX1094.edi"
# Everyday travellers from Madrid to Chisinau: (nationality, given names, surnames).
TRAVELLERS = {
    "md": (("Ana", "Ion", "Elena", "Vasile", "Cristina", "Andrei", "Tatiana", "Mihai"),
           ("Ceban", "Rusnac", "Lupu", "Bivol", "Cojocari", "Moraru", "Grosu", "Turcan")),
    "es": (("Lucía", "Javier", "Marta", "Pablo", "Carmen"), ("García", "Martínez", "López", "Sánchez")),
    "ua": (("Olha", "Taras", "Iryna"), ("Kovalenko", "Boyko", "Hnatiuk")),
    "fr": (("Camille", "Julien"), ("Martin", "Bernard")),
}  # fmt: skip
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


def _manifest(scene: Scene, departs: dt.datetime) -> Manifest:
    """Thirty people on UX1094: twenty-four travellers, the network's two men, a listed person, a
    namesake, and two women, one travelling on the stolen passport."""
    rng = scene.rng("manifest")
    rusu, moroz = (scene.entity("bp_md_trafficking_crossings", key) for key in ("rusu", "moroz"))
    special = [
        ("RUSU", "Ion", rusu.first("birthDate") or "", "md", rusu.first("passportNumber") or ""),
        ("MOROZ", "Viktor", moroz.first("birthDate") or "", "ua", moroz.first("passportNumber") or ""),
        UN_LISTED, NAMESAKE,
        ("ROTARU", "Daniela", f"{scene.now.year - 22}-04-19", "md", stolen_passport(scene.seed)),
        ("ROTARU", "Irina", f"{scene.now.year - 19}-11-02", "md", passport_number(rng, "md")),
    ]  # fmt: skip
    names = sorted(
        (country, given, surname)
        for country, (givens, surnames) in TRAVELLERS.items()
        for given in givens
        for surname in surnames
    )
    people = []
    for country, given, surname in rng.sample(names, 24):
        born = dt.date(rng.randrange(1950, 2010), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        people.append((surname.upper(), given, born, country, passport_number(rng, country)))
    for person in special:
        people.insert(rng.randrange(len(people) + 1), person)
    flight = Flight(FLIGHT, "MAD", "KIV", departs, departs + dt.timedelta(hours=4, minutes=5))
    passengers = tuple(_person(position, *person) for position, person in enumerate(people, start=1))
    return Manifest(MANIFEST_FILE, "paxlst", flight, passengers, ())


def _decide(scene: Scene, manifest_id: str) -> None:
    """felix decides on three referrals of the flight; olga confirms his deny."""
    felix, now = scene.who("felix"), scene.ago(hours=1)
    referrals, _total = entry_decisions.list_referrals(scene.engine, felix)
    mine = {
        str((referral.subject.get("properties") or {}).get("lastName", [""])[0]): referral
        for referral in referrals
        if referral.manifest == manifest_id
    }
    decisions = (
        ("KIM", "deny", "UN Security Council travel ban: name, birth date, nationality and passport agree."),
        ("RUSU", "refer", "Organiser in NCB-UA's trafficking file: referred to the investigators of "
                          "Liberterra II for a secondary interview."),
        ("JOHNSON", "clear", "Namesake of the listed Haitian gang leader: a US citizen on a US passport, "
                             "identity confirmed at the desk."),
    )  # fmt: skip
    for surname, decision, reason in decisions:
        referral = mine[surname]
        hit = next(hit for hit in referral.hits if hit["type"] == "match")
        made = entry_decisions.decide(
            scene.engine, felix, referral.referral_id, hit["listing"], decision, reason, now
        )
        if decision == "deny":
            entry_decisions.confirm(scene.engine, scene.who("olga"), made.decision_id, scene.ago(minutes=40))


def screen_flight(scene: Scene) -> bool:
    """felix's stolen passport, the flight screened and decided on, and elena's screening at Leușeni."""
    felix = scene.who("felix")
    number = stolen_passport(scene.seed)
    if any(report.number == number for report in travel_documents.list_reports(scene.engine, felix)):
        return False
    travel_documents.report(
        scene.engine, felix, country="md", number=number, kind="passport", status="stolen",
        note="Reported by its holder, Daniela ROTARU, after a burglary in Chisinau; police report 4417.",
        now=scene.ago(days=24),
    )  # fmt: skip
    departs = scene.ago(hours=6).replace(minute=35, second=0, microsecond=0)
    written = write_paxlst(_manifest(scene, departs), sender="UX", recipient="BP-MD", now=departs)
    manifest = read_as_file(
        written.encode(), MANIFEST_FILE, lambda path: read_manifest(path, scene.now.date())
    )
    settings = scene.settings
    matching = MatchingService(scene.engine, candidates=settings.match_candidates, datasets=WATCHLISTS)
    try:
        screened = manifests.screen(
            scene.engine, matching, felix, manifest, threshold=settings.match_threshold,
            purpose=f"API check of flight {FLIGHT}", now=scene.ago(hours=2),
        )  # fmt: skip
    finally:
        matching.close()
    _decide(scene, screened.manifest.manifest_id)
    indicator_screening.record(
        scene.engine, scene.who("elena"), token=f"demo-story-{scene.seed}-leuseni-minibus",
        setting="border", country="md", language="en",
        observed=["documents_withheld", "speaks_for", "deception", "debt_bondage", "unaware_location"],
        notes="Sprinter BH9670EM at Leușeni: the driver holds the four women's passports and answers "
        "for them; they owe 'travel costs' for hostess jobs in Alicante.",
        now=scene.ago(days=1, hours=2),
    )  # fmt: skip
    return True
