"""Where a record came from, as it may be shown: the source file's name and line, never its path.

The store keeps provenance as the import wrote it, `<source>:<where>`: the path of the file read
(as the server saw it), or `api:<user>`, then the line or place in it. The path is the server's
business; an analyst, or another agency, needs the file's name and the line to find the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Provenance"]

_SEPARATORS = re.compile(r"[\\/]")


@dataclass(frozen=True, slots=True)
class Provenance:
    """A record's source (a file's name, or an API call) and the line in it, when there is one."""

    source: str
    line: int | None = None

    @classmethod
    def parse(cls, stored: str) -> Provenance:
        """The provenance as stored (`/srv/lists/sdn.csv:2602`), its path cut to the file's name.

        A Windows path (`C:\\lists\\sdn.csv:12`) and a URL lose their folders alike; a source
        that is no path (`api:alice:p1`) is kept whole.
        """
        source, _, where = stored.rpartition(":")
        line = int(where) if source and where.isdigit() else None
        if line is None:
            source = stored
        if _SEPARATORS.search(source):
            names = [name for name in _SEPARATORS.split(source) if name]
            source = names[-1] if names else ""
        return cls(source, line)

    def __str__(self) -> str:
        return self.source if self.line is None else f"{self.source}, line {self.line}"

    @property
    def compact(self) -> str:
        """`name:line` (or the source alone), the form the API and the CLI give."""
        return self.source if self.line is None else f"{self.source}:{self.line}"
