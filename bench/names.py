"""Name-pair accuracy: Liaison's scorer against the frozen OpenSanctions logic-v2 scores.

Run with `python bench/names.py`. Reads data/name_pairs/name_bench_cases.csv.gz (826
labelled pairs; never used for training) and the logic-v2 scores frozen beside it, and prints
precision, recall and F1 at the threshold for both, overall and per schema, plus the ratio.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
import time
from collections import defaultdict
from pathlib import Path

from followthemoney import model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liaison.matching.model import score_pair  # noqa: E402
from liaison.matching.record import MatchRecord, record_from_entity  # noqa: E402

DATA = ROOT / "data" / "name_pairs"


def _rows(name: str) -> list[dict[str, str]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _record(schema: str, name: str, side: str) -> MatchRecord:
    proxy = model.make_entity(schema)
    proxy.id = side
    proxy.add("name", name)
    return record_from_entity(proxy, "bench")


def _prf(outcomes: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for predicted, actual in outcomes if predicted and actual)
    fp = sum(1 for predicted, actual in outcomes if predicted and not actual)
    fn = sum(1 for predicted, actual in outcomes if not predicted and actual)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--errors", action="store_true", help="List the pairs Liaison gets wrong.")
    args = parser.parse_args()

    frozen = {
        (row["schema"], row["name1"], row["name2"]): float(row["score"])
        for row in _rows("name_bench_logicv2_frozen.csv.gz")
    }
    ours: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    theirs: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    errors = []
    start = time.perf_counter()
    rows = _rows("name_bench_cases.csv.gz")
    for row in rows:
        actual = row["is_match"] == "true"
        left, right = _record(row["schema"], row["name1"], "a"), _record(row["schema"], row["name2"], "b")
        result = score_pair(left, right)
        predicted = result.score >= args.threshold
        for key in ("all", row["schema"]):
            ours[key].append((predicted, actual))
        if predicted != actual:
            errors.append((result.score, actual, row["name1"], row["name2"], row["notes"][:50]))
        reference = frozen.get((row["schema"], row["name1"], row["name2"]))
        if reference is not None:
            for key in ("all", row["schema"]):
                theirs[key].append((reference >= args.threshold, actual))
    seconds = time.perf_counter() - start
    print(f"{'schema':<14}{'pairs':>6}  {'Liaison P / R / F1':<24}{'logic-v2 P / R / F1':<24}{'F1 ratio':>9}")
    for key in ["all", *sorted(k for k in ours if k != "all")]:
        p, r, f = _prf(ours[key])
        rp, rr, rf = _prf(theirs[key]) if theirs[key] else (0.0, 0.0, 0.0)
        ratio = f"{f / rf:.2f}" if rf else "-"
        mine, reference = f"{p:.3f} / {r:.3f} / {f:.3f}", f"{rp:.3f} / {rr:.3f} / {rf:.3f}"
        print(f"{key:<14}{len(ours[key]):>6}  {mine:<24}{reference:<24}{ratio:>9}")
    covered = len(theirs["all"])
    per_pair = seconds / len(rows) * 1000
    print(f"logic-v2 frozen scores cover {covered} of {len(rows)} pairs; Liaison scored {len(rows)} pairs")
    print(f"in {seconds:.2f} s ({per_pair:.2f} ms per pair)")
    if args.errors:
        for score, actual, left, right, notes in sorted(errors):
            print(f"{'FN' if actual else 'FP'} {score:.2f}  {left!r} ~ {right!r}  {notes}")


if __name__ == "__main__":
    main()
