"""Trafficking cases: importing prosecutions and HTCDS case files, and statistics safe to publish.

An import writes each case, victim and perpetrator as a record (so access control, matching and
the network see them) and their facts beside them, in one transaction; once it has committed,
watches are matched against what it wrote. Statistics count only what the caller may read, then
withhold every cell of fewer than eleven people, and any cell that would let a withheld one be
recovered by subtraction, before anything leaves the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.domains.trafficking.disclosure import K, suppress
from liaison.errors import BadInput
from liaison.ingest.ctdc import read_ctdc
from liaison.ingest.htcds_cases import read_htcds
from liaison.ingest.htpd import read_htpd
from liaison.model import Envelope, Identity
from liaison.services.accounts import audit
from liaison.services.sharing.imports import ImportResult, write_records
from liaison.services.sharing.landed import landed
from liaison.store.trafficking import (
    CASE_DIMENSIONS,
    CASE_MEASURES,
    VICTIM_DIMENSIONS,
    CaseMeasure,
    case_cells,
    victim_cells,
    write_cases,
    write_victims,
)

__all__ = ["CaseImport", "Statistics", "import_cases", "import_ctdc", "import_prosecutions", "statistics"]

Counted = Literal["cases", "victims"]


@dataclass(frozen=True, slots=True)
class Statistics:
    """Published cells: each key (one value per dimension) with its count, None where withheld."""

    counted: Counted
    measure: str
    by: tuple[str, ...]
    cells: dict[tuple[str, ...], int | None]
    k: int = K

    @property
    def withheld(self) -> int:
        """How many cells are withheld."""
        return sum(1 for count in self.cells.values() if count is None)


def import_prosecutions(
    engine: Engine, identity: Identity, folder: Path, *, envelope: Envelope, now: dt.datetime
) -> tuple[ImportResult, int]:
    """Import the Human Trafficking Prosecution Dataset from its folder, all or nothing; (result, cases)."""
    read = read_htpd(folder)
    with Session(engine) as session, session.begin():
        result = write_records(
            session,
            read.records,
            envelope=envelope,
            title=envelope.dataset,
            kind="htpd",
            source=str(folder),
            now=now,
            identity=identity,
        )
        cases = [(case.entity_id, case.facts) for case in read.cases]
        write_cases(session.connection(), envelope.dataset, cases, result.run_id)
    landed(engine, result.dataset, result.run_id, now)
    return result, len(cases)


@dataclass(frozen=True, slots=True)
class CaseImport:
    """What an HTCDS case file import wrote, and how many victim fields minimisation dropped."""

    result: ImportResult
    cases: int
    victims: int
    dropped: int


def import_cases(
    engine: Engine, identity: Identity, path: Path, *, envelope: Envelope, source: str, now: dt.datetime
) -> CaseImport:
    """Import an HTCDS 2.0 case file, all or nothing: victims RED and minimised, perpetrators as the
    envelope says (at least as strict), every value checked against the standard first."""
    read = read_htcds(path)
    with Session(engine) as session, session.begin():
        result = write_records(
            session,
            read.records,
            envelope=envelope,
            title=envelope.dataset,
            kind="htcds",
            source=source,
            now=now,
            identity=identity,
        )
        connection = session.connection()
        write_cases(connection, envelope.dataset, read.cases, result.run_id)
        write_victims(connection, envelope.dataset, read.victims, result.run_id)
    landed(engine, result.dataset, result.run_id, now)
    return CaseImport(result, len(read.cases), len(read.victims), read.dropped)


def import_ctdc(
    engine: Engine, identity: Identity, path: Path, *, envelope: Envelope, now: dt.datetime
) -> tuple[ImportResult, int]:
    """Import CTDC-coded victim records (CSV) as RED victims with their facts; (result, victims)."""
    read = read_ctdc(path, envelope.dataset)
    with Session(engine) as session, session.begin():
        result = write_records(
            session,
            read.records,
            envelope=envelope,
            title=envelope.dataset,
            kind="ctdc",
            source=str(path),
            now=now,
            identity=identity,
        )
        write_victims(session.connection(), envelope.dataset, read.victims, result.run_id)
    landed(engine, result.dataset, result.run_id, now)
    return result, len(read.victims)


def _dimensions(counted: Counted, by: Sequence[str], measure: str) -> tuple[str, ...]:
    known = CASE_DIMENSIONS if counted == "cases" else VICTIM_DIMENSIONS
    chosen = tuple(dict.fromkeys(name.strip() for name in by if name.strip()))
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise BadInput(f"field 'by': {', '.join(unknown)} unknown; use {', '.join(known)}")
    if not 0 < len(chosen) <= 3:
        raise BadInput(f"field 'by': one to three of {', '.join(known)}")
    if counted == "cases" and measure not in CASE_MEASURES:
        raise BadInput(f"field 'measure': {measure!r}; use {', '.join(CASE_MEASURES)}")
    if counted == "victims" and measure != "victims":
        raise BadInput("field 'measure': victim records count victims only")
    return chosen


def statistics(
    engine: Engine,
    identity: Identity,
    counted: Counted,
    by: Sequence[str],
    *,
    measure: str = "victims",
    purpose: str,
    now: dt.datetime,
) -> Statistics:
    """Counts of readable cases or victims per combination of `by`, small cells withheld; audited.

    Case counts are withheld like people counts: a case with two victims is as telling as they are.
    """
    if counted not in ("cases", "victims"):
        raise BadInput(f"field 'counted': {counted!r}; use cases or victims")
    chosen = _dimensions(counted, by, measure)
    with Session(engine) as session, session.begin():
        if counted == "cases":
            case_measure: CaseMeasure = measure  # type: ignore[assignment]
            cells = case_cells(session, identity, chosen, case_measure)
        else:
            cells = victim_cells(session, identity, chosen)
        published = suppress(cells)
        audit.record(
            session,
            identity,
            "trafficking.statistics",
            f"trafficking:{counted}",
            now=now,
            purpose=purpose,
            detail={"by": list(chosen), "measure": measure, "cells": len(published)},
        )
    return Statistics(counted, measure, chosen, published)
