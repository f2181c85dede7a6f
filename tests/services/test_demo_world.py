"""The demo world: deterministic from its seed, valid FtM throughout, and shaped as the demo needs.

Strategy: build the world once per seed (it takes milliseconds) and check structural claims over
every dataset and entity, so that a network added later is held to the same rules.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterator

import phonenumbers
import pycountry
import pytest
from followthemoney import model, registry
from followthemoney.proxy import EntityProxy
from rigour.ids import get_identifier_format

from liaison.demo.world import DemoDataset, demo_agencies, demo_datasets
from liaison.model import AgencyKind, Handling

SEEDS = (7, 8, 1234)
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def world(seed: int = 7) -> list[DemoDataset]:
    return demo_datasets(seed)


def proxies(datasets: list[DemoDataset]) -> Iterator[tuple[DemoDataset, EntityProxy]]:
    for dataset in datasets:
        for record in dataset.records:
            yield dataset, record.proxy


def snapshot(datasets: list[DemoDataset]) -> list[tuple[object, ...]]:
    return [
        (d.name, d.owner, d.handling, d.releasability, [(r.where, r.proxy.to_dict()) for r in d.records])
        for d in datasets
    ]


def scripts(text: str) -> set[str]:
    """The Unicode scripts of the letters in `text`, by the first word of their character names."""
    return {unicodedata.name(char).split()[0] for char in text if char.isalpha()}


def base58check_ok(address: str) -> bool:
    number = 0
    for char in address:
        number = number * 58 + BASE58.index(char)
    data = number.to_bytes(25, "big")
    return hashlib.sha256(hashlib.sha256(data[:-4]).digest()).digest()[:4] == data[-4:]


def test_same_seed_gives_the_same_world() -> None:
    assert snapshot(world(7)) == snapshot(world(7))
    assert snapshot(demo_datasets()) == snapshot(world(7))


def test_other_seed_changes_details_but_not_ids_or_structure() -> None:
    first, second = world(7), world(8)
    assert [d.name for d in first] == [d.name for d in second]
    for a, b in zip(first, second, strict=True):
        assert (a.owner, a.handling, a.releasability) == (b.owner, b.handling, b.releasability)
        assert [r.proxy.id for r in a.records] == [r.proxy.id for r in b.records]
        assert [r.proxy.schema for r in a.records] == [r.proxy.schema for r in b.records]
    assert snapshot(first) != snapshot(second)


def test_records_name_their_seed() -> None:
    for seed in SEEDS:
        for dataset in world(seed):
            assert all(str(record.where).startswith(f"demo:{seed}:") for record in dataset.records)


def test_agencies_are_a_dozen_of_many_kinds_and_countries() -> None:
    agencies = demo_agencies()
    codes = [agency.code for agency in agencies]
    assert len(agencies) >= 12
    assert len(set(codes)) == len(codes)
    assert len({agency.kind for agency in agencies}) >= 5
    assert len({agency.country for agency in agencies}) >= 4
    assert [a.kind for a in agencies].count(AgencyKind.SECRETARIAT) == 1  # demo loading relies on one
    for agency in agencies:
        assert agency.code == agency.code.upper() and len(agency.code) <= 8
        assert pycountry.countries.get(alpha_2=agency.country) is not None
        assert agency.country == agency.country.upper()


def test_datasets_have_owners_audiences_and_every_handling_code() -> None:
    agencies = {agency.code for agency in demo_agencies()}
    datasets = world()
    assert len({d.name for d in datasets}) == len(datasets)
    assert {Handling.GREEN, Handling.AMBER, Handling.AMBER_STRICT, Handling.RED} <= {
        d.handling for d in datasets
    }
    assert [d.handling for d in datasets].count(Handling.AMBER_STRICT) == 1
    assert [d.handling for d in datasets].count(Handling.RED) == 1
    for dataset in datasets:
        assert dataset.owner in agencies
        assert dataset.records and dataset.title and dataset.purpose
        if dataset.handling in (Handling.CLEAR, Handling.GREEN):
            assert dataset.releasability == ()
            continue
        assert dataset.releasability, dataset.name
        for entry in dataset.releasability:
            kind, _, value = entry.partition(":")
            if kind == "agency":
                assert value in agencies and value != dataset.owner, entry
            elif kind == "country":
                assert registry.country.clean(value) == value, entry
            else:
                assert kind == "group" and value, entry


def test_ids_are_unique_within_each_dataset() -> None:
    for dataset in world():
        ids = [record.proxy.id for record in dataset.records]
        assert len(ids) == len(set(ids)), dataset.name


def test_every_reference_points_at_an_entity_of_the_right_schema() -> None:
    datasets = world()
    entities = {proxy.id: proxy for _, proxy in proxies(datasets)}
    for _, proxy in proxies(datasets):
        for prop, value in proxy.itervalues():
            if prop.type == registry.entity:
                assert value in entities, f"{proxy.schema.name}:{prop.name} -> {value}"
                assert prop.range is not None and entities[value].schema.is_a(prop.range)


def test_nothing_outside_the_red_dataset_points_into_it() -> None:
    datasets = world()
    red = {r.proxy.id for d in datasets if d.handling is Handling.RED for r in d.records}
    for dataset, proxy in proxies(datasets):
        if dataset.handling is not Handling.RED:
            assert not red & set(proxy.get_type_values(registry.entity)), dataset.name


@pytest.mark.parametrize("seed", SEEDS)
def test_every_entity_is_valid_ftm(seed: int) -> None:
    for dataset, proxy in proxies(world(seed)):
        proxy.schema.validate(proxy.to_dict())
        for name in proxy.schema.required:
            assert proxy.get(name), f"{dataset.name} {proxy.schema.name} lacks {name}"
        for prop, value in proxy.itervalues():
            assert prop.type.clean(value, proxy=proxy) == value, f"{prop.qname} {value!r}"
        assert model.get_proxy(proxy.to_dict()).to_dict() == proxy.to_dict()


@pytest.mark.parametrize("seed", SEEDS)
def test_identifiers_pass_their_checks(seed: int) -> None:
    iban, imo = get_identifier_format("iban"), get_identifier_format("imo")
    assert iban is not None and imo is not None
    checked: defaultdict[str, int] = defaultdict(int)
    for _, proxy in proxies(world(seed)):
        for value in proxy.get("phone", quiet=True):
            assert phonenumbers.is_valid_number(phonenumbers.parse(value)), value
            checked["phone"] += 1
        for value in proxy.get("iban", quiet=True):
            assert iban.is_valid(value), value
            checked["iban"] += 1
        for value in proxy.get("imoNumber", quiet=True):
            assert imo.is_valid(value), value
            checked["imo"] += 1
        if proxy.schema.name == "CryptoWallet":
            assert all(base58check_ok(key) for key in proxy.get("publicKey"))
            checked["wallet"] += 1
    assert checked["phone"] >= 20 and checked["iban"] == 2 and checked["imo"] == 2 and checked["wallet"] == 4


def test_trafficking_network_spans_scripts_and_countries() -> None:
    trafficking = [d for d in world() if "trafficking" in d.name]
    persons = [p for _, p in proxies(trafficking) if p.schema.is_a("Person")]
    assert 8 <= len({p.id for p in persons}) <= 15
    names = {name for p in persons for name in p.get("name") + p.get("alias")}
    found = set().union(*(scripts(name) for name in names))
    assert {"LATIN", "CYRILLIC", "ARABIC", "CJK"} <= found
    agencies = {agency.code: agency.country for agency in demo_agencies()}
    assert len({agencies[d.owner] for d in trafficking}) >= 3
    countries = {c for _, p in proxies(trafficking) for c in p.get_type_values(registry.country)}
    assert {"ua", "md", "es", "fr"} <= countries
    schemata = {p.schema.name for _, p in proxies(trafficking)}
    assert {"Associate", "Family", "Membership", "Employment", "Directorship", "Trip", "Passport"} <= schemata


def test_people_recur_across_datasets_in_other_spellings() -> None:
    # A strong identifier held in two datasets marks the same person; their names and birth
    # dates must differ in form yet agree, so that matching has work to do and can succeed.
    holders: defaultdict[str, list[tuple[str, EntityProxy]]] = defaultdict(list)
    for dataset, proxy in proxies(world()):
        if proxy.schema.is_a("Person"):
            for value in proxy.get("passportNumber") + proxy.get("phone"):
                holders[value].append((dataset.name, proxy))
    recurring = {value: seen for value, seen in holders.items() if len({name for name, _ in seen}) > 1}
    assert len(recurring) >= 4
    spelled_differently = 0
    for seen in recurring.values():
        births = {b for _, p in seen for b in p.get("birthDate")}
        assert all(a.startswith(b) or b.startswith(a) for a in births for b in births), births
        if len({p.first("name") for _, p in seen}) > 1:
            spelled_differently += 1
    assert spelled_differently >= 4


def test_wildlife_seizures_are_dated_placed_events() -> None:
    seizures = [p for _, p in proxies(world()) if p.schema.name == "Event" and "Seizure" in p.caption]
    assert len(seizures) >= 3
    for event in seizures:
        assert event.get("date") and event.get("location") and event.get("country") and event.get("involved")
    assert any("2.3 t pangolin scales" in text for e in seizures for text in e.get("summary"))
