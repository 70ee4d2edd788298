"""Throughput and latency over real HTTP under concurrent clients, on data made by ``manage.py seed_scale``.

    python tests/benchmarks/bench_http.py [--clients 1 8 32] [--servers 1 2] [--seconds 8]

Starts ``uvicorn config.asgi:application --workers N`` as its own process (production settings: DEBUG off, the
connection pool as shipped, collected static files; TLS and the second factor off, as behind a proxy for users
without factors), logs in the users the referral benchmark picks (a typical, a mid-size and the largest partner's
staff) and the coordinator of the network with the most people, and for each scenario and each number of clients
sends requests as fast as the answers come, each client on its own keep-alive connection, for ``--seconds``
after one second of warm-up.

For each run it records requests per second, p50/p95/p99 of the answer time as the client sees it, the answers
that were not 200, the CPU time the server's processes (``/proc``) and the PostgreSQL backends of the pool spent
per request, the most connections the database held for the server at once, and the load average of the machine
(``/proc/loadavg``): the machine is shared, so read every figure beside it.

Prints Markdown tables; exits 1 when an answer was not 200 (the pool must carry 32 clients without an error).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MFA_REQUIRED", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from network.models import Network  # noqa: E402
from tests.benchmarks.bench_referrals import percentile, pick_subjects  # noqa: E402
from tests.benchmarks.bench_settings import SERVER_SETTINGS  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
RESULTS_LOCK = threading.Lock()


@dataclass
class Scenario:
    label: str
    url: str
    cookie: str


@dataclass
class Run:
    scenario: str
    servers: int
    clients: int
    seconds: float
    times: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    db_connections: int = 0
    load: str = ""

    @property
    def done(self) -> int:
        return len(self.times)

    def rate(self) -> float:
        return self.done / self.seconds

    def p(self, n: float) -> float:
        return percentile(self.times, n) if self.times else float("nan")


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def scenarios() -> list[Scenario]:
    subjects = {s.label: s for s in pick_subjects(mid_size=True)}
    found: list[Scenario] = []
    for label in ("typical", "mid-size", "largest"):
        subject = subjects[label]
        cookie = session_cookie(subject.user)
        found.append(Scenario(f"inbox API, {label}", "/api/v1/referrals/?direction=incoming", cookie))
        if label != "mid-size":
            found.append(Scenario(f"inbox page, {label}", "/referrals/?direction=incoming", cookie))
    typical = subjects["typical"]
    if typical.person is not None:
        found.append(Scenario("person page, typical", f"/people/{typical.person.pk}/", session_cookie(typical.user)))
    network = Network.objects.annotate(n=Count("people")).order_by("-n").first()
    assert network is not None
    coordinatorship = network.coordinators.filter(user__is_active=True).select_related("user").order_by("pk").first()
    assert coordinatorship is not None, "the biggest network has no coordinator"
    coordinator = coordinatorship.user
    found.append(
        Scenario(f"dashboard ({network.n:,} people)", f"/networks/{network.pk}/dashboard/", session_cookie(coordinator))
    )
    return found


# --- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(SERVER_SETTINGS)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def collect_static() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env(), check=True
    )


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            *[sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
            *["--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        ],
        cwd=ROOT,
        env=server_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("uvicorn did not start within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / TICKS


def database_backends() -> list[int]:
    """The PostgreSQL backends connected to this database, except this script's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return [row[0] for row in cursor.fetchall()]


def load_average() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


# --- the clients ------------------------------------------------------------------------------------------


def client_loop(port: int, scenario: Scenario, stop: threading.Event, measure: threading.Event, run: Run) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": scenario.cookie, "Host": "127.0.0.1", "Accept": "application/json, text/html"}
    times: list[float] = []
    errors: dict[str, int] = {}
    while not stop.is_set():
        start = time.perf_counter()
        try:
            conn.request("GET", scenario.url, headers=headers)
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        if measure.is_set() and not stop.is_set():
            if status == "200":
                times.append(elapsed)
            else:
                errors[status] = errors.get(status, 0) + 1
    conn.close()
    with RESULTS_LOCK:
        run.times += times
        for status, n in errors.items():
            run.errors[status] = run.errors.get(status, 0) + n


def measure(port: int, server: subprocess.Popen[bytes], scenario: Scenario, clients: int, seconds: float,
            servers: int) -> Run:  # fmt: skip
    run = Run(scenario.label, servers, clients, seconds)
    stop, measuring = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(port, scenario, stop, measuring, run), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # warm-up: connections open, the pool fills, caches warm
    backends = database_backends()
    tree = process_tree(server.pid)
    cpu_before, db_before = cpu_seconds(tree), cpu_seconds(backends)
    measuring.set()
    started = time.perf_counter()
    most = len(backends)
    while time.perf_counter() - started < seconds:
        time.sleep(min(0.5, seconds / 4))
        most = max(most, len(database_backends()))
    stop.set()
    run.seconds = time.perf_counter() - started
    cpu_after = cpu_seconds(tree)
    backends_after = database_backends()
    db_after = cpu_seconds(backends)
    for thread in threads:
        thread.join(timeout=70)
    run.server_cpu = cpu_after - cpu_before
    run.db_cpu = db_after - db_before
    run.db_connections = max(most, len(backends_after))
    run.load = load_average()
    return run


def table(runs: list[Run]) -> str:
    lines = [
        "| scenario | server processes | clients | req/s | p50 | p95 | p99 | not 200 | server CPU ms/req "
        "| PostgreSQL CPU ms/req | DB connections | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        errors = sum(r.errors.values())
        detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(r.errors.items()))})" if errors else ""
        per = max(r.done, 1)
        lines.append(
            f"| {r.scenario} | {r.servers} | {r.clients} | {r.rate():.1f} | {r.p(50):.1f} | {r.p(95):.1f} | "
            f"{r.p(99):.1f} | {errors}{detail} | {r.server_cpu * 1000 / per:.1f} | {r.db_cpu * 1000 / per:.1f} | "
            f"{r.db_connections} | {r.load} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--only", default="", help="run only the scenarios whose label contains this text")
    args = parser.parse_args()

    collect_static()
    chosen = [s for s in scenarios() if args.only in s.label]
    pool = settings.DATABASES["default"]["OPTIONS"].get("pool")
    print(f"Pool: {pool or 'off'}; {os.cpu_count()} CPUs; load average at the start {load_average()}")
    runs: list[Run] = []
    for servers in args.servers:
        server, port = start_server(servers)
        try:
            for scenario in chosen:
                for clients in args.clients:
                    run = measure(port, server, scenario, clients, args.seconds, servers)
                    runs.append(run)
                    print(table([run]).splitlines()[-1], file=sys.stderr, flush=True)
        finally:
            stop_server(server)
    print()
    print(table(runs))
    failed = [r for r in runs if r.errors]
    if failed:
        print(f"\n{len(failed)} runs had answers other than 200.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
