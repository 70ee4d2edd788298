"""Server CPU per request, the figure that caps throughput on two cores, on data made by ``manage.py seed_scale``.

    python tests/benchmarks/bench_cpu.py [--requests 80] [--warmup 10] [--only inbox] [--profile 25]

The scenarios of ``bench_http.py`` (the inbox of a typical, a mid-size and the largest partner over the API and as a
page, a person's page, the dashboard of the network with the most people), each requested in this one process
through Django's test client with production settings (middleware, session, view, template, psycopg; no network,
no ASGI). ``time.process_time()`` counts only this process's CPU, so unlike a latency the figure barely moves with
the load of a shared machine (cache contention still adds a little: read it beside the load average printed).

``--profile N`` runs each scenario once more under ``cProfile`` with the process clock and prints the N functions
with the most cumulative time and a split by package (django/db, django/template, psycopg, our apps…): where the
rest goes. Exits 1 when a target is missed: the API inbox under 12 ms, the person page under 25 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from tests.benchmarks.bench_settings import SERVER_SETTINGS  # noqa: E402

os.environ.update(SERVER_SETTINGS)  # as bench_http.py's server runs

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from tests.benchmarks.bench_http import Scenario, collect_static, scenarios  # noqa: E402
from tests.benchmarks.bench_referrals import percentile  # noqa: E402

TARGETS = {"inbox API": 12.0, "person page": 25.0}
PACKAGES = (
    ("django/db/models/sql", "django ORM: SQL compiler"),
    ("django/db/models", "django ORM: querysets, instances"),
    ("django/db", "django db: backend"),
    ("django/template", "django templates"),
    ("django/utils", "django utils (lazy, translation, html)"),
    ("django/", "django, other"),
    ("rest_framework", "DRF"),
    ("psycopg", "psycopg"),
    ("guardian", "guardian"),
    ("channels", "channels"),
    ("site-packages", "other libraries"),
    ("python3.", "standard library"),
)


def client_for(scenario: Scenario) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = scenario.cookie.split("=", 1)
    client.cookies[name] = value
    return client


def package_of(filename: str) -> str:
    for marker, label in PACKAGES:
        if marker in filename:
            return label
    return "our code" if str(ROOT) in filename else "built-in"


def profile(client: Client, scenario: Scenario, top: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(20):
        client.get(scenario.url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    own: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        own[package_of(filename)] += tottime
    total = sum(own.values()) or 1.0
    print(f"\n#### {scenario.label}: own CPU time by package (cProfile, 20 requests)\n")
    for label, seconds in sorted(own.items(), key=lambda item: -item[1]):
        print(f"- {label}: {100 * seconds / total:.0f} % ({1000 * seconds / 20:.1f} ms / request)")
    print()
    stats.sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--only", default="", help="run only the scenarios whose label contains this text")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of each scenario")
    args = parser.parse_args()
    collect_static()
    print(f"load average before: {open('/proc/loadavg').read().strip()}")  # noqa: SIM115
    print("\n| request | CPU ms / request (median of 5 batches) | CPU ms, best batch | queries | target |")
    print("|---|---:|---:|---:|---:|")
    missed = []
    chosen = [s for s in scenarios() if args.only in s.label]
    for scenario in chosen:
        client = client_for(scenario)
        for _ in range(args.warmup):
            response = client.get(scenario.url)
            assert response.status_code == 200, (scenario.label, response.status_code)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # A wrapper, not CaptureQueriesContext: the request ends by handing its connection back to the pool.
        with django.db.connection.execute_wrapper(count):
            client.get(scenario.url)
        batches = []
        per_batch = max(1, args.requests // 5)
        for _ in range(5):
            start = time.process_time()
            for _ in range(per_batch):
                client.get(scenario.url)
            batches.append(1000 * (time.process_time() - start) / per_batch)
        cpu = percentile(batches, 50)
        target = next((t for prefix, t in TARGETS.items() if scenario.label.startswith(prefix)), None)
        if target is not None and cpu > target:
            missed.append(scenario.label)
        shown = f"{target:.0f}" if target is not None else "—"
        print(f"| {scenario.label} | {cpu:.1f} | {min(batches):.1f} | {len(queries)} | {shown} |", flush=True)
    print(f"\nload average after: {open('/proc/loadavg').read().strip()}")  # noqa: SIM115
    if args.profile:
        for scenario in chosen:
            profile(client_for(scenario), scenario, args.profile)
    if missed:
        print(f"\nTargets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
