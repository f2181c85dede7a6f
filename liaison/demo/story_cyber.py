"""The demo story's cyber chapter: a real STIX 2.1 bundle and a real MISP event imported by hugo,
and CYB-NL's forensic report on an intrusion that shares their values, so correlations show.

The bundle is Mandiant's APT1 report, the event CIRCL's FALLCHILL (Lazarus Group) one, both from
the repository's data/ folder. The forensic report names a sample hash from APT1's appendix and
a FALLCHILL command server, both published indicators, beside the NightCrow servers the demo
world already holds (documentation addresses): correlating any of them finds the others.
"""

from __future__ import annotations

from liaison import ingest
from liaison.demo.build import DemoBuilder
from liaison.demo.story_scene import Scene
from liaison.model import Envelope, Handling
from liaison.services.sharing.imports import envelope_for, import_records
from liaison.services.sharing.reference_data import reference_file

__all__ = ["FORENSICS", "SHARED_VALUES", "import_intelligence"]

BUNDLES = (
    ("stix", "gs_lyon_apt1", "GREEN", "APT1: Exposing one of China's cyber espionage units", "apt1.json"),
    ("misp", "gs_lyon_misp", "AMBER", "HIDDEN COBRA: FALLCHILL", "misp_event_hidden_cobra_fallchill.json"),
)
"""(kind, dataset, handling, title, file under cyber/stix21 or cyber/misp); `gs_lyon_apt1` marks the
chapter as told."""
FOLDERS = {"stix": "cyber/stix21", "misp": "cyber/misp"}
FORENSICS = "cyb_nl_forensics"
SHARED_VALUES = {
    "apt1_md5": "001dd76872d80801692ff942308c64e6",  # APT1 report, appendix E
    "fallchill_ip": "81.0.213.173",  # a FALLCHILL command server in the MISP event
}
"""Values the forensic report shares with the bundle and the event, for a tour to correlate."""


def _forensics(scene: Scene) -> DemoBuilder:
    """CYB-NL's report on the intrusion at a port logistics firm, and the sample it recovered."""
    b = DemoBuilder(FORENSICS, scene.seed)
    ring = [scene.entity("cyb_nl_ransomware_indicators", f"server-{n}").first("ipAddress") for n in (1, 2)]
    firm = b.add(
        "Company", "victim", name="Maasvlakte Logistics BV", jurisdiction="nl", sector="Port logistics"
    )
    b.add(
        "Event",
        "intrusion",
        name="Intrusion at Maasvlakte Logistics BV",
        date=scene.day(16).isoformat(),
        country="nl",
        involved=firm,
        ipMentioned=[SHARED_VALUES["fallchill_ip"], *ring],
        summary="A FALLCHILL server and an APT1 dropper on the network weeks before NightCrow encrypted "
        "the firm's files: the access was bought from others, not gained by the ring itself.",
    )
    b.add(
        "Document",
        "sample",
        title="Recovered dropper (WEBC2 family)",
        fileName="svchost32.exe",
        contentHash=SHARED_VALUES["apt1_md5"],
        date=scene.day(15).isoformat(),
    )
    return b


def import_intelligence(scene: Scene) -> bool:
    """hugo imports the APT1 bundle (GREEN) and the FALLCHILL event (AMBER); CYB-NL its report."""
    hugo = scene.who("hugo")
    if scene.has_dataset(hugo, BUNDLES[0][1]):
        return False
    settings, now = scene.settings, scene.ago(days=3)
    for kind, dataset, handling, title, name in BUNDLES:
        path = reference_file(settings, f"{FOLDERS[kind]}/{name}")
        envelope = envelope_for(
            "GS-LYON",
            dataset,
            handling,
            "cyber threat intelligence",
            now=now,
            retention_years=settings.retention_years,
            release=("agency:CYB-NL", "agency:NCB-FR"),
        )
        import_records(
            scene.engine,
            ingest.read(kind, path),
            envelope=envelope,
            title=title,
            kind=kind,
            source=path.name,
            now=now,
            batch_size=settings.import_batch_size,
            identity=hugo,
        )
    report = _forensics(scene)
    review = now.date().replace(year=now.year + settings.retention_years)
    envelope = Envelope(
        "CYB-NL",
        FORENSICS,
        Handling.AMBER,
        "Investigation of ransomware attacks on Dutch companies",
        review,
        ("agency:GS-LYON", "agency:NCB-FR", "agency:FIU-NL"),
    )
    import_records(
        scene.engine,
        report.records,
        envelope=envelope,
        title="Forensic reports on NightCrow intrusions",
        kind="demo",
        source=f"demo:{scene.seed}",
        now=now,
        batch_size=settings.import_batch_size,
    )
    return True
