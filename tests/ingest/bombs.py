"""Decompression bombs built cheaply, and the peak memory a read of one takes.

A bomb's member is written through zipfile or gzip in 1 MiB chunks of one letter, so building a
1 GiB member holds 1 MiB at a time and takes a few seconds; what comes out is about 1 MB.
"""

from __future__ import annotations

import gzip
import struct
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 20
MiB = 1 << 20
GiB = 1 << 30


def xlsx_bomb(source: Path, target: Path, extra: int, *, declared: int | None = None) -> Path:
    """`source` workbook with `extra` more bytes of 'A' in its last shared string, one cell's
    text; with `declared`, its directory lies that the shared strings unpack to that many bytes."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for info in original.infolist():
            data = original.read(info)
            if info.filename != "xl/sharedStrings.xml":
                bomb.writestr(info.filename, data)
                continue
            cut = data.rindex(b"</t>")
            with bomb.open(info.filename, "w") as member:
                member.write(data[:cut])
                for start in range(0, extra, CHUNK):
                    member.write(b"A" * min(CHUNK, extra - start))
                member.write(data[cut:])
    if declared is not None:
        _declare(target, "xl/sharedStrings.xml", declared)
    return target


def _declare(path: Path, name: str, size: int) -> None:
    """Write `size` as the member's unpacked size in the zip's central directory."""
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name.encode()))
    struct.pack_into("<I", data, entry + 24, size)
    path.write_bytes(bytes(data))


def gzip_bomb(path: Path, size: int, line: bytes = b"A") -> Path:
    """A gzip file that unpacks to `size` bytes of `line` repeated."""
    block = line * (CHUNK // len(line))
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for start in range(0, size, len(block)):
            handle.write(block[: min(len(block), size - start)])
    return path


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The most Python memory allocated at once in the block, in bytes, appended when it ends."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
