"""What every reader shares: the record it yields, safe text opening and strict value adding.

A reader is a function `read(path, ...) -> Iterator[Record]`. It streams: memory must not
grow with the file. It raises `BadInput` naming the file, the line (or XML element) and
the field the moment it meets something it cannot accept; the import service then rolls
the whole transaction back, so nothing is half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from followthemoney.types.common import PropertyType

from liaison.errors import BadInput, NotFound
from liaison.model.handling import Handling
from liaison.model.observables import Observable
from liaison.names.controls import is_name, keep_joiners

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_GUNZIPPED_BYTES",
    "MAX_LINE_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_VALUE_CHARS",
    "Record",
    "add_readable",
    "add_value",
    "check_exists",
    "check_zip",
    "csv_rows",
    "make_entity",
    "member",
    "open_bytes",
    "open_text",
    "read_as_file",
    "read_limited",
    "text_lines",
]

# One property value longer than this is refused: no real name, address or remark comes
# near it, and a huge value is how a hostile file tries to exhaust memory or the index.
MAX_VALUE_CHARS = 65_536
MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest line a text reader reads: far beyond any record, and a file without newlines
(or a gzip bomb of one line) is refused before it is held whole."""

# Compressed input. Deflate packs at most about 1,032 to 1; the most compressible file Liaison
# ships, the CITES species index, packs 37 to 1. A bomb is refused by its ratio long before the
# sizes, which bound what an honest file may unpack to.
MAX_RATIO = 200
"""The most bytes one packed byte may unpack to, checked once a stream or member passes 1 MiB."""
_RATIO_FLOOR = 1024 * 1024
MAX_MEMBER_BYTES = 128 * 1024 * 1024
"""The most one member of a zip archive (a worksheet, an xlsx's shared strings) may unpack to;
a workbook reader holds its shared strings whole."""
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
"""The most all members of a zip archive may unpack to."""
MAX_GUNZIPPED_BYTES = 4 * 1024 * 1024 * 1024
"""The most a gzip file may unpack to. Readers stream it, so this bounds time and the import's
transaction, not memory; it is some 40 times the largest list Liaison ships unpacked."""


@dataclass(frozen=True, slots=True)
class Record:
    """One entity read from a source, with where it came from (line number or XML element).

    A record read from STIX also carries the object's versions as they came, the TLP level its
    markings set (the import keeps the stricter of that and its own handling), and the values
    it correlates on that FtM has no property for (domains, networks, hashes of a pattern).
    """

    proxy: EntityProxy
    where: int | str
    stix: tuple[Mapping[str, Any], ...] = ()
    handling: Handling | None = None
    observables: frozenset[Observable] = frozenset()


def check_exists(path: Path) -> None:
    """Refuse a path that is missing or not a regular file, naming it."""
    if not path.exists():
        raise NotFound(f"{path}: file does not exist")
    if not path.is_file():
        raise BadInput(f"{path}: not a regular file")


_GZIP_MAGIC = b"\x1f\x8b"


def open_bytes(path: Path, *, limit: int = MAX_GUNZIPPED_BYTES) -> IO[bytes]:
    """Open a file's bytes, unpacked on the fly if it is gzip-compressed.

    Lists are often published gzipped and the reference data ships so; the first bytes decide,
    not the name. A gzip file may unpack to `MAX_RATIO` times its size (1 MiB at least) and
    never more than `limit` bytes: past that the read is refused as a decompression bomb.
    Whole-file readers also cap what they read with `read_limited`.
    """
    check_exists(path)
    with path.open("rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    if compressed:
        budget = min(limit, max(_RATIO_FLOOR, MAX_RATIO * path.stat().st_size))
        return cast(IO[bytes], _Gunzipped(path, budget))
    return path.open("rb")


class _Gunzipped(gzip.GzipFile):
    """A gzip stream whose damage is the file's fault (BadInput naming it, not an OSError) and
    which unpacks no more than `budget` bytes, asking the decompressor for no more than that."""

    def __init__(self, path: Path, budget: int) -> None:
        super().__init__(path, "rb")
        self._path = path
        self._budget = budget
        self._unpacked = 0

    def _take(self, read: Callable[[int], bytes], size: int | None) -> bytes:
        left = self._budget - self._unpacked
        try:
            data = read(left + 1 if size is None or size < 0 else min(size, left + 1))
        except (OSError, EOFError) as exc:
            raise BadInput(f"{self._path}: cannot be unpacked: {exc}") from exc
        self._unpacked += len(data)
        if self._unpacked > self._budget:
            raise BadInput(
                f"{self._path}: unpacks to more than {self._budget:,} bytes, {MAX_RATIO} times its size "
                f"or {MAX_GUNZIPPED_BYTES:,} at most; refused as a decompression bomb"
            )
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._take(super().read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._take(super().read1, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(super().readline, size)


def check_zip(
    path: Path,
    *,
    member_limit: int = MAX_MEMBER_BYTES,
    archive_limit: int = MAX_ARCHIVE_BYTES,
    ratio: int = MAX_RATIO,
) -> None:
    """Refuse a zip archive (an xlsx) whose members would unpack too far, before any is unpacked.

    The sizes checked are those the archive's directory declares; they bound what is read,
    because zipfile yields no more of a member than its declared size (a member that holds
    more fails its CRC there).
    """
    check_exists(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BadInput(f"{path}: not a zip archive (as an xlsx is): {exc}") from None
    total = 0
    for info in members:
        if info.file_size > member_limit:
            raise BadInput(
                f"{path}: member {info.filename!r} unpacks to {info.file_size:,} bytes, "
                f"more than the {member_limit:,} one may"
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > ratio * info.compress_size:
            packed = info.file_size / max(info.compress_size, 1)
            raise BadInput(
                f"{path}: member {info.filename!r} unpacks to {packed:,.0f} times its packed size, "
                f"more than {ratio}; refused as a decompression bomb"
            )
        total += info.file_size
    if total > archive_limit:
        raise BadInput(
            f"{path}: unpacks to {total:,} bytes in all, more than the {archive_limit:,} an archive may"
        )


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """A whole file's (unpacked) bytes, refusing one of more than `limit` bytes as too large a `what`."""
    with open_bytes(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BadInput(f"{path}: more than {limit:,} bytes, larger than {what} may be")
    return data


def member(folder: Path, name: str) -> Path | None:
    """The file `name` in `folder`, or its gzipped `name.gz`, in any letter case (Treasury
    publishes SDN.CSV); None when there is neither."""
    wanted = {name.lower(), f"{name.lower()}.gz"}
    found = sorted(path for path in folder.iterdir() if path.name.lower() in wanted and path.is_file())
    return found[0] if found else None


def open_text(path: Path, encoding: str = "utf-8") -> IO[str]:
    """Open a text file strictly (gzipped or not): undecodable bytes raise instead of being replaced."""
    return io.TextIOWrapper(open_bytes(path), encoding=encoding, errors="strict", newline="")


@contextmanager
def text_lines(path: Path) -> Iterator[Iterator[str]]:
    """Open a UTF-8 file as lines decoded one at a time, so a bad byte is blamed on its own line.

    A text handle decodes 8 KB at a time and would report whichever line came first. A
    byte-order mark at the start, as spreadsheet exports write, is dropped; a line longer than
    `MAX_LINE_BYTES` is refused.
    """
    with open_bytes(path) as handle:
        yield _decoded(path, handle)


def _decoded(path: Path, handle: IO[bytes]) -> Iterator[str]:
    encoding = "utf-8-sig"
    line = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        line += 1
        if len(raw) > MAX_LINE_BYTES:
            raise BadInput.at(str(path), line, None, f"line longer than {MAX_LINE_BYTES:,} bytes")
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise BadInput.at(str(path), line, None, f"not valid UTF-8 text ({exc.reason})") from exc
        if "\x00" in text:
            raise BadInput.at(str(path), line, None, "NUL character: the file may be UTF-16, not UTF-8")
        yield text
        encoding = "utf-8"


def csv_rows(
    path: Path, lines: Iterable[str], *, names: Sequence[str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of a CSV file's rows, the header first, turning size and
    syntax errors into BadInput; the line number is that of the row's first physical line.

    Every row after the header (every row, when `names` names the columns of a file that has no
    header) must have one cell per column: a row cut short or running long is refused naming the
    first missing or extra field, and so is a file ending inside a quoted field, which is how a
    download cut short usually ends. Blank lines, and a DOS end-of-file mark on its own line,
    are no rows.
    """
    source = str(path)
    columns = None if names is None else [name.strip() for name in names]
    for line, cells, closed in _records(path, lines):
        if not closed:
            where = len(cells) - 1
            raise BadInput.at(
                source,
                line,
                _column(columns, where),
                f"the file ends inside this quoted field{_number(columns, where)}, its closing quote "
                "missing: it may have been cut short",
            )
        if not "".join(cells).strip(_BLANK):
            continue
        if columns is None:
            columns = [cell.strip() for cell in cells]
        elif len(cells) < len(columns):
            raise BadInput.at(
                source,
                line,
                _column(columns, len(cells)),
                f"missing{_number(columns, len(cells))}: the row ends after {len(cells)} of its "
                f"{len(columns)} fields",
            )
        elif len(cells) > len(columns):
            raise BadInput.at(
                source,
                line,
                None,
                f"field {len(columns) + 1}: the row has {len(cells)} fields, more than the {len(columns)} "
                f"columns of the {'format' if names else 'header'} (the last is {columns[-1]!r})",
            )
        yield line, cells


_BLANK = " \t\r\n\x1a"
"""What a cell of a blank row may hold: white space, or the end-of-file mark (Ctrl-Z) of DOS."""
_END = "\ue000end\ue000"
"""A line read after a CSV file's last. A field the file leaves open swallows it; else it is
a row of its own, always the last, so no line of the file can pass for it."""


def _records(path: Path, lines: Iterable[str]) -> Iterator[tuple[int, list[str], bool]]:
    """(line, cells, closed) of every CSV record; closed is False for a last one whose quoted
    field the file never closes."""
    csv.field_size_limit(MAX_VALUE_CHARS)
    reader = csv.reader(itertools.chain(lines, ("\n", _END)))
    line = 1
    held: tuple[int, list[str]] | None = None
    try:
        for row in reader:
            if held is not None:
                yield (*held, True)
            held = (line, row)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise BadInput.at(str(path), line, None, f"malformed CSV: {exc}") from exc
    if held is not None and held[1] != [_END]:
        yield (*held, False)


def _column(columns: Sequence[str] | None, index: int) -> str | None:
    """The name of the column at `index`, None when it has none (no header, or an empty one)."""
    return columns[index] if columns and index < len(columns) and columns[index] else None


def _number(columns: Sequence[str] | None, index: int) -> str:
    """' (field N)' when the column has no name to go by."""
    return "" if _column(columns, index) else f" (field {index + 1})"


def make_entity(schema: str, source: str, where: int | str) -> EntityProxy:
    """Create an empty entity, naming the source and place if the schema is unknown."""
    try:
        return model.make_entity(schema)
    except Exception as exc:  # followthemoney raises InvalidData or KeyError by version
        raise BadInput.at(source, where, "schema", f"unknown FtM schema {schema!r}") from exc


def add_value(
    proxy: EntityProxy,
    prop: str,
    value: Any,
    source: str,
    where: int | str,
    *,
    strict: bool = True,
) -> bool:
    """Clean and add one value to a property; return whether it was kept.

    Strict mode raises `BadInput` for a value the property's type rejects (an invalid date,
    say); lenient mode drops it, for messy public lists where a stray value must not stop
    the import. Unknown properties and oversized values are always refused.
    """
    if value is None:
        return False
    text = str(value).strip()
    if not text:
        return False
    schema_prop = proxy.schema.get(prop)
    if schema_prop is None:
        raise BadInput.at(source, where, prop, f"{proxy.schema.name} has no property {prop!r}")
    if len(text) > MAX_VALUE_CHARS:
        raise BadInput.at(
            source, where, prop, f"value of {len(text):,} characters exceeds the limit of {MAX_VALUE_CHARS:,}"
        )
    if is_name(schema_prop):  # without bidi controls, and with the ZWNJ FtM would delete
        cleaned = keep_joiners(lambda name: schema_prop.type.clean(name, proxy=proxy), text)
    else:
        cleaned = _clean_fast(schema_prop.type, text) or schema_prop.type.clean(text, proxy=proxy)
    if cleaned is None:
        if strict:
            raise BadInput.at(source, where, prop, f"invalid {schema_prop.type.name} {text[:80]!r}")
        return False
    proxy.unsafe_add(schema_prop, cleaned, cleaned=True)
    return True


def add_readable(proxy: EntityProxy, prop: str, value: Any, field: str | None = None) -> str | None:
    """Add what can be read of one value of a query; a note saying what could not (naming the
    `field` it came from, the property by default), else None.

    Screening goes on without a value it cannot read, and a date keeps its readable part
    ('1974-01-32' is read as 1974-01): one bad field must never hide a listed person.
    """
    try:
        add_value(proxy, prop, value, "query", prop)
        return None
    except BadInput:
        text = str(value).strip()
    named = f"field '{field or prop}'"
    schema_prop = proxy.schema.get(prop)
    if schema_prop is None:
        return f"{named}: {proxy.schema.name} has no such property; screened without it"
    if schema_prop.type == registry.date:
        found = _DATE_START.match(text)
        for part in (found.group(1), found.group(2)) if found else ():
            if part and add_value(proxy, prop, part, "query", prop, strict=False):
                return f"{named}: invalid date {text[:40]!r}, read as {part!r}"
    return f"{named}: cannot read {text[:40]!r}; screened without it"


_DATE_START = re.compile(r"((\d{4})-\d{2})?")
"""The year-month and the year a malformed date starts with, its readable parts."""

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _clean_fast(kind: PropertyType, text: str) -> str | None:
    """Accept an already-ISO date without FtM's general date parser, which costs ~60 µs a value.

    Returns None when the fast path does not apply; the caller then asks FtM.
    """
    if kind is not registry.date:
        return None
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return text


Read = TypeVar("Read")


def read_as_file(data: bytes, name: str, read: Callable[[Path], Read]) -> Read:
    """Run a file reader on uploaded bytes: written to a temporary file called `name`, so the
    reader's errors name the user's file, never a temporary path. `read` must finish reading."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read(path)
        except BadInput as exc:
            raise BadInput(str(exc).replace(str(path), name)) from exc
