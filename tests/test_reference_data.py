"""The reference data the repository ships: every file described and gzipped, and read either way."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import member, open_text, read_limited, text_lines
from liaison.ingest.ofac import read_ofac
from liaison.services.sharing.reference_data import reference_file
from liaison.settings import Settings

_PACKED = (".gz", ".xlsx", ".ods")


def _shipped(shared_data: Path) -> list[Path]:
    return sorted(
        path
        for path in shared_data.rglob("*")
        if path.is_file() and path.name != "README.md" and not path.name.startswith("LICENSE")
    )


def test_every_shipped_file_is_described_and_compressed(shared_data: Path) -> None:
    readme = (shared_data / "README.md").read_text(encoding="utf-8")
    files = _shipped(shared_data)
    assert len(files) > 40
    for path in files:
        relative = path.relative_to(shared_data).as_posix()
        assert path.suffix in _PACKED, f"{relative}: ship text files gzipped"
        if path.suffix == ".gz":
            assert path.read_bytes()[:2] == b"\x1f\x8b", relative
        published = relative.removesuffix(".gz") if relative.endswith(".gz") else relative
        folder, name = published.rsplit("/", 1)
        # A file is described by its own row, or by its folder's row (`watchlists/uk/`).
        assert published in readme or name in readme or f"`{folder}/`" in readme, relative


def test_the_settings_default_is_the_repository_data_folder(shared_data: Path) -> None:
    assert Settings().shared_data.resolve() == shared_data.resolve()


def test_a_reference_file_is_found_gzipped_or_not(shared_data: Path, tmp_path: Path) -> None:
    relative = "watchlists/un/un_consolidated_2026-02-27.xml"
    packed = reference_file(Settings(shared_data=shared_data), relative)
    assert packed == shared_data / f"{relative}.gz"
    unpacked = tmp_path / relative
    unpacked.parent.mkdir(parents=True)
    unpacked.write_bytes(gzip.decompress(packed.read_bytes()))
    assert reference_file(Settings(shared_data=tmp_path), relative) == unpacked
    with pytest.raises(NotFound, match="LIAISON_SHARED_DATA"):
        reference_file(Settings(shared_data=tmp_path / "nowhere"), relative)


def test_readers_see_the_same_lines_in_either_form(shared_data: Path, tmp_path: Path) -> None:
    packed = shared_data / "watchlists/ofac_2021/sdn_comments.csv.gz"
    plain = tmp_path / "sdn_comments.csv"
    plain.write_bytes(gzip.decompress(packed.read_bytes()))
    with text_lines(packed) as left, text_lines(plain) as right:
        assert list(left) == list(right)
    with open_text(packed) as left, open_text(plain) as right:
        assert left.read() == right.read()


def test_a_folder_list_reads_its_gzipped_members(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "watchlists/ofac_2021"
    assert member(folder, "alt.csv") == folder / "alt.csv.gz"
    assert member(folder, "missing.csv") is None
    unpacked = tmp_path / "ofac"
    unpacked.mkdir()
    for path in folder.glob("*.gz"):
        (unpacked / path.name.removesuffix(".gz").upper()).write_bytes(gzip.decompress(path.read_bytes()))
    # Treasury's own upper-case names, unpacked, read the same as the shipped gzipped ones.
    packed = [record.proxy.to_dict() for record in read_ofac(folder)]
    assert packed == [record.proxy.to_dict() for record in read_ofac(unpacked)]
    assert any(proxy["properties"].get("alias") for proxy in packed)


def test_a_damaged_gzip_file_is_refused_naming_it(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "watchlists/ofac_2021/sdn.csv.gz").read_bytes()
    cut = tmp_path / "sdn.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInput, match=r"sdn\.csv\.gz: cannot be unpacked"):
        list(read_ofac(cut))


def test_a_whole_file_read_caps_what_it_unpacks(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * 2_000_000))  # 2 MB from a 2 KB file
    assert len(bomb.read_bytes()) < 10_000
    with pytest.raises(BadInput, match=r"bomb\.json\.gz: more than 1,000,000 bytes"):
        read_limited(bomb, 1_000_000, "a test file")
