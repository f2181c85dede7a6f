"""Schemathesis against the API's own OpenAPI schema, on both backends: generated requests, valid
and invalid, as a member with a read-write token and as the public, must never get a 5xx, and
every response must match the schema (status code, content type, body, headers); invalid
requests must be refused.

Strategy: a small world (two agencies, records under several codes) so that reads find rows;
each operation gets its own Hypothesis run and every failure is collected, so one run reports
all broken operations at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy import Engine

from liaison import ingest
from liaison.access.sealing import new_key
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


def small_world(engine: Engine, tmp_path: Path) -> str:
    """Two agencies, records under three codes, and a read-write token for NCB-ES."""
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "bob", "NCB-ES", Role.ANALYST, NOW)
    for handling in (Handling.CLEAR, Handling.GREEN, Handling.RED):
        path = tmp_path / f"{handling.name}.ftm.json"
        people = [
            {"id": f"{handling.name}-{n}", "schema": "Person", "properties": {"name": [f"Ana Ruiz {n}"]}}
            for n in range(3)
        ]
        path.write_bytes(b"\n".join(orjson.dumps(person) for person in people))
        envelope = Envelope("NCB-FR", f"fr_{handling.name.lower()}", handling, "test", dt.date(2031, 1, 1))
        import_records(
            engine,
            ingest.read("ftm", path),
            envelope=envelope,
            title="t",
            kind="ftm",
            source=str(path),
            now=NOW,
        )
    token, _ = access.create_token(engine, Identity.operator(), "bob", NOW, scopes=("read", "write"))
    return token.text


def test_no_operation_answers_5xx_or_breaks_its_schema(
    engine: Engine, database_url: str, agency: Agency, tmp_path: Path
) -> None:
    token = small_world(engine, tmp_path)
    # A key for webhook secrets: PostgreSQL has no default key file beside it.
    settings = Settings(
        database_url=database_url, rate_per_second=1e6, rate_burst=1_000_000, secret_key=new_key()
    )
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    # The alert stream stays open until the client leaves, which an in-process client never
    # does; tests/api/test_alerts_api.py reads it with `max_events`.
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path != "/api/v1/alerts/stream"
    ]
    assert len(operations) >= 15  # every documented /api/v1 operation is exercised
    for operation in operations:
        for headers in ({"Authorization": f"ApiKey {token}"}, {}):
            failure = exercise(operation, headers)
            if failure:
                failures.append(f"{operation.label} ({'member' if headers else 'public'}): {failure}")
    assert not failures, "\n\n".join(failures)


def exercise(operation: Any, headers: dict[str, str]) -> str | None:
    """Run one operation's generated cases; the first failure Hypothesis found, if any."""

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except BaseException as exc:  # Hypothesis raises exception groups, not only Exceptions
        return str(exc)[:800]
    return None
