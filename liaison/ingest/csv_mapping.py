"""Any agency CSV through a FollowTheMoney mapping file, the YAML format of `ftm map` and Aleph.

FtM's own `QueryMapping` does the mapping; this module only feeds it rows from the local file
and adds what `ftm map` leaves out: the header is checked against every column the mapping
names, a row must have one cell per column (a file cut short mid-row or inside a quoted field
is refused, not imported in part), and an unparseable date is an error instead of a silently
dropped value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from banal import keys_values
from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.mapping.csv import CSVSource
from followthemoney.mapping.property import PropertyMapping
from followthemoney.mapping.query import QueryMapping
from followthemoney.mapping.source import Record as MappingRecord
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from followthemoney.util import sanitize_text

from liaison.errors import BadInput
from liaison.ingest.base import MAX_VALUE_CHARS, Record, csv_rows, open_text, text_lines

__all__ = ["read_csv_mapping"]


def read_csv_mapping(path: Path, mapping: Path) -> Iterator[Record]:
    """Yield the entities a FtM mapping file makes from each row of the CSV at PATH.

    Every query in the mapping reads PATH; its `csv_url`s are ignored. An entity named on
    several rows is yielded once per row, as a fragment for the store to merge.
    """
    queries = _load_mapping(mapping, path)
    source = str(path)
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header = _read_header(source, rows, queries)
        for line, cells in rows:
            record = _make_record(header, cells)
            for query in queries:
                yield from _map_row(query, record, source, line)


def _load_mapping(mapping: Path, path: Path) -> list[QueryMapping]:
    """Parse every query of a mapping file, raising `BadInput` that names the file and problem."""
    name = str(mapping)
    try:
        with open_text(mapping) as handle:
            config = yaml.safe_load(handle)
    except UnicodeDecodeError as exc:
        raise BadInput.at(name, None, None, f"not valid UTF-8 ({exc.reason})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise BadInput.at(name, line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(config, dict) or not config:
        raise BadInput.at(name, None, None, "a mapping file is a dict of datasets, each with queries")
    queries: list[QueryMapping] = []
    for dataset, meta in config.items():
        data = keys_values(meta, "queries", "query") if isinstance(meta, dict) else []
        if not data or not all(isinstance(query, dict) for query in data):
            raise BadInput.at(name, None, str(dataset), "dataset has no `queries:` or `query:` dicts")
        for query in data:
            queries.append(_make_query(name, str(dataset), query, path))
    return queries


def _make_query(name: str, dataset: str, data: dict[str, Any], path: Path) -> QueryMapping:
    """Build one FtM query mapping whose source is PATH, never a URL or a database."""
    # Only the CSV source's filters are used; its `records` (which would fetch the URL)
    # is never called, so pointing it at PATH just satisfies FtM's source detection.
    config = {k: v for k, v in data.items() if k not in ("csv_url", "csv_urls", "database")}
    config["csv_url"] = str(path)
    try:
        # The dataset name as key prefix gives the ids `ftm map --no-sign` would.
        return model.make_mapping(config, key_prefix=dataset)
    except (FollowTheMoneyException, AttributeError, TypeError, ValueError) as exc:
        # A mapping of the wrong shape (a list where FtM expects a dict) fails inside FtM
        # with a plain Python error; it is still the mapping file's fault.
        raise BadInput.at(name, None, dataset, f"not a valid FtM mapping: {exc}") from exc


def _columns(query: QueryMapping) -> set[str]:
    """Every CSV column a query reads: keys, ids, property columns and templates, filters."""
    columns = set(query.refs)
    if isinstance(query.source, CSVSource):
        columns.update(key for key, _ in query.source.filters_set)
        columns.update(key for key, _ in query.source.filters_not_set)
    return columns


def _read_header(
    source: str, rows: Iterator[tuple[int, list[str]]], queries: list[QueryMapping]
) -> list[str]:
    """Read line 1 and refuse a header that lacks, or repeats, a column the mapping reads."""
    first = next(rows, None)
    if first is None:
        raise BadInput.at(source, 1, None, "empty file: expected a header row")
    header = [cell.strip() for cell in first[1]]
    counts = Counter(header)
    for column in sorted(set[str]().union(*(_columns(query) for query in queries))):
        if counts[column] == 0:
            raise BadInput.at(source, 1, column, "column named in the mapping is missing from the header")
        if counts[column] > 1:
            raise BadInput.at(source, 1, column, "column named in the mapping appears twice in the header")
    return header


def _make_record(header: list[str], cells: list[str]) -> MappingRecord:
    """Pair cells with column names as FtM's CSV source does (csv_rows has skipped blank lines
    and refused a row of another width than the header's: one cut short must not import)."""
    record: MappingRecord = {}
    for column, cell in zip(header, cells, strict=True):
        value = sanitize_text(cell)
        if value is not None:
            record[column] = value
    return record


def _map_row(query: QueryMapping, record: MappingRecord, source: str, line: int) -> Iterator[Record]:
    """Map one row through one query, refusing dates FtM would drop and oversized values."""
    if isinstance(query.source, CSVSource) and not query.source.check_filters(record):
        return
    proxies = query.map(record)
    for entity in query.entities:
        proxy = proxies.get(entity.name)
        if proxy is None:
            continue  # no key values on this row: FtM skips the entity, and so do we
        for prop_mapping in entity.properties:
            if prop_mapping.entity is None and prop_mapping.prop.type == registry.date:
                _check_dates(prop_mapping, proxy, record, source, line)
        for prop, value in proxy.itervalues():
            # Joins and templates can build a value longer than any single cell.
            if len(value) > MAX_VALUE_CHARS:
                raise BadInput.at(
                    source,
                    line,
                    prop.name,
                    f"value of {len(value):,} characters exceeds the limit of {MAX_VALUE_CHARS:,}",
                )
        yield Record(proxy=proxy, where=line)


def _check_dates(
    mapping: PropertyMapping, proxy: EntityProxy, record: MappingRecord, source: str, line: int
) -> None:
    """Raise for a non-empty value that FtM's date cleaning rejects (and so silently drops)."""
    values = mapping.record_values(record)
    if mapping.join is not None:
        values = [mapping.join.join(values)]
    if mapping.split is not None:
        values = [part for value in values for part in value.split(mapping.split)]
    date_format = mapping.format or mapping.prop.format
    for value in values:
        if not value.strip():
            continue
        if registry.date.clean_text(value, fuzzy=mapping.fuzzy, format=date_format, proxy=proxy) is None:
            field = ", ".join(mapping.refs) or mapping.prop.name
            expected = f" (expected format {date_format!r})" if date_format else ""
            raise BadInput.at(
                source, line, field, f"invalid date {value[:80]!r} for {mapping.prop.name}{expected}"
            )
