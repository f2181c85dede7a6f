"""Sealed secrets: they open only under their key and for their record; key files are private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from liaison.access.sealing import Sealer, key_file, new_key, read_key
from liaison.errors import BadInput, Unavailable


def test_a_secret_opens_under_its_key_for_its_record_only() -> None:
    sealer, other = read_key(new_key(), "test key"), read_key(new_key(), "test key")
    sealed = sealer.seal("s3cret-of-webhook", "webhook:a1")
    assert Sealer.holds(sealed) and "s3cret" not in sealed and len(sealed) <= 128
    assert sealed != sealer.seal("s3cret-of-webhook", "webhook:a1")  # a fresh nonce each time
    assert sealer.open(sealed, "webhook:a1") == "s3cret-of-webhook"
    with pytest.raises(Unavailable, match="does not open"):
        other.open(sealed, "webhook:a1")
    with pytest.raises(Unavailable, match="does not open"):
        sealer.open(sealed, "webhook:b2")  # moved onto another row
    tampered = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(Unavailable, match="does not open"):
        sealer.open(tampered, "webhook:a1")
    with pytest.raises(Unavailable, match="not sealed"):
        sealer.open("s3cret-of-webhook", "webhook:a1")


@pytest.mark.parametrize("text", ["", "short", "A" * 44, "not base64 at all!!"])
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(text: str) -> None:
    with pytest.raises(BadInput, match="LIAISON_SECRET_KEY is not 32 bytes in base64"):
        read_key(text, "LIAISON_SECRET_KEY")


def test_openssl_and_url_safe_keys_both_read() -> None:
    key = new_key()
    sealed = read_key(key, "k").seal("x", "c")
    assert read_key(key.replace("+", "-").replace("/", "_") + "\n", "k").open(sealed, "c") == "x"


def test_a_key_file_is_made_private_once_and_never_made_to_open(tmp_path: Path) -> None:
    path = tmp_path / "liaison.db.key"
    with pytest.raises(Unavailable, match="missing"):
        key_file(path, create=False)
    assert not path.exists()
    sealed = key_file(path, create=True).seal("x", "c")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_file(path, create=True).open(sealed, "c") == "x"  # the same key, not a new one
    assert [p.name for p in tmp_path.iterdir()] == ["liaison.db.key"]  # no temporary file left
