"""The scoring model: comparison features combined into a calibrated probability that explains itself.

Each feature is named for what it finds (`name_similarity`, `dob_disjoint`…); its value is
multiplied by a learned weight and the sum passes through the logistic function. Every score
carries its features, so the CLI, the API and the UI can show why two records matched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from liaison.matching.compare.addresses import compare_addresses
from liaison.matching.compare.attributes import (
    compare_countries,
    compare_gender,
    near_identifiers,
    shared_identifiers,
)
from liaison.matching.compare.dates import compare_dates
from liaison.matching.compare.names import (
    FULL_TOKEN,
    NameComparison,
    Worth,
    best_name_comparison,
    shortfall,
)
from liaison.matching.record import MatchRecord
from liaison.names import NameForm
from liaison.names.forms import LEGAL_FORMS

__all__ = [
    "FEATURES",
    "PRIORS",
    "FeatureResult",
    "Found",
    "MatchScore",
    "Scorer",
    "Weights",
    "compare_features",
    "score_pair",
    "score_reaching",
]

Found: TypeAlias = dict[str, tuple[float, str]]
"""The features that apply to a pair: feature name -> (value, readable detail)."""

FEATURES: dict[str, str] = {
    "name_similarity": "How closely the best pair of names agree, token by token, across scripts.",
    "name_coverage": "How much of each name is accounted for by the other (dropped parts lower it).",
    "name_joined": "Similarity of the names written as one string, for split or run-together words.",
    "name_unmatched": "Name parts on one side that nothing on the other accounts for (a missing given name).",
    "name_subset": "One name lies wholly inside the other on two or more tokens (a shortened name).",
    "name_weak_alias": "The best pair of names includes a weak alias (a nickname or a short 'Abu …' name).",
    "legal_form_mismatch": "Both organisations give a legal form and the forms differ (AG vs GmbH).",
    "dob_match": "Birth or incorporation dates agree, weighted by the precision both sides give.",
    "dob_disjoint": "Every pair of birth years is more than a year apart.",
    "country_match": "The records share a country (nationality, citizenship, residence, jurisdiction).",
    "country_mismatch": "Both records give countries and none is shared.",
    "gender_mismatch": "Both records give a gender and they differ.",
    "identifier_match": "A strong identifier (passport, national ID, IMO, wallet, IBAN…) is on both.",
    "identifier_near": "An identifier on one side is one keystroke from one on the other (a typo).",
    "identifier_mismatch": "Both records give identifiers and none is shared or nearly shared.",
    "account_match": "Two accounts share a number (IBAN, account number): an account is its number.",
    "account_mismatch": "Two accounts give numbers and share none: two accounts, however alike their names.",
    "address_match": "The best pair of addresses agree, scaled by how specific the shared part is.",
    "address_mismatch": "Both records give addresses and no pair of them describes the same place.",
}


WEAK_LEGAL_FORMS = frozenset({"co"})
# Schemata whose identity is their number, not their name ("EUR current account").
ACCOUNT_SCHEMATA = frozenset({"BankAccount"})


@dataclass(frozen=True, slots=True)
class Weights:
    """Logistic weights per feature plus an intercept; learned from pairs or set as priors."""

    bias: float
    features: dict[str, float]

    def score(self, found: Found) -> MatchScore:
        """The logistic probability of a pair's features, each with its weight and contribution."""
        features = tuple(
            FeatureResult(name, value, self.features.get(name, 0.0), detail)
            for name, (value, detail) in found.items()
        )
        if "name_similarity" not in found and "identifier_match" not in found:
            return MatchScore(0.0, features)
        logit = self.bias + sum(feature.contribution for feature in features)
        return MatchScore(_sigmoid(logit), features)


class Scorer(Protocol):
    """Turns a pair's features into an explained probability: `Weights` or a Fellegi-Sunter model."""

    def score(self, found: Found) -> MatchScore:
        """The pair's match probability and its explanation."""
        ...


# Priors on the logit scale, before any learning: a full name agreement alone gives about
# 0.95; a conflicting birth year pulls that under the default threshold.
PRIORS = Weights(
    bias=-9.0,
    features={
        "name_similarity": 5.0,
        "name_coverage": 5.0,
        "name_joined": 2.0,
        "name_unmatched": -3.0,
        "name_subset": 3.0,
        "name_weak_alias": -2.0,
        "legal_form_mismatch": -1.5,
        "dob_match": 2.5,
        "dob_disjoint": -3.0,
        "country_match": 0.8,
        "country_mismatch": -0.8,
        "gender_mismatch": -2.0,
        "identifier_match": 6.0,
        # A second passport or a new phone is common; a near-identical number is seldom chance.
        "identifier_near": 2.0,
        "identifier_mismatch": -0.5,
        # One IBAN is one account; a different IBAN is another account, even of the same holder.
        "account_match": 12.0,
        "account_mismatch": -8.0,
        # A shared street address is good evidence; people move, so a different one is weak.
        "address_match": 2.0,
        "address_mismatch": -0.3,
    },
)


@dataclass(frozen=True, slots=True)
class FeatureResult:
    """One feature of a comparison: its value, weight, contribution to the logit and a detail."""

    name: str
    value: float
    weight: float
    detail: str

    @property
    def contribution(self) -> float:
        """Value times weight, on the logit scale."""
        return self.value * self.weight


@dataclass(frozen=True, slots=True)
class MatchScore:
    """A calibrated match probability with the features that produced it."""

    score: float
    features: tuple[FeatureResult, ...]

    def explain(self) -> dict[str, dict[str, float | str]]:
        """Features as plain data: value, weight, contribution and detail, for any face to draw."""
        return {
            feature.name: {
                "value": round(feature.value, 4),
                "weight": round(feature.weight, 4),
                "contribution": round(feature.contribution, 4),
                "detail": feature.detail,
            }
            for feature in self.features
        }


def compare_features(left: MatchRecord, right: MatchRecord) -> Found:
    """Every feature that applies to this pair: name → (value, detail). Missing data adds nothing."""
    return {**_name_features(left, right), **_other_features(left, right)}


def _name_features(
    left: MatchRecord,
    right: MatchRecord,
    worth: Worth | None = None,
    reaches: Callable[[NameComparison], bool] | None = None,
) -> Found:
    names = best_name_comparison(left.names, right.names, worth, reaches)
    return {} if names is None else _features_of(names)


def _features_of(names: NameComparison) -> Found:
    """The name features of the best pair of names."""
    found: Found = {}
    detail = names.detail()
    found["name_similarity"] = (names.similarity, detail)
    found["name_coverage"] = (names.coverage, detail)
    found["name_joined"] = (names.joined, detail)
    if names.unmatched > 0:
        found["name_unmatched"] = (names.unmatched, detail)
    if names.subset:
        found["name_subset"] = (1.0, detail)
    if names.left.weak or names.right.weak:
        found["name_weak_alias"] = (1.0, detail)
    # "Company" is written after names of every legal form; it conflicts with none.
    forms_left = set(names.left.legal_forms) - WEAK_LEGAL_FORMS
    forms_right = set(names.right.legal_forms) - WEAK_LEGAL_FORMS
    # "Limited" (ltd) and "Limited Liability Company" (llc) are one class of form.
    same_class = set(names.left.tokens) & set(names.right.tokens) & LEGAL_FORMS
    if forms_left and forms_right and not forms_left & forms_right and not same_class:
        found["legal_form_mismatch"] = (
            1.0,
            f"{', '.join(sorted(forms_left))} vs {', '.join(sorted(forms_right))}",
        )
    return found


def _other_features(left: MatchRecord, right: MatchRecord) -> Found:
    found: Found = {}
    dates = compare_dates(left.birth_dates, right.birth_dates)
    if dates is not None:
        if dates.agreement > 0:
            found["dob_match"] = (dates.agreement, dates.detail)
        if dates.disjoint:
            found["dob_disjoint"] = (1.0, dates.detail)
    countries = compare_countries(left.countries, right.countries)
    if countries is not None:
        found["country_match" if countries[0] > 0 else "country_mismatch"] = (1.0, countries[1])
    gender = compare_gender(left.gender, right.gender)
    if gender is not None and gender[0] < 0:
        found["gender_mismatch"] = (1.0, gender[1])
    found.update(_identifier_features(left.identifiers, right.identifiers))
    if left.schema in ACCOUNT_SCHEMATA and right.schema in ACCOUNT_SCHEMATA:
        found.update(_account_features(left.identifiers, right.identifiers))
    addresses = compare_addresses(left.addresses, right.addresses)
    if addresses is not None:
        if addresses.agreement > 0:
            found["address_match"] = (addresses.agreement, addresses.detail)
        if addresses.different:
            found["address_mismatch"] = (1.0, addresses.detail)
    return found


def _identifier_features(left: frozenset[str], right: frozenset[str]) -> Found:
    if not left or not right:
        return {}
    shared = shared_identifiers(left, right)
    if shared:
        return {"identifier_match": (1.0, ", ".join(sorted(shared)))}
    near = near_identifiers(left, right)
    if near is not None:
        return {"identifier_near": (1.0, f"{near[0]} vs {near[1]}")}
    return {"identifier_mismatch": (1.0, f"{_listed(left)} vs {_listed(right)}")}


def _account_features(left: frozenset[str], right: frozenset[str]) -> Found:
    if not left or not right:
        return {}
    shared = shared_identifiers(left, right)
    if shared:
        return {"account_match": (1.0, ", ".join(sorted(shared)))}
    # One keystroke apart is still another account: IBANs carry check digits against typos.
    return {"account_mismatch": (1.0, f"{_listed(left)} vs {_listed(right)}")}


def _listed(values: frozenset[str], most: int = 5) -> str:
    shown = sorted(values)
    return ", ".join(shown[:most]) + (f" and {len(shown) - most} more" if len(shown) > most else "")


def score_pair(left: MatchRecord, right: MatchRecord, weights: Scorer = PRIORS) -> MatchScore:
    """The probability that two records are the same entity, with its explanation."""
    return weights.score(compare_features(left, right))


def score_reaching(
    left: MatchRecord, right: MatchRecord, weights: Weights, cutoff: float
) -> MatchScore | None:
    """The pair's score as `score_pair` gives it, or None when it cannot reach `cutoff`.

    Names are the dearest comparison and are compared last. The other features (birth years
    apart, no shared country) fix how much the names must add to reach the cutoff, and a pair
    of names is aligned only if its ceiling reaches that: each name feature is at most 1, the
    joined similarity is cheap and exact, and the surplus tokens of the longer name bound its
    similarity and coverage from above and what is unmatched from below (see `Shortfall`).
    """
    others = _other_features(left, right)
    if not 0.0 < cutoff < 1.0 or not left.names or not right.names:
        return weights.score({**_name_features(left, right), **others})
    fixed = weights.bias + _added(weights, others)
    # The margin keeps a pair that rounding could put a hair over the line.
    needed = math.log(cutoff / (1.0 - cutoff)) - fixed - 1e-9

    def reaches(names: NameComparison) -> bool:
        return _added(weights, _features_of(names)) >= needed

    found = _name_features(left, right, _worth(weights, needed), reaches)
    if not found:
        return None
    return weights.score({**found, **others})


def _added(weights: Weights, found: Found) -> float:
    """What features add to the logit."""
    return sum(value * weights.features.get(name, 0.0) for name, (value, _) in found.items())


def _worth(weights: Weights, needed: float) -> Worth:
    """The least joined similarity at which a pair of names could add `needed` to the logit."""
    weight = weights.features.get
    similarity, coverage = max(weight("name_similarity", 0.0), 0.0), max(weight("name_coverage", 0.0), 0.0)
    joined_weight, weak = weight("name_joined", 0.0), weight("name_weak_alias", 0.0)
    unmatched_weight, subset = weight("name_unmatched", 0.0), max(weight("name_subset", 0.0), 0.0)
    legal = max(weight("legal_form_mismatch", 0.0), 0.0)

    def unmatched(least: float) -> float:
        # Unmatched is at least `least` and at most 1.
        return unmatched_weight * least if unmatched_weight <= 0.0 else unmatched_weight

    def worth(left: NameForm, right: NameForm) -> float:
        gap = shortfall(left, right)
        least = min(1.0, gap.missing / FULL_TOKEN)
        ceiling = (
            similarity * (1.0 - gap.missing / gap.both_total)
            + coverage * (1.0 - gap.missing / gap.longer_total)
            + weak * (left.weak or right.weak)
            + legal
        )
        # A subset earns its bonus and halves what is unmatched.
        ceiling += max(unmatched(least), subset + unmatched(least / 2) if gap.subset_possible else -math.inf)
        if joined_weight > 0.0:
            return (needed - ceiling) / joined_weight
        # The joined similarity cannot help (a weight no one sets): the rest alone decides.
        return -math.inf if ceiling >= needed else math.inf

    return worth


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)
