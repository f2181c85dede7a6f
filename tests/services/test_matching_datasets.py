"""A matching service over named datasets only: it finds their records and knows no other list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from liaison.errors import NotFound
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.model import Agency, Envelope, Handling, Identity
from liaison.services.screening.matching_service import MatchingService, Scope
from liaison.services.sharing.imports import import_records

OPERATOR = Identity.operator()
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SOKOLOV = {"schema": "Person", "properties": {"name": ["Ivan Sokolov"], "birthDate": ["1975-03-02"]}}


def _list(engine: Engine, dataset: str, entity_id: str) -> None:
    proxy = entity_from_dict({"id": entity_id, **SOKOLOV}, dataset, entity_id)
    envelope = Envelope("NCB-FR", dataset, Handling.CLEAR, "screening", dt.date(2031, 12, 1))
    import_records(
        engine, [Record(proxy, "1")], envelope=envelope, title=dataset, kind="ftm", source="test", now=NOW
    )


def test_a_service_over_named_datasets_matches_only_their_records(engine: Engine, agency: Agency) -> None:
    _list(engine, "watchlist", "w-sokolov")
    _list(engine, "elsewhere", "e-sokolov")
    every = MatchingService(engine, candidates=10)
    named = MatchingService(engine, candidates=10, datasets=("watchlist",))

    def found(service: MatchingService, scope: Scope) -> set[str]:
        [answer] = service.match(
            {"q": SOKOLOV}, scope=scope, threshold=0.7, cutoff=0.5, limit=5, identity=OPERATOR, now=NOW
        )
        return {str(scored.found.proxy.id) for scored in answer.results}

    assert found(every, Scope()) == {"w-sokolov", "e-sokolov"}
    assert found(named, Scope()) == {"w-sokolov"}
    with pytest.raises(NotFound, match="elsewhere"):
        found(named, Scope(include=("elsewhere",)))
