"""The matching engine: records, candidate index, comparisons, scoring model and weight learning.

Pure: it takes plain data and returns plain data; screening, xref and the API all call it.
"""

from liaison.matching.index import CandidateIndex, compatible_schemata
from liaison.matching.keys import index_keys
from liaison.matching.model import (
    FEATURES,
    PRIORS,
    FeatureResult,
    MatchScore,
    Weights,
    compare_features,
    score_pair,
)
from liaison.matching.record import MatchRecord, record_from_entity
from liaison.matching.shortlist import candidates_for, shortlist

__all__ = [
    "FEATURES",
    "PRIORS",
    "CandidateIndex",
    "FeatureResult",
    "MatchRecord",
    "MatchScore",
    "Weights",
    "candidates_for",
    "compare_features",
    "compatible_schemata",
    "index_keys",
    "record_from_entity",
    "score_pair",
    "shortlist",
]
