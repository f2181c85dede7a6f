"""The demo's wildlife-smuggling route: pangolin scales and ivory shipped from Lagos to Hai Phong.

A seizure is an FtM `Event`: it has a date, a place, countries, a summary of what was found
and the parties `involved`. The same vessel (by IMO number) and the same Nigerian supplier
recur in the Nigerian customs and the Vietnamese police datasets.
"""

from __future__ import annotations

import random

from liaison.demo.build import DemoBuilder, DemoDataset
from liaison.demo.identifiers import day_in, fill, imo_number, traits
from liaison.model.handling import Handling

__all__ = ["wildlife_datasets"]

TOPIC = "crime.env"


def wildlife_datasets(seed: int, notices: DemoBuilder) -> list[DemoDataset]:
    """CUS-NG's GREEN seizure reports and WL-VN's AMBER file on the buyers.

    The Nigerian supplier's public wanted notice goes into `notices`.
    """
    rng = random.Random(f"{seed}/wildlife")
    okafor, bello = traits(rng, 1972, "ng"), traits(rng, 1986, "ng")
    notices.add(
        "Person",
        "okafor",
        name="Chukwuemeka OKAFOR",
        birthDate=okafor.birth("day"),
        nationality="ng",
        gender="male",
        topics=["wanted", TOPIC],
        notes="Wanted by Nigeria for unlawful trade in endangered species.",
    )
    nguyen, li = traits(rng, 1969, "vn"), traits(rng, 1977, "cn")
    imo, shipped = imo_number(rng), day_in(rng, 2024, 8)
    container = fill(rng, "MSKU#######")

    b = DemoBuilder("cus_ng_wildlife_seizures", seed)
    forwarder = b.add(
        "Company",
        "forwarder",
        name="Bight Star Logistics Ltd",
        jurisdiction="ng",
        registrationNumber=fill(rng, "RC#######"),
        address="Creek Road, Apapa, Lagos, Nigeria",
        sector="Freight forwarding and customs clearing",
    )
    supplier = b.add(
        "Person",
        "okafor",
        name="Chukwuemeka OKAFOR",
        alias="Emeka Okafor",
        birthDate=okafor.birth("day"),
        nationality="ng",
        gender="male",
        passportNumber=okafor.passport,
        phone=okafor.phone,
        topics=TOPIC,
    )
    agent = b.add(
        "Person",
        "bello",
        name="Abdullahi BELLO",
        birthDate=bello.birth("year"),
        nationality="ng",
        gender="male",
        phone=bello.phone,
    )
    b.add(
        "Vessel",
        "vessel",
        name="KESTREL DAWN",
        imoNumber=imo,
        flag="lr",
        type="Container ship",
        registrationPort="Monrovia",
    )
    b.add(
        "Directorship",
        "okafor-forwarder",
        director=supplier,
        organization=forwarder,
        role="Managing director",
    )
    b.add("Employment", "bello-forwarder", employee=agent, employer=forwarder, role="Clearing agent")
    b.add(
        "Event",
        "seizure-apapa",
        name="Seizure of pangolin scales at Apapa port",
        date=shipped.isoformat(),
        location="Apapa port, Lagos",
        country="ng",
        summary=f"2.3 t pangolin scales in container {container}, declared as frozen fish, "
        "booked on the KESTREL DAWN to Hai Phong.",
        involved=[forwarder, supplier, agent],
    )
    b.add(
        "Event",
        "seizure-ikeja",
        name="Seizure of ivory at Lagos airport",
        date=day_in(rng, 2024, 11).isoformat(),
        location="Murtala Muhammed International Airport, Lagos",
        country="ng",
        summary="0.4 t elephant ivory cut into blocks, in air cargo declared as wooden handicrafts.",
        involved=[forwarder],
    )
    seizures = DemoDataset(
        name=b.dataset,
        title="Wildlife seizures at Lagos ports",
        owner="CUS-NG",
        handling=Handling.GREEN,
        releasability=(),
        purpose="Sharing of wildlife seizures to target further shipments",
        records=b.records,
    )

    b = DemoBuilder("wl_vn_wildlife", seed)
    buyer = b.add(
        "Person",
        "nguyen",
        name="Nguyễn Văn Hùng",
        alias="Nguyen Van Hung",
        firstName="Hùng",
        middleName="Văn",
        lastName="Nguyễn",
        birthDate=nguyen.birth("day"),
        nationality="vn",
        gender="male",
        passportNumber=nguyen.passport,
        phone=nguyen.phone,
        topics=TOPIC,
    )
    financier = b.add(
        "Person",
        "li",
        name="李志强",
        alias="LI Zhiqiang",
        firstName="志强",
        lastName="李",
        birthDate=li.birth("month"),
        nationality="cn",
        gender="male",
        passportNumber=li.passport,
        phone=li.phone,
        topics=TOPIC,
    )
    seller = b.add(
        "Person",
        "okafor",
        name="Emeka OKAFOR",
        birthDate=okafor.birth("year"),
        nationality="ng",
        phone=okafor.phone,
    )
    importer = b.add(
        "Company",
        "hai-phat",
        name="Công ty TNHH Thương mại Hải Phát",
        alias="Hai Phat Trading Company Limited",
        jurisdiction="vn",
        taxNumber=fill(rng, "020#######"),  # tax codes of Hai Phong companies start with 020
        address="Đình Vũ, Hải An, Hải Phòng, Việt Nam",
        sector="Import of seafood and agricultural products",
    )
    ship = b.add("Vessel", "vessel", name="Kestrel Dawn", imoNumber=imo, flag="lr")
    lagos = b.add("Address", "lagos", full="Apapa port, Lagos, Nigeria", city="Lagos", country="ng")
    haiphong = b.add(
        "Address", "hai-phong", full="Đình Vũ port, Hải Phòng, Việt Nam", city="Hải Phòng", country="vn"
    )
    b.add("Passport", "li-passport", holder=financier, number=li.passport, country="cn", type="Passport")
    b.add("Directorship", "nguyen-hai-phat", director=buyer, organization=importer, role="Director")
    b.add("Associate", "nguyen-li", person=buyer, associate=financier, relationship="financed by")
    b.add("Associate", "nguyen-okafor", person=buyer, associate=seller, relationship="buys from")
    b.add(
        "Event",
        "seizure-haiphong",
        name="Seizure of pangolin scales at Hai Phong port",
        date=day_in(rng, 2025, 1).isoformat(),
        location="Đình Vũ port, Hải Phòng",
        country="vn",
        summary="1.2 t pangolin scales and 0.3 t ivory in a container declared as cashew nuts, "
        "shipped from Lagos via Laem Chabang.",
        involved=[importer, buyer],
    )
    b.add(
        "Trip",
        "voyage",
        name="Kestrel Dawn, Lagos - Hai Phong",
        startLocation=lagos,
        endLocation=haiphong,
        vehicle=ship,
        involved=importer,
        startDate=day_in(rng, 2024, 11).isoformat(),
        country=["ng", "th", "vn"],
        summary="Carried the seized container; transhipped at Laem Chabang.",
    )
    buyers = DemoDataset(
        name=b.dataset,
        title="Pangolin and ivory buyers in Hai Phong",
        owner="WL-VN",
        handling=Handling.AMBER,
        releasability=("agency:CUS-NG", "agency:NCB-NG", "agency:NCB-TH", "agency:GS-LYON"),
        purpose="Investigation of illegal trade in protected species",
        records=b.records,
    )
    return [seizures, buyers]
