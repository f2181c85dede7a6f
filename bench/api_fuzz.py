"""API conformance: a bounded schemathesis run against a demo server, its findings counted by kind.

Run with `python bench/api_fuzz.py` (options `--max-examples 10`, `--max-time 600`, `--seed 1`,
`--database URL` to fuzz a store as it is). It loads the demo world into a fresh SQLite store
(`liaison init`, `liaison demo`), issues a read-write token to the demo's NCB-UA analyst dmitri,
serves the store with `liaison serve` on a free 127.0.0.1 port (rate limits lifted: throttling
the fuzzer would hide the answers it came for), and runs `schemathesis run` with every check
against the served OpenAPI schema, all its phases (examples, coverage, fuzzing, stateful) within
`--max-time`. Only the alert stream is left out: it answers until the client leaves.

It prints the findings by check (ST202 "schema-valid request rejected": the server refused what
its schema allows; ST205 an `Allow` header naming too few methods, ...), and the three counts
that must be zero: transport errors, 5xx answers and response-schema violations. The reference
is the review of 2026-12 (issue 21): 63 transport errors on one run, and 35 schema-valid
requests rejected.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import Server  # noqa: E402

MUST_BE_ZERO = {
    "ST101": "server errors (5xx)",
    "ST102": "server errors on an undeclared content type",
    "ST108": "responses violating their schema",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10, help="Cases per operation and phase.")
    parser.add_argument("--max-time", type=int, default=600, help="Seconds the whole run may take.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database", default=None, help="A store to fuzz as it is (a demo is loaded otherwise)."
    )
    args = parser.parse_args()
    liaison = str(Path(sys.executable).parent / "liaison")
    with tempfile.TemporaryDirectory(prefix="liaison-fuzz-") as work:
        folder = Path(work)
        url = args.database or f"sqlite:///{folder / 'liaison.db'}"
        env = {**os.environ, "LIAISON_DATABASE_URL": url}
        if args.database is None:
            for command in (["init"], ["demo"]):
                subprocess.run([liaison, *command], env=env, check=True, capture_output=True)
        issued = subprocess.run(
            [liaison, "token", "create", "dmitri", "--scope", "read", "--scope", "write"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = re.findall(r"lsn_\S+", issued.stdout + issued.stderr)[-1]
        lifted = {"LIAISON_RATE_PER_SECOND": "1000000", "LIAISON_RATE_BURST": "1000000"}
        server = Server(url, 1, folder / "server.log", lifted)
        try:
            server.wait_ready()
            report = folder / "report.json"
            schemathesis = str(Path(sys.executable).parent / "schemathesis")
            argv = [schemathesis, "run", f"{server.base}/openapi.json"]
            argv += ["-H", f"Authorization: ApiKey {token}", "--checks", "all"]
            argv += ["--max-examples", str(args.max_examples), "--max-time", str(args.max_time)]
            argv += ["--seed", str(args.seed), "--no-color", "--exclude-path", "/api/v1/alerts/stream"]
            argv += ["--report", "json", "--report-json-path", str(report)]
            run = subprocess.run(argv, capture_output=True, text=True, timeout=args.max_time + 600)
            summarise(json.loads(report.read_text()), run.stdout)
        finally:
            server.stop()


def summarise(report: dict[str, object], output: str) -> None:
    """The findings by check, and the counts that must be zero."""
    failures = report.get("failures") or []
    errors = report.get("errors") or []
    assert isinstance(failures, list) and isinstance(errors, list)
    seconds = float(report.get("running_time") or 0)  # type: ignore[arg-type]
    version, cases = report.get("schemathesis_version"), report.get("test_cases")
    print(f"schemathesis {version}, {seconds:.0f} s, cases: {cases}")
    print("| check | finding | count |")
    print("|---|---|---:|")
    counted = {}
    for failure in failures:
        counted[failure["code"]] = failure["count"]
        print(f"| {failure['code']} | {failure['title']} | {failure['count']} |")
    said = _first_details(output)
    for failure in failures:
        print(f"\n{failure['code']} {failure['title']}:")
        for operation in failure["operations"]:
            print(f"  {operation}: {said.get(operation, '')[:160]}")
    print(f"transport and other errors: {len(errors)}")
    for code, what in MUST_BE_ZERO.items():
        print(f"{what}: {counted.get(code, 0)}")
    if errors or any(counted.get(code) for code in MUST_BE_ZERO):
        print(output[-4000:])


def _first_details(output: str) -> dict[str, str]:
    """Each failing operation's first answer, as schemathesis printed it: what the server said."""
    sections = re.split(r"_{5,} (.+?) _{5,}", output)
    found = {}
    for name, text in zip(sections[1::2], sections[2::2], strict=False):
        detail = re.search(r'"detail":"((?:[^"\\\\]|\\\\.)*)"', text)
        found[name] = detail.group(1) if detail else ""
    return found


if __name__ == "__main__":
    main()
