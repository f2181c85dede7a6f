"""A fictional but realistic world for the demo: member agencies and their shared datasets.

It holds a human-trafficking network, a ransomware ring and a wildlife-smuggling route, each
recorded in part by several agencies under different handling codes. Everything is drawn from
`random.Random` seeded by the caller: the same seed gives the same world, byte for byte. Each
network draws from its own stream (`f"{seed}/cyber"`), so editing one leaves the others alone.
"""

from __future__ import annotations

from liaison.demo.build import DemoBuilder, DemoDataset
from liaison.demo.cyber import cyber_datasets
from liaison.demo.trafficking import trafficking_datasets
from liaison.demo.wildlife import wildlife_datasets
from liaison.model.agency import Agency, AgencyKind
from liaison.model.handling import Handling
from liaison.model.identity import Role

__all__ = ["DEMO_PASSWORD", "GROUPS", "USERS", "DemoDataset", "demo_agencies", "demo_datasets"]

AGENCIES = (
    ("GS-LYON", "General Secretariat, Command and Coordination Centre", "FR", AgencyKind.SECRETARIAT),
    ("NCB-FR", "National Central Bureau Paris", "FR", AgencyKind.NCB),
    ("NCB-ES", "National Central Bureau Madrid", "ES", AgencyKind.NCB),
    ("NCB-UA", "National Central Bureau Kyiv", "UA", AgencyKind.NCB),
    ("NCB-NG", "National Central Bureau Abuja", "NG", AgencyKind.NCB),
    ("NCB-TH", "National Central Bureau Bangkok", "TH", AgencyKind.NCB),
    ("POL-ES", "National Police, Unit against Trafficking Networks", "ES", AgencyKind.POLICE),
    ("BP-MD", "Border Police of Moldova", "MD", AgencyKind.BORDER),
    ("BP-DE", "Federal Police, Border Directorate", "DE", AgencyKind.BORDER),
    ("FIU-NL", "Financial Intelligence Unit Netherlands", "NL", AgencyKind.FIU),
    ("CYB-NL", "National High Tech Crime Unit", "NL", AgencyKind.CYBER),
    ("CUS-NG", "Customs Service, Apapa Command", "NG", AgencyKind.CUSTOMS),
    ("WL-VN", "Environmental Police, Wildlife Crime Division", "VN", AgencyKind.WILDLIFE),
)


GROUPS = {
    "thb-taskforce": (
        "Joint task force on trafficking in human beings along the eastern route",
        ("NCB-ES", "NCB-FR", "NCB-UA", "POL-ES", "BP-MD", "GS-LYON"),
    ),
}
"""The demo's sharing groups: name -> (description, member agencies)."""


# The demo's web users, one of each role a walk-through needs, all with DEMO_PASSWORD.
USERS = (
    ("alice", "NCB-FR", Role.ANALYST),
    ("bruno", "NCB-FR", Role.ADMIN),
    ("carmen", "NCB-ES", Role.ANALYST),
    ("dmitri", "NCB-UA", Role.OFFICER),
    ("elena", "BP-MD", Role.FIRST_RESPONDER),
    ("grace", "GS-LYON", Role.REVIEWER),
    ("hugo", "GS-LYON", Role.COORDINATOR),
    ("ines", "NCB-ES", Role.AUDITOR),
    # Two border officers of one agency: a deny at the border is confirmed by a second officer.
    ("felix", "BP-MD", Role.OFFICER),
    ("olga", "BP-MD", Role.OFFICER),
)
DEMO_PASSWORD = "liaison-demo-2026"
"""The demo users' password: printed on the console; a demo world is for trying Liaison, not for real data."""


def demo_agencies() -> list[Agency]:
    """The demo's member agencies: thirteen, of every kind, in nine countries."""
    return [
        Agency(code=code, name=name, country=country, kind=kind) for code, name, country, kind in AGENCIES
    ]


def demo_datasets(seed: int = 7) -> list[DemoDataset]:
    """Every demo dataset, drawn from `seed`; ids depend only on dataset and entity, not on the seed."""
    # Each network publishes its internationally wanted suspects into the secretariat's notices.
    notices = DemoBuilder("gs_public_notices", seed)
    networks = [
        *trafficking_datasets(seed, notices),
        *cyber_datasets(seed, notices),
        *wildlife_datasets(seed, notices),
    ]
    public = DemoDataset(
        name=notices.dataset,
        title="Public wanted-person notices",
        owner="GS-LYON",
        handling=Handling.CLEAR,
        releasability=(),
        purpose="Publication of wanted persons at the request of member countries",
        records=notices.records,
    )
    return [*networks, public]
