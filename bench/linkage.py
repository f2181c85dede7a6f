"""Deduplication and clustering: Liaison's xref side by side with Splink 5 on DuckDB.

Run with `python bench/linkage.py [--threshold 0.7]`. Deduplicates FEBRL dataset1..3 and
clusters linkage/fake_1000.csv from the repository's data/ with both tools, and prints one table per
dataset: pairwise precision, recall and F1 of the pairs each tool accepts at the threshold and
of all pairs inside its clusters, against the truth (FEBRL: records sharing N in `rec-N-…`;
fake_1000: the `cluster` column), the wall time from reading the CSV to pairs and to clusters,
and how many pairs each tool scored. Writes the same as JSON to bench/out/linkage.json.

Liaison builds FtM Person proxies in memory, reduces them to match records, indexes them and
runs the pure xref over the dataset against itself with Fellegi-Sunter weights fitted by EM to
its own candidate pairs (`liaison xref --learn`), then clusters the accepted pairs by
union-find. Splink follows its authors' FEBRL and fake_1000 examples (docs/demos/examples/
duckdb/febrl3 and accuracy_analysis_from_labels_column, plus Jaro-Winkler on FEBRL's address_1
and suburb): blocking rules on single columns, u by random sampling, m by EM on two or three
blocking rules, predict and connected components at the same threshold. Each (tool, dataset)
runs in a fresh interpreter, so neither inherits the other's caches; the clock starts after
the imports.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liaison.matching.clusters import cluster_pairs  # noqa: E402
from liaison.matching.index import CandidateIndex  # noqa: E402
from liaison.matching.record import MatchRecord, record_from_entity  # noqa: E402
from liaison.matching.xref import (  # noqa: E402
    XREF_LEARN_CANDIDATES,
    candidate_pairs,
    entity_fingerprint,
    member_key,
    xref_learned,
)

DATA = ROOT / "data"
OUT = ROOT / "bench" / "out" / "linkage.json"
DATASET = "bench"
# Splink's u estimate samples at most this many pairs, as in its examples.
U_MAX_PAIRS = 1e6
_FEBRL_ENTITY = re.compile(r"^rec-(\d+)-")

Pair = tuple[str, str]


@dataclass(frozen=True)
class Source:
    """One benchmark dataset: its CSV, its id column and the kind of rows it holds."""

    label: str
    path: Path
    kind: str  # "febrl" or "fake"

    @property
    def id_column(self) -> str:
        """The column holding each row's unique id."""
        return "rec_id" if self.kind == "febrl" else "unique_id"


SOURCES = {
    "febrl1": Source("FEBRL dataset1", DATA / "febrl" / "dataset1.csv.gz", "febrl"),
    "febrl2": Source("FEBRL dataset2", DATA / "febrl" / "dataset2.csv.gz", "febrl"),
    "febrl3": Source("FEBRL dataset3", DATA / "febrl" / "dataset3.csv.gz", "febrl"),
    "fake_1000": Source("fake_1000 (clusters)", DATA / "linkage" / "fake_1000.csv.gz", "fake"),
}


# ---- reading and truth -------------------------------------------------------------------


def read_rows(source: Source) -> list[dict[str, str]]:
    """The CSV's rows with every value stripped (FEBRL pads its values with a space)."""
    with gzip.open(source.path, "rt", encoding="utf-8", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle, skipinitialspace=True)
        ]


def true_entity(source: Source, row: dict[str, str]) -> str:
    """The true entity of a row: N of `rec-N-org` / `rec-N-dup-k`, or the `cluster` column."""
    if source.kind == "febrl":
        found = _FEBRL_ENTITY.match(row["rec_id"])
        if found is None:
            raise ValueError(f"{source.path.name}: rec_id {row['rec_id']!r} is not rec-N-…")
        return found.group(1)
    return row["cluster"]


def ordered(a: str, b: str) -> Pair:
    """An unordered pair in one canonical order."""
    return (a, b) if a <= b else (b, a)


def pairs_within(groups: Iterable[Iterable[str]]) -> set[Pair]:
    """Every unordered pair (sorted) of members sharing a group."""
    found: set[Pair] = set()
    for members in groups:
        found.update(combinations(sorted(members), 2))
    return found


def true_pairs(source: Source) -> set[Pair]:
    """All pairs of rows that are one real entity."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in read_rows(source):
        groups[true_entity(source, row)].append(row[source.id_column])
    return pairs_within(groups.values())


def measure(predicted: set[Pair], truth: set[Pair]) -> dict[str, float]:
    """Pairwise precision, recall and F1, with the counts behind them."""
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted": len(predicted),
        "true_positives": tp,
        "false_positives": len(predicted) - tp,
        "false_negatives": len(truth) - tp,
    }


def iso_date(value: str) -> str | None:
    """`yyyymmdd` or `yyyy-mm-dd` as an ISO date; None when it is no real day (19371233)."""
    digits = value.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    except ValueError:
        return None


# ---- Liaison -----------------------------------------------------------------------------


def make_person(source: Source, row: dict[str, str]) -> EntityProxy:
    """An FtM Person proxy for one row, as the FEBRL mapping builds it, with dates parsed leniently."""
    proxy = model.make_entity("Person")
    proxy.id = row[source.id_column]
    if source.kind == "febrl":
        given, family = row["given_name"], row["surname"]
        address_parts = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
        address = ", ".join(row[column] for column in address_parts if row[column])
        birth, identifier, email = row["date_of_birth"], row["soc_sec_id"], ""
    else:
        given, family = row["first_name"], row["surname"]
        address, birth, identifier, email = row["city"], row["dob"], "", row["email"]
    name = " ".join(part for part in (given, family) if part)
    if name:
        proxy.add("name", name)
    if given:
        proxy.add("firstName", given)
    if family:
        proxy.add("lastName", family)
    born = iso_date(birth)
    if born:
        proxy.add("birthDate", born)
    if address:
        proxy.add("address", address)
    if identifier:
        # Not socialSecurityNumber: FtM checks that against the 9-digit US format.
        proxy.add("idNumber", identifier)
    if email:
        proxy.add("email", email)
    return proxy


def run_liaison(source: Source, threshold: float, candidates: int) -> dict[str, Any]:
    """Deduplicate one dataset with Liaison's xref; timings, accepted pairs and cluster pairs."""
    start = time.perf_counter()
    proxies = [make_person(source, row) for row in read_rows(source)]
    records = [record_from_entity(proxy, DATASET) for proxy in proxies]
    fingerprints = {
        member_key(DATASET, str(proxy.id)): entity_fingerprint(proxy.schema.name, proxy.properties)
        for proxy in proxies
    }
    read = time.perf_counter()
    index = CandidateIndex.build(records)
    indexed = time.perf_counter()
    found, _model = xref_learned(
        index,
        records,
        fingerprints,
        against=frozenset({DATASET}),
        threshold=threshold,
        candidates=candidates,
    )
    paired = time.perf_counter()
    clustering = cluster_pairs((), (), [(pair.left_key, pair.right_key) for pair in found])
    clustered = time.perf_counter()

    prefix = len(member_key(DATASET, ""))
    pairs = {ordered(pair.left.entity_id, pair.right.entity_id) for pair in found}
    groups = [[key[prefix:] for key in cluster.members] for cluster in clustering.clusters]
    return {
        "pairs": pairs,
        "cluster_pairs": pairs_within(groups),
        "clusters": len(groups),
        "scored": _count_xref_candidates(index, records, candidates),
        "phases": {
            "read and records": read - start,
            "index": indexed - read,
            "xref (score pairs)": paired - indexed,
            "cluster": clustered - paired,
        },
        "seconds_to_pairs": paired - start,
        "seconds_to_clusters": clustered - start,
        "settings": {"candidates_per_record": candidates},
    }


def _count_xref_candidates(index: CandidateIndex, records: list[MatchRecord], candidates: int) -> int:
    """How many pairs xref scored: its candidate loop again, without scoring (outside the clock)."""
    return sum(
        1 for _ in candidate_pairs(index, records, against=frozenset({DATASET}), candidates=candidates)
    )


# ---- Splink ------------------------------------------------------------------------------


def _splink_febrl(cl: Any, block_on: Callable[..., Any]) -> dict[str, Any]:
    """Splink's febrl3 example: blocking, comparisons, deterministic rules, EM rules."""
    return {
        "read": """
            select trim(rec_id) as rec_id,
                nullif(trim(given_name), '') as given_name,
                nullif(trim(surname), '') as surname,
                nullif(trim(street_number), '') as street_number,
                nullif(trim(address_1), '') as address_1,
                nullif(trim(address_2), '') as address_2,
                nullif(trim(suburb), '') as suburb,
                nullif(trim(postcode), '') as postcode,
                nullif(trim(state), '') as state,
                nullif(trim(date_of_birth), '') as date_of_birth,
                nullif(trim(soc_sec_id), '') as soc_sec_id
            from read_csv(?, header = true, all_varchar = true)
        """,
        "blocking": [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        "comparisons": [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        "deterministic": [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ],
        "recall": 0.9,
        "em": [block_on("date_of_birth"), block_on("postcode")],
        "em_without_tf": False,
        "seed": 2,
    }


def _splink_fake(cl: Any, block_on: Callable[..., Any]) -> dict[str, Any]:
    """Splink's accuracy_analysis_from_labels_column example on fake_1000."""
    return {
        "read": """
            select unique_id,
                nullif(trim(first_name), '') as first_name,
                nullif(trim(surname), '') as surname,
                nullif(trim(dob), '') as dob,
                nullif(trim(city), '') as city,
                nullif(trim(email), '') as email
            from read_csv(?, header = true, all_varchar = true)
        """,
        "blocking": [block_on("first_name"), block_on("surname"), block_on("dob"), block_on("email")],
        "comparisons": [
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        "deterministic": [
            "l.first_name = r.first_name and levenshtein(r.dob, l.dob) <= 1",
            "l.surname = r.surname and levenshtein(r.dob, l.dob) <= 1",
            "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            "l.email = r.email",
        ],
        "recall": 0.7,
        "em": [block_on("dob"), block_on("email"), block_on("first_name", "surname")],
        "em_without_tf": True,
        "seed": 5,
    }


def run_splink(source: Source, threshold: float) -> dict[str, Any]:
    """Deduplicate one dataset with Splink 5 on DuckDB; timings, predicted pairs and cluster pairs."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    plan = (_splink_febrl if source.kind == "febrl" else _splink_fake)(cl, block_on)
    uid = source.id_column

    start = time.perf_counter()
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    table = db_api.register(con.sql(plan["read"], params=[str(source.path)]))
    settings = SettingsCreator(
        unique_id_column_name=uid,
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=plan["blocking"],
        comparisons=plan["comparisons"],
    )
    linker = Linker(table, settings, log_level="WARNING")
    read = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        plan["deterministic"], recall=plan["recall"]
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=plan["seed"])
    for rule in plan["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=plan["em_without_tf"]
        )
    trained = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    rows = predicted.as_duckdbpyrelation().project(f"{uid}_l, {uid}_r").fetchall()
    paired = time.perf_counter()
    clustered_df = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predicted, threshold_match_probability=threshold
    )
    members = clustered_df.as_duckdbpyrelation().project(f"cluster_id, {uid}").fetchall()
    clustered = time.perf_counter()

    pairs = {ordered(str(left), str(right)) for left, right in rows}
    groups: dict[str, list[str]] = defaultdict(list)
    for cluster_id, member in members:
        groups[str(cluster_id)].append(str(member))
    counts = count_comparisons_from_blocking_rules(
        table,
        blocking_rules=plan["blocking"],
        link_type="dedupe_only",
        unique_id_column_name=uid,
        record_sample_proportion=1.0,
    )
    em_pairs = sum(
        count_comparisons_from_blocking_rules(
            table,
            blocking_rules=rule,
            link_type="dedupe_only",
            unique_id_column_name=uid,
            record_sample_proportion=1.0,
        )[0]["cumulative_comparison_count"]
        for rule in plan["em"]
    )
    return {
        "pairs": pairs,
        "cluster_pairs": pairs_within(groups.values()),
        "clusters": sum(1 for group in groups.values() if len(group) > 1),
        "scored": counts[-1]["cumulative_comparison_count"],
        "phases": {
            "read and set up": read - start,
            "train (u, EM)": trained - read,
            "predict": paired - trained,
            "cluster": clustered - paired,
        },
        "seconds_to_pairs": paired - start,
        "seconds_to_clusters": clustered - start,
        "settings": {"em_pairs_scored": em_pairs, "u_max_pairs": U_MAX_PAIRS},
    }


# ---- one run per interpreter ---------------------------------------------------------------


def run_one(tool: str, name: str, threshold: float, candidates: int) -> dict[str, Any]:
    """Run one tool on one dataset and score it against the truth (after the clock stops)."""
    source = SOURCES[name]
    result = (
        run_liaison(source, threshold, candidates) if tool == "liaison" else run_splink(source, threshold)
    )
    truth = true_pairs(source)
    pairs, cluster_pairs = result.pop("pairs"), result.pop("cluster_pairs")
    result["pairwise"] = measure(pairs, truth)
    result["clustered"] = measure(cluster_pairs, truth)
    return result


def in_process(tool: str, name: str, threshold: float, candidates: int) -> dict[str, Any]:
    """One run in a fresh interpreter, so neither tool nor dataset warms the next one's caches."""
    command = [sys.executable, __file__, "--one", tool, name]
    command += ["--threshold", str(threshold), "--candidates", str(candidates)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"


def render(source: Source, records: int, truth: int, liaison: dict[str, Any], splink: dict[str, Any]) -> str:
    """One dataset's table: both tools side by side with Liaison/Splink ratios."""
    lines = [f"{source.label}: {records:,} records, {truth:,} true pairs", ""]
    lines.append(f"  {'':<34}{'Liaison':>12}{'Splink':>12}{'Liaison/Splink':>16}")

    def row(label: str, ours: float, theirs: float, fmt: str, ratio: bool = False) -> None:
        cells = f"{ours:{fmt}}", f"{theirs:{fmt}}", _ratio(ours, theirs) if ratio else ""
        lines.append(f"  {label:<34}{cells[0]:>12}{cells[1]:>12}{cells[2]:>16}")

    for level, title in (("pairwise", "accepted pairs"), ("clustered", "pairs within clusters")):
        ours, theirs = liaison[level], splink[level]
        row(f"{title}: predicted", ours["predicted"], theirs["predicted"], ",d")
        row("  precision", ours["precision"], theirs["precision"], ".3f")
        row("  recall", ours["recall"], theirs["recall"], ".3f")
        row("  F1", ours["f1"], theirs["f1"], ".3f", ratio=True)
    row("clusters (2+ members)", liaison["clusters"], splink["clusters"], ",d")
    row("pairs scored", liaison["scored"], splink["scored"], ",d", ratio=True)
    row("seconds to pairs", liaison["seconds_to_pairs"], splink["seconds_to_pairs"], ".2f", ratio=True)
    row(
        "seconds to clusters",
        liaison["seconds_to_clusters"],
        splink["seconds_to_clusters"],
        ".2f",
        ratio=True,
    )
    for tool, result in (("Liaison", liaison), ("Splink", splink)):
        phases = ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in result["phases"].items())
        lines.append(f"  {tool} seconds: {phases}")
    lines.append(
        f"  Splink training compared {splink['settings']['em_pairs_scored']:,} blocked pairs in EM and up to "
        f"{splink['settings']['u_max_pairs']:,.0f} sampled pairs for u"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threshold", type=float, default=0.7, help="Match score / probability to accept.")
    parser.add_argument(
        "--candidates",
        type=int,
        default=None,
        help="Candidates xref scores per record (default: Liaison's XREF_LEARN_CANDIDATES).",
    )
    parser.add_argument(
        "--datasets", default=",".join(SOURCES), help="Comma-separated, of: " + ", ".join(SOURCES)
    )
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATASET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.candidates is None:
        args.candidates = XREF_LEARN_CANDIDATES
    if args.one:
        tool, name = args.one
        print(json.dumps(run_one(tool, name, args.threshold, args.candidates)))
        return

    from splink import __version__ as splink_version

    report: dict[str, Any] = {
        "run": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "threshold": args.threshold,
        "candidates_per_record": args.candidates,
        "splink_version": splink_version,
        "datasets": {},
    }
    for name in args.datasets.split(","):
        source = SOURCES[name]
        records, truth = len(read_rows(source)), len(true_pairs(source))
        liaison = in_process("liaison", name, args.threshold, args.candidates)
        splink = in_process("splink", name, args.threshold, args.candidates)
        print(render(source, records, truth, liaison, splink), end="\n\n", flush=True)
        report["datasets"][name] = {
            "label": source.label,
            "records": records,
            "true_pairs": truth,
            "liaison": liaison,
            "splink": splink,
            "f1_ratio_pairwise": liaison["pairwise"]["f1"] / splink["pairwise"]["f1"],
            "f1_ratio_clustered": liaison["clustered"]["f1"] / splink["clustered"]["f1"],
            "time_ratio_clusters": liaison["seconds_to_clusters"] / splink["seconds_to_clusters"],
        }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
