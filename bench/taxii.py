"""TAXII 2.1 read throughput: Liaison's /taxii2/ against medallion, the OASIS reference server.

Run with `python bench/taxii.py` (options `--objects 100000 --reference-objects 2000 --page 1000
--seed 5`). Generates `--objects` STIX 2.1 indicators (IPv4, domain, URL and SHA-256 patterns) as
one agency's GREEN collection, and the first `--reference-objects` of them as a second. Liaison
imports both through `import_records`, every object checked by the OASIS validator (import time
reported), and serves them with `liaison serve` (one worker); medallion serves the small one
from its memory backend (with its manifest of date added and version). Each collection is read
by the same client, the real `taxii2-client`, as another agency's analyst would: every page of
`--page` objects, following `next` to the end. Reported: objects read (all of them, each once),
seconds, objects a second, the first and last page's latency (a keyset page costs the same at
the end as at the start), and Liaison over medallion on the same small collection. medallion
filters its whole collection for a first page, with a cost that grows faster than the
collection (5,000 objects took 217 s here), so it serves the small collection only.
Nothing leaves 127.0.0.1; both servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import api as base  # noqa: E402  (the `liaison serve` helper of the matching API bench)
from taxii2client.v21 import Server, as_pages  # noqa: E402

from liaison import store  # noqa: E402
from liaison.ingest.stix import stix_records  # noqa: E402
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role  # noqa: E402
from liaison.services.accounts import access, agencies  # noqa: E402
from liaison.services.cyber.taxii import collection_id  # noqa: E402
from liaison.services.sharing.imports import import_records  # noqa: E402

READY_SECONDS = 120.0


def indicators(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` distinct STIX 2.1 indicators with patterns of four kinds."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    made = []
    for number in range(count):
        kind = number % 4
        if kind == 0:
            address = (
                f"{11 + number % 200}.{(number // 200) % 256}.{(number // 51_200) % 256}.{number % 251 + 1}"
            )
            pattern = f"[ipv4-addr:value = '{address}']"
        elif kind == 1:
            pattern = f"[domain-name:value = 'c2-{number}.example']"
        elif kind == 2:
            pattern = f"[url:value = 'https://login-{number}.example/verify']"
        else:
            digest = hashlib.sha256(f"{seed}/{number}".encode()).hexdigest()
            pattern = f"[file:hashes.'SHA-256' = '{digest}']"
        when = (start + dt.timedelta(seconds=rng.randrange(30_000_000))).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        made.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "created": when,
                "modified": when,
                "name": f"indicator {number}",
                "description": "generated",
                "indicator_types": ["malicious-activity"],
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": when,
            }
        )
    return made


def load_liaison(url: str, collections: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, float], str]:
    """Import each collection's objects as CYB-NL's, GREEN; seconds taken each and a reader's token."""
    engine = store.open_engine(url)
    store.migrate(engine)
    now = dt.datetime.now(dt.UTC)
    operator = Identity.operator()
    for code in ("CYB-NL", "NCB-FR"):
        agencies.register(engine, Agency(code, code, code[-2:], AgencyKind.CYBER), operator)
    access.add_user(engine, operator, "reader", "NCB-FR", Role.ANALYST, now)
    token, _ = access.create_token(engine, operator, "reader", now)
    seconds = {}
    for dataset, objects in collections.items():
        envelope = Envelope(
            "CYB-NL", dataset, Handling.GREEN, "benchmark", now.date().replace(year=now.year + 5)
        )
        began = time.perf_counter()
        import_records(
            engine,
            stix_records(objects, "bench"),
            envelope=envelope,
            title=dataset,
            kind="stix",
            source="bench",
            now=now,
            batch_size=5_000,
        )
        seconds[dataset] = time.perf_counter() - began
    engine.dispose()
    return seconds, token.text


def medallion_config(folder: Path, objects: list[dict[str, Any]], port: int) -> Path:
    """medallion's memory-backend data and configuration, serving the same objects."""
    added = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    collection = {
        "id": collection_id("bench_small"),
        "title": "bench_small",
        "can_read": True,
        "can_write": False,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": objects,
        "manifest": [
            {
                "id": obj["id"],
                "date_added": added,
                "version": obj["modified"],
                "media_type": "application/stix+json;version=2.1",
            }
            for obj in objects
        ],
    }
    root = f"http://127.0.0.1:{port}/bench/"
    data = {
        "/discovery": {"title": "medallion", "default": root, "api_roots": [root]},
        "bench": {
            "information": {
                "title": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 10**8,
            },
            "status": [],
            "collections": [collection],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
        "users": {"reader": "secret"},
        "taxii": {"max_page_size": 100_000},
    }
    (folder / "medallion.json").write_text(json.dumps(config))
    return folder / "medallion.json"


def read_all(discovery: str, user: str, password: str, page: int, dataset: str) -> dict[str, Any]:
    """Every object of a dataset's collection, page by page, through taxii2-client."""
    server = Server(discovery, user=user, password=password)
    (collection,) = [found for found in server.api_roots[0].collections if found.id == collection_id(dataset)]
    seen: set[str] = set()
    latencies = []
    began = time.perf_counter()
    mark = began
    for envelope in as_pages(collection.get_objects, per_request=page):
        now = time.perf_counter()
        latencies.append(now - mark)
        mark = now
        seen.update(obj["id"] for obj in envelope.get("objects", []))
    seconds = time.perf_counter() - began
    return {
        "objects": len(seen),
        "pages": len(latencies),
        "seconds": seconds,
        "first": latencies[0],
        "last": latencies[-1],
    }


def _wait(url: str, process: subprocess.Popen[bytes], auth: tuple[str, str]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if (
                httpx.get(
                    url, auth=auth, headers={"Accept": "application/taxii+json;version=2.1"}, timeout=30
                ).status_code
                == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not up after {READY_SECONDS:.0f} s")


def main() -> None:
    """Generate, load both servers, read both, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--reference-objects", type=int, default=2_000)
    parser.add_argument("--page", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    objects = indicators(args.objects, args.seed)
    small = objects[: args.reference_objects]
    read: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="liaison-taxii-") as folder:
        url = f"sqlite:///{folder}/liaison.db"
        imported, token = load_liaison(url, {"bench_taxii": objects, "bench_small": small})
        rate = args.objects / imported["bench_taxii"]
        print(
            f"Liaison import of {args.objects:,} indicators (validated, indexed): "
            f"{imported['bench_taxii']:.1f} s, {rate:,.0f}/s"
        )
        liaison = base.Server(url, 1, Path(folder) / "server.log")
        try:
            liaison.wait_ready()
            for dataset in ("bench_taxii", "bench_small"):
                read[f"Liaison {dataset}"] = read_all(
                    f"{liaison.base}/taxii2/", "reader", token, args.page, dataset
                )
        finally:
            liaison.stop()
        port = base.free_port()
        config = medallion_config(Path(folder), small, port)
        command = [
            str(Path(sys.executable).parent / "medallion"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "ERROR",
            str(config),
        ]
        with (Path(folder) / "medallion.log").open("wb") as log:
            reference = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
        try:
            _wait(f"http://127.0.0.1:{port}/taxii2/", reference, ("reader", "secret"))
            discovery = f"http://127.0.0.1:{port}/taxii2/"
            read["medallion bench_small"] = read_all(discovery, "reader", "secret", args.page, "bench_small")
        finally:
            reference.terminate()
            reference.wait(timeout=30)
    print(f"\nTAXII reads, {args.page:,} objects a page, through taxii2-client:")
    print(
        f"{'server and collection':<24} {'objects':>9} {'pages':>6} {'seconds':>8} {'objects/s':>10} "
        f"{'first page s':>13} {'last page s':>12}"
    )
    for name, found in read.items():
        print(
            f"{name:<24} {found['objects']:>9,} {found['pages']:>6} {found['seconds']:>8.2f} "
            f"{found['objects'] / found['seconds']:>10,.0f} {found['first']:>13.3f} {found['last']:>12.3f}"
        )
    ratio = read["medallion bench_small"]["seconds"] / read["Liaison bench_small"]["seconds"]
    print(f"\nLiaison / medallion throughput on the same {len(small):,} objects: {ratio:.1f}x")
    expected = {
        "Liaison bench_taxii": args.objects,
        "Liaison bench_small": len(small),
        "medallion bench_small": len(small),
    }
    if any(read[name]["objects"] != count for name, count in expected.items()):
        raise SystemExit("a server did not return every object exactly once")


if __name__ == "__main__":
    main()
