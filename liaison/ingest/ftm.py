"""FollowTheMoney entity streams in OpenSanctions' JSON-lines format, in and out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from liaison.errors import BadInput
from liaison.ingest.base import MAX_LINE_BYTES, Record, add_value, make_entity, open_bytes

__all__ = ["MAX_LINE_BYTES", "entity_from_dict", "read_ftm", "write_ftm"]


def read_ftm(path: Path) -> Iterator[Record]:
    """Stream entities from an FtM JSON-lines file, checking schema, properties and values."""
    source = str(path)
    with open_bytes(path) as handle:
        line = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            line += 1
            if len(raw) > MAX_LINE_BYTES:
                raise BadInput.at(source, line, None, f"line longer than {MAX_LINE_BYTES:,} bytes")
            if raw.strip():
                yield Record(_parse_entity(raw, source, line), line)


def _parse_entity(raw: bytes, source: str, line: int) -> EntityProxy:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput.at(source, line, None, f"not valid UTF-8 JSON: {exc}") from exc
    return entity_from_dict(data, source, line)


def entity_from_dict(data: Any, source: str, line: int | str) -> EntityProxy:
    """An FtM entity from its JSON form (`id`, `schema`, `properties`), checked as a file's line is."""
    if not isinstance(data, dict):
        raise BadInput.at(source, line, None, "expected a JSON object per entity")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise BadInput.at(source, line, "id", "missing or empty entity id")
    schema = data.get("schema")
    if not isinstance(schema, str):
        raise BadInput.at(source, line, "schema", "missing schema")
    proxy = make_entity(schema, source, line)
    proxy.id = entity_id
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise BadInput.at(source, line, "properties", "expected an object of property lists")
    for prop, values in properties.items():
        _add_values(proxy, prop, values, source, line)
    return proxy


def _add_values(proxy: EntityProxy, prop: str, values: Any, source: str, line: int | str) -> None:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise BadInput.at(source, line, prop, "expected a list of values")
    schema_prop = proxy.schema.get(prop)
    strict = schema_prop is not None and schema_prop.type == registry.date
    for value in values:
        if not isinstance(value, str | int | float):
            raise BadInput.at(source, line, prop, f"expected a text value, got {type(value).__name__}")
        # Dates are refused when invalid: a wrong birth date silently dropped would hide a
        # broken export. Other values that FtM cannot clean (a phone field holding three
        # numbers, say) are dropped, as FtM itself does.
        add_value(proxy, prop, value, source, line, strict=strict)


def write_ftm(entities: Iterable[EntityProxy], handle: IO[bytes]) -> int:
    """Write entities as FtM JSON lines (id, schema, properties); return how many."""
    count = 0
    for proxy in entities:
        data = {"id": proxy.id, "schema": proxy.schema.name, "properties": proxy.properties}
        handle.write(orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE))
        count += 1
    return count
