"""Candidate-index scale benchmark: build time, memory and lookup latency on synthetic persons.

Run `python bench/index_scale.py --records 1000000`. Names combine given and family names from
several cultures with random suffix letters, so the index holds many distinct tokens as a real
list does; queries are existing names with one typo in the family name and nothing else.
Recall@limit counts how often the misspelt record is still among the candidates.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liaison.matching.index import CandidateIndex  # noqa: E402
from liaison.matching.record import MatchRecord  # noqa: E402
from liaison.names import NameKind, analyze_name  # noqa: E402


def _words(text: str) -> tuple[str, ...]:
    """A pool of words written as one space-separated string."""
    return tuple(text.split())


GIVEN = _words(
    "ali mohammed fatima aisha omar hassan yusuf maryam oleksandr ivan olga natalia sergei dmitri "
    "anastasia chen wei li ming xiaoling jun maria carlos jose lucia alejandro sofia amina "
    "chinedu ngozi oluwaseun kwame pierre jean claire hans greta jurgen priya rahul anil deepa "
    "mehmet ayse emre nguyen thi anh kenji yuki haruto"
)
FAMILY = _words(
    "hassan alrashid khan haddad petrenko ivanov shevchenko kovalenko smirnova wang zhang liu "
    "huang garcia rodriguez martinez fernandez okafor adeyemi mensah dubois lefebvre moreau "
    "muller schmidt schneider sharma patel gupta singh yilmaz kaya demir nguyen tran pham tanaka "
    "suzuki takahashi kowalski nowak horvat novak jensen nielsen"
)


def suffixed(rng: random.Random, word: str) -> str:
    """A name with up to three random letters appended, for a long tail of rare tokens."""
    return word + "".join(rng.choices(string.ascii_lowercase, k=rng.choice((0, 1, 2, 3))))


def person(rng: random.Random, number: int, name: str) -> MatchRecord:
    """A synthetic Person record; three in ten carry a passport number."""
    form = analyze_name(name, NameKind.PERSON)
    passport = frozenset({f"P{number:09d}"}) if rng.random() < 0.3 else frozenset()
    return MatchRecord(
        entity_id=f"p{number}",
        dataset="bench",
        schema="Person",
        caption=name,
        names=(form,) if form is not None else (),
        birth_dates=(f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",),
        countries=frozenset(),
        gender=None,
        identifiers=passport,
    )


def name_query(name: str) -> MatchRecord:
    """A screening query that knows only a name."""
    form = analyze_name(name, NameKind.PERSON)
    return MatchRecord(
        entity_id="query",
        dataset="query",
        schema="Person",
        caption=name,
        names=(form,) if form is not None else (),
        birth_dates=(),
        countries=frozenset(),
        gender=None,
        identifiers=frozenset(),
    )


def typo(rng: random.Random, name: str) -> str:
    """The name with one letter of its last word replaced, dropped or doubled."""
    *head, last = name.split()
    at = rng.randrange(len(last))
    edit = rng.choice(("replace", "drop", "double"))
    if edit == "replace":
        last = last[:at] + rng.choice(string.ascii_lowercase) + last[at + 1 :]
    elif edit == "drop" and len(last) > 3:
        last = last[:at] + last[at + 1 :]
    else:
        last = last[: at + 1] + last[at:]
    return " ".join([*head, last])


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000, help="Synthetic persons to index.")
    parser.add_argument("--queries", type=int, default=1_000, help="Typo'd lookups to time.")
    parser.add_argument("--limit", type=int, default=50, help="Candidates per lookup.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    names = []
    for _ in range(args.records):
        parts = [rng.choice(GIVEN)]
        if rng.random() < 0.3:
            parts.append(rng.choice(GIVEN))
        parts.append(suffixed(rng, rng.choice(FAMILY)))
        names.append(" ".join(parts))
    records = [person(rng, number, name) for number, name in enumerate(names)]
    made = time.perf_counter() - started
    rss_records = max_rss_mb()

    started = time.perf_counter()
    index = CandidateIndex.build(records)
    built = time.perf_counter() - started
    tokens = {token for r in records for form in r.names for token in form.tokens}

    picked = [rng.randrange(args.records) for _ in range(args.queries)]
    queries = [(records[at], name_query(typo(rng, names[at]))) for at in picked]
    latencies = []
    recalled = 0
    for original, query in queries:
        started = time.perf_counter()
        found = index.candidates(query, limit=args.limit)
        latencies.append(time.perf_counter() - started)
        recalled += any(candidate is original for candidate, _ in found)
    millis = np.array(latencies) * 1000

    extra = [person(rng, args.records + n, typo(rng, names[n])) for n in range(10_000)]
    started = time.perf_counter()
    index.add(extra)
    index.compact()
    added = time.perf_counter() - started

    print(f"records              {args.records:>12,}   ({made:.1f} s to analyse names)")
    print(f"distinct name tokens {len(tokens):>12,}")
    print(f"build                {built:>12.1f} s")
    print(f"numpy arrays         {index.memory_bytes() / 2**20:>12.1f} MB")
    print(f"max RSS              {max_rss_mb():>12.0f} MB   ({rss_records:.0f} MB before the build)")
    print(f"lookup p50           {np.percentile(millis, 50):>12.2f} ms")
    print(f"lookup p99           {np.percentile(millis, 99):>12.2f} ms")
    print(f"recall@{args.limit:<14}{recalled / len(queries):>12.3f}")
    print(f"add 10,000 + compact {added:>12.2f} s")


if __name__ == "__main__":
    main()
