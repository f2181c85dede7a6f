"""The demo's ransomware ring: its operators and accounts, its infrastructure, and how its money is washed.

FtM has no schema for a server or a domain, so a rented server is the hosting `UserAccount`
that carries its IP addresses, and the leak site is the group's `website`. The same wallets
and phone recur across the cyber unit's and the FIU's datasets.
"""

from __future__ import annotations

import random

from liaison.demo.build import DemoBuilder, DemoDataset
from liaison.demo.identifiers import (
    Traits,
    bitcoin_address,
    day_in,
    documentation_ip,
    fill,
    iban,
    onion_url,
    traits,
    tron_address,
)
from liaison.model.handling import Handling

__all__ = ["cyber_datasets"]


def cyber_datasets(seed: int, notices: DemoBuilder) -> list[DemoDataset]:
    """CYB-NL's file on the ring, its GREEN indicators, and FIU-NL's AMBER+STRICT file on the proceeds.

    The ring's administrator's public wanted notice goes into `notices`.
    """
    rng = random.Random(f"{seed}/cyber")
    volkov, gusev, vandam = traits(rng, 1991, "ru"), traits(rng, 1995, "ru"), traits(rng, 1998, "nl")
    notices.add(
        "Person",
        "volkov",
        name="Dmitry VOLKOV",
        alias="ВОЛКОВ Дмитрий Сергеевич",
        birthDate=volkov.birth("day"),
        nationality="ru",
        gender="male",
        topics=["wanted", "crime.cyber"],
        notes="Wanted by the Netherlands for extortion and computer intrusion.",
    )
    leak_site, ransom_wallet, usdt_wallet = onion_url(rng), bitcoin_address(rng), tron_address(rng)
    servers = sorted({documentation_ip(rng) for _ in range(3)})
    email = "k0rvus@securemail.example"

    b = DemoBuilder("cyb_nl_ransomware", seed)
    crew = b.add("Organization", "nightcrow", name="NightCrow", alias="NightCrow Team", website=leak_site)
    admin = b.add(
        "Person",
        "volkov",
        name="Дмитрий Сергеевич Волков",
        alias="Dmitriy VOLKOV",
        weakAlias="k0rvus",
        firstName="Дмитрий",
        fatherName="Сергеевич",
        lastName="Волков",
        birthDate=volkov.birth("day"),
        nationality="ru",
        gender="male",
        phone=volkov.phone,
        email=email,
        topics="crime.cyber",
    )
    negotiator = b.add(
        "Person",
        "gusev",
        name="Артём Гусев",
        alias="Artem GUSEV",
        weakAlias="gus_ops",
        birthDate=gusev.birth("month"),
        nationality="ru",
        phone=gusev.phone,
        topics="crime.cyber",
    )
    b.add("Membership", "volkov-nightcrow", member=admin, organization=crew, role="Administrator")
    b.add("Membership", "gusev-nightcrow", member=negotiator, organization=crew, role="Ransom negotiator")
    b.add("Associate", "volkov-gusev", person=admin, associate=negotiator, relationship="co-founder")
    b.add(
        "UserAccount",
        "forum-account",
        username="k0rvus",
        service="Russian-language cybercrime forum",
        email=email,
        owner=admin,
        ipAddress=servers[0],
    )
    b.add(
        "UserAccount",
        "vps-account",
        username=f"client{fill(rng, '#####')}",
        service="Offshore VPS hosting",
        email="gus_ops@securemail.example",
        owner=negotiator,
        ipAddress=servers,
    )
    b.add("CryptoWallet", "ransom-wallet", publicKey=ransom_wallet, currencySymbol="BTC", holder=crew)
    b.add("CryptoWallet", "usdt-wallet", publicKey=usdt_wallet, currencySymbol="USDT", holder=admin)
    ring = DemoDataset(
        name=b.dataset,
        title="NightCrow ransomware operators",
        owner="CYB-NL",
        handling=Handling.AMBER,
        releasability=("agency:FIU-NL", "agency:BP-DE", "agency:GS-LYON", "country:de"),
        purpose="Investigation of ransomware attacks on Dutch companies",
        records=b.records,
    )

    b = DemoBuilder("cyb_nl_ransomware_indicators", seed)
    brand = b.add("Organization", "nightcrow", name="NightCrow", website=leak_site, topics="crime.cyber")
    b.add("CryptoWallet", "ransom-wallet", publicKey=ransom_wallet, currencySymbol="BTC", holder=brand)
    for number, address in enumerate(servers, start=1):
        b.add(
            "UserAccount",
            f"server-{number}",
            username=f"srv-{number}",
            service="Command-and-control server",
            ipAddress=address,
            owner=brand,
        )
    for key, month, victim in (
        ("attack-logistics", 2, "a logistics firm"),
        ("attack-water", 6, "a water utility"),
    ):
        b.add(
            "Event",
            key,
            name=f"NightCrow ransomware attack on {victim}",
            date=day_in(rng, 2025, month).isoformat(),
            country="nl",
            involved=brand,
            summary="Files encrypted and stolen; ransom demanded in bitcoin on the leak site.",
        )
    indicators = DemoDataset(
        name=b.dataset,
        title="NightCrow indicators of compromise",
        owner="CYB-NL",
        handling=Handling.GREEN,
        releasability=(),
        purpose="Network defence and attribution of ransomware attacks",
        records=b.records,
    )
    return [ring, indicators, proceeds(seed, rng, volkov, vandam, usdt_wallet)]


def proceeds(seed: int, rng: random.Random, volkov: Traits, vandam: Traits, usdt_wallet: str) -> DemoDataset:
    """FIU-NL's suspicious-transaction file: a shell company, a money mule and their accounts."""
    b = DemoBuilder("fiu_nl_ransomware_proceeds", seed)
    office = b.add(
        "Address",
        "virtual-office",
        full="Narva mnt 5, 10117 Tallinn, Estonia",
        city="Tallinn",
        postalCode="10117",
        country="ee",
    )
    shell = b.add(
        "Company",
        "nordvale",
        name="Nordvale Trade OÜ",
        jurisdiction="ee",
        registrationNumber=fill(rng, "16######"),
        incorporationDate=day_in(rng, 2023, 8).isoformat(),
        addressEntity=office,
        website="https://nordvale-trade.example/",
        email="info@nordvale-trade.example",
        topics="corp.shell",
    )
    owner = b.add(
        "Person",
        "volkov",
        name="Dmitrii VOLKOV",
        birthDate=volkov.birth("month"),
        nationality="ru",
        phone=volkov.phone,
    )
    mule = b.add(
        "Person",
        "vandam",
        name="Jeroen VAN DAM",
        firstName="Jeroen",
        lastName="van Dam",
        birthDate=vandam.birth("day"),
        nationality="nl",
        phone=vandam.phone,
        address="Rotterdam, Nederland",
    )
    b.add(
        "Ownership", "volkov-nordvale", owner=owner, asset=shell, percentage="100", ownershipType="beneficial"
    )
    b.add("Directorship", "vandam-nordvale", director=mule, organization=shell, role="Nominee board member")
    company_account = b.add(
        "BankAccount",
        "nordvale-account",
        name="Nordvale Trade OÜ, EUR account",
        iban=iban(rng, "LT"),
        bankName="Lithuanian e-money institution",
        accountType="Business current account",
        currency="EUR",
    )
    mule_account = b.add(
        "BankAccount",
        "vandam-account",
        name="J. van Dam, personal account",
        iban=iban(rng, "NL"),
        bankName="Rabobank",
        currency="EUR",
    )
    b.add("Ownership", "nordvale-account-owner", owner=shell, asset=company_account)
    b.add("Ownership", "vandam-account-owner", owner=mule, asset=mule_account)
    for number, month in enumerate((3, 5, 7), start=1):
        b.add(
            "Payment",
            f"payment-{number}",
            payer=mule,
            payerAccount=mule_account,
            beneficiary=shell,
            beneficiaryAccount=company_account,
            amount=rng.randrange(9_000, 49_000),
            currency="EUR",
            date=day_in(rng, 2025, month).isoformat(),
            purpose=f"Invoice NT-2025-{number:03d}, IT consulting",
        )
    b.add(
        "CryptoWallet",
        "usdt-wallet",
        publicKey=usdt_wallet,
        currencySymbol="USDT",
        blockchain="Tron",
        holder=shell,
        summary="Receives the company balance within days of each payment.",
    )
    return DemoDataset(
        name=b.dataset,
        title="Laundering of ransom proceeds through an Estonian shell company",
        owner="FIU-NL",
        handling=Handling.AMBER_STRICT,
        releasability=("agency:CYB-NL",),
        purpose="Analysis of suspicious transaction reports",
        records=b.records,
    )
