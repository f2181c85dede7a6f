"""The demo story's cooperation between agencies: watches set early, notices through review, an
urgent thread about the minibus of the trafficking network, and a request for a hidden record.

Watches come first, so that the notices published and the files imported later in the story
raise the alerts their users find waiting.
"""

from __future__ import annotations

from typing import Any

from liaison.demo.story_cyber import SHARED_VALUES
from liaison.demo.story_scene import Scene
from liaison.services.cyber import correlation
from liaison.services.messaging import alerts, messages, notices
from liaison.services.messaging.messages import Draft
from liaison.services.screening import watches
from liaison.services.sharing import hits

__all__ = [
    "ACTION_DAY_THREAD",
    "MINIBUS_THREAD",
    "RED_NOTICE",
    "open_thread",
    "publish_notices",
    "request_access",
    "set_watches",
]

RED_NOTICE = "Wanted: Oleksandr PETRENKO, trafficking in human beings"
"""The red notice the secretariat published; its title marks the notices as told."""
MINIBUS_THREAD = "Minibus BH9670EM leaves Odesa tonight for Alicante"
"""The urgent thread between NCB-ES, NCB-FR, NCB-UA and BP-MD; its subject marks the threads as told."""
ACTION_DAY_THREAD = "Liberterra II: action day"
"""hugo's briefing to the operation's participants, answered by carmen."""
WATCH_THRESHOLD = 0.7


def _person(proxy: Any, *, keep: tuple[str, ...]) -> dict[str, Any]:
    """A notice's subject from a demo entity: the properties a notice names its subject by."""
    return {
        "schema": "Person",
        "properties": {name: list(proxy.get(name)) for name in keep if proxy.get(name)},
    }


# (user, label, schema, name, birth date, nationality) of the watches set by name.
WATCHES = (
    ("alice", "Oleksandr PETRENKO, wanted by Ukraine", "Person", "Oleksandr Petrenko", "1984", "ua"),
    ("dmitri", "Ion RUSU, transport through Moldova", "Person", "Ion Rusu", "1979", "md"),
    ("dmitri", "Olena BONDAR, missing since her casting in Spain", "Person", "Olena Bondar", "1999", "ua"),
    ("grace", "Nataliia PETRENKO, the network's recruiter", "Person", "Nataliia Petrenko", "1988", "ua"),
    ("felix", "Viktor MOROZ, driver of the minibus BH9670EM", "Person", "Viktor Moroz", "1990", "ua"),
    ("olga", "Youssef EL AMRANI, Club Venus Levante", "Person", "Youssef El Amrani", "1981", "ma"),
    ("hugo", "Lazarus Group", "Organization", "Lazarus Group", "", ""),
)


def set_watches(scene: Scene) -> bool:
    """Watches on the network's people (and, for hugo, a threat actor), set before the notices and
    files that alert them; carmen watches the driver's record itself."""
    first_user, first_label = WATCHES[0][:2]
    if any(watch.label == first_label for watch in watches.list_watches(scene.engine, scene.who(first_user))):
        return False
    for user, label, schema, name, born, country in WATCHES:
        found = {
            "name": [name],
            "birthDate": [born] if born else [],
            "nationality": [country] if country else [],
        }
        query = {"schema": schema, "properties": {key: values for key, values in found.items() if values}}
        watches.add(scene.engine, scene.who(user), label, query, WATCH_THRESHOLD, scene.ago(days=12))
    driver = scene.entity("bp_md_trafficking_crossings", "moroz")
    watches.watch_entity(
        scene.engine,
        scene.who("carmen"),
        "bp_md_trafficking_crossings",
        str(driver.id),
        WATCH_THRESHOLD,
        scene.ago(days=11),
    )
    return True


def publish_notices(scene: Scene) -> bool:
    """A red notice and a purple one published by grace, a diffusion sent by carmen, a yellow
    notice awaiting grace's review, a blue one she refused, and a draft of alice's."""
    grace = scene.who("grace")
    shown, _total = notices.list_notices(scene.engine, grace, limit=notices.MAX_PAGE)
    if any(notice.title == RED_NOTICE for notice in shown):
        return False
    engine = scene.engine
    dmitri, alice, carmen = scene.who("dmitri"), scene.who("alice"), scene.who("carmen")
    leader = scene.entity("ncb_ua_trafficking", "petrenko")
    red = notices.create(
        engine,
        dmitri,
        "red",
        RED_NOTICE,
        summary="Arrest for extradition to Ukraine: recruitment of young women through Zirka Model "
        "Management, Odesa, for sexual exploitation in Spain. Warrant of the Prymorskyi District Court.",
        subject=_person(
            leader,
            keep=("name", "alias", "birthDate", "birthPlace", "nationality", "gender", "passportNumber"),
        ),
        now=scene.ago(days=10),
    )
    notices.move(engine, dmitri, red.notice_id, "submit", now=scene.ago(days=10, hours=-1))
    notices.move(
        engine,
        grace,
        red.notice_id,
        "publish",
        note="Warrant and identity checked against NCB-UA's file.",
        now=scene.ago(days=9),
    )
    purple = notices.create(
        engine,
        alice,
        "purple",
        "Modus operandi: hostess jobs in Spain offered by fake modelling agencies",
        summary="Young women from Ukraine and Moldova answer casting adverts on Telegram and Instagram, "
        "are driven by minibus through Moldova and Romania, and have their passports taken on arrival "
        "to work off a travel debt in clubs on the Costa Blanca.",
        now=scene.ago(days=9, hours=3),
    )
    notices.move(engine, alice, purple.notice_id, "submit", now=scene.ago(days=9, hours=2))
    notices.move(engine, grace, purple.notice_id, "publish", now=scene.ago(days=8))
    driver = scene.entity("bp_md_trafficking_crossings", "moroz")
    diffusion = notices.create(
        engine,
        carmen,
        "diffusion",
        "Locate: Viktor MOROZ, driver of the network's minibus",
        summary="Drives the Mercedes-Benz Sprinter BH9670EM from Odesa to Alicante with recruited women "
        "aboard. Report any crossing; do not arrest before the operation's action day.",
        subject=_person(
            driver, keep=("name", "alias", "birthDate", "nationality", "gender", "passportNumber")
        ),
        recipients=("BP-MD", "NCB-FR", "NCB-UA", "GS-LYON"),
        now=scene.ago(days=7),
    )
    notices.move(engine, carmen, diffusion.notice_id, "send", now=scene.ago(days=7, hours=-1))
    missing = scene.entity("ncb_es_trafficking_victims", "bondar")
    yellow = notices.create(
        engine,
        dmitri,
        "yellow",
        "Missing: Olena BONDAR, last seen in Odesa",
        summary="Reported missing by her mother after leaving for a casting in Spain.",
        subject=_person(missing, keep=("name", "alias", "birthDate", "nationality", "gender")),
        now=scene.ago(days=2),
    )
    notices.move(engine, dmitri, yellow.notice_id, "submit", now=scene.ago(days=2, hours=-1))
    blue = notices.create(
        engine,
        carmen,
        "blue",
        "Identity wanted: 'Sasha', manager at Club Venus Levante",
        subject={"schema": "Person", "properties": {"name": ["Sasha"], "nationality": ["ua"]}},
        now=scene.ago(days=6),
    )
    notices.move(engine, carmen, blue.notice_id, "submit", now=scene.ago(days=6, hours=-1))
    notices.move(
        engine,
        grace,
        blue.notice_id,
        "refuse",
        note="A nickname alone names no one: add a birth date, a document or a photograph and resubmit.",
        now=scene.ago(days=5),
    )
    recruiter = scene.entity("ncb_fr_trafficking", "benali")
    notices.create(
        engine,
        alice,
        "red",
        "Wanted: Karim BENALI, exploitation in Perpignan",
        summary="Draft: waiting for the investigating judge's warrant.",
        subject=_person(recruiter, keep=("name", "alias", "birthDate", "nationality", "gender")),
        now=scene.ago(days=1),
    )
    return True


def open_thread(scene: Scene) -> bool:
    """carmen's urgent thread on the minibus, answered by dmitri and alice; hugo's action-day briefing."""
    carmen = scene.who("carmen")
    threads, _total = messages.list_threads(scene.engine, carmen, limit=messages.MAX_PAGE)
    if any(thread.subject == MINIBUS_THREAD for thread in threads):
        return False
    minibus = str(scene.entity("bp_md_trafficking_crossings", "minibus").id)
    driver = str(scene.entity("bp_md_trafficking_crossings", "moroz").id)
    benali = str(scene.entity("ncb_fr_trafficking", "benali").id)
    thread, first = messages.open_thread(
        scene.engine,
        carmen,
        MINIBUS_THREAD,
        ("NCB-FR", "NCB-UA", "BP-MD"),
        Draft(
            "A source says the Sprinter BH9670EM of Viktor MOROZ leaves Odesa tonight with four young "
            "women recruited by Zirka Model Management. BP-MD: can you check it at Leușeni? NCB-UA: is "
            "Ion RUSU with them?",
            priority="urgent",
            entity_refs=(minibus, driver),
        ),
        scene.ago(hours=30),
    )
    messages.reply(
        scene.engine,
        scene.who("dmitri"),
        thread.thread_id,
        Draft(
            "Confirmed: the minibus left Odesa at 19:40 with the driver and four passengers. RUSU flies "
            "separately, Madrid to Chisinau on UX1094.",
            priority="urgent",
        ),
        scene.ago(hours=28),
        reply_to=first.message_id,
    )
    messages.reply(
        scene.engine,
        scene.who("alice"),
        thread.thread_id,
        Draft(
            "Karim BENALI's Peugeot was seen in Perpignan yesterday; we keep his flats under watch.",
            entity_refs=(benali,),
        ),
        scene.ago(hours=20),
    )
    messages.reply(
        scene.engine,
        carmen,
        thread.thread_id,
        Draft(
            "The women's passports may be in the driver's hands. BP-MD: please check the flight's "
            "manifest for the Moldovan passport reported stolen.",
            priority="urgent",
        ),
        scene.ago(hours=3),
    )
    briefing, _message = messages.open_thread(
        scene.engine,
        scene.who("hugo"),
        ACTION_DAY_THREAD,
        ("NCB-ES", "NCB-FR", "NCB-UA", "BP-MD", "POL-ES"),
        Draft(
            "The action day starts at 06:00 CET. File every arrest, rescue and seizure in Liberterra II "
            "as it happens; the tally is read out on the 18:00 call."
        ),
        scene.ago(hours=26),
    )
    messages.reply(
        scene.engine,
        carmen,
        briefing.thread_id,
        Draft("NCB-ES and POL-ES ready: three teams for Club Venus Levante and the flats in Benidorm."),
        scene.ago(hours=25),
    )
    return True


def request_access(scene: Scene) -> bool:
    """alice correlates the driver's phone, hits BP-MD's crossings she may not read, and asks for them;
    hugo asks FIU-NL for the ring's wallet; dmitri asks NCB-ES for the victim his watch hit; carmen
    asks the secretariat for the FALLCHILL event."""
    alice = scene.who("alice")
    if hits.list_requests(scene.engine, alice):
        return False
    phone = scene.entity("bp_md_trafficking_crossings", "moroz").first("phone") or ""
    found = correlation.correlate(
        scene.engine,
        alice,
        correlation.read_values([("phone", phone)]),
        purpose="Perpignan case 2026/311: calls to Karim BENALI",
        now=scene.ago(hours=9),
    )
    for item in found:
        for reference in item.references:
            hits.request_access(
                scene.engine,
                alice,
                reference.ref,
                "This phone called Karim BENALI eleven times before each minibus reached Perpignan; we "
                "need the crossings it belongs to for the French case.",
                scene.ago(hours=8),
            )
    # Synergia III follows the ransom: FIU-NL holds the wallet in a file only CYB-NL may read.
    hugo = scene.who("hugo")
    wallet = scene.entity("cyb_nl_ransomware", "usdt-wallet").first("publicKey") or ""
    ransom_found = correlation.correlate(
        scene.engine,
        hugo,
        correlation.read_values([("wallet", wallet)]),
        purpose="Synergia III: ransom payments",
        now=scene.ago(days=2),
    )
    for item in ransom_found:
        for reference in item.references:
            hits.request_access(
                scene.engine,
                hugo,
                reference.ref,
                "Synergia III: NightCrow's USDT wallet; we need the laundering chain for the action day.",
                scene.ago(days=2, hours=-1),
            )
    dmitri = scene.who("dmitri")
    for alert in alerts.list_alerts(scene.engine, dmitri, limit=alerts.MAX_PAGE):
        if alert.kind == "watch.reference" and "Olena BONDAR" in str(alert.detail.get("label")):
            hits.request_access(
                scene.engine,
                dmitri,
                str(alert.detail["reference"]),
                "Our yellow notice: her mother reported her missing. Is she safe, and where?",
                scene.ago(hours=2),
            )
            break
    # NCB-ES met the FALLCHILL server in a Spanish port's logs; the secretariat holds the MISP event.
    carmen = scene.who("carmen")
    port_found = correlation.correlate(
        scene.engine,
        carmen,
        correlation.read_values([(None, SHARED_VALUES["fallchill_ip"])]),
        purpose="Valencia port intrusion 2026/904",
        now=scene.ago(hours=6),
    )
    for item in port_found:
        for reference in item.references:
            if reference.owner_agency == "GS-LYON":
                hits.request_access(
                    scene.engine,
                    carmen,
                    reference.ref,
                    "The same server reached the Valencia port's network; we need the event's other "
                    "indicators to check our logs.",
                    scene.ago(hours=5),
                )
    return True
