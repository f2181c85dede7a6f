"""Readers and writers of the formats Liaison takes in and gives out.

`read(kind, path)` dispatches to one reader per source format; each streams `Record`s and
raises `BadInput` naming the file, line and field of anything it cannot accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from liaison.errors import BadInput

if TYPE_CHECKING:
    from liaison.ingest.base import Record

__all__ = ["KINDS", "Record", "read"]


def __getattr__(name: str) -> object:
    """`Record` loads with its module, and FollowTheMoney's model with it, when first asked for:
    `liaison --help` lists KINDS without them."""
    if name == "Record":
        from liaison.ingest.base import Record

        return Record
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KINDS: dict[str, str] = {
    "un-xml": "UN Security Council consolidated list (XML)",
    "ofac": "OFAC SDN legacy CSV: sdn.csv alone or with alt, add and sdn_comments beside it",
    "uk": "UK sanctions list as normalised tables (a folder of CSV files)",
    "ftm": "FollowTheMoney entities as JSON lines (OpenSanctions format)",
    "csv": "any CSV through a FollowTheMoney mapping file (--mapping)",
    "stix": "STIX 2.1 bundle (JSON); TLP markings on objects tighten the handling",
    "misp": "MISP event (JSON), read as STIX 2.1: indicators, actors and malware from galaxy tags",
}


def read(kind: str, path: Path, mapping: Path | None = None) -> Iterator[Record]:
    """Stream the records of a source of the given kind; readers load only when used."""
    if kind not in KINDS:
        raise BadInput(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "csv":
        if mapping is None:
            raise BadInput(f"{path}: a csv import needs --mapping FILE (a FollowTheMoney mapping YAML)")
        from liaison.ingest.csv_mapping import read_csv_mapping

        return read_csv_mapping(path, mapping)
    if mapping is not None:
        raise BadInput(f"--mapping applies only to csv imports, not {kind!r}")
    if kind == "un-xml":
        from liaison.ingest.un_xml import read_un_xml

        return read_un_xml(path)
    if kind == "ofac":
        from liaison.ingest.ofac import read_ofac

        return read_ofac(path)
    if kind == "uk":
        from liaison.ingest.uk import read_uk

        return read_uk(path)
    if kind == "misp":
        from liaison.ingest.misp import read_misp

        return read_misp(path)
    if kind == "stix":
        from liaison.ingest.stix import read_stix

        return read_stix(path)
    from liaison.ingest.ftm import read_ftm

    return read_ftm(path)
