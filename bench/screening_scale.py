"""Screening at scale: the real lists plus a million generated entities, Liaison alone.

Run with `python bench/screening_scale.py` (options: `--background 1000000 --seed 1`). Builds the
match records and the candidate index of the UN, OFAC and UK lists plus `--background` generated
people and companies (names from bench/screening.py's twelve naming cultures, a fifth of them in
their own script, half the family names stretched by one to three letters so that the index holds
a long tail of rare tokens as a national register does; random birth dates and nationalities),
then screens bench/screening.py's queries through `liaison screen`'s path: index pool, shortlist,
full scoring. Reports the build's time and memory, each query's latency, and recall and
false-positive rate on the listed entities; hits on generated entities are counted apart, since
the generator knows nothing of who they are. The reference matchers are measured on the lists
alone in bench/screening.py: here their FtM proxies for a million entities would not fit.
"""

from __future__ import annotations

import argparse
import gc
import random
import string
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from followthemoney import model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import screening as base  # noqa: E402

from liaison.matching.index import CandidateIndex  # noqa: E402
from liaison.matching.model import score_pair  # noqa: E402
from liaison.matching.record import MatchRecord, record_from_entity  # noqa: E402
from liaison.matching.shortlist import candidates_for  # noqa: E402

THRESHOLD = 0.7
CANDIDATES = 25
COMPANY_SHARE = 0.2
SECTORS = (
    "Trading",
    "Logistics",
    "Shipping",
    "Holdings",
    "Energy",
    "Construction",
    "Textiles",
    "Foods",
    "Pharma",
    "Mining",
    "Consulting",
    "Security",
    "Telecom",
    "Agro",
    "Metals",
    "Finance",
    "Travel",
)
FORMS = ("LLC", "Ltd", "GmbH", "S.A.", "JSC", "Co.", "Inc.", "SARL", "OOO", "Sdn Bhd", "")


def _stretched(rng: random.Random, word: str) -> str:
    """Half the time, a word with one to three random letters appended: rare tokens, as registers hold."""
    if rng.random() < 0.5:
        return word
    return word + "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 3)))


def _person_name(rng: random.Random) -> str:
    culture = rng.choice(sorted(base.CULTURES))
    if culture in base.NATIVE and rng.random() < 0.2:
        given_pool, family_pool, unspaced = base.NATIVE[culture]
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        return f"{family}{given}" if unspaced else f"{given} {family}"
    given_pool, family_pool = base.CULTURES[culture]
    parts = [rng.choice(given_pool)]
    if rng.random() < 0.3:
        parts.append(rng.choice(given_pool))
    parts.append(_stretched(rng, rng.choice(family_pool)))
    if rng.random() < base.FAMILY_FIRST.get(culture, 0.0):
        parts = parts[-1:] + parts[:-1]
    return " ".join(parts)


def background(rng: random.Random, count: int) -> Iterator[MatchRecord]:
    """Generated people and companies as match records, built the way the store's entities are."""
    for number in range(count):
        if rng.random() < COMPANY_SHARE:
            proxy = model.make_entity("Company")
            family = _stretched(rng, rng.choice(base.CULTURES[rng.choice(sorted(base.CULTURES))][1]))
            proxy.add("name", f"{family} {rng.choice(SECTORS)} {rng.choice(FORMS)}".strip())
            proxy.add("jurisdiction", rng.choice(base.COUNTRIES))
        else:
            proxy = model.make_entity("Person")
            proxy.add("name", _person_name(rng))
            proxy.add(
                "birthDate", f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
            proxy.add("nationality", rng.choice(base.COUNTRIES))
        proxy.id = f"bg-{number}"
        yield record_from_entity(proxy, "background")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--background", type=int, default=1_000_000, help="Generated entities to add.")
    parser.add_argument("--positives", type=int, default=1_000)
    parser.add_argument("--negatives", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    listed, _memory = base.load()
    positives, negatives, _rejected = base.make_queries(rng, listed, args.positives, args.negatives)
    before = base.max_rss_mb()
    started = time.perf_counter()
    generated = list(background(random.Random(args.seed + 1), args.background))
    made = time.perf_counter()
    index = CandidateIndex.build([*listed.records, *generated])
    built = time.perf_counter()
    after_build = base.max_rss_mb()
    gc.collect()
    gc.freeze()

    latencies, found, hit_listed, hit_background = [], [], [], []
    for query in [*positives, *negatives]:
        start = time.perf_counter()
        record = record_from_entity(query.proxy, "query")
        hits = [
            candidate
            for candidate in candidates_for(index, record, CANDIDATES)
            if score_pair(record, candidate).score >= THRESHOLD
        ]
        latencies.append(time.perf_counter() - start)
        listed_hits = {hit.entity_id for hit in hits if hit.dataset != "background"}
        found.append(bool(query.truth & listed_hits))
        hit_listed.append(bool(listed_hits))
        hit_background.append(any(hit.dataset == "background" for hit in hits))
    millis = np.array(latencies) * 1000
    split = len(positives)
    entities = len(listed.records) + len(generated)
    rows = [
        (
            "entities indexed",
            f"{entities:,}",
            f"{len(listed.records):,} listed + {len(generated):,} generated",
        ),
        ("records made", f"{made - started:.1f} s", ""),
        ("index built", f"{built - made:.1f} s", f"{index.memory_bytes() / 2**20:,.0f} MB numpy arrays"),
        ("max RSS", f"{after_build:,.0f} MB", f"{before:,.0f} MB with the lists and queries only"),
        ("queries", f"{len(millis):,}", f"{split:,} positives, {len(millis) - split:,} negatives"),
        ("latency p50", f"{np.percentile(millis, 50):.2f} ms", ""),
        ("latency p99", f"{np.percentile(millis, 99):.2f} ms", ""),
        ("latency mean", f"{millis.mean():.2f} ms", ""),
        ("recall (listed)", f"{np.mean(found[:split]):.3f}", ""),
        ("false-positive rate", f"{np.mean(hit_listed[split:]):.4f}", "negatives hitting a listed entity"),
        ("negatives hitting generated", f"{np.mean(hit_background[split:]):.3f}", "not false positives"),
    ]
    for label, value, note in rows:
        print(f"{label:<30}{value:>14}  {f'({note})' if note else ''}".rstrip())


if __name__ == "__main__":
    main()
