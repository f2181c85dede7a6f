"""Provenance as pages show it: the source file's name and line, never the server's path to it."""

from __future__ import annotations

import pytest

from liaison.model.provenance import Provenance

CASES = [
    ("/srv/lists/un/un_consolidated_2026-02-27.xml:943", "un_consolidated_2026-02-27.xml, line 943"),
    ("lists/sdn.csv:2602", "sdn.csv, line 2602"),
    ("C:\\Users\\analyst\\Desktop\\seizures.csv:12", "seizures.csv, line 12"),
    ("https://lists.example/feeds/today.json:3", "today.json, line 3"),
    ("people.json:2", "people.json, line 2"),
    ("api:alice:p1", "api:alice:p1"),  # an API write: no file, nothing to cut
    ("demo:7:odesa", "demo:7:odesa"),
    ("/srv/imports/", "imports"),  # a folder: its own name, as a file
]


@pytest.mark.parametrize(("stored", "shown"), CASES)
def test_a_stored_source_is_shown_by_its_file_name_and_line(stored: str, shown: str) -> None:
    assert str(Provenance.parse(stored)) == shown
    assert "/" not in shown.removeprefix("api:") and "\\" not in shown


def test_the_line_is_kept_as_a_number() -> None:
    assert Provenance.parse("/data/x.json:41") == Provenance("x.json", 41)
    assert Provenance.parse("x.json:line").line is None


def test_the_compact_form_names_file_and_line_as_the_api_gives_them() -> None:
    assert Provenance.parse("/srv/lists/sdn.csv.gz:2602").compact == "sdn.csv.gz:2602"
    assert Provenance.parse("api:alice:p1").compact == "api:alice:p1"
