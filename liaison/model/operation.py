"""Coordinated operations: the plan a coordinator sets, the field results agencies file, the tally.

Pure data and the rules that decide what an operation and a field result may hold; the store
keeps them and the services decide who may do what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pycountry

from liaison.errors import BadInput

__all__ = [
    "MAX_COUNT",
    "MAX_PERIOD_DAYS",
    "VICTIM_KINDS",
    "Checkpoint",
    "CheckpointKind",
    "CrimeArea",
    "FieldReport",
    "OperationPlan",
    "OperationStatus",
    "ResultKind",
    "Seizure",
    "Tally",
    "TallyCell",
    "country_code",
    "status_on",
]

MAX_PERIOD_DAYS = 366
"""The longest operation: a year. Longer is a standing programme, not an operation."""
MAX_COUNT = 100_000_000
"""The largest count one field result may carry (database checks run to millions a week)."""
_MAX_TEXT = 2_000
_MAX_NAME = 200
_MAX_LIST = 500


class CrimeArea(StrEnum):
    """The crime area an operation targets."""

    TRAFFICKING = "trafficking"
    CYBER = "cyber"
    WILDLIFE = "wildlife"
    OTHER = "other"


class CheckpointKind(StrEnum):
    """Where officers screen and check during an operation."""

    AIRPORT = "airport"
    BORDER_CROSSING = "border_crossing"
    PORT = "port"


class ResultKind(StrEnum):
    """What a field result counts."""

    ARREST = "arrest"
    VICTIM_IDENTIFIED = "victim_identified"
    VICTIM_RESCUED = "victim_rescued"
    PERSON_SCREENED = "person_screened"
    DATABASE_CHECK = "database_check"
    HIT = "hit"
    SEIZURE = "seizure"
    IP_TAKEN_DOWN = "ip_taken_down"
    DOMAIN_TAKEN_DOWN = "domain_taken_down"
    SERVER_SEIZED = "server_seized"


VICTIM_KINDS = frozenset({ResultKind.VICTIM_IDENTIFIED, ResultKind.VICTIM_RESCUED})
"""Results about victims: counted in the tally, their details kept RED to the filing agency."""


class OperationStatus(StrEnum):
    """Where an operation stands: before its period, within it, or closed by its coordinator."""

    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


def status_on(starts: dt.date, ends: dt.date, closed: bool, today: dt.date) -> OperationStatus:
    """The status on a day; an operation past its end date stays active until it is closed,
    so late results can still be filed for days within the period.
    """
    if closed:
        return OperationStatus.CLOSED
    return OperationStatus.PLANNED if today < starts else OperationStatus.ACTIVE


def country_code(value: str, field_name: str) -> str:
    """An ISO 3166 country as its alpha-2 code in lower case; alpha-3 is accepted too."""
    text = value.strip()
    found = None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
    elif len(text) == 3:
        found = pycountry.countries.get(alpha_3=text.upper())
    if found is None:
        raise BadInput(f"field '{field_name}': {value[:40]!r} is not an ISO 3166 country code")
    return str(found.alpha_2).lower()


def _text(value: str, field_name: str, *, limit: int, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise BadInput(f"field '{field_name}': required")
    if len(text) > limit:
        raise BadInput(f"field '{field_name}': at most {limit} characters")
    return text


def _unique(values: Iterable[str], field_name: str) -> tuple[str, ...]:
    kept = tuple(dict.fromkeys(value for value in values if value))
    if len(kept) > _MAX_LIST:
        raise BadInput(f"field '{field_name}': at most {_MAX_LIST} entries")
    return kept


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """An airport, border crossing or port the operation monitors, with its flights or routes."""

    code: str
    name: str
    kind: CheckpointKind
    country: str
    monitored: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls, code: str, name: str, kind: str, country: str, monitored: Sequence[str] = ()
    ) -> Checkpoint:
        """A checkpoint from user input; BadInput names the field."""
        try:
            checked_kind = CheckpointKind(kind)
        except ValueError:
            kinds = ", ".join(CheckpointKind)
            raise BadInput(f"field 'checkpoints.kind': {kind[:40]!r}; use one of {kinds}") from None
        return cls(
            _text(code, "checkpoints.code", limit=16, required=True).upper(),
            _text(name, "checkpoints.name", limit=_MAX_NAME) or code.strip().upper(),
            checked_kind,
            country_code(country, "checkpoints.country"),
            _unique(
                (_text(item, "checkpoints.monitored", limit=64).upper() for item in monitored),
                "checkpoints.monitored",
            ),
        )

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """A checkpoint written on one line, as the CLI and the planning form take it:
        `CODE:KIND:COUNTRY[:NAME[:ROUTE,ROUTE]]`, e.g. `KBP:airport:ua:Kyiv Boryspil:PS101,TK458`.
        """
        parts = line.split(":")
        if len(parts) < 3:
            raise BadInput(f"checkpoint {line[:80]!r}; write CODE:KIND:COUNTRY[:NAME[:ROUTE,ROUTE]]")
        routes = parts[4].split(",") if len(parts) > 4 else []
        return cls.parse(parts[0], parts[3] if len(parts) > 3 else "", parts[1], parts[2], routes)

    def to_dict(self) -> dict[str, object]:
        """The checkpoint as stored and shown."""
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind.value,
            "country": self.country,
            "monitored": list(self.monitored),
        }


@dataclass(frozen=True, slots=True)
class OperationPlan:
    """What a coordinator sets: who takes part, where, when, what for, and against which lists."""

    name: str
    area: CrimeArea
    starts: dt.date
    ends: dt.date
    agencies: tuple[str, ...]
    countries: tuple[str, ...]
    objectives: str = ""
    watchlists: tuple[str, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()

    @classmethod
    def parse(
        cls,
        name: str,
        area: str,
        starts: dt.date,
        ends: dt.date,
        *,
        agencies: Sequence[str],
        countries: Sequence[str],
        objectives: str = "",
        watchlists: Sequence[str] = (),
        checkpoints: Sequence[Checkpoint] = (),
    ) -> OperationPlan:
        """A plan from user input, checked whole; BadInput names the first field at fault."""
        try:
            checked_area = CrimeArea(area)
        except ValueError:
            raise BadInput(f"field 'area': {area[:40]!r}; use one of {', '.join(CrimeArea)}") from None
        if ends < starts:
            raise BadInput(f"field 'ends': {ends} is before the start, {starts}")
        if (ends - starts).days + 1 > MAX_PERIOD_DAYS:
            raise BadInput(f"field 'ends': an operation lasts at most {MAX_PERIOD_DAYS} days")
        codes = _unique((country_code(value, "countries") for value in countries), "countries")
        if not codes:
            raise BadInput("field 'countries': name at least one participating country")
        members = _unique((value.strip().upper() for value in agencies), "agencies")
        if not members:
            raise BadInput("field 'agencies': name at least one participating agency")
        seen: set[str] = set()
        for checkpoint in checkpoints:
            if checkpoint.code in seen:
                raise BadInput(f"field 'checkpoints': {checkpoint.code} is named twice")
            if checkpoint.country not in codes:
                raise BadInput(
                    f"field 'checkpoints': {checkpoint.code} is in {checkpoint.country.upper()}, "
                    "which is not a participating country"
                )
            seen.add(checkpoint.code)
        return cls(
            _text(name, "name", limit=_MAX_NAME, required=True),
            checked_area,
            starts,
            ends,
            members,
            codes,
            _text(objectives, "objectives", limit=20_000),
            _unique((value.strip() for value in watchlists), "watchlists"),
            tuple(checkpoints),
        )

    def checkpoint(self, code: str) -> Checkpoint | None:
        """The checkpoint with this code, if the operation has it."""
        return next((found for found in self.checkpoints if found.code == code.strip().upper()), None)


@dataclass(frozen=True, slots=True)
class Seizure:
    """What was seized, how much, in which unit, and where."""

    what: str
    quantity: float
    unit: str
    place: str = ""

    def to_dict(self) -> dict[str, object]:
        """The seizure as stored and shown."""
        return {"what": self.what, "quantity": self.quantity, "unit": self.unit, "place": self.place}


@dataclass(frozen=True, slots=True)
class FieldReport:
    """A field result as filed: a count of one kind, on one day, in one country (and checkpoint)."""

    kind: ResultKind
    count: int
    country: str
    day: dt.date
    checkpoint: str | None = None
    entities: tuple[str, ...] = ()
    seizure: Seizure | None = None
    note: str = ""

    @classmethod
    def parse(
        cls,
        plan: OperationPlan,
        kind: str,
        count: int,
        country: str,
        day: dt.date,
        *,
        checkpoint: str | None = None,
        entities: Sequence[str] = (),
        seizure: Seizure | None = None,
        note: str = "",
    ) -> FieldReport:
        """A field result checked against its operation's plan; BadInput names the field at fault."""
        try:
            checked_kind = ResultKind(kind)
        except ValueError:
            raise BadInput(f"field 'kind': {kind[:40]!r}; use one of {', '.join(ResultKind)}") from None
        if count < 0:
            raise BadInput(f"field 'count': {count} is negative; a result counts 0 or more")
        if count > MAX_COUNT:
            raise BadInput(f"field 'count': at most {MAX_COUNT:,} in one result")
        code = country_code(country, "country")
        if code not in plan.countries:
            listed = ", ".join(value.upper() for value in plan.countries)
            raise BadInput(f"field 'country': {code.upper()} does not take part in this operation ({listed})")
        if not plan.starts <= day <= plan.ends:
            raise BadInput(
                f"field 'day': {day} is outside the operation's period, {plan.starts} to {plan.ends}"
            )
        found = None
        if checkpoint:
            found = plan.checkpoint(checkpoint)
            if found is None:
                raise BadInput(f"field 'checkpoint': the operation has no checkpoint {checkpoint[:40]!r}")
            if found.country != code:
                raise BadInput(
                    f"field 'checkpoint': {found.code} is in {found.country.upper()}, not {code.upper()}"
                )
        if checked_kind is ResultKind.SEIZURE and seizure is None:
            raise BadInput("field 'seizure': say what was seized, how much and in which unit")
        if seizure is not None:
            if checked_kind is not ResultKind.SEIZURE:
                raise BadInput("field 'seizure': only a result of kind 'seizure' describes a seizure")
            if seizure.quantity < 0:
                raise BadInput(f"field 'seizure.quantity': {seizure.quantity} is negative")
            seizure = Seizure(
                _text(seizure.what, "seizure.what", limit=_MAX_NAME, required=True),
                seizure.quantity,
                _text(seizure.unit, "seizure.unit", limit=32, required=True),
                _text(seizure.place, "seizure.place", limit=_MAX_NAME),
            )
        linked = _unique((_text(value, "entities", limit=255) for value in entities), "entities")
        return cls(
            checked_kind,
            count,
            code,
            day,
            found.code if found else None,
            linked,
            seizure,
            _text(note, "note", limit=_MAX_TEXT),
        )


@dataclass(frozen=True, slots=True)
class TallyCell:
    """One group of the tally: the sum of the counts of one kind, and the results behind it."""

    country: str
    day: dt.date
    kind: ResultKind
    count: int
    results: int


@dataclass(frozen=True, slots=True)
class Tally:
    """An operation's results summed by kind, by country and by day, up to the last result counted."""

    cells: tuple[TallyCell, ...]
    last_result: int
    totals: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, dict[str, int]] = field(default_factory=dict)
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, cells: Iterable[TallyCell], last_result: int) -> Tally:
        """The tally of these grouped cells."""
        kept = tuple(sorted(cells, key=lambda cell: (cell.day, cell.country, cell.kind.value)))
        totals: dict[str, int] = {}
        by_country: dict[str, dict[str, int]] = {}
        by_day: dict[str, dict[str, int]] = {}
        for cell in kept:
            kind = cell.kind.value
            totals[kind] = totals.get(kind, 0) + cell.count
            country = by_country.setdefault(cell.country, {})
            country[kind] = country.get(kind, 0) + cell.count
            day = by_day.setdefault(cell.day.isoformat(), {})
            day[kind] = day.get(kind, 0) + cell.count
        return cls(kept, last_result, totals, by_country, by_day)

    def to_dict(self) -> dict[str, object]:
        """The tally as the API and the live page receive it."""
        return {
            "last_result": self.last_result,
            "totals": self.totals,
            "by_country": self.by_country,
            "by_day": self.by_day,
        }
