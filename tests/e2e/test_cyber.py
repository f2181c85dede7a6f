"""Cyber intelligence in Chromium: an analyst imports the real APT1 STIX bundle, correlates an
address inside one of its networks, and downloads the dataset as a bundle the OASIS validator
accepts; another agency's analyst sees the collection read-only; a bad file is refused by name.
"""

from __future__ import annotations

import gzip
import secrets
from pathlib import Path

import orjson
from playwright.sync_api import expect
from stix2validator import ValidationOptions, validate_instance

from tests.e2e.conftest import Browsing


def test_an_analyst_imports_correlates_and_shares_stix(browsing: Browsing, shared_data: Path) -> None:
    dataset = f"ncb_es_apt1_{secrets.token_hex(3)}"
    carmen = browsing.page("carmen")
    carmen.goto(f"{browsing.server}/app/cyber")
    carmen.get_by_label("Format").select_option("stix")
    bundle = gzip.decompress((shared_data / "cyber" / "stix21" / "apt1.json.gz").read_bytes())
    carmen.get_by_label("File").set_input_files(
        {"name": "apt1.json", "mimeType": "application/json", "buffer": bundle}
    )
    carmen.get_by_label("Dataset").fill(dataset)
    carmen.get_by_label("Handling of unmarked objects").select_option("GREEN")
    carmen.get_by_role("button", name="Import").click()
    expect(carmen.get_by_role("status")).to_contain_text(f"Imported 76 records into {dataset}")

    carmen.get_by_label("Values").fill("223.167.1.1")
    carmen.get_by_label("Purpose", exact=True).fill("case 2026/77")
    carmen.get_by_role("button", name="Correlate").click()
    found = carmen.locator("#correlations")
    expect(found).to_contain_text("ip:223.167.1.1")
    expect(found).to_contain_text("holds ip:223.166.0.0/15")

    row = carmen.get_by_role("row").filter(has_text=dataset)
    expect(row).to_contain_text("read and write")
    row.get_by_label(f"Purpose of the export of {dataset}").fill("share with CERT-ES")
    with carmen.expect_download() as waiting:
        row.get_by_role("button", name="Download").click()
    bundle = orjson.loads(Path(waiting.value.path()).read_bytes())
    assert len(bundle["objects"]) == 76
    assert validate_instance(bundle, ValidationOptions(version="2.1")).is_valid

    alice = browsing.page("alice", phone=True)
    alice.goto(f"{browsing.server}/app/cyber")
    expect(alice.get_by_role("row").filter(has_text=dataset)).to_contain_text("read")
    expect(alice.get_by_role("row").filter(has_text=dataset)).not_to_contain_text("write")


def test_a_bad_file_is_refused_by_name_and_nothing_imported(browsing: Browsing) -> None:
    carmen = browsing.page("carmen")
    carmen.goto(f"{browsing.server}/app/cyber")
    carmen.get_by_label("Format").select_option("misp")
    odd = {
        "type": "x-made-up",
        "value": "1",
        "uuid": "5a0d5cac-2ef4-4bae-baa4-4a91950d210f",
        "timestamp": "1",
    }
    event = {"Event": {"uuid": "5a0d5bf4-99c8-4f15-9879-22b1950d210f", "timestamp": "1", "Attribute": [odd]}}
    carmen.get_by_label("File").set_input_files(
        {"name": "odd-event.json", "mimeType": "application/json", "buffer": orjson.dumps(event)}
    )
    carmen.get_by_label("Dataset").fill("ncb_es_odd")
    carmen.get_by_role("button", name="Import").click()
    expect(carmen.get_by_role("alert")).to_contain_text("odd-event.json: Attribute[0]")
    expect(carmen.get_by_role("alert")).to_contain_text("unknown MISP attribute type 'x-made-up'")
    expect(carmen.get_by_role("row").filter(has_text="ncb_es_odd")).to_have_count(0)
