"""Learning the scorer's weights: from labelled pairs, or without labels by expectation-maximisation.

Both take feature matrices (one row per compared pair, one column per feature in `FEATURES`
order, 0 where a feature does not apply) and return `Weights` for the logistic scorer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from liaison.matching.model import FEATURES, Weights

__all__ = ["feature_matrix", "fit_logistic"]

FloatArray = NDArray[np.float64]
# Probabilities are kept inside this band so that no weight becomes infinite.
_EPSILON = 1e-4


def feature_matrix(rows: Sequence[dict[str, tuple[float, str]]]) -> FloatArray:
    """Feature dictionaries (as `compare_features` returns them) as a matrix in `FEATURES` order."""
    names = list(FEATURES)
    matrix = np.zeros((len(rows), len(names)))
    for i, row in enumerate(rows):
        for j, name in enumerate(names):
            if name in row:
                matrix[i, j] = row[name][0]
    return matrix


def _as_weights(bias: float, coefficients: FloatArray) -> Weights:
    return Weights(
        bias=float(bias), features={name: float(w) for name, w in zip(FEATURES, coefficients, strict=True)}
    )


def fit_logistic(x: FloatArray, y: NDArray[np.bool_], l2: float = 1.0, iterations: int = 50) -> Weights:
    """Logistic regression by iteratively reweighted least squares, with an L2 penalty on the weights.

    The penalty keeps weights finite when a feature separates the labels perfectly, as an
    identifier match often does.
    """
    design = np.hstack([np.ones((x.shape[0], 1)), x])
    target = y.astype(np.float64)
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        w = np.clip(p * (1 - p), _EPSILON, None)
        gradient = design.T @ (target - p) - penalty @ beta
        hessian = (design.T * w) @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return _as_weights(beta[0], beta[1:])
