"""Small-cell suppression: no published cell counts fewer than k people, no withheld cell can be
recovered from a line total, and what is published is the true count."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from liaison.domains.trafficking.disclosure import K, suppress

Cells = dict[tuple[str, ...], int]
keys2 = st.tuples(st.sampled_from("abcdef"), st.sampled_from("uvwxyz"))
tables = st.dictionaries(keys2, st.integers(min_value=0, max_value=60), max_size=36)


def _lines(cells: dict[tuple[str, ...], int | None], axis: int) -> list[list[int | None]]:
    lines: dict[tuple[str, ...], list[int | None]] = defaultdict(list)
    for key, count in cells.items():
        lines[key[:axis] + key[axis + 1 :]].append(count)
    return list(lines.values())


@given(tables)
def test_published_cells_are_true_and_never_small(cells: Cells) -> None:
    published = suppress(cells)
    assert set(published) == {key for key, count in cells.items() if count > 0}
    for key, count in published.items():
        if count is not None:
            assert count == cells[key] >= K
    assert all(published[key] is None for key, count in cells.items() if 0 < count < K)


@given(tables)
def test_no_line_withholds_exactly_one_cell_beside_published_ones(cells: Cells) -> None:
    published = suppress(cells)
    for axis in (0, 1):
        for line in _lines(published, axis):
            withheld = sum(1 for count in line if count is None)
            assert withheld != 1 or len(line) == 1


@given(tables, st.data())
def test_a_small_cell_changing_within_the_small_range_changes_nothing_published(
    cells: Cells, data: st.DataObject
) -> None:
    small = [key for key, count in cells.items() if 0 < count < K]
    if not small:
        return
    key = data.draw(st.sampled_from(small))
    changed = {**cells, key: data.draw(st.integers(min_value=1, max_value=K - 1))}
    assert suppress(changed) == suppress(cells)


def test_a_lone_small_cell_takes_the_smallest_other_with_it() -> None:
    published = suppress({("2019", "es"): 4, ("2019", "fr"): 30, ("2019", "it"): 12})
    assert published == {("2019", "es"): None, ("2019", "fr"): 30, ("2019", "it"): None}


def test_small_cells_of_one_dimension_and_empty_cells() -> None:
    assert suppress({("a",): 11, ("b",): 10, ("c",): 0}) == {("a",): None, ("b",): None}
    assert suppress({("a",): 11, ("b",): 25}) == {("a",): 11, ("b",): 25}
    assert suppress({}) == {}
