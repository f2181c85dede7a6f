"""Trafficking-indicator screening for first responders: what was seen, and what to do now.

The indicators are the ILO indicators of forced labour (abuse of vulnerability, deception,
restriction of movement, isolation, physical and sexual violence, intimidation and threats,
retention of identity documents, withholding of wages, debt bondage, abusive working and living
conditions, excessive overtime) and common indicators of trafficking for first responders (a
minor, someone who speaks for the person, not knowing where they are, injuries). Each is asked
as a plain question someone with no training can answer.

The advice is a rule anyone can check, most urgent first:
1. emergency: a danger sign (injured and untreated, locked in, threatened with harm now);
2. refer to a specialised unit: a strong indicator with any other, or a minor with any;
3. call the hotline: one strong indicator, or two or more others;
4. stay alert: one other indicator;
5. none: nothing seen.
Texts here are English message ids; the faces translate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liaison.errors import BadInput

__all__ = [
    "ADVICE",
    "GROUPS",
    "INDICATORS",
    "REASONS",
    "SETTINGS",
    "Advice",
    "Assessment",
    "Indicator",
    "assess",
    "check",
]


class Advice(StrEnum):
    """What the first responder should do, most urgent first."""

    EMERGENCY = "emergency"
    REFER = "refer"
    HOTLINE = "hotline"
    ALERT = "alert"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator: its id, the question asked, and how much it weighs.

    `strong` follows the ILO's strong indicators; `danger` marks a sign of immediate danger.
    """

    id: str
    group: str
    question: str
    strong: bool = False
    danger: bool = False


INDICATORS = (
    Indicator("injuries", "danger", "Does the person have injuries that have not been treated?", danger=True),
    Indicator(
        "locked_in",
        "danger",
        "Is the person locked in, or watched so they cannot leave right now?",
        danger=True,
    ),
    Indicator(
        "threatened_now",
        "danger",
        "Is the person, or their family, threatened with harm right now?",
        danger=True,
    ),
    Indicator("minor", "person", "Does the person seem to be under 18?"),
    Indicator("speaks_for", "person", "Does someone else speak for the person or answer for them?"),
    Indicator(
        "fearful", "person", "Does the person seem afraid, anxious, or give answers that sound rehearsed?"
    ),
    Indicator(
        "unaware_location", "person", "Does the person not know their address or the town they are in?"
    ),
    Indicator(
        "documents_withheld",
        "control",
        "Has someone else taken the person's passport or ID papers?",
        strong=True,
    ),
    Indicator(
        "restricted_movement", "control", "Is the person not free to come and go as they wish?", strong=True
    ),
    Indicator(
        "violence",
        "control",
        "Has the person been hit, hurt or sexually abused by those they work for?",
        strong=True,
    ),
    Indicator(
        "threats",
        "control",
        "Has the person or their family been threatened, for example with the police or deportation?",
        strong=True,
    ),
    Indicator(
        "debt_bondage",
        "control",
        "Does the person owe a debt they must work off and can never repay?",
        strong=True,
    ),
    Indicator("isolation", "control", "Is the person kept away from other people, or not allowed a phone?"),
    Indicator(
        "deception",
        "work",
        "Was the person promised a different job, pay or conditions than they got?",
        strong=True,
    ),
    Indicator(
        "wages_withheld",
        "work",
        "Is the person's pay kept from them, or far less than promised?",
        strong=True,
    ),
    Indicator("excessive_hours", "work", "Does the person work very long hours, with no days off?"),
    Indicator(
        "abusive_conditions",
        "work",
        "Does the person live where they work, or in crowded or degrading conditions?",
    ),
    Indicator(
        "vulnerability",
        "work",
        "Does someone take advantage of the person's situation (no papers, "
        "no language, no money, dependence)?",
    ),
)
"""Every indicator in the order the form asks them."""
GROUPS = {
    "danger": "Danger right now",
    "person": "The person",
    "control": "Control",
    "work": "Work and pay",
}
"""The form's sections."""
SETTINGS = {
    "worksite": "Farm, factory or building site",
    "private_home": "Private home (domestic work)",
    "hospitality": "Restaurant, hotel or bar",
    "sex_industry": "Massage parlour, club or sex work",
    "street": "Street (begging, selling)",
    "border": "Border, port, airport or vehicle check",
    "health": "Hospital or clinic",
    "other": "Somewhere else",
}
"""Where the person was met."""
REASONS = {
    "danger": "A sign of immediate danger was seen.",
    "strong_with_others": "A strong indicator of trafficking was seen with others.",
    "minor_with_others": "The person may be a child, and other indicators were seen.",
    "strong": "One strong indicator of trafficking was seen.",
    "several": "Several indicators of trafficking were seen.",
    "one": "One indicator was seen; alone it does not show trafficking.",
    "none": "No indicator was seen.",
}
"""Why an advice was given, as English message ids."""
_BY_ID = {indicator.id: indicator for indicator in INDICATORS}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The advice and the reasons for it, as English message ids with the indicators behind them."""

    advice: Advice
    reasons: tuple[str, ...]
    observed: tuple[str, ...]


def check(setting: str, observed: list[str]) -> tuple[str, ...]:
    """The observed indicator ids in form order; BadInput for an unknown setting or indicator."""
    if setting not in SETTINGS:
        raise BadInput(f"field 'setting': {setting!r}; use one of {', '.join(SETTINGS)}")
    unknown = sorted(set(observed) - _BY_ID.keys())
    if unknown:
        raise BadInput(f"field 'observed': unknown indicator(s) {', '.join(unknown)}")
    chosen = set(observed)
    return tuple(indicator.id for indicator in INDICATORS if indicator.id in chosen)


def assess(setting: str, observed: list[str]) -> Assessment:
    """The advice for what was observed in a setting, with every reason that led to it."""
    seen = check(setting, observed)
    danger = [name for name in seen if _BY_ID[name].danger]
    strong = [name for name in seen if _BY_ID[name].strong]
    other = [name for name in seen if not _BY_ID[name].danger and not _BY_ID[name].strong]
    if danger:
        return Assessment(Advice.EMERGENCY, (REASONS["danger"],), seen)
    if strong and len(seen) > 1:
        return Assessment(Advice.REFER, (REASONS["strong_with_others"],), seen)
    if "minor" in seen and len(seen) > 1:
        return Assessment(Advice.REFER, (REASONS["minor_with_others"],), seen)
    if strong:
        return Assessment(Advice.HOTLINE, (REASONS["strong"],), seen)
    if len(other) > 1:
        return Assessment(Advice.HOTLINE, (REASONS["several"],), seen)
    if other:
        return Assessment(Advice.ALERT, (REASONS["one"],), seen)
    return Assessment(Advice.NONE, (REASONS["none"],), seen)


ADVICE = {
    Advice.EMERGENCY: (
        "Immediate danger",
        "Call the emergency number now (112 in Europe, 911 in the Americas). Keep yourself and the "
        "person safe; do not confront anyone.",
    ),
    Advice.REFER: (
        "Refer to a specialised unit",
        "Refer the case to the anti-trafficking unit today. If you safely can, do not let the person "
        "leave with whoever controls them.",
    ),
    Advice.HOTLINE: (
        "Call the hotline",
        "Call the national anti-trafficking hotline for advice, and write down what you saw.",
    ),
    Advice.ALERT: ("Stay alert", "Write down what you saw. If you see more, screen again."),
    Advice.NONE: ("No indicator", "Nothing here points to trafficking."),
}
"""Each advice's title and what to do, as English message ids."""
