"""The indicator form's advice rule, its checks, and its translations: every text the form shows
has a French and a Spanish translation, and the language is the one asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st
from jinja2.ext import babel_extract

from liaison.domains.trafficking.indicators import (
    ADVICE,
    GROUPS,
    INDICATORS,
    REASONS,
    SETTINGS,
    Advice,
    assess,
)
from liaison.errors import BadInput
from liaison.i18n import LANGUAGES, LOCALE_DIR, negotiate, translations

TEMPLATES = Path(__file__).parents[2] / "liaison" / "web" / "templates"
IDS = [indicator.id for indicator in INDICATORS]
DANGER = {indicator.id for indicator in INDICATORS if indicator.danger}
STRONG = {indicator.id for indicator in INDICATORS if indicator.strong}


def _messages() -> set[str]:
    """Every English text the form and its advice can show."""
    found: set[str] = set()
    for name in ("indicators.html", "indicator_result.html"):
        with (TEMPLATES / name).open("rb") as handle:
            found |= {
                msg for _line, _f, msg, _c in babel_extract(handle, ("_",), [], {}) if isinstance(msg, str)
            }
    found |= {indicator.question for indicator in INDICATORS}
    found |= set(GROUPS.values()) | set(SETTINGS.values()) | set(REASONS.values())
    found |= {text for pair in ADVICE.values() for text in pair}
    return found


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_text_of_the_form_is_translated(language: str) -> None:
    with (LOCALE_DIR / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {message.id: message.string for message in catalog if message.id and not message.fuzzy}
    missing = sorted(text for text in _messages() if not translated.get(text))
    assert not missing, missing
    say = translations(language).gettext
    assert all(say(text) != text for text in _messages() if text not in ("Notes", "Control"))


def test_languages_are_chosen_by_name_then_by_browser() -> None:
    assert negotiate("fr", "es") == "fr"
    assert negotiate(None, "es-ES,es;q=0.9,en;q=0.8") == "es"
    assert negotiate(None, "de-DE, fr;q=0.5, en;q=0.4") == "fr"
    assert negotiate("xx", "de, ru;q=0.1") == "en"
    assert negotiate(None, "garbage;q=x, ,,") == "en"
    assert set(LANGUAGES) == {"en", "fr", "es"}
    assert translations("en").gettext("Get advice") == "Get advice"


@given(st.lists(st.sampled_from(IDS), unique=True), st.sampled_from(list(SETTINGS)))
def test_the_advice_follows_the_rule(observed: list[str], setting: str) -> None:
    found = assess(setting, observed)
    seen = set(observed)
    others = seen - DANGER - STRONG
    if seen & DANGER:
        expected = Advice.EMERGENCY
    elif (seen & STRONG and len(seen) > 1) or ("minor" in seen and len(seen) > 1):
        expected = Advice.REFER
    elif seen & STRONG or len(others) > 1:
        expected = Advice.HOTLINE
    elif others:
        expected = Advice.ALERT
    else:
        expected = Advice.NONE
    assert found.advice is expected
    assert set(found.observed) == seen and found.reasons


@given(st.lists(st.sampled_from(IDS), unique=True), st.sampled_from(IDS))
def test_seeing_more_never_makes_the_advice_less_urgent(observed: list[str], more: str) -> None:
    order = list(Advice)
    before = assess("street", observed).advice
    after = assess("street", [*observed, more]).advice
    assert order.index(after) <= order.index(before)


def test_a_typical_case_and_bad_answers() -> None:
    found = assess("worksite", ["documents_withheld", "debt_bondage", "excessive_hours"])
    assert found.advice is Advice.REFER
    assert assess("private_home", ["injuries"]).advice is Advice.EMERGENCY
    with pytest.raises(BadInput, match="setting"):
        assess("moon", [])
    with pytest.raises(BadInput, match="unknown indicator"):
        assess("street", ["looks_suspicious"])
