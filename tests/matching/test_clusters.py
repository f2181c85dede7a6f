"""Clustering decisions: union-find that never joins a dismissed pair, and canonical ids that stay put.

Strategy: small tables of pairs over one-letter keys for the behaviours a reviewer sees; for
the universal claim that no cluster holds both ends of a dismissed pair, hypothesis draws
decisions over a handful of keys so that they collide often.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.matching.clusters import Refusal, canonical_id, cluster_pairs


def groups(confirmed: list[tuple[str, str]]) -> set[tuple[str, ...]]:
    return {cluster.members for cluster in cluster_pairs(confirmed, []).clusters}


def ids(confirmed: list[tuple[str, str]]) -> dict[tuple[str, ...], str]:
    return {cluster.members: cluster.canonical_id for cluster in cluster_pairs(confirmed, []).clusters}


def test_confirmed_pairs_join_transitively() -> None:
    assert groups([("a", "b"), ("b", "c"), ("x", "y")]) == {("a", "b", "c"), ("x", "y")}


def test_a_pair_of_a_key_with_itself_and_singletons_make_no_cluster() -> None:
    assert groups([("a", "a")]) == set()


def test_a_pair_joining_the_ends_of_a_dismissed_pair_is_refused() -> None:
    clustering = cluster_pairs([("a", "b"), ("c", "d"), ("b", "c")], [("d", "a")])
    assert {cluster.members for cluster in clustering.clusters} == {("a", "b"), ("c", "d")}
    assert clustering.refused == (Refusal(("b", "c"), ("a", "d")),)


def test_accepted_pairs_come_after_confirmed_ones_and_obey_dismissals() -> None:
    clustering = cluster_pairs([("a", "b")], [("b", "z")], accepted=[("a", "c"), ("c", "z")])
    assert {cluster.members for cluster in clustering.clusters} == {("a", "b", "c")}
    assert clustering.refused == (Refusal(("c", "z"), ("b", "z")),)


def test_the_canonical_id_is_a_hash_of_the_founding_pairs_first_key() -> None:
    (cluster,) = cluster_pairs([("un/2", "uk/1")], []).clusters
    assert cluster.anchor == "uk/1"
    assert cluster.canonical_id == canonical_id("uk/1")
    assert cluster.canonical_id.startswith("lc-") and len(cluster.canonical_id) == 23


def test_canonical_ids_survive_unrelated_pairs_before_and_after() -> None:
    before = ids([("m", "n"), ("n", "o")])
    assert ids([("a", "b"), ("m", "n"), ("n", "o"), ("c", "d")])[("m", "n", "o")] == before[("m", "n", "o")]


def test_a_growing_cluster_keeps_its_id_even_when_the_new_member_sorts_first() -> None:
    first = ids([("m", "n")])[("m", "n")]
    assert ids([("m", "n"), ("a", "n")])[("a", "m", "n")] == first


def test_when_clusters_merge_the_one_founded_first_keeps_its_id() -> None:
    found = ids([("x", "y"), ("a", "b")])
    older, newer = found[("x", "y")], found[("a", "b")]
    merged = ids([("x", "y"), ("a", "b"), ("b", "y")])
    assert merged == {("a", "b", "x", "y"): older} and older != newer


keys = st.sampled_from("abcdefg")
pairs = st.lists(st.tuples(keys, keys), max_size=14)


@settings(max_examples=300, deadline=None)
@given(confirmed=pairs, dismissed=pairs, accepted=pairs)
def test_no_cluster_ever_holds_both_ends_of_a_dismissed_pair(
    confirmed: list[tuple[str, str]], dismissed: list[tuple[str, str]], accepted: list[tuple[str, str]]
) -> None:
    clustering = cluster_pairs(confirmed, dismissed, accepted)
    where = {key: cluster.canonical_id for cluster in clustering.clusters for key in cluster.members}
    assert len(where) == sum(len(cluster.members) for cluster in clustering.clusters)  # disjoint
    for a, b in dismissed:
        assert a == b or a not in where or where[a] != where.get(b)
    refused = {refusal.pair for refusal in clustering.refused}
    for a, b in (*confirmed, *accepted):
        assert a == b or (a, b) in refused or where[a] == where[b]
