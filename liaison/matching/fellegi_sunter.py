"""Fellegi-Sunter: match weights per comparison level, learned without labels by expectation-maximisation.

Features that read the same evidence (the four name features, say) are grouped into one
comparison with ordered levels, so EM's assumption that comparisons are independent given the
match status roughly holds. A comparison whose data one side lacks is null and weighs nothing.
For each level EM estimates how often matches (m) and non-matches (u) fall in it; the level's
weight is log2(m/u), and a pair's probability comes from the prior odds times those ratios.
This is the model Splink fits; here it runs on the features of Liaison's own comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from liaison.matching.model import PRIORS, FeatureResult, Found, MatchScore

__all__ = ["COMPARISONS", "Comparison", "FellegiSunter", "comparison_levels", "fit_fellegi_sunter"]

NULL = -1
"""The level of a comparison that cannot be made: one side lacks the data."""
LevelMatrix = npt.NDArray[np.int8]
# Probabilities are kept inside this band so that no weight becomes infinite.
_EPSILON = 1e-5
# Pairs added to every level's count (Laplace smoothing): a level that no non-match reached in
# the sample is rare, not impossible, and its weight stays finite and readable.
PSEUDO_COUNT = 1.0
NAME_FEATURES = (
    "name_similarity",
    "name_coverage",
    "name_joined",
    "name_unmatched",
    "name_subset",
    "name_weak_alias",
    "legal_form_mismatch",
)
# Steps of the name evidence (the prior model's name logit): identical names reach 12.
_NAME_STEPS = (11.0, 9.0, 7.0, 5.0, 3.0)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison: the features it reads and its levels, best agreement first."""

    name: str
    features: tuple[str, ...]
    labels: tuple[str, ...]
    level: Callable[[Found], int]


def _name_level(found: Found) -> int:
    if "name_similarity" not in found:
        return NULL
    evidence = sum(PRIORS.features[name] * found[name][0] for name in NAME_FEATURES if name in found)
    return next((at for at, step in enumerate(_NAME_STEPS) if evidence >= step), len(_NAME_STEPS))


def _stepped(feature: str, steps: tuple[float, ...], disagree: str) -> Callable[[Found], int]:
    """Levels by the value of an agreement feature, then one for its disagreement feature."""

    def level(found: Found) -> int:
        if feature in found:
            value = found[feature][0]
            return next((at for at, step in enumerate(steps) if value >= step), len(steps) - 1)
        return len(steps) if disagree in found else NULL

    return level


def _flags(*features: str) -> Callable[[Found], int]:
    """The level of the first feature present, in order; null when none is."""

    def level(found: Found) -> int:
        return next((at for at, feature in enumerate(features) if feature in found), NULL)

    return level


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "name",
        NAME_FEATURES,
        ("identical", "near-identical", "close", "partly alike", "a part alike", "different"),
        _name_level,
    ),
    Comparison(
        "birth_date",
        ("dob_match", "dob_disjoint"),
        ("same day", "same month", "same year, one side a year only", "same year", "years apart"),
        _stepped("dob_match", (1.0, 0.8, 0.6, 0.3), "dob_disjoint"),
    ),
    Comparison(
        "country",
        ("country_match", "country_mismatch"),
        ("shared", "different"),
        _flags("country_match", "country_mismatch"),
    ),
    Comparison("gender", ("gender_mismatch",), ("different",), _flags("gender_mismatch")),
    Comparison(
        "identifier",
        ("identifier_match", "identifier_near", "identifier_mismatch"),
        ("shared", "one keystroke apart", "different"),
        _flags("identifier_match", "identifier_near", "identifier_mismatch"),
    ),
    Comparison(
        "address",
        ("address_match", "address_mismatch"),
        ("same", "close", "same area", "little shared", "different"),
        _stepped("address_match", (0.9, 0.6, 0.3, 0.0), "address_mismatch"),
    ),
)
"""The comparisons of the model, in column order of a level matrix."""


def comparison_levels(found: Found) -> tuple[int, ...]:
    """The level of each comparison for one pair's features, `NULL` where it cannot be made."""
    return tuple(comparison.level(found) for comparison in COMPARISONS)


@dataclass(frozen=True, slots=True)
class FellegiSunter:
    """A fitted model: the prior share of matches and, per comparison, m and u for each level."""

    prior: float
    m: Mapping[str, tuple[float, ...]]
    u: Mapping[str, tuple[float, ...]]

    def weight(self, comparison: str, level: int) -> float:
        """The match weight of a level, log2(m/u): positive when matches land there more often."""
        return math.log2(self.m[comparison][level] / self.u[comparison][level])

    def probabilities(self, levels: LevelMatrix) -> npt.NDArray[np.float64]:
        """The match probability of each row of a level matrix (one row per pair)."""
        total = np.full(len(levels), math.log2(self.prior / (1 - self.prior)))
        for column, comparison in enumerate(COMPARISONS):
            table = np.array([self.weight(comparison.name, at) for at in range(len(comparison.labels))])
            present = levels[:, column] != NULL
            total[present] += table[levels[present, column]]
        probabilities: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp2(-total))
        return probabilities

    def score(self, found: Found) -> MatchScore:
        """A pair's probability with one explained result per comparison that could be made."""
        logit = math.log2(self.prior / (1 - self.prior))
        results = []
        for comparison, level in zip(COMPARISONS, comparison_levels(found), strict=True):
            if level == NULL:
                continue
            weight = self.weight(comparison.name, level)
            logit += weight
            details = [found[name][1] for name in comparison.features if name in found]
            detail = f"{comparison.labels[level]}: {details[0]}" if details else comparison.labels[level]
            results.append(FeatureResult(comparison.name, 1.0, weight, detail))
        return MatchScore(1.0 / (1.0 + 2.0**-logit), tuple(results))


def fit_fellegi_sunter(levels: LevelMatrix, prior: float = 0.1, iterations: int = 200) -> FellegiSunter:
    """Fit m, u and the prior share of matches to unlabelled pairs by expectation-maximisation.

    `levels` holds one row per compared pair and one column per comparison (`NULL` where it
    could not be made). EM starts from "matches agree": m falls and u rises with the level.
    """
    if len(levels) == 0:
        raise ValueError("no pairs to learn from")
    sizes = [len(comparison.labels) for comparison in COMPARISONS]
    onehots = [
        (levels[:, column, None] == np.arange(size)[None, :]).astype(np.float64)
        for column, size in enumerate(sizes)
    ]
    m = [_normalised(np.linspace(1.0, 0.1, size) ** 2) for size in sizes]
    u = [_normalised(onehot.sum(axis=0) + 1.0) for onehot in onehots]
    share = prior
    for _ in range(iterations):
        log_odds = np.full(len(levels), math.log(share / (1 - share)))
        for onehot, m_c, u_c in zip(onehots, m, u, strict=True):
            log_odds += onehot @ np.log(m_c / u_c)
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
        new_share = float(np.clip(posterior.mean(), _EPSILON, 1 - _EPSILON))
        new_m = [_normalised(posterior @ onehot + PSEUDO_COUNT) for onehot in onehots]
        new_u = [_normalised((1 - posterior) @ onehot + PSEUDO_COUNT) for onehot in onehots]
        converged = abs(new_share - share) < 1e-7 and all(
            np.allclose(a, b, atol=1e-6) for a, b in zip((*new_m, *new_u), (*m, *u), strict=True)
        )
        share, m, u = new_share, new_m, new_u
        if converged:
            break
    return FellegiSunter(
        prior=share,
        m={c.name: tuple(float(v) for v in m_c) for c, m_c in zip(COMPARISONS, m, strict=True)},
        u={c.name: tuple(float(v) for v in u_c) for c, u_c in zip(COMPARISONS, u, strict=True)},
    )


def _normalised(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Level counts as probabilities, none below epsilon."""
    clipped = np.clip(counts, 0.0, None) + _EPSILON
    result: npt.NDArray[np.float64] = clipped / clipped.sum()
    return result
