"""Trafficking cases as counted for statistics: the facts of a case and of each of its victims.

A case is a record (FtM CourtCase or Event) whose envelope decides who may count it; these facts
sit beside it. Victims are counted from their own records (RED by default), never from the case,
so a victim is counted only by those who may read them. No fact here names anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AGE_BANDS", "CaseFacts", "VictimFacts", "age_band"]

AGE_BANDS = ("0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+")
"""CTDC's age bands (its `ageBroad` lookup), coarse enough for publication."""
_BAND_TOPS = (8, 17, 20, 23, 26, 29, 38, 47)


def age_band(age: int | None) -> str:
    """The CTDC age band of an age in years, or 'unknown'."""
    if age is None or age < 0:
        return "unknown"
    for top, band in zip(_BAND_TOPS, AGE_BANDS, strict=False):
        if age <= top:
            return band
    return AGE_BANDS[-1]


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """A case's year, country and region (state or province) and the people it counts.

    `victims` and `minors` are the case's own totals where it reports no victim records (a
    prosecution reports how many, not who); `defendants` are those charged.
    """

    year: int | None
    country: str
    region: str
    victims: int
    minors: int
    defendants: int


@dataclass(frozen=True, slots=True)
class VictimFacts:
    """One victim of a case: the year and country of exploitation, the HTCDS exploitation types
    (`vic_TypeOfExploitation`), gender (`prs_Gender`) and age band when trafficked."""

    year: int | None
    country: str
    exploitation: tuple[str, ...]
    gender: str
    age_band: str
