"""The demo's human-trafficking network: recruitment in Ukraine, transit via Moldova, exploitation in Spain.

Four agencies hold parts of it. The same people appear in several datasets under other scripts,
spellings and birth-date precisions, which is what cross-matching has to see through.
"""

# Cyrillic letters that look Latin are the point here: the names are written as Ukrainians write them.
# ruff: noqa: RUF001

from __future__ import annotations

import random

from liaison.demo.build import DemoBuilder, DemoDataset
from liaison.demo.exploitation import exploitation_datasets
from liaison.demo.identifiers import Traits, day_in, fill, traits
from liaison.model.handling import Handling

__all__ = ["trafficking_datasets"]

# (key, birth year, country of phone and passport) of everyone in the network, victims included.
# The order is part of the seed's meaning: traits are drawn in it.
CAST = (
    ("petrenko", 1984, "ua"),
    ("natalia", 1988, "ua"),
    ("rusu", 1979, "md"),
    ("moroz", 1990, "ua"),
    ("elamrani", 1981, "ma"),
    ("wang", 1976, "cn"),
    ("chen", 1974, "cn"),
    ("benali", 1979, "fr"),
    ("kovalchuk", 2001, "ua"),
    ("ceban", 2003, "md"),
    ("bondar", 1999, "ua"),
)
TOPIC = "crime.traffick.human"


def trafficking_datasets(seed: int, notices: DemoBuilder) -> list[DemoDataset]:
    """The network as NCB-UA, BP-MD, NCB-ES and NCB-FR recorded it, plus NCB-ES's RED victim file.

    Its leader's public wanted notice goes into `notices`.
    """
    rng = random.Random(f"{seed}/trafficking")
    cast = {key: traits(rng, year, country) for key, year, country in CAST}
    notices.add(
        "Person",
        "petrenko",
        name="Oleksandr PETRENKO",
        alias="ПЕТРЕНКО Олександр Іванович",
        birthDate=cast["petrenko"].birth("day"),
        nationality="ua",
        gender="male",
        topics=["wanted", TOPIC],
        notes="Wanted by Ukraine for trafficking in human beings.",
    )
    return [recruitment(seed, rng, cast), transit(seed, rng, cast), *exploitation_datasets(seed, rng, cast)]


def recruitment(seed: int, rng: random.Random, cast: dict[str, Traits]) -> DemoDataset:
    """NCB-UA's file on the Odesa modelling agency that fronts the recruitment."""
    b = DemoBuilder("ncb_ua_trafficking", seed)
    petrenko, natalia, rusu = cast["petrenko"], cast["natalia"], cast["rusu"]
    office = b.add(
        "Address",
        "zirka-office",
        full="вул. Прохоровська 27, Одеса 65000, Україна",
        street="вул. Прохоровська 27",
        city="Одеса",
        postalCode="65000",
        country="ua",
    )
    zirka = b.add(
        "Company",
        "zirka",
        name="ТОВ «Зірка Модел Менеджмент»",
        alias="Zirka Model Management LLC",
        legalForm="limited liability company (TOV)",
        jurisdiction="ua",
        registrationNumber=fill(rng, "4#######"),  # EDRPOU codes of recent companies start with 4
        incorporationDate=day_in(rng, 2019, 4).isoformat(),
        addressEntity=office,
        sector="Model and casting agency",
        website="https://zirka-models.example/",
        phone=petrenko.phone,
        notes="Advertises modelling and hostess work in Spain; used to recruit young women.",
    )
    boss = b.add(
        "Person",
        "petrenko",
        name="Олександр Іванович Петренко",
        alias="Oleksandr PETRENKO",
        firstName="Олександр",
        fatherName="Іванович",
        lastName="Петренко",
        birthDate=petrenko.birth("day"),
        birthPlace="Одеса",
        nationality="ua",
        gender="male",
        passportNumber=petrenko.passport,
        phone=petrenko.phone,
        topics=TOPIC,
    )
    sister = b.add(
        "Person",
        "natalia",
        name="Наталія Іванівна Петренко",
        alias="Nataliia PETRENKO",
        firstName="Наталія",
        fatherName="Іванівна",
        lastName="Петренко",
        birthDate=natalia.birth("day"),
        nationality="ua",
        gender="female",
        passportNumber=natalia.passport,
        phone=natalia.phone,
        email="casting@zirka-models.example",
        topics=TOPIC,
    )
    partner = b.add(
        "Person",
        "rusu",
        name="Ion RUSU",
        alias="Ион Русу",  # the Cyrillic spelling of his Soviet-era documents
        birthDate=rusu.birth("year"),
        nationality="md",
        notes="Arranges minibus transport through Moldova for the recruits.",
        topics=TOPIC,
    )
    for key, person, who in (("petrenko", boss, petrenko), ("natalia", sister, natalia)):
        b.add(
            "Passport",
            f"{key}-passport",
            holder=person,
            number=who.passport,
            country="ua",
            type="Passport",
            startDate=day_in(rng, 2018, 6).isoformat(),
        )
    b.add("Directorship", "petrenko-zirka", director=boss, organization=zirka, role="Director")
    b.add("Employment", "natalia-zirka", employee=sister, employer=zirka, role="Casting manager")
    b.add("Family", "petrenko-natalia", person=boss, relative=sister, relationship="sister")
    b.add("Associate", "petrenko-rusu", person=boss, associate=partner, relationship="business partner")
    return DemoDataset(
        name=b.dataset,
        title="Recruitment through a modelling agency in Odesa",
        owner="NCB-UA",
        handling=Handling.AMBER,
        releasability=("agency:NCB-ES", "agency:NCB-FR", "agency:BP-MD", "agency:GS-LYON"),
        purpose="Investigation of trafficking in human beings for sexual exploitation",
        records=b.records,
    )


def transit(seed: int, rng: random.Random, cast: dict[str, Traits]) -> DemoDataset:
    """BP-MD's crossings of the network's minibus at Leușeni, bound for Spain."""
    b = DemoBuilder("bp_md_trafficking_crossings", seed)
    rusu, moroz = cast["rusu"], cast["moroz"]
    odesa = b.add("Address", "odesa", full="Odesa, Ukraine", city="Odesa", country="ua")
    alicante = b.add("Address", "alicante", full="Alicante, Spain", city="Alicante", country="es")
    driver = b.add(
        "Person",
        "moroz",
        name="Viktor MOROZ",
        alias="Віктор Мороз",
        birthDate=moroz.birth("day"),
        nationality="ua",
        gender="male",
        passportNumber=moroz.passport,
        phone=moroz.phone,
    )
    organiser = b.add(
        "Person",
        "rusu",
        name="Ion Rusu",
        birthDate=rusu.birth("day"),
        nationality="md",
        gender="male",
        passportNumber=rusu.passport,
        phone=rusu.phone,
    )
    for key, person, who, country in (("moroz", driver, moroz, "ua"), ("rusu", organiser, rusu, "md")):
        b.add("Passport", f"{key}-passport", holder=person, number=who.passport, country=country)
    minibus = b.add(
        "Vehicle",
        "minibus",
        name="Mercedes-Benz Sprinter",
        registrationNumber=fill(rng, "BH####@@"),  # BH: Odesa region plates
        model="Sprinter 316 CDI",
        type="Minibus",
        country="ua",
        owner=driver,
    )
    # A border crossing is a Trip: where it started and was heading, by what, and who was aboard.
    for number, (month, women) in enumerate(((3, 7), (9, 5)), start=1):
        b.add(
            "Trip",
            f"crossing-{number}",
            name="Minibus Odesa - Alicante",
            startLocation=odesa,
            endLocation=alicante,
            vehicle=minibus,
            involved=[driver, organiser],
            startDate=day_in(rng, 2024, month).isoformat(),
            location="Leușeni-Albița border crossing",
            country=["md", "ro"],
            summary=f"Exit to Romania with {women} young women declaring hostess jobs in Spain.",
        )
    b.add("Associate", "moroz-rusu", person=driver, associate=organiser, relationship="drives for")
    return DemoDataset(
        name=b.dataset,
        title="Border crossings of a suspect minibus",
        owner="BP-MD",
        handling=Handling.AMBER,
        releasability=("country:ua", "country:es", "agency:BP-DE"),
        purpose="Border risk analysis on trafficking in human beings",
        records=b.records,
    )
