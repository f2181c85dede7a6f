"""Xref on plain records: duplicates across scripts, each unordered pair once, never a record with itself.

Strategy: one small agency dataset (`WORLD`) with the same people written in Cyrillic and in
Latin letters, a company under two legal forms, and bystanders who share a name token.
"""

from __future__ import annotations

from followthemoney import model

from liaison.matching.index import CandidateIndex
from liaison.matching.record import MatchRecord, record_from_entity
from liaison.matching.xref import entity_fingerprint, member_key, pair_fingerprint, pair_id, xref

WORLD: dict[str, tuple[str, dict[str, str]]] = {
    "p1": ("Person", {"name": "Олександр Петренко", "birthDate": "1984-03-12"}),
    "p2": ("Person", {"name": "Oleksandr Petrenko", "birthDate": "1984-03-12"}),
    "p3": ("Person", {"name": "Владимир Иванов", "birthDate": "1970"}),
    "p4": ("Person", {"name": "Vladimir Ivanov", "birthDate": "1970-05-01"}),
    "p5": ("Person", {"name": "Maria Petrenko", "birthDate": "1991"}),
    "p6": ("Person", {"name": "Ivan Sidorov", "birthDate": "1955"}),
    "c1": ("Company", {"name": "ООО Ромашка"}),
    "c2": ("Company", {"name": "Romashka LLC"}),
}
DUPLICATES = {frozenset({"p1", "p2"}), frozenset({"p3", "p4"}), frozenset({"c1", "c2"})}


def entities(dataset: str, ids: list[str]) -> tuple[list[MatchRecord], dict[str, str]]:
    records, fingerprints = [], {}
    for entity_id in ids:
        schema, props = WORLD[entity_id]
        proxy = model.make_entity(schema)
        proxy.id = entity_id
        for prop, value in props.items():
            proxy.add(prop, value)
        records.append(record_from_entity(proxy, dataset))
        fingerprints[member_key(dataset, entity_id)] = entity_fingerprint(schema, proxy.properties)
    return records, fingerprints


def test_duplicates_across_scripts_are_found_once_each_and_nothing_else() -> None:
    records, fingerprints = entities("agency", list(WORLD))
    index = CandidateIndex.build(records)
    pairs = xref(index, records, fingerprints, against=frozenset({"agency"}), threshold=0.7)
    assert {frozenset({p.left.entity_id, p.right.entity_id}) for p in pairs} == DUPLICATES
    assert len(pairs) == len(DUPLICATES)
    for pair in pairs:
        assert pair.left_key < pair.right_key
        assert pair.pair_id == pair_id(pair.right_key, pair.left_key)
        assert pair.score.score >= 0.7 and "name_similarity" in pair.score.explain()


def test_no_record_is_paired_with_itself_even_at_threshold_zero() -> None:
    records, fingerprints = entities("agency", list(WORLD))
    index = CandidateIndex.build(records)
    pairs = xref(index, records, fingerprints, against=frozenset({"agency"}), threshold=0.0, candidates=20)
    assert all(pair.left_key != pair.right_key for pair in pairs)
    assert len({pair.pair_id for pair in pairs}) == len(pairs)
    assert [pair.score.score for pair in pairs] == sorted((pair.score.score for pair in pairs), reverse=True)


def test_linking_two_datasets_pairs_only_across_them() -> None:
    left, left_prints = entities("cyrillic", ["p1", "p3", "c1"])
    right, right_prints = entities("latin", ["p2", "p4", "p5", "p6", "c2"])
    index = CandidateIndex.build([*left, *right])
    pairs = xref(index, left, left_prints | right_prints, against=frozenset({"latin"}), threshold=0.7)
    assert {(p.left.dataset, p.left.entity_id, p.right.entity_id) for p in pairs} == {
        ("cyrillic", "p1", "p2"),
        ("cyrillic", "p3", "p4"),
        ("cyrillic", "c1", "c2"),
    }


def test_pair_ids_and_fingerprints_are_stable_hashes() -> None:
    assert pair_id("a/1", "b/2") == pair_id("b/2", "a/1")
    assert pair_id("a/1", "b/2").startswith("xp-")
    assert len(pair_id("a/1", "b/2")) == 23 and pair_id("a/1", "b/2") != pair_id("a/1", "b/3")
    props = {"name": ["A", "B"], "birthDate": ["1970"]}
    same = entity_fingerprint("Person", {"birthDate": ["1970"], "name": ["B", "A"]})
    assert entity_fingerprint("Person", props) == same
    assert entity_fingerprint("Person", {**props, "birthDate": ["1971"]}) != same
    assert entity_fingerprint("LegalEntity", props) != same
    assert pair_fingerprint(("a/1", "x"), ("b/2", "y")) == pair_fingerprint(("b/2", "y"), ("a/1", "x"))
    assert pair_fingerprint(("a/1", "x"), ("b/2", "y")) != pair_fingerprint(("a/1", "x"), ("b/2", "z"))
