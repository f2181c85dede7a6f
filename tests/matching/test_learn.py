"""Weight learning from labelled pairs recovers known structure from synthetic pairs (seed fixed)."""

from __future__ import annotations

import numpy as np

from liaison.matching.learn import feature_matrix, fit_logistic
from liaison.matching.model import FEATURES


def synthetic(n: int, share: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose features agree with probability m for matches and u for non-matches."""
    rng = np.random.default_rng(seed)
    k = len(FEATURES)
    m = np.linspace(0.95, 0.7, k)
    u = np.linspace(0.05, 0.3, k)
    y = rng.random(n) < share
    p = np.where(y[:, None], m, u)
    return (rng.random((n, k)) < p).astype(np.float64), y


def accuracy(weights, x, y) -> float:  # type: ignore[no-untyped-def]
    coefficients = np.array([weights.features[name] for name in FEATURES])
    predicted = (weights.bias + x @ coefficients) > 0
    return float((predicted == y).mean())


def test_logistic_regression_separates_labelled_pairs() -> None:
    x, y = synthetic(4_000, 0.3)
    weights = fit_logistic(x, y)
    assert accuracy(weights, x, y) > 0.97
    assert all(weights.features[name] > 0 for name in FEATURES)


def test_feature_matrix_puts_absent_features_at_zero() -> None:
    matrix = feature_matrix([{"name_similarity": (0.9, "")}, {"dob_disjoint": (1.0, "")}])
    names = list(FEATURES)
    assert matrix[0, names.index("name_similarity")] == 0.9
    assert matrix[1, names.index("dob_disjoint")] == 1.0
    assert matrix.sum() == 1.9
