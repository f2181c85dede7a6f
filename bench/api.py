"""Matching API benchmark: `/match` throughput of a local server on the real UN and OFAC lists.

Run with `python bench/api.py` (options: `--seconds 20 --concurrency 8`). Imports the UN
consolidated list and the OFAC SDN 2024 list into a fresh SQLite store, serves it with uvicorn
in a subprocess on a free 127.0.0.1 port (1 worker, then 2), and drives `POST /match/default`
with single queries and batches of 10 and 50 for a bounded time and number of requests each.
Queries are listed names with a small typo and unlisted names, half and half, drawn with a
fixed seed. The target is 500 queries/s; the load generator (httpx, asyncio) runs in this
process and shares the machine's cores with the server, so the rates are a lower bound. Its
connections open 50 ms apart: opened at once, the first uvicorn worker to wake accepts them all
and a second worker idles (the per-worker CPU column shows the spread).

The in-process ceiling calls `MatchingService.match` on the same queries, single-threaded and
without HTTP, so what the web layer costs is the gap between the two. `--profile` prints a
cProfile excerpt of that call. Every step runs in its own process, bounded in time; the server
is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT / "data"
LISTS = (
    ("un-xml", "un", SHARED / "watchlists/un/un_consolidated_2026-02-27.xml.gz"),
    ("ofac", "ofac", SHARED / "watchlists/ofac_sdn_2024/sdn.csv.gz"),
)
TARGET = 500
"""Queries per second the matching API should answer on this machine."""
BATCHES = (1, 10, 50)
WORKERS = (1, 2)
QUERIES = 2_000
"""Distinct queries generated; requests cycle through them. A multiple of every batch size."""
MATCH_PATH = "/match/default"
READY_SECONDS = 300.0
"""How long a server may take to build its index and answer /readyz."""
REQUEST_SECONDS = 60.0
RAMP_SECONDS = 0.05
"""Delay between opening one connection of the load and the next."""
STEP_SECONDS = 900.0
"""Upper bound on any one subprocess step (import, ceiling, profile)."""


def _words(text: str) -> tuple[str, ...]:
    """A pool of names written as one space-separated string."""
    return tuple(text.split())


# Pools of unlisted names; a chance hit on a listed name is part of what a screening sees.
GIVEN = _words(
    "Ali Maria Oleksandr Chen Fatima John Aisha Ivan Li Carlos Amina Pierre Sofia Kwame Priya Hiroshi "
    "Olga Mateus Nadia Tomasz Ingrid Emeka Lucia Dmitri Yasmin Rafael Hana Stefan Leila Joao"
)
FAMILY = _words(
    "Petrenko Wang Okafor Garcia Smith Ivanova Nguyen Dubois Kowalski Lindqvist Mensah Tanaka "
    "Moreau Rossi Fernandes Novak Haddad Schmidt Kaur Oliveira Bianchi Jansen Eriksen Popescu"
)
TRADES = _words("Trading Logistics Shipping Holdings Consulting Textiles Energy Foods Marine Capital")
SUFFIXES = ("LLC", "Ltd", "GmbH", "SARL", "S.A.", "BV", "FZE")
VOWELS = "aeiou"
CONSONANTS = "bcdfghklmnprstvz"


# -- Preparing the store and the queries (in a subprocess) --------------------------------------


def prepare(url: str, out: str, seed: int) -> dict[str, Any]:
    """Import the lists into a fresh store and write the generated queries to `out` as JSON."""
    from liaison import ingest, store
    from liaison.matching.record import MATCHABLE
    from liaison.model import Agency, AgencyKind, Envelope, Handling
    from liaison.services.accounts.agencies import register
    from liaison.services.sharing.imports import import_records

    engine = store.open_engine(url)
    store.migrate(engine)
    register(engine, Agency("BENCH", "Benchmark agency", "FR", AgencyKind.NCB))
    now = dt.datetime.now(dt.UTC)
    listed: list[tuple[str, str, str | None]] = []

    def kept(records: Any) -> Any:
        # Names are taken as the records stream past, so the lists are read once.
        for record in records:
            proxy = record.proxy
            names = proxy.get("name", quiet=True)
            if proxy.schema.name in MATCHABLE and names:
                births = proxy.get("birthDate", quiet=True)
                listed.append((proxy.schema.name, names[0], births[0] if births else None))
            yield record

    imported = {}
    start = time.perf_counter()
    for kind, dataset, path in LISTS:
        # Sanctions lists are public: CLEAR, so callers without a token (the public) match them.
        envelope = Envelope("BENCH", dataset, Handling.CLEAR, "benchmark", now.date())
        result = import_records(
            engine,
            kept(ingest.read(kind, path)),
            envelope=envelope,
            title=dataset,
            kind=kind,
            source=str(path),
            now=now,
        )
        imported[dataset] = result.records
    seconds = time.perf_counter() - start
    engine.dispose()
    queries = generate(listed, QUERIES, seed)
    Path(out).write_bytes(orjson.dumps(queries))
    return {"imported": imported, "seconds": seconds, "listed": len(listed), "queries": len(queries)}


def generate(listed: list[tuple[str, str, str | None]], count: int, seed: int) -> list[dict[str, Any]]:
    """Half listed names with one small typo (birth year kept half the time), half unlisted names."""
    rng = random.Random(seed)
    queries: list[dict[str, Any]] = []
    for index in range(count):
        if index % 2 == 0:
            schema, name, birth = rng.choice(listed)
            properties: dict[str, list[str]] = {"name": [misspell(rng, name)]}
            if birth and rng.random() < 0.5:
                properties["birthDate"] = [birth[:4]]
        elif rng.random() < 0.7:
            schema = "Person"
            properties = {"name": [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"]}
            if rng.random() < 0.5:
                properties["birthDate"] = [str(rng.randint(1940, 2005))]
        else:
            schema = "Company"
            name = f"{rng.choice(FAMILY)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}"
            properties = {"name": [name]}
        queries.append({"schema": schema, "properties": properties})
    return queries


def misspell(rng: random.Random, name: str) -> str:
    """One typing slip in one word of four letters or more: a swap, a dropped, doubled or wrong letter."""
    tokens = name.split()
    eligible = [at for at, token in enumerate(tokens) if len(token) >= 4 and token.isalpha()]
    if not eligible:
        return name
    which = rng.choice(eligible)
    token = tokens[which]
    at = rng.randrange(1, len(token) - 1)
    slip = rng.choice(("swap", "drop", "double", "replace"))
    if slip == "swap":
        token = token[:at] + token[at + 1] + token[at] + token[at + 2 :]
    elif slip == "drop":
        token = token[:at] + token[at + 1 :]
    elif slip == "double":
        token = token[:at] + token[at] + token[at:]
    elif token[at].isascii():
        pool = VOWELS if token[at].lower() in VOWELS else CONSONANTS
        token = token[:at] + rng.choice([ch for ch in pool if ch != token[at].lower()]) + token[at + 1 :]
    tokens[which] = token
    return " ".join(tokens)


# -- The in-process ceiling and profile (in a subprocess) ---------------------------------------


def _service(url: str) -> tuple[Any, dict[str, Any]]:
    from liaison import store
    from liaison.model import Identity
    from liaison.services.screening.matching_service import MatchingService, Scope
    from liaison.settings import Settings

    settings = Settings(database_url=url)
    service = MatchingService(store.open_engine(url), candidates=settings.match_candidates)
    service.prepare()
    # The same defaults the route applies: the server's threshold, yente's cutoff and limit.
    options = {
        "scope": Scope(),
        "threshold": settings.match_threshold,
        "cutoff": 0.5,
        "limit": 5,
        # As the routes call it: the caller without a token, audited at the time of the call.
        "identity": Identity.public(),
        "now": dt.datetime.now(dt.UTC),
    }
    return service, options


def _batches(queries: list[dict[str, Any]], size: int) -> list[dict[str, dict[str, Any]]]:
    return [
        {f"q{start + offset}": query for offset, query in enumerate(queries[start : start + size])}
        for start in range(0, len(queries), size)
    ]


def ceiling(url: str, path: str, seconds: float) -> dict[str, Any]:
    """Queries/s of `MatchingService.match` called directly, one thread, per batch size."""
    service, options = _service(url)
    queries = orjson.loads(Path(path).read_bytes())
    for batch in _batches(queries[:50], 10):  # warm caches the first calls fill
        service.match(batch, **options)
    rates = {}
    for size in BATCHES:
        batches = _batches(queries, size)
        done, latencies = 0, []
        own, busy = time.process_time(), machine_cpu()
        start = time.perf_counter()
        deadline = start + seconds
        for batch in itertools.cycle(batches):
            began = time.perf_counter()
            if began >= deadline:
                break
            service.match(batch, **options)
            latencies.append(time.perf_counter() - began)
            done += 1
        wall = time.perf_counter() - start
        own = time.process_time() - own
        others = max(0.0, machine_cpu() - busy - own)
        rates[str(size)] = {
            "requests": done,
            "queries": done * size,
            "seconds": wall,
            "latencies": latencies,
            "server_cores": [own / wall],
            "other_cores": others / wall,
        }
    return rates


def profile(url: str, path: str, seconds: float) -> str:
    """A cProfile excerpt of `MatchingService.match` on batches of 10, by own time and cumulative time."""
    import cProfile
    import io
    import pstats

    service, options = _service(url)
    queries = orjson.loads(Path(path).read_bytes())
    batches = _batches(queries, 10)
    service.match(batches[0], **options)
    profiler = cProfile.Profile()
    calls = 0
    deadline = time.perf_counter() + seconds
    profiler.enable()
    for batch in itertools.cycle(batches):
        if time.perf_counter() >= deadline:
            break
        service.match(batch, **options)
        calls += 1
    profiler.disable()
    text = io.StringIO()
    text.write(f"{calls} calls of MatchingService.match, {calls * 10} queries, under cProfile\n")
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return text.getvalue()


def in_subprocess(*args: str) -> Any:
    """Run one step in a fresh interpreter, bounded in time; its last stdout line is JSON."""
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, timeout=STEP_SECONDS
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    """A port free on 127.0.0.1 now; the server binds it a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`liaison serve` in a subprocess of its own session, so it can be stopped whole."""

    def __init__(self, url: str, workers: int, log: Path, settings: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = log
        # `liaison serve`, as an installation runs it (its workers keep TCP_NODELAY; see serving.py).
        command = [
            str(Path(sys.executable).parent / "liaison"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        env = {**os.environ, **(settings or {}), "LIAISON_DATABASE_URL": url}
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self) -> float:
        """Seconds until every worker has started (index built) and /readyz answers 200."""
        start = time.perf_counter()
        deadline = start + READY_SECONDS
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self._tail()}")
            started = self.log.read_text(errors="replace").count("Application startup complete")
            if started >= self.workers:
                try:
                    if httpx.get(f"{self.base}/readyz", timeout=10).status_code == 200:
                        return time.perf_counter() - start
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        raise TimeoutError(f"server not ready after {READY_SECONDS:.0f} s:\n{self._tail()}")

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds used so far by each process of the server: the supervisor and its workers."""
        return {pid: _process_cpu(pid) for pid in _tree(self.process.pid)}

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the server's own process group if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def _tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy, every process and core together (Linux /proc/stat)."""
    fields = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


# -- The load ---------------------------------------------------------------------------------------


async def drive(
    base: str, bodies: list[bytes], size: int, concurrency: int, seconds: float, max_requests: int
) -> dict[str, Any]:
    """Send the bodies in turn from `concurrency` connections until the time or request budget ends."""
    latencies: list[float] = []
    errors = 0
    issued = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_SECONDS) as client:
        deadline = time.perf_counter() + seconds

        async def user(number: int) -> None:
            nonlocal errors
            # Connections open one by one: a worker busy with the first requests is slow to
            # accept, so the next connection goes to an idle one. Opened at once, the first
            # worker to wake accepts them all and the others stay idle for the whole run.
            await asyncio.sleep(number * RAMP_SECONDS)
            while (number := next(issued)) < max_requests and time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    response = await client.post(
                        MATCH_PATH, content=bodies[number % len(bodies)], headers=headers
                    )
                    answered = (
                        response.status_code == 200
                        and len(orjson.loads(response.content)["responses"]) == size
                    )
                except (httpx.HTTPError, orjson.JSONDecodeError, KeyError):
                    answered = False
                if answered:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(user(number) for number in range(concurrency)))
        wall = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "queries": len(latencies) * size,
        "seconds": wall,
        "latencies": latencies,
        "errors": errors,
    }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(server: Server, bodies: list[bytes], size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One scenario with the CPU the server, this load generator and everything else used meanwhile."""
    server_cpu, client_cpu, busy = server.cpu_seconds(), _cpu_self(), machine_cpu()
    result = asyncio.run(drive(server.base, bodies, size, args.concurrency, args.seconds, args.max_requests))
    seconds = result["seconds"]
    used = {pid: cpu - server_cpu.get(pid, 0.0) for pid, cpu in server.cpu_seconds().items()}
    # With several workers, each one's share shows how evenly the kernel spread the connections.
    shares = sorted(used.values(), reverse=True)[: server.workers]
    result["server_cores"] = [share / seconds for share in shares]
    result["client_cores"] = (_cpu_self() - client_cpu) / seconds
    others = machine_cpu() - busy - sum(used.values()) - (_cpu_self() - client_cpu)
    result["other_cores"] = max(0.0, others / seconds)
    return result


# -- The report ---------------------------------------------------------------------------------------


COLUMNS = (
    ("server", 22),
    ("scenario", 14),
    ("queries", 8),
    ("queries/s", 10),
    ("requests/s", 11),
    ("p50 ms", 9),
    ("p99 ms", 9),
    ("errors", 7),
    ("server CPU", 11),
    ("client CPU", 11),
    ("other CPU", 10),
    (f"vs {TARGET}/s", 9),
)


def _line(*cells: str) -> str:
    (_first, width_first), (_second, width_second) = COLUMNS[:2]
    head = f"{cells[0]:<{width_first}}{cells[1]:<{width_second}}"
    return head + "".join(
        f"{cell:>{width}}" for cell, (_name, width) in zip(cells[2:], COLUMNS[2:], strict=True)
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _row(server: str, size: int, result: dict[str, Any]) -> str:
    rate = result["queries"] / result["seconds"]
    return _line(
        server,
        f"{size} query/req" if size == 1 else f"{size} queries/req",
        f"{result['queries']:,}",
        f"{rate:,.0f}",
        f"{result['requests'] / result['seconds']:,.1f}",
        f"{_percentile(result['latencies'], 0.5) * 1000:,.1f}",
        f"{_percentile(result['latencies'], 0.99) * 1000:,.1f}",
        str(result.get("errors", 0)),
        "+".join(f"{share:.2f}" for share in result["server_cores"]),
        f"{result['client_cores']:.2f}" if "client_cores" in result else "-",
        f"{result['other_cores']:.2f}",
        f"{rate / TARGET:.2f}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="Time limit of each scenario (default 20)."
    )
    parser.add_argument("--concurrency", type=int, default=8, help="Requests in flight at once (default 8).")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="Requests per scenario at most (default 100,000)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generated queries (default 1).")
    parser.add_argument(
        "--profile", action="store_true", help="Also print a cProfile excerpt of MatchingService.match."
    )
    parser.add_argument("--prepare", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--ceiling", nargs=2, metavar=("URL", "QUERIES"), help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", nargs=2, metavar=("URL", "QUERIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        url, out = args.prepare
        print(json.dumps(prepare(url, out, seed=args.seed)))
        return
    if args.ceiling:
        url, queries = args.ceiling
        print(json.dumps(ceiling(url, queries, seconds=args.seconds)))
        return
    if args.profile_only:
        url, queries = args.profile_only
        print(json.dumps(profile(url, queries, seconds=args.seconds)))
        return

    with tempfile.TemporaryDirectory(prefix="liaison-bench-api-") as folder:
        work = Path(folder)
        url = f"sqlite:///{work / 'bench.db'}"
        queries_path = work / "queries.json"
        prepared = in_subprocess("--prepare", url, str(queries_path), "--seed", str(args.seed))
        imported = ", ".join(f"{name} {count:,}" for name, count in prepared["imported"].items())
        print(f"store: SQLite, imported {imported} records in {prepared['seconds']:.1f} s")
        print(
            f"queries: {prepared['queries']:,} (half listed names with one typo, half unlisted; "
            f"seed {args.seed}), cycled; POST {MATCH_PATH} with limit 5, cutoff 0.5"
        )
        print(
            f"load: httpx.AsyncClient in this process, {args.concurrency} in flight, {args.seconds:.0f} s or "
            f"{args.max_requests:,} requests per scenario. This machine has {os.cpu_count()} cores and the "
            "load generator shares them with the server: the 'client CPU' column is what it took."
        )
        print(
            "CPU columns are cores busy on average (one figure per uvicorn worker); 'other CPU' is what "
            f"processes outside this benchmark took meanwhile (load average at start: {_load()})."
        )
        queries = orjson.loads(queries_path.read_bytes())
        bodies = {
            size: [orjson.dumps({"queries": batch}) for batch in _batches(queries, size)] for size in BATCHES
        }
        print()
        print(_line(*(name for name, _width in COLUMNS)))
        busiest = 0.0
        for workers in WORKERS:
            # One client address sends everything here: the per-caller rate limit would cap it.
            unlimited = {"LIAISON_RATE_PER_SECOND": "1000000", "LIAISON_RATE_BURST": "1000000"}
            server = Server(url, workers, work / f"uvicorn-{workers}.log", unlimited)
            try:
                ready = server.wait_ready()
                label = f"uvicorn {workers} worker" + ("s" if workers > 1 else "")
                # Warm-up, not measured: first requests load lazily imported code in each worker.
                asyncio.run(drive(server.base, bodies[10], 10, args.concurrency, 2.0, 4 * args.concurrency))
                for size in BATCHES:
                    result = measure(server, bodies[size], size, args)
                    busiest = max(busiest, result["other_cores"])
                    print(_row(label, size, result), flush=True)
                print(f"{'':22}(ready in {ready:.1f} s: index built in every worker)")
            finally:
                server.stop()
        rates = in_subprocess("--ceiling", url, str(queries_path), "--seconds", str(args.seconds))
        for size in BATCHES:
            print(_row("in-process, no HTTP", size, rates[str(size)]))
            busiest = max(busiest, rates[str(size)]["other_cores"])
        print()
        print(
            f"target: {TARGET} queries/s. 'vs {TARGET}/s' is measured queries/s divided by the target. "
            "In-process is MatchingService.match called directly in one thread (no HTTP, no response "
            "models); its 'query/req' is per call."
        )
        if busiest > 0.2:
            print(
                f"warning: other processes took up to {busiest:.2f} cores during a scenario; "
                "rates are lower than on a quiet machine."
            )
        if args.profile:
            print()
            print(
                in_subprocess(
                    "--profile-only", url, str(queries_path), "--seconds", str(min(args.seconds, 10.0))
                )
            )


if __name__ == "__main__":
    main()
