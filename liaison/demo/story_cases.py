"""The demo story's trafficking cases: NCB-ES's HTCDS 2.0 case file on the Petrenko network.

Ten cases over four years, fifty victims (RED to NCB-ES, minimised on import) and the network's
perpetrators (AMBER to the thb-taskforce group), written in the standard's field names and
picklist values and imported through the same reader as any uploaded file. Per year, two years
count 11 or more victims and two fewer, so the statistics publish some cells and withhold others.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import orjson

from liaison.demo.story_scene import Scene
from liaison.ingest.base import read_as_file
from liaison.services.sharing.imports import envelope_for
from liaison.services.trafficking import trafficking_cases

__all__ = ["CASES_DATASET", "case_file", "import_cases"]

CASES_DATASET = "ncb_es_htcds_cases"
"""Where the case file goes; its existence marks the chapter as told."""
# Victims per case, by how many years before the story's year the case was referred.
CASES = {3: (3, 4), 2: (5, 4, 6), 1: (6, 5, 4, 7)}
FIRST_NAMES = {
    ("UA", "Feminine"): (
        "Anastasiia",
        "Daryna",
        "Kateryna",
        "Oksana",
        "Yuliia",
        "Viktoriia",
        "Sofiia",
        "Alina",
    ),
    ("MD", "Feminine"): ("Ana", "Cristina", "Elena", "Mihaela", "Natalia", "Olga", "Victoria", "Doina"),
    ("UA", "Masculine"): ("Andrii", "Bohdan", "Dmytro", "Mykola", "Serhii", "Taras"),
    ("MD", "Masculine"): ("Ion", "Vasile", "Sergiu", "Nicolae", "Mihai", "Andrei"),
}
SURNAMES = {
    "UA": ("Bondarenko", "Kravchenko", "Melnyk", "Shevchenko", "Tkachenko", "Lysenko", "Moroz", "Savchuk"),
    "MD": ("Ciobanu", "Cojocaru", "Lungu", "Munteanu", "Rotari", "Sârbu", "Popa", "Guțu"),
}
CITIES = {"UA": "Odesa", "MD": "Chisinau"}
SEXUAL = "SexualExploitation"
KNOWN_VICTIMS = ("kovalchuk", "bondar")
"""Two women of NCB-ES's victim file in the demo world, named in last year's case (Maria CEBAN is
left to the victim file alone: the browser tests find her hidden record there, and only there)."""
EXPLOITED_IN = ("Alicante", "Benidorm", "Valencia", "Murcia")
# (demo dataset, key, HTCDS roles) of the network's people who appear in the cases.
PERPETRATORS = (
    ("ncb_ua_trafficking", "petrenko", ("RecruiterOrIntermediary", "Exploiter")),
    ("ncb_fr_trafficking", "natalia", ("RecruiterOrIntermediary",)),
    ("bp_md_trafficking_crossings", "rusu", ("Transporter",)),
    ("bp_md_trafficking_crossings", "moroz", ("Transporter",)),
    ("ncb_es_trafficking", "elamrani", ("Exploiter", "ControlledIndividual")),
)


def _perpetrator(scene: Scene, dataset: str, key: str, roles: tuple[str, ...]) -> dict[str, Any]:
    proxy = scene.entity(dataset, key)
    latin = next(name for name in [*proxy.get("alias"), *proxy.get("name")] if name.isascii())
    first, _space, last = latin.partition(" ")
    return {
        "id": key,
        "prs_FirstName": first.title(),
        "prs_SecondName": last.title(),
        "prs_Birthdate": proxy.first("birthDate"),
        "prs_Gender": "Masculine" if proxy.first("gender") == "male" else "Feminine",
        "prs_Citizenship": [code.upper() for code in proxy.get("nationality")],
        "per_RoleInProcess": list(roles),
    }


def _victim(rng: random.Random, number: int, referred: dt.date, labour: bool) -> dict[str, Any]:
    country = rng.choice(("UA", "UA", "MD"))
    gender = "Masculine" if labour and rng.random() < 0.6 else "Feminine"
    age = rng.randrange(17, 31)
    born = dt.date(referred.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
    victim: dict[str, Any] = {
        "id": f"v{number}",
        "prs_FirstName": rng.choice(FIRST_NAMES[(country, gender)]),
        "prs_SecondName": rng.choice(SURNAMES[country]),
        "prs_Birthdate": born.isoformat(),
        "prs_Gender": gender,
        "prs_Citizenship": [country],
        "vic_TraffickingStatus": "ActualVictimOfTrafficking",
        "vic_AgeWhenTrafficked": age,
        "vic_MethodOfRecruitment": [
            rng.choice(
                (
                    "ThroughOnlineSocialNetworks",
                    "ThroughAnOnlineAdvertisement",
                    "ThroughFriendsOrSocialEvents",
                )
            )
        ],
        "vic_RecruitmentWebsitesAndApps": [rng.choice(("Telegram", "Instagram", "Viber"))],
        "vic_MethodsOfControl": sorted(
            rng.sample(
                ("DebtBondage", "WithholdsDocuments", "FalsePromises", "PsychologicalAbuse", "TakesEarnings"),
                3,
            )
        ),
    }
    if labour:
        victim["vic_TypeOfExploitation"] = ["ForcedLabour"]
        victim["vic_ForcedLabourIndustry"] = "A_AgricultureForestryAndFishing"
    else:
        victim["vic_TypeOfExploitation"] = [SEXUAL]
        victim["vic_TypeOfSexExploitation"] = ["Prostitution"]
    return victim


def _case(
    scene: Scene, rng: random.Random, key: str, referred: dt.date, victims: int, *, rescued: bool = False
) -> dict[str, Any]:
    labour = not rescued and rng.random() < 0.25
    origin = rng.choice(("UA", "MD"))
    city = "Murcia" if labour else "Benidorm" if rescued else rng.choice(EXPLOITED_IN)
    # Exploited in the year of the referral (which counts the case in that year), recruited before.
    exploited = max(referred - dt.timedelta(days=rng.randrange(15, 40)), referred.replace(month=1, day=1))
    recruited = exploited - dt.timedelta(days=rng.randrange(60, 150))
    # The club's manager and the network's leader answer for the women rescued at the club.
    people = [PERPETRATORS[4], PERPETRATORS[0]] if rescued else rng.sample(PERPETRATORS, 2 if labour else 3)
    case: dict[str, Any] = {
        "id": key,
        "cas_Status": "Active" if referred.year == scene.now.year else "Closed",
        "cas_IncomingReferralDate": referred.isoformat(),
        "cas_ReasonForIncomingReferral": "AdditionalServicesRequired",
        "victims": [_victim(rng, number, referred, labour) for number in range(1, victims + 1)],
        "perpetrators": [_perpetrator(scene, *person) for person in people],
        "events": [
            {
                "hte_Type": "Recruitment",
                "hte_Country": origin,
                "hte_City": CITIES[origin],
                "hte_Date": recruited.isoformat()[:7],
            },
            {
                "hte_Type": "Transit",
                "hte_Country": "MD",
                "hte_City": "Leușeni",
                "hte_Date": (recruited + dt.timedelta(days=rng.randrange(3, 20))).isoformat()[:7],
            },
            {
                "hte_Type": "Exploitation",
                "hte_Country": "ES",
                "hte_City": city,
                "hte_Date": exploited.isoformat()[:7],
            },
        ],
    }
    if rescued:
        case["cco_CaseComment"] = "Referred by the Liberterra II action day at Club Venus Levante, Benidorm."
    return case


def case_file(scene: Scene) -> dict[str, Any]:
    """The case file as NCB-ES's caseworkers would export it, drawn from the story's seed."""
    rng = scene.rng("cases")
    year, cases = scene.now.year, []
    for years_ago, counts in sorted(CASES.items(), reverse=True):
        for number, victims in enumerate(counts, start=1):
            referred = dt.date(year - years_ago, rng.randrange(2, 13), rng.randrange(1, 29))
            cases.append(_case(scene, rng, f"ES-{year - years_ago}-{number:04d}", referred, victims))
    # The women rescued at Club Venus Levante during Liberterra II, referred today.
    cases.append(_case(scene, rng, f"ES-{year}-0001", scene.now.date(), 6, rescued=True))
    _name_known_victims(scene, cases)
    return {"standard": "HTCDS 2.0", "cases": cases}


def _name_known_victims(scene: Scene, cases: list[dict[str, Any]]) -> None:
    """Women of NCB-ES's victim file are the first victims of last year's first case of sexual
    exploitation: the case file and the victim file name the same people."""
    year = str(scene.now.year - 1)
    case = next(
        case
        for case in cases
        if case["id"].startswith(f"ES-{year}-") and case["victims"][0]["vic_TypeOfExploitation"] == [SEXUAL]
    )
    for victim, key in zip(case["victims"], KNOWN_VICTIMS, strict=False):
        proxy = scene.entity("ncb_es_trafficking_victims", key)
        latin = next(name for name in [*proxy.get("alias"), *proxy.get("name")] if name.isascii())
        first, _space, last = latin.partition(" ")
        born = proxy.first("birthDate") or ""
        victim.update(
            prs_FirstName=first.title(),
            prs_SecondName=last.title(),
            prs_Birthdate=born,
            prs_Gender="Feminine",
            prs_Citizenship=[code.upper() for code in proxy.get("nationality")],
            vic_AgeWhenTrafficked=int(year) - int(born[:4]),
        )


def import_cases(scene: Scene) -> bool:
    """carmen imports NCB-ES's case file: victims RED, the rest AMBER to the thb-taskforce group."""
    carmen = scene.who("carmen")
    if scene.has_dataset(carmen, CASES_DATASET):
        return False
    now = scene.ago(hours=4)
    envelope = envelope_for(
        "NCB-ES",
        CASES_DATASET,
        "AMBER",
        "human trafficking",
        now=now,
        retention_years=scene.settings.retention_years,
        release=("group:thb-taskforce",),
    )
    name = f"{CASES_DATASET}.json"
    read_as_file(
        orjson.dumps(case_file(scene)),
        name,
        lambda path: trafficking_cases.import_cases(
            scene.engine, carmen, path, envelope=envelope, source=name, now=now
        ),
    )
    return True
