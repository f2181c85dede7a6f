"""Compressed input: zip archives (xlsx) and gzip streams are unpacked only within bounds.

Strategy: the limits are parameters, lowered here so a member just above one is a few MiB; the
real defaults are shown to refuse a 1 GiB member by what the archive declares, with the peak
memory of the read measured (tests/wildlife/test_bombs.py does it through the CLI and the API).
Real workbooks and gzipped lists from data/ pass at the defaults.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from liaison.errors import BadInput
from liaison.ingest.base import MAX_LINE_BYTES, MAX_VALUE_CHARS, check_zip, open_bytes, text_lines
from liaison.ingest.htcds_cases import read_htcds
from liaison.ingest.seizure_sheet import SeizureMapping, read_seizures
from tests.ingest.bombs import GiB, MiB, gzip_bomb, peak_memory, xlsx_bomb

CHINA = "pangolin_seizures_china_2008-2016_conl12339_tableS1.xlsx"
TODAY = dt.date(2026, 12, 3)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_real_workbooks_pass(shared_data: Path) -> None:
    for path in sorted(shared_data.glob("*/*.xlsx")):
        check_zip(path)


def test_a_member_above_the_limit_is_refused_naming_it(tmp_path: Path) -> None:
    noise = random.Random(21).randbytes(4 * MiB)  # it does not compress
    check_zip(_zip(tmp_path / "at.xlsx", {"xl/sheet.xml": noise}), member_limit=len(noise))
    above = _zip(tmp_path / "above.xlsx", {"xl/sheet.xml": noise + b"x"})
    with pytest.raises(BadInput, match=r"above\.xlsx: member 'xl/sheet\.xml' unpacks to 4,194,305 bytes"):
        check_zip(above, member_limit=len(noise))


def test_members_above_the_archive_limit_in_all_are_refused(tmp_path: Path) -> None:
    noise = random.Random(21).randbytes(MiB)
    path = _zip(tmp_path / "many.xlsx", {f"xl/sheet{n}.xml": noise for n in range(3)})
    check_zip(path, archive_limit=3 * len(noise))
    with pytest.raises(BadInput, match=r"many\.xlsx: unpacks to 3,145,728 bytes in all"):
        check_zip(path, archive_limit=3 * len(noise) - 1)


def test_a_member_packed_beyond_the_ratio_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "dense.xlsx", {"xl/sharedStrings.xml": b"A" * (8 * MiB)})
    with pytest.raises(
        BadInput, match=r"dense\.xlsx: member 'xl/sharedStrings\.xml' unpacks to [\d,]+ times"
    ):
        check_zip(path)


def test_not_a_zip_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"date,country\n")
    with pytest.raises(BadInput, match=r"fake\.xlsx: not a zip archive"):
        list(read_seizures(path, SeizureMapping(), TODAY))


def test_the_default_refuses_a_1_gib_cell_by_its_declared_size(shared_data: Path, tmp_path: Path) -> None:
    bomb = xlsx_bomb(shared_data / "wildlife" / CHINA, tmp_path / "bomb.xlsx", GiB)
    (member,) = [info for info in zipfile.ZipFile(bomb).infolist() if info.filename == "xl/sharedStrings.xml"]
    assert member.file_size > GiB and bomb.stat().st_size < 2 * MiB
    with peak_memory() as peak, pytest.raises(BadInput, match=r"bomb\.xlsx: member 'xl/sharedStrings\.xml'"):
        list(read_seizures(bomb, SeizureMapping(sheet="Seizure in China"), TODAY))
    assert peak[0] < 16 * MiB


def test_a_member_larger_than_declared_is_not_unpacked_beyond_it(shared_data: Path, tmp_path: Path) -> None:
    # The limits trust the directory because zipfile yields no more of a member than it declares:
    # a member that unpacks to more fails its CRC once the declared bytes are read.
    liar = xlsx_bomb(shared_data / "wildlife" / CHINA, tmp_path / "liar.xlsx", 64 * MiB, declared=40_000)
    with peak_memory() as peak, pytest.raises(BadInput, match=r"liar\.xlsx: not a readable spreadsheet"):
        list(read_seizures(liar, SeizureMapping(sheet="Seizure in China"), TODAY))
    assert peak[0] < 16 * MiB


def _lengthen(path: Path, placeholder: str, text: str) -> None:
    """Put `text` where a cell says `placeholder`: openpyxl cuts what it writes to Excel's 32,767
    characters a cell, but reads any length, as a hostile file has."""
    with zipfile.ZipFile(path) as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    _zip(path, {name: data.replace(placeholder.encode(), text.encode()) for name, data in members.items()})


def test_a_cell_longer_than_a_value_may_be_is_refused_naming_sheet_and_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Seizures"
    sheet.append(["date", "country", "location"])
    sheet.append(["2019-05-01", "Kenya", "Mombasa"])
    sheet.append(["2019-05-02", "Kenya", "LONG CELL"])
    book.save(tmp_path / "long.xlsx")
    _lengthen(tmp_path / "long.xlsx", "LONG CELL", "M" * (MAX_VALUE_CHARS + 1))
    mapping = SeizureMapping(
        fields={"date": ("date",), "country": ("country",), "location": ("location",)},
        constants={"species": "Manis javanica"},
    )
    with pytest.raises(BadInput, match=r"long\.xlsx: sheet 'Seizures' cell C3: 65,537 characters"):
        list(read_seizures(tmp_path / "long.xlsx", mapping, TODAY))


def test_a_gzip_bomb_is_refused_after_unpacking_a_bounded_amount(tmp_path: Path) -> None:
    # A case file (read whole, up to 256 MiB) gzipped from 256 MiB of spaces into 250 KB.
    bomb = gzip_bomb(tmp_path / "cases.json.gz", 256 * MiB, b" ")
    with peak_memory() as peak, pytest.raises(BadInput, match=r"cases\.json\.gz: unpacks to more than \d"):
        read_htcds(bomb)
    assert peak[0] < 128 * MiB  # half of what it unpacks to: what the reader may hold is bounded


def test_a_gzip_stream_above_the_limit_is_refused(tmp_path: Path) -> None:
    lines = b"".join(b"%d,Maria Ceban %d\n" % (n, n * 7919 % 10007) for n in range(100_000))
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(gzip.compress(lines))
    with open_bytes(path, limit=len(lines)) as handle:
        assert len(handle.read()) == len(lines)
    with (
        open_bytes(path, limit=len(lines) - 1) as handle,
        pytest.raises(BadInput, match=r"rows\.csv\.gz: unpacks"),
    ):
        handle.read()


def test_a_line_longer_than_the_limit_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "one_line.csv"
    with path.open("wb") as handle:
        handle.write(b"name\n")
        for _ in range(4 * MAX_LINE_BYTES // MiB):
            handle.write(b"A" * MiB)
    with (
        peak_memory() as peak,
        pytest.raises(BadInput, match=r"one_line\.csv:2: line longer than 16,777,216"),
        text_lines(path) as lines,
    ):
        for _line in lines:
            pass
    assert peak[0] < 3 * MAX_LINE_BYTES  # the line is 4 times that
