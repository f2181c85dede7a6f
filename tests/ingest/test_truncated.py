"""A CSV file cut short, or with a row of the wrong width, is refused by every CSV reader, naming
the file, the line and the field, never imported in part.

Strategy: a table of the readers, each with a few real rows (from data/ where the reader has a
real file, else the smallest rows it accepts). Line 5 is broken three ways: the file ends in its
second field, unquoted (a download cut mid-row) or inside quotes (cut inside a quoted field);
or the row has a field too many, with good rows after it. The real OFAC list cut in half inside
a remark, and a mapped CSV cut mid-row through `liaison import`, are the attacker's cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from liaison.errors import BadInput
from liaison.ingest.cites_species import read_cites_species
from liaison.ingest.cites_trade import read_cites_trade
from liaison.ingest.csv_mapping import read_csv_mapping
from liaison.ingest.ctdc import read_ctdc
from liaison.ingest.htpd import read_htpd
from liaison.ingest.manifest import read_manifest_csv
from liaison.ingest.ofac import read_ofac
from liaison.ingest.screening_csv import read_screening_csv
from liaison.ingest.seizure_sheet import SeizureMapping, read_seizures
from liaison.ingest.uk import read_uk
from tests.test_cli import Cli

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 12, 3)
OFAC_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
SEIZURES = SeizureMapping(
    fields={name: (name,) for name in ("date", "country", "species", "commodity", "quantity", "unit")}
)


def _real(relative: str) -> Callable[[Path], list[list[str]]]:
    def rows(shared_data: Path) -> list[list[str]]:
        with gzip.open(shared_data / relative, "rt", encoding="utf-8-sig", newline="") as handle:
            return list(itertools.islice(csv.reader(handle), 9))

    return rows


def _given(text: str) -> Callable[[Path], list[list[str]]]:
    return lambda _shared_data: list(csv.reader(io.StringIO(text)))


def _beside(shared_data: Path, folder: str, name: str, tmp_path: Path) -> Path:
    """Where the broken `name` goes: a copy of the real folder holding the other files."""
    for path in (shared_data / folder).iterdir():
        if not path.name.startswith(name):
            shutil.copy(path, tmp_path / path.name)
    return tmp_path / name


@dataclass(frozen=True)
class Reader:
    rows: Callable[[Path], list[list[str]]]
    """Good rows, the header first if the format has one; the fifth is broken."""
    place: Callable[[Path, Path], Path]
    """(shared data, tmp_path) -> the file to write."""
    read: Callable[[Path], object]
    """Reads the written file (or its folder) to the end."""
    columns: tuple[str, ...] | None = None
    """The columns of a format without a header."""


def _file(name: str) -> Callable[[Path, Path], Path]:
    return lambda _shared_data, tmp_path: tmp_path / name


READERS = {
    "ofac": Reader(
        _real("watchlists/ofac_sdn_2024/sdn.csv.gz"),
        _file("sdn.csv"),
        lambda p: list(read_ofac(p)),
        OFAC_COLUMNS,
    ),
    "uk": Reader(
        _real("watchlists/uk/subject_names.csv.gz"),
        lambda shared, tmp: _beside(shared, "watchlists/uk", "subject_names.csv", tmp),
        lambda p: list(read_uk(p.parent)),
    ),
    "htpd": Reader(
        _real("trafficking_cases/judge_data.csv.gz"),
        lambda shared, tmp: _beside(shared, "trafficking_cases", "judge_data.csv", tmp),
        lambda p: read_htpd(p.parent),
    ),
    "cites_trade": Reader(
        _real("wildlife/cites_trade_manidae_comptab_2019-05-31.csv.gz"),
        _file("comptab.csv"),
        lambda p: list(read_cites_trade(p)),
    ),
    "cites_species": Reader(
        _real("wildlife/cites_species_index_2017-04-21.csv.gz"),
        _file("species.csv"),
        lambda p: list(read_cites_species(p)),
    ),
    "csv_mapping": Reader(
        _given((FIXTURES / "agency_persons.csv").read_text(encoding="utf-8")),
        _file("agency.csv"),
        lambda p: list(read_csv_mapping(p, FIXTURES / "agency_persons.mapping.yml")),
    ),
    "ctdc": Reader(
        _given(
            "yearOfRegistration,gender,ageBroad,citizenship,isForcedLabour\n"
            + "".join(f"201{n},Female,18--20,UA,1\n" for n in range(6))
        ),
        _file("ctdc.csv"),
        lambda p: read_ctdc(p, "ctdc"),
    ),
    "screening": Reader(
        _given(
            "name,birth_date,nationality\n"
            + "".join(f"Maria Ceban {n},1971-02-0{n + 1},md\n" for n in range(6))
        ),
        _file("travellers.csv"),
        lambda p: list(read_screening_csv(p)),
    ),
    "manifest": Reader(
        _given(
            "surname,given_names,birth_date,nationality\n"
            + "".join(f"Ceban,Maria {n},1971-02-0{n + 1},MDA\n" for n in range(6))
        ),
        _file("af1234.csv"),
        lambda p: read_manifest_csv(p, TODAY),
    ),
    "seizures": Reader(
        _given(
            "date,country,species,commodity,quantity,unit\n"
            + "".join(f"2019-05-0{n + 1},ke,Manis javanica,scales,{n + 1},kg\n" for n in range(6))
        ),
        _file("seizures.csv"),
        lambda p: list(read_seizures(p, SEIZURES, TODAY)),
    ),
}


def _text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""')


def _broken(rows: list[list[str]], how: str) -> str:
    assert not any("\n" in cell for row in rows for cell in row)  # one row a line: line 5 is rows[4]
    good, row = _text(rows[:4]), rows[4]
    if how == "cut mid-row":
        return good + _text([row[:1]]).rstrip("\n")
    if how == "cut inside quotes":
        return good + _quoted(row[0]) + '",' + _quoted(row[1][: len(row[1]) // 2])
    return good + _text([[*row, "stray"], *rows[5:]])


@pytest.mark.parametrize("how", ["cut mid-row", "cut inside quotes", "a field too many"])
@pytest.mark.parametrize("reader", READERS)
def test_a_broken_row_refuses_the_file_naming_line_and_field(
    shared_data: Path, tmp_path: Path, reader: str, how: str
) -> None:
    case = READERS[reader]
    rows = case.rows(shared_data)
    path = case.place(shared_data, tmp_path)
    path.write_text(_broken(rows, how), encoding="utf-8")
    columns = case.columns or tuple(cell.strip() for cell in rows[0])
    expected = {
        "cut mid-row": f"field '{columns[1]}': missing: the row ends after 1 of its {len(columns)} fields",
        "cut inside quotes": f"field '{columns[1]}': the file ends inside this quoted field",
        "a field too many": f"field {len(columns) + 1}: the row has {len(columns) + 1} fields, more than",
    }[how]
    with pytest.raises(BadInput) as refused:
        case.read(path)
    assert str(refused.value).startswith(f"{path}:5: {expected}"), str(refused.value)


def test_the_whole_files_still_read(shared_data: Path, tmp_path: Path) -> None:
    for name, case in READERS.items():
        (tmp_path / name).mkdir()
        path = case.place(shared_data, tmp_path / name)
        path.write_text(_text(case.rows(shared_data)), encoding="utf-8")
        case.read(path)


def test_the_ofac_list_cut_in_half_inside_a_remark_is_refused(shared_data: Path, tmp_path: Path) -> None:
    text = gzip.decompress((shared_data / "watchlists/ofac_sdn_2024/sdn.csv.gz").read_bytes()).decode()
    half = text.index('"DOB ', len(text) // 2) + len('"DOB 1')  # into a remark, which opens a quote
    line = text.count("\n", 0, half) + 1
    (tmp_path / "sdn.csv").write_text(text[:half], encoding="utf-8", newline="")
    with pytest.raises(BadInput) as refused:
        list(read_ofac(tmp_path / "sdn.csv"))
    assert str(refused.value) == (
        f"{tmp_path / 'sdn.csv'}:{line}: field 'Remarks': the file ends inside this quoted field, "
        "its closing quote missing: it may have been cut short"
    )


def test_a_mapped_csv_cut_mid_row_imports_nothing(database_url: str, tmp_path: Path) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "NCB-FR", "--name", "INTERPOL NCB Paris", "--country", "FR", "--kind", "ncb")
    text = (FIXTURES / "agency_persons.csv").read_text(encoding="utf-8")
    cut = tmp_path / "agency.csv"
    # Chen Wei-Ling's row ends after her phone number; the rows before it are whole.
    cut.write_text(text[: text.index("+886 2 5555 0112") + 16], encoding="utf-8")
    lines = cut.read_text(encoding="utf-8").count("\n") + 1
    mapping = str(FIXTURES / "agency_persons.mapping.yml")
    into = ("--dataset", "fr_persons", "--agency", "NCB-FR")
    refused = cli("import", "csv", str(cut), "--mapping", mapping, *into, code=3)
    assert f"{cut}:{lines}: field 'employer': missing: the row ends after 7 of its 12 fields" in refused
    assert "fr_persons" not in cli.stats()
