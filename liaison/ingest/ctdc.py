"""Victim records coded as in the CTDC Global Dataset (CSV), read through the CTDC data dictionary
onto HTCDS 2.0 fields (`ctdc.yaml` beside this module).

Each row is one victim, already without name: it becomes a RED Person (gender and citizenship
only) with the victim's facts for statistics (year of registration, country of exploitation, the
types of exploitation, gender, age band). "-99" and "Unknown" are missing values, as the
dictionary says. A column the dictionary does not know, or a value it does not allow, refuses
the file, naming line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import yaml
from followthemoney import model

from liaison.errors import BadInput
from liaison.ingest.base import Record, csv_rows, text_lines
from liaison.model import Handling
from liaison.model.htcds import fields
from liaison.model.trafficking import AGE_BANDS, VictimFacts

__all__ = ["CtdcRead", "mapping", "read_ctdc"]

_MISSING = {"", "-99", "unknown", "00"}
_FLAGS = {"1": True, "0": False}
_FTM_GENDERS = {"Masculine": "male", "Feminine": "female", "NonConforming": "other"}


@cache
def mapping() -> dict[str, Any]:
    """The CTDC-to-HTCDS mapping, checked against the HTCDS picklists on first use."""
    data: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "ctdc.yaml").read_text())
    known = fields()
    pairs = [(data["gender"]["field"], value) for value in data["gender"]["values"].values()]
    for name, value in [*pairs, *data["flags"].values()]:
        if value not in known[name].values:
            raise ValueError(f"ctdc.yaml: {value!r} is not an HTCDS value of {name}")
    return data


@dataclass(slots=True)
class CtdcRead:
    """Victims read: their records, and facts per victim record."""

    records: list[Record] = field(default_factory=list)
    victims: list[tuple[str, str, VictimFacts]] = field(default_factory=list)


def _country(text: str, source: str, line: int, column: str) -> str:
    if text.strip().lower() in _MISSING:
        return ""
    found = pycountry.countries.get(alpha_2=text.strip().upper()) if len(text.strip()) == 2 else None
    if found is None:
        raise BadInput.at(source, line, column, f"{text[:40]!r} is not an ISO 3166 alpha-2 code")
    return str(found.alpha_2).lower()


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    spec = mapping()
    known = {spec["year"], spec["country"], spec["citizenship"], spec["age"], "gender"}
    known |= set(spec["flags"]) | set(spec["unmapped"])
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header = next((cells for _line, cells in rows), [])
        unknown = [name for name in header if name not in known]
        if unknown:
            raise BadInput.at(str(path), 1, unknown[0], "not a variable of the CTDC data dictionary")
        if spec["year"] not in header:
            raise BadInput.at(str(path), 1, spec["year"], "missing column")
        for line, cells in rows:  # csv_rows refuses a row of another width than the header's
            yield line, dict(zip(header, cells, strict=True))


def read_ctdc(path: Path, dataset: str) -> CtdcRead:
    """Read every row of a CTDC-coded CSV as a RED victim record with its facts."""
    spec, source, read = mapping(), str(path), CtdcRead()
    for line, row in _rows(path):
        year_text = row[spec["year"]].strip()
        if not (year_text.isdigit() and 1990 <= int(year_text) <= 2100):
            raise BadInput.at(source, line, spec["year"], f"{year_text[:40]!r} is not a year")
        gender_text = row.get("gender", "").strip() or "Unknown"
        gender = spec["gender"]["values"].get(gender_text)
        if gender is None:
            raise BadInput.at(
                source, line, "gender", f"{gender_text[:40]!r}; use {', '.join(spec['gender']['values'])}"
            )
        age = row.get(spec["age"], "").strip().replace("--", "-")
        if age.lower() not in _MISSING and age not in AGE_BANDS:
            raise BadInput.at(source, line, spec["age"], f"{age[:40]!r} is not a CTDC age range")
        chosen: dict[str, list[str]] = {}
        for column, (name, value) in spec["flags"].items():
            flag = row.get(column, "").strip()
            if flag not in _FLAGS and flag not in ("", "-99"):
                raise BadInput.at(source, line, column, f"{flag[:40]!r}; use 1, 0 or -99")
            if _FLAGS.get(flag):
                chosen.setdefault(name, []).append(value)
        proxy = model.make_entity("Person")
        proxy.make_id("ctdc", dataset, str(line))
        proxy.add("gender", _FTM_GENDERS.get(gender))
        proxy.add(
            "nationality",
            _country(row.get(spec["citizenship"], ""), source, line, spec["citizenship"]) or None,
        )
        kinds = tuple(dict.fromkeys(chosen.get("vic_TypeOfExploitation", [])))
        proxy.add(
            "notes", [f"{name[4:]}: {', '.join(dict.fromkeys(values))}" for name, values in chosen.items()]
        )
        country = _country(row.get(spec["country"], ""), source, line, spec["country"])
        facts = VictimFacts(int(year_text), country, kinds, gender, age if age in AGE_BANDS else "unknown")
        read.records.append(Record(proxy, line, handling=Handling.RED))
        read.victims.append((str(proxy.id), str(proxy.id), facts))
    if not read.records:
        raise BadInput(f"{path}: no victim record in the file")
    return read
