"""Format controls out of names: the listed set is Unicode's format category minus what spells
words, checked against the running Python's unicodedata; a table of names in and out."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from followthemoney import model
from followthemoney.types import registry

from liaison.names.controls import KEPT, drop_format_controls, keep_joiners, strip_format_controls

ZWNJ, ZWJ = "\u200c", "\u200d"
HASANZADEH = f"\u062d\u0633\u0646{ZWNJ}\u0632\u0627\u062f\u0647"


def test_every_format_control_but_the_kept_is_stripped_and_nothing_else() -> None:
    stripped = {
        chr(point)
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point <= 0xDFFF and strip_format_controls(f"a{chr(point)}") == "a"
    }
    assigned = {char for char in stripped if unicodedata.category(char) != "Cn"}  # newer Unicode's too
    wanted = {
        chr(point) for point in range(sys.maxunicode + 1) if unicodedata.category(chr(point)) == "Cf"
    } - KEPT
    assert assigned == wanted
    assert {ZWNJ, ZWJ, "\u180e"} == KEPT


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("\u202eazzaB ilA\u202c", "azzaB ilA"),  # an override and its pop
        ("\u2067\u0639\u0644\u064a\u2069 Bazza", "\u0639\u0644\u064a Bazza"),  # an isolate
        ("\u200f\u0639\u0644\u064a\u200e", "\u0639\u0644\u064a"),  # marks
        ("Ali\u061c Reza", "Ali Reza"),  # the Arabic letter mark
        ("Ali\u200b\u2060Reza", "AliReza"),  # zero-width space, word joiner
        ("\ufeffAli", "Ali"),
        (HASANZADEH, HASANZADEH),  # ZWNJ joins letters: kept
        (f"\u0d15\u0d4d{ZWJ}\u0d37", f"\u0d15\u0d4d{ZWJ}\u0d37"),  # ZWJ in Malayalam: kept
        (f"{ZWNJ}Ali {ZWJ}Reza{ZWNJ}", "Ali Reza"),  # joiners that join nothing
        ("  Ali   Reza ", "Ali Reza"),
        ("\u202e\u2066", None),  # nothing but controls
        (f"Ali\ufdd0{ZWNJ}Reza\ufdd1", f"Ali{ZWNJ}Reza"),  # the stand-ins for joiners become none
    ],
)
def test_a_name_keeps_only_what_spells_it(raw: str, cleaned: str | None) -> None:
    assert keep_joiners(registry.name.clean, raw) == cleaned


def test_an_entity_loses_controls_in_names_and_name_parts_only() -> None:
    proxy = model.make_entity("Person")
    proxy.id = "p"
    proxy.add("name", "\u202eazzaB ilA")
    proxy.add("alias", "\u2066\u2069", cleaned=True)
    proxy.add("firstName", "\u2067Ali\u2069")
    proxy.add("notes", "\u2067Ali\u2069")
    assert drop_format_controls(proxy)
    assert (
        proxy.get("name") == ["azzaB ilA"] and proxy.get("alias") == [] and proxy.get("firstName") == ["Ali"]
    )
    assert proxy.get("notes") == ["\u2067Ali\u2069"]  # free text may need its isolates
    assert not drop_format_controls(proxy)
