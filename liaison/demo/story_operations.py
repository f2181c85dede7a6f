"""The demo story's coordinated operations, under way when the demo starts.

Liberterra II (trafficking, coordinated by hugo of GS-LYON) has checkpoints at Chisinau airport,
the Leușeni crossing, Madrid and Le Perthus; its participants have filed field results for three
days, and the network's recruitment site is taken down. Synergia III (cyber) is taking down the
NightCrow ransomware servers. The border chapter later screens a flight into Chisinau, whose
counts file into Liberterra II's tally.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from liaison.demo.story_scene import Scene
from liaison.model.operation import Checkpoint, OperationPlan, Seizure
from liaison.services.operations import operations, takedowns

__all__ = ["LIBERTERRA", "SYNERGIA", "WATCHLISTS", "plan_operations"]

LIBERTERRA = "Liberterra II"
"""The trafficking operation: its name marks the operations as told."""
SYNERGIA = "Synergia III"
"""The cyber operation, with the takedowns of the ransomware ring's servers."""
WATCHLISTS = ("un_sc", "notices", "gs_public_notices", "diffusions_ncb-es", "ncb_ua_trafficking")
"""What Liberterra II screens travellers against: the UN list, notices, the diffusion on the
driver and NCB-UA's file on the network."""
CHECKPOINTS = (
    "KIV:airport:md:Chisinau International:UX1094,TK269",
    "LEU:border_crossing:md:Leușeni-Albița",
    "MAD:airport:es:Madrid Barajas:IB3170",
    "PER:border_crossing:fr:Le Perthus (A9)",
)


def _liberterra(scene: Scene) -> OperationPlan:
    return OperationPlan.parse(
        LIBERTERRA,
        "trafficking",
        scene.day(3),
        scene.day(-4),
        agencies=("NCB-ES", "NCB-FR", "NCB-UA", "BP-MD", "POL-ES"),
        countries=("es", "fr", "ua", "md"),
        objectives="Identify and rescue the victims of the Petrenko network on the eastern route "
        "(Odesa, Moldova, Romania, Spain); arrest its recruiters, drivers and exploiters on the action "
        "day; screen every flight and minibus at the checkpoints against the UN list, the notices and "
        "NCB-UA's file.",
        watchlists=WATCHLISTS,
        checkpoints=[Checkpoint.from_line(line) for line in CHECKPOINTS],
    )


def _synergia(scene: Scene) -> OperationPlan:
    return OperationPlan.parse(
        SYNERGIA,
        "cyber",
        scene.day(5),
        scene.day(-9),
        agencies=("CYB-NL", "FIU-NL", "BP-DE", "NCB-FR"),
        countries=("nl", "de", "fr"),
        objectives="Take down the NightCrow ransomware ring's command-and-control servers and leak site, "
        "and follow its ransom payments.",
    )


def _results(scene: Scene, rng: random.Random) -> None:
    """Three days of field results from the participants' officers, analysts and first responders."""

    def file(user: str, kind: str, count: int, country: str, at: dt.datetime, **extra: Any) -> None:
        operations.file_result(
            scene.engine,
            scene.who(user),
            LIBERTERRA,
            kind=kind,
            count=count,
            country=country,
            day=at.date(),
            source="demo",
            now=at,
            **extra,
        )

    for days_ago in (2, 1, 0):
        at = scene.ago(days=days_ago, minutes=30)
        screened = rng.randrange(180, 260)
        file("elena", "person_screened", screened, "md", at, checkpoint="LEU")
        file("elena", "database_check", screened * 3, "md", at, checkpoint="LEU")
        file("dmitri", "database_check", rng.randrange(600, 900), "ua", at)
        file("alice", "person_screened", rng.randrange(250, 400), "fr", at, checkpoint="PER")
    minibus = scene.entity("bp_md_trafficking_crossings", "minibus")
    file(
        "elena",
        "victim_identified",
        4,
        "md",
        scene.ago(days=1, hours=1),
        checkpoint="LEU",
        entities=(str(minibus.id),),
        note="Four young women aboard the Sprinter BH9670EM, told of "
        "hostess jobs in Alicante; referred to the national referral mechanism.",
    )
    file(
        "felix",
        "seizure",
        1,
        "md",
        scene.ago(days=1),
        checkpoint="LEU",
        seizure=Seizure("forged employment contracts", 4, "pieces", "Leușeni"),
    )
    natalia = scene.entity("ncb_ua_trafficking", "natalia")
    file(
        "dmitri",
        "arrest",
        1,
        "ua",
        scene.ago(hours=20),
        entities=(str(natalia.id),),
        note="Nataliia PETRENKO, at the Zirka office in Odesa.",
    )
    club = scene.entity("ncb_es_trafficking", "club")
    file(
        "carmen",
        "arrest",
        3,
        "es",
        scene.ago(minutes=50),
        entities=(str(club.id),),
        note="Search of Club Venus Levante, Benidorm.",
    )
    file(
        "carmen",
        "victim_rescued",
        6,
        "es",
        scene.ago(minutes=45),
        note="Six women at Club Venus Levante; two say they are 17.",
    )
    file(
        "carmen",
        "seizure",
        1,
        "es",
        scene.ago(minutes=40),
        seizure=Seizure("cash", 23_450, "EUR", "Club Venus Levante, Benidorm"),
    )


def _takedowns(scene: Scene) -> None:
    """The recruitment site taken down in Liberterra II, the ring's servers in Synergia III."""
    engine, alice, hugo = scene.engine, scene.who("alice"), scene.who("hugo")
    site = takedowns.add(
        engine,
        alice,
        LIBERTERRA,
        kind="domain",
        value="zirka-models.example",
        country="ua",
        provider="Ukrainian registrar",
        day=scene.day(3),
        note="Casting adverts of Zirka Model Management.",
        now=scene.ago(days=3),
    )
    takedowns.advance(
        engine,
        alice,
        site.takedown_id,
        stage="notified",
        day=scene.day(2),
        notified_to="NCB-UA cybercrime desk",
        now=scene.ago(days=2),
    )
    takedowns.advance(
        engine, alice, site.takedown_id, stage="taken_down", day=scene.day(1), now=scene.ago(days=1)
    )
    steps = (("seized", 4), ("taken_down", 3), ("notified", 2))
    for number, (stage, days_ago) in enumerate(steps, start=1):
        server = scene.entity("cyb_nl_ransomware_indicators", f"server-{number}")
        made = takedowns.add(
            engine,
            hugo,
            SYNERGIA,
            kind="ip",
            value=server.first("ipAddress") or "",
            country="nl",
            provider="Offshore VPS hosting",
            day=scene.day(5),
            note="NightCrow command-and-control server.",
            now=scene.ago(days=5),
        )
        takedowns.advance(
            engine,
            hugo,
            made.takedown_id,
            stage="notified",
            day=scene.day(days_ago + 1),
            notified_to="Host abuse desk",
            now=scene.ago(days=days_ago + 1),
        )
        if stage != "notified":
            takedowns.advance(
                engine,
                hugo,
                made.takedown_id,
                stage=stage,
                day=scene.day(days_ago),
                now=scene.ago(days=days_ago),
            )
    takedowns.add(
        engine,
        hugo,
        SYNERGIA,
        kind="domain",
        value="nightcrow-support.example",
        country="de",
        provider="German registrar",
        day=scene.day(1),
        note="Negotiation portal for victims.",
        now=scene.ago(days=1),
    )


def plan_operations(scene: Scene) -> bool:
    """hugo's two operations, their field results and takedowns."""
    hugo = scene.who("hugo")
    if any(found.plan.name == LIBERTERRA for found in operations.list_operations(scene.engine, hugo)):
        return False
    operations.create(scene.engine, hugo, _liberterra(scene), scene.ago(days=4))
    operations.create(scene.engine, hugo, _synergia(scene), scene.ago(days=6))
    _results(scene, scene.rng("operations"))
    _takedowns(scene)
    return True
