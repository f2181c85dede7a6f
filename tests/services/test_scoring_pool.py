"""Scoring across worker processes gives exactly what scoring in the serving process gives."""

from __future__ import annotations

import datetime as dt
import random

from followthemoney import model
from sqlalchemy import Engine

from liaison.ingest import Record
from liaison.model import Envelope, Handling, Identity
from liaison.services.screening.matching_service import POOL_FROM, MatchingService, Scope
from liaison.services.sharing.imports import import_records

NOW = dt.datetime.now(dt.UTC)
GIVEN = ("Ivan", "Olena", "Maria", "Petro", "Ana", "Mihai", "Viktor", "Natalia", "Oleg", "Irina")
FAMILY = ("Sokolov", "Petrenko", "Popescu", "Ionescu", "Bout", "Kovalenko", "Shevchenko", "Lungu")


def _people(rng: random.Random, count: int) -> list[Record]:
    records = []
    for number in range(count):
        proxy = model.make_entity("Person")
        proxy.id = f"p{number}"
        proxy.add("name", f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}")
        proxy.add("birthDate", f"{rng.randrange(1950, 2000)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}")
        records.append(Record(proxy, number))
    return records


def test_a_pool_scores_as_the_serving_process_does(engine: Engine, agency: object) -> None:
    rng = random.Random(3)
    envelope = Envelope("NCB-FR", "people", Handling.CLEAR, "test", NOW.date().replace(year=NOW.year + 1))
    import_records(
        engine, _people(rng, 400), envelope=envelope, title="People", kind="test", source="t", now=NOW
    )
    queries = {
        str(number): {
            "schema": "Person",
            "properties": {"name": [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"]},
        }
        for number in range(POOL_FROM + 8)
    }
    answers = {}
    for workers in (1, 2):
        matching = MatchingService(engine, candidates=25, workers=workers)
        try:
            found = matching.match(
                queries,
                scope=Scope(),
                threshold=0.7,
                cutoff=0.5,
                limit=10,
                identity=Identity.operator(),
                now=NOW,
            )
        finally:
            matching.close()
        answers[workers] = [
            (answer.key, [(scored.found.proxy.id, round(scored.score.score, 9)) for scored in answer.results])
            for answer in found
        ]
    assert answers[1] == answers[2]
    assert sum(len(results) for _key, results in answers[1]) > len(queries)
