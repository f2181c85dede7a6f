"""The Human Trafficking Prosecution Dataset: US federal cases, their defendants and judges.

A folder holds `case_data.csv`, `defendant_data.csv` and `judge_data.csv`. Each case becomes an
FtM CourtCase with its facts for statistics (year, state, how many victims, minors and
defendants); each defendant a Person with a CourtCaseParty naming the role and sentence; each
judge a Person (one per name, across cases) with a CourtCaseParty. So the network shows who
was tried with whom and before whom, and matching sees the defendants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from followthemoney.proxy import EntityProxy

from liaison.errors import BadInput
from liaison.ingest.base import Record, add_value, csv_rows, make_entity, member, text_lines
from liaison.model.trafficking import CaseFacts

__all__ = ["FILES", "ProsecutionCase", "read_htpd"]

FILES = {
    "case_data.csv": ("id", "name", "number", "n_defendants", "state", "year", "n_victims", "n_minors"),
    "defendant_data.csv": ("id", "case_id", "name", "gender", "charge_date", "total_months_sentenced"),
    "judge_data.csv": ("id", "name", "gender", "case_id"),
}
"""The files of the dataset and the columns read from each."""
_TERRITORIES = {"guam": "GU", "puerto rico": "PR"}
_GENDERS = {"male": "male", "female": "female"}


@dataclass(frozen=True, slots=True)
class ProsecutionCase:
    """The id of a case's record and its facts."""

    entity_id: str
    facts: CaseFacts


@dataclass(slots=True)
class HtpdRead:
    """Everything the folder holds: records to write, and facts per case record."""

    records: list[Record]
    cases: list[ProsecutionCase]


def read_htpd(folder: Path) -> HtpdRead:
    """Read the three files; BadInput names the file, line and field of the first bad value."""
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder; give the folder holding {', '.join(FILES)}")
    cases, defendants, judges = (member(folder, name) or folder / name for name in FILES)
    read = HtpdRead([], [])
    case_ids: dict[str, str] = {}
    for line, row in _rows(cases, "case_data.csv"):
        proxy, facts = _case(row, str(cases), line)
        case_ids[row["id"]] = str(proxy.id)
        read.records.append(Record(proxy, f"case_data.csv:{line}"))
        read.cases.append(ProsecutionCase(str(proxy.id), facts))
    for line, row in _rows(defendants, "defendant_data.csv"):
        where = f"defendant_data.csv:{line}"
        case = _case_of(row, case_ids, str(defendants), line)
        person = _person("htpd-defendant", row["id"], row, str(defendants), line)
        party = _party(person, case, "defendant", row, str(defendants), line)
        read.records += [Record(person, where), Record(party, where)]
    for line, row in _rows(judges, "judge_data.csv"):
        if not row["name"].strip():
            continue  # a judge row without a name links nobody
        where = f"judge_data.csv:{line}"
        case = _case_of(row, case_ids, str(judges), line)
        judge = _person("htpd-judge", " ".join(row["name"].split()).lower(), row, where, line)
        read.records += [Record(judge, where), Record(_party(judge, case, "judge", {}, "", line), where)]
    return read


def _rows(path: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    wanted = FILES[name]
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header = next((cells for _line, cells in rows), [])
        missing = [column for column in wanted if column not in header]
        if missing:
            raise BadInput.at(str(path), 1, None, f"missing column(s) {', '.join(missing)}")
        for line, cells in rows:  # csv_rows refuses a row of another width than the header's
            yield line, dict(zip(header, cells, strict=True))


def _count(row: dict[str, str], column: str, source: str, line: int) -> int:
    text = row[column].strip()
    if not text:
        return 0
    if not text.isdigit():
        raise BadInput.at(source, line, column, f"{text[:40]!r} is not a count")
    return int(text)


def _case(row: dict[str, str], source: str, line: int) -> tuple[EntityProxy, CaseFacts]:
    proxy = make_entity("CourtCase", source, line)
    proxy.make_id("htpd-case", row["id"])
    state = row["state"].strip()
    region = _TERRITORIES.get(state.lower(), state.upper()) or "unknown"
    year = row["year"].strip()
    if year and not (year.isdigit() and 1900 < int(year) < 2100):
        raise BadInput.at(source, line, "year", f"{year[:40]!r} is not a year")
    for prop, value in (
        ("name", " ".join(row["name"].split())),
        ("caseNumber", row["number"]),
        ("country", "us"),
        ("court", f"US District Court, {region}" if region != "unknown" else "US District Court"),
        ("fileDate", year),
        ("category", "human trafficking"),
        ("summary", row.get("summary")),
    ):
        add_value(proxy, prop, value, source, line)
    victims, minors = _count(row, "n_victims", source, line), _count(row, "n_minors", source, line)
    if minors > victims:
        if row["n_victims"].strip():
            raise BadInput.at(source, line, "n_minors", f"{minors} minors among {victims} victims")
        victims = minors  # victims not counted, but the minors among them were
    defendants = _count(row, "n_defendants", source, line)
    return proxy, CaseFacts(int(year) if year else None, "us", region, victims, minors, defendants)


def _case_of(row: dict[str, str], case_ids: dict[str, str], source: str, line: int) -> str:
    found = case_ids.get(row["case_id"].strip())
    if found is None:
        raise BadInput.at(source, line, "case_id", f"{row['case_id'][:40]!r} names no case in case_data.csv")
    return found


def _person(prefix: str, key: str, row: dict[str, str], source: str, line: int) -> EntityProxy:
    proxy = make_entity("Person", source, line)
    proxy.make_id(prefix, key)
    add_value(proxy, "name", " ".join(row["name"].split()), source, line)
    add_value(proxy, "gender", _GENDERS.get(row.get("gender", "").strip().lower()), source, line)
    return proxy


def _party(
    person: EntityProxy, case: str, role: str, row: dict[str, str], source: str, line: int
) -> EntityProxy:
    proxy = make_entity("CourtCaseParty", source, line)
    proxy.make_id("htpd-party", case, str(person.id), role)
    proxy.add("party", person.id)
    proxy.add("case", case)
    proxy.add("role", role)
    add_value(proxy, "date", row.get("charge_date"), source, line)
    months = row.get("total_months_sentenced", "").strip()
    if months.isdigit() and int(months) > 0:
        proxy.add("status", f"sentenced to {int(months)} months")
    return proxy
