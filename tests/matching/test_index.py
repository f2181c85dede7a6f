"""The candidate index: keys, recall across scripts and typos, filters, and incremental updates.

Strategy: a handful of FtM entities (`world`) for the behaviours a user sees; for the claim
that an index grown by additions, replacements and removals answers exactly as one built
afresh, hypothesis draws small worlds from a short vocabulary so that records share keys.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

import pytest
from followthemoney import model
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.matching.index import CandidateIndex, compatible_schemata
from liaison.matching.keys import index_keys, key_hash, key_kind, packed_keys
from liaison.matching.record import MatchRecord, record_from_entity
from liaison.names import NameForm, analyze_name, kind_of_schema


def entity(entity_id: str, schema: str, dataset: str = "un", **props: str) -> MatchRecord:
    """A match record from an FtM entity with one value per property."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, value in props.items():
        proxy.add(prop, value)
    return record_from_entity(proxy, dataset)


def record(
    entity_id: str,
    names: Sequence[str] = (),
    *,
    schema: str = "Person",
    dataset: str = "un",
    birth_dates: tuple[str, ...] = (),
    identifiers: frozenset[str] = frozenset(),
) -> MatchRecord:
    """A match record built directly, for queries and generated worlds."""
    forms: list[NameForm] = []
    for name in names:
        form = analyze_name(name, kind_of_schema(schema))
        if form is not None:
            forms.append(form)
    return MatchRecord(
        entity_id=entity_id,
        dataset=dataset,
        schema=schema,
        caption=names[0] if names else entity_id,
        names=tuple(forms),
        birth_dates=birth_dates,
        countries=frozenset(),
        gender=None,
        identifiers=identifiers,
    )


@pytest.fixture
def world() -> list[MatchRecord]:
    return [
        entity("ua-1", "Person", name="Олександр Петренко", birthDate="1971-03-04", nationality="ua"),
        entity("ua-2", "Person", name="Oleksii Petrov", birthDate="1980"),
        entity("fr-1", "Person", "fr", name="Jean Dupont", passportNumber="12AB34567"),
        entity("co-1", "Company", name="Petrenko Trading LLC"),
        entity("org-1", "Organization", "fr", name="Dupont Foundation"),
        entity("v-1", "Vessel", name="Jean Dupont", imoNumber="IMO 9321483"),
    ]


def ids(found: list[tuple[MatchRecord, float]]) -> list[str]:
    return [candidate.entity_id for candidate, _ in found]


def test_index_keys_are_typed() -> None:
    keys = index_keys(
        record("x", ["Ali B"], birth_dates=("1975-06-01",), identifiers=frozenset({"P1234567"}))
    )
    # The one-letter token "b" files nothing: it would tie the record to every other "B".
    assert keys == {"n:ali", "p:AL", "g: al", "g:ali", "g:li ", "i:P1234567", "y:1975", "d:1975-06-01"}


def test_key_hash_is_stable_blake2b() -> None:
    expected = int.from_bytes(hashlib.blake2b(b"n:ali", digest_size=8).digest(), "little")
    assert key_hash("n:ali") == expected
    assert 0 <= key_hash("g:ali") < 2**64


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Oleksandr Petrenko", "ua-1"),  # indexed in Cyrillic
        ("Oleksandr Petrenco", "ua-1"),  # a typo: phonetics and trigrams still agree
        ("Petrenko Oleksandr", "ua-1"),  # family name first
        ("PETRENKO, Oleksandr", "ua-1"),
        ("Jean Dupont", "fr-1"),
    ],
)
def test_names_find_the_person(world: list[MatchRecord], query: str, expected: str) -> None:
    found = CandidateIndex.build(world).candidates(record("q", [query]))
    assert ids(found)[0] == expected


def test_identifier_alone_finds_the_record(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    assert ids(index.candidates(record("q", identifiers=frozenset({"12AB34567"})))) == ["fr-1"]
    vessel = record("q", schema="Vessel", identifiers=frozenset({"9321483"}))
    assert ids(index.candidates(vessel)) == ["v-1"]


def test_query_without_keys_finds_nothing(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    assert index.candidates(record("q", ["X"])) == []
    assert index.candidates(record("q")) == []
    assert CandidateIndex.build([]).candidates(record("q", ["Jean Dupont"])) == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("Person", {"Person", "LegalEntity"}),
        ("Company", {"Organization", "Company", "LegalEntity", "PublicBody"}),
        ("LegalEntity", {"Organization", "Company", "LegalEntity", "PublicBody"}),
        ("Vessel", {"Vessel"}),
        ("Airplane", {"Airplane"}),
    ],
)
def test_compatible_schemata(schema: str, expected: set[str]) -> None:
    assert compatible_schemata(schema) == expected


def test_schema_and_dataset_filters(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    assert set(ids(index.candidates(record("q", ["Dupont"])))) == {"fr-1"}
    assert set(ids(index.candidates(record("q", ["Dupont"], schema="Company")))) == {"org-1"}
    assert set(ids(index.candidates(record("q", ["Petrenko"], schema="Organization")))) == {"co-1"}
    anything = frozenset({"Person", "Vessel", "Organization"})
    assert set(ids(index.candidates(record("q", ["Dupont"]), schemata=anything))) == {"fr-1", "v-1", "org-1"}
    assert ids(index.candidates(record("q", ["Oleksandr Petrenko"]), datasets=frozenset({"fr"}))) == []
    assert ids(index.candidates(record("q", ["Dupont"]), datasets=frozenset({"fr", "nowhere"}))) == ["fr-1"]
    assert index.candidates(record("q", ["Dupont"]), datasets=frozenset()) == []
    assert index.candidates(record("q", ["Dupont"]), schemata=frozenset()) == []


def test_limit_and_order() -> None:
    people = [record(f"p{n}", [f"Maria Garcia {'Lopez ' * (n % 3)}"]) for n in range(30)]
    index = CandidateIndex.build(people)
    found = index.candidates(record("q", ["Maria Garcia Lopez"]), limit=5)
    scores = [score for _, score in found]
    assert len(found) == 5
    assert scores == sorted(scores, reverse=True)
    assert index.candidates(record("q", ["Maria Garcia"]), limit=0) == []


def test_removed_records_never_come_back(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    index.add([record("ua-3", ["Oleksandr Petrenko"], dataset="ua")])
    assert index.remove(["ua-1", "ua-3", "nobody"]) == 2
    assert index.position("un", "ua-1") is None
    assert len(index) == len(world) - 1
    for _ in range(2):
        assert "ua-1" not in ids(index.candidates(record("q", ["Oleksandr Petrenko"])))
        assert "ua-3" not in ids(index.candidates(record("q", ["Oleksandr Petrenko"])))
        index.compact()
    assert index.remove(["fr-1"], dataset="un") == 0
    assert index.remove(["fr-1"], dataset="fr") == 1


def test_add_replaces_a_record_with_the_same_id(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    index.add([record("ua-1", ["Ivan Sirko"])])
    assert len(index) == len(world)
    # The new "Sirko" still shares the trigram "ko " with "Petrenko"; the old record is gone.
    found = index.candidates(record("q", ["Oleksandr Petrenko"]))
    assert [r.caption for r in (candidate for candidate, _ in found) if r.entity_id == "ua-1"] == [
        "Ivan Sirko"
    ]
    assert ids(index.candidates(record("q", ["Ivan Sirko"])))[0] == "ua-1"
    position = index.position("un", "ua-1")
    assert position is not None and index.record(position).caption == "Ivan Sirko"


def test_common_keys_are_skipped_except_identifiers() -> None:
    shared = frozenset({"SHARED123"})
    people = [record(f"p{n}", [f"Ivan {chr(97 + n)}{chr(97 + n)}"], identifiers=shared) for n in range(20)]
    index = CandidateIndex.build(people, common_floor=5)
    assert index.candidates(record("q", ["Ivan"])) == []
    assert len(index.candidates(record("q", identifiers=shared), limit=100)) == 20


def test_memory_is_counted(world: list[MatchRecord]) -> None:
    index = CandidateIndex.build(world)
    assert index.memory_bytes() > 0
    assert len(index) == len(world)


VOCABULARY = ["ali", "hassan", "maria", "garcia", "ivan", "petrov", "petrova", "chen", "wang", "smith"]
worlds = st.lists(
    st.builds(
        record,
        st.sampled_from([f"e{n}" for n in range(10)]),
        st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3).map(" ".join), max_size=2),
        schema=st.sampled_from(["Person", "Company"]),
        dataset=st.sampled_from(["a", "b"]),
        birth_dates=st.lists(st.sampled_from(["1970", "1971-02-03"]), max_size=1).map(tuple),
        identifiers=st.frozensets(st.sampled_from(["ID00001", "ID00002", "ID00003"]), max_size=1),
    ),
    max_size=14,
)
queries = st.lists(
    st.builds(
        record,
        st.just("q"),
        st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3).map(lambda words: [" ".join(words)]),
        schema=st.sampled_from(["Person", "Company"]),
        identifiers=st.frozensets(st.sampled_from(["ID00001", "ID00002"]), max_size=1),
    ),
    min_size=1,
    max_size=4,
)


def answers(
    index: CandidateIndex, query: MatchRecord, limit: int
) -> tuple[dict[tuple[str, str], float], list[float]]:
    """All candidates with rounded scores, and the top `limit` scores (a tie may pick either record)."""
    everything = {
        (r.dataset, r.entity_id): round(score, 9) for r, score in index.candidates(query, limit=1000)
    }
    return everything, [round(score, 9) for _, score in index.candidates(query, limit=limit)]


@settings(max_examples=50, deadline=None)
@given(worlds)
def test_packed_keys_are_the_index_keys(world: list[MatchRecord]) -> None:
    for each in world:
        hashes, kinds = packed_keys(each)
        packed = set(zip(struct.unpack(f"<{len(kinds)}Q", hashes), kinds, strict=True))
        assert packed == {(key_hash(key), key_kind(key)) for key in index_keys(each)}


@settings(max_examples=80, deadline=None)
@given(worlds, queries, st.integers(0, 14), st.sampled_from([1, 5, 50_000]), st.booleans(), st.data())
def test_updates_answer_as_a_fresh_build(
    world: list[MatchRecord],
    questions: list[MatchRecord],
    split: int,
    merge_at: int,
    compact: bool,
    data: st.DataObject,
) -> None:
    # A later record with the same (dataset, entity_id) replaces the earlier one.
    latest = list({(r.dataset, r.entity_id): r for r in world}.values())
    gone = data.draw(st.frozensets(st.sampled_from([f"e{n}" for n in range(10)]), max_size=3))
    fresh = CandidateIndex.build(latest)
    grown = CandidateIndex.build(world[:split], merge_at=merge_at)
    grown.add(world[split:])
    # Removals reach records both in the merged arrays and in the delta.
    pruned = CandidateIndex.build(world[:split], merge_at=merge_at)
    pruned.add(world[split:])
    pruned.remove(gone)
    if compact:
        grown.compact()
        pruned.compact()
    remaining = CandidateIndex.build([r for r in latest if r.entity_id not in gone])
    assert len(grown) == len(fresh) and len(pruned) == len(remaining)
    for query in questions:
        assert answers(grown, query, 3) == answers(fresh, query, 3)
        assert answers(pruned, query, 3) == answers(remaining, query, 3)
