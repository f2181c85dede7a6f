"""Reading a peer's node descriptor: the JSON file `liaison node show` wrote on the other node."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from liaison.errors import BadInput
from liaison.model.node import NodeDescriptor, parse_descriptor

__all__ = ["read_descriptor"]

MAX_BYTES = 1_000_000
"""Far more than a descriptor of a thousand agencies takes; a larger file is refused unread."""


def read_descriptor(path: Path) -> NodeDescriptor:
    """The descriptor in `path` (`-`: standard input); BadInput names the file and the field."""
    where = "standard input" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"{where}: cannot read the descriptor ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{where}: larger than {MAX_BYTES:,} bytes; a node descriptor is a small JSON object")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{where}: line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg})") from None
    return parse_descriptor(data, where)
