"""The scoring model: comparison features combined into a calibrated probability that explains itself.

Each feature is named for what it finds (`name_similarity`, `dob_disjoint`…); its value is
multiplied by a learned weight and the sum passes through the logistic function. Every score
carries its features, so the CLI, the API and the UI can show why two records matched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from liaison.matching.compare.attributes import compare_countries, compare_gender, shared_identifiers
from liaison.matching.compare.dates import compare_dates
from liaison.matching.compare.names import best_name_comparison
from liaison.matching.record import MatchRecord
from liaison.names.forms import LEGAL_FORMS

__all__ = ["FEATURES", "FeatureResult", "MatchScore", "Weights", "compare_features", "score_pair"]

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
}


WEAK_LEGAL_FORMS = frozenset({"co"})


@dataclass(frozen=True, slots=True)
class Weights:
    """Logistic weights per feature plus an intercept; learned from pairs or set as priors."""

    bias: float
    features: dict[str, float]


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


def compare_features(left: MatchRecord, right: MatchRecord) -> dict[str, tuple[float, str]]:
    """Every feature that applies to this pair: name → (value, detail). Missing data adds nothing."""
    found: dict[str, tuple[float, str]] = {}
    names = best_name_comparison(left.names, right.names)
    if names is not None:
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
    shared = shared_identifiers(left.identifiers, right.identifiers)
    if shared:
        found["identifier_match"] = (1.0, ", ".join(sorted(shared)))
    return found


def score_pair(left: MatchRecord, right: MatchRecord, weights: Weights = PRIORS) -> MatchScore:
    """The probability that two records are the same entity, with its explanation."""
    found = compare_features(left, right)
    features = tuple(
        FeatureResult(name, value, weights.features.get(name, 0.0), detail)
        for name, (value, detail) in found.items()
    )
    if "name_similarity" not in found and "identifier_match" not in found:
        return MatchScore(0.0, features)
    logit = weights.bias + sum(feature.contribution for feature in features)
    return MatchScore(_sigmoid(logit), features)


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)
