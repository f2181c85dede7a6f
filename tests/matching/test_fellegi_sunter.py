"""Fellegi-Sunter by EM: it recovers known m and u from synthetic pairs and explains real ones.

Strategy: level matrices drawn from known per-level probabilities for matches and non-matches
(seed fixed), some comparisons left null, so the fitted model can be checked against the truth.
"""

from __future__ import annotations

import numpy as np
import pytest
from followthemoney import model

from liaison.matching.fellegi_sunter import COMPARISONS, NULL, comparison_levels, fit_fellegi_sunter
from liaison.matching.model import compare_features, score_pair
from liaison.matching.record import MatchRecord, record_from_entity


def synthetic(n: int, share: float, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose levels follow a steep distribution for matches and a flat one for the others."""
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < share
    columns = []
    for comparison in COMPARISONS:
        size = len(comparison.labels)
        m = np.linspace(size, 1, size) ** 3
        u = np.linspace(1, size, size) ** 2
        drawn = np.where(
            is_match,
            rng.choice(size, n, p=m / m.sum()),
            rng.choice(size, n, p=u / u.sum()),
        )
        # A third of the pairs lack the data of each comparison but the name.
        missing = rng.random(n) < (0.0 if comparison.name == "name" else 0.33)
        columns.append(np.where(missing, NULL, drawn))
    return np.stack(columns, axis=1).astype(np.int8), is_match


def test_em_separates_matches_without_labels() -> None:
    levels, is_match = synthetic(8_000, 0.2)
    fitted = fit_fellegi_sunter(levels)
    predicted = fitted.probabilities(levels) >= 0.5
    assert (predicted == is_match).mean() > 0.97
    assert fitted.prior == pytest.approx(0.2, abs=0.03)
    # Agreement on the best level speaks for a match, the worst level against.
    for comparison in (comparison for comparison in COMPARISONS if len(comparison.labels) > 1):
        assert (
            fitted.weight(comparison.name, 0) > 0 > fitted.weight(comparison.name, len(comparison.labels) - 1)
        )


def test_null_comparisons_weigh_nothing() -> None:
    levels, _ = synthetic(4_000, 0.3)
    fitted = fit_fellegi_sunter(levels)
    row = levels[:1].copy()
    row[0, 1:] = NULL
    only_name = fitted.probabilities(row)[0]
    odds = fitted.prior / (1 - fitted.prior) * 2 ** fitted.weight("name", int(row[0, 0]))
    assert only_name == pytest.approx(odds / (1 + odds))


def test_no_pairs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no pairs"):
        fit_fellegi_sunter(np.zeros((0, len(COMPARISONS)), dtype=np.int8))


def person(name: str, **props: str) -> MatchRecord:
    proxy = model.make_entity("Person")
    proxy.id = name
    proxy.add("name", name)
    for prop, value in props.items():
        proxy.add(prop, value)
    return record_from_entity(proxy, "test")


def test_a_fitted_model_scores_and_explains_pairs_by_comparison() -> None:
    levels, _ = synthetic(4_000, 0.3)
    fitted = fit_fellegi_sunter(levels)
    left = person("Anna Berg", birthDate="1980-02-01", address="12 Bahnhofstr., Augsburg")
    right = person("Anna Berg", birthDate="1980-02-01", address="Bahnhofstrasse 12, 86150 Augsburg")
    result = score_pair(left, right, fitted)
    explained = result.explain()
    assert set(explained) == {"name", "birth_date", "address"}
    assert explained["birth_date"]["detail"].startswith("same day")
    assert result.score == pytest.approx(
        fitted.probabilities(np.array([comparison_levels(compare_features(left, right))], dtype=np.int8))[0]
    )
