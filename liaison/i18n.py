"""Translations of the interface: English message ids, French and Spanish catalogues (gettext PO).

The PO files are read with Babel and compiled in memory on first use, so no build step and no
compiled files are needed; a missing translation falls back to the English text.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

__all__ = ["LANGUAGES", "LOCALE_DIR", "negotiate", "translations"]

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
"""The languages shipped, each named in itself."""
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of a shipped language; English (the message ids) for any other."""
    # Babel loads with the first catalogue compiled, not with every command's start.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / f"{language}.po"
    if language == "en" or language not in LANGUAGES or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The language asked for by name, else the browser's first shipped preference, else English."""
    if chosen in LANGUAGES:
        return chosen
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        wanted.append((-weight, f"{position:02d}{tag.split('-')[0].lower()}"))
    for _weight, keyed in sorted(wanted):
        if keyed[2:] in LANGUAGES:
            return keyed[2:]
    return "en"
