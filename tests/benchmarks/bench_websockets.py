"""Live notifications at voivodeship scale (DESIGN §6, §8): commit-to-receive latency, delivery, memory.

    python tests/benchmarks/bench_websockets.py --clients 500 2000 [--sends 200] [--ws auto] [--no-compression]

Self-contained: creates its own database (``lsw_wsbench``, dropped and re-created on every run), migrates it,
builds one network with a coordinator, ``max(clients) / 10`` receiving partners with 10 staff users each (every
client is a distinct authenticated user), a few people with consents covering those partners, and an API token
for every user. For each client count it then:

1. starts the server as a separate process (``uvicorn config.asgi:application --workers 1 --ws auto``, as
   docs/deploy.md runs it; ``DEBUG=0``; the Redis channel layer under its own prefix), warms it up end to end
   (one socket, one referral sent to a partner that is not measured) and reads its RSS (``VmRSS`` of
   ``/proc/<pid>/status``);
2. opens the clients (``websockets``, ``Authorization: Token`` and ``Origin`` headers, 100 handshakes in
   flight at most), waits 2 s and reads the RSS again: (open - before) / clients is the memory per connection;
3. as the coordinator, through the API, creates and sends ``--sends`` referrals, round robin over the partners
   whose staff are connected, one after the other; every send notifies the 10 staff of that partner;
4. waits until every push arrived or nothing came for 5 s, then reads the Notification rows made by the run.
   Latency = the client's ``time.time()`` when the frame was read - the row's ``created_at``. ``created_at`` is
   stamped inside the send's transaction just before COMMIT (``bulk_create``), and pushes go out only after
   COMMIT, so the figure is commit-to-receive plus the short tail of the transaction: it can only overstate.
   Same machine, same clock. (The HTTP response returns only after all pushes were handed to Redis, so
   "after the response" would give negative latencies.) Delivered share = pushes received / rows for
   connected users;
5. re-syncs every client as DESIGN §6 prescribes: ``GET /api/v1/notifications/?after=<last id it saw>`` (the
   clients start from the highest id before the run, what a connect-time re-sync would have given), following
   pages; share after re-sync = (pushed or re-synced) / rows for connected users;
6. closes the clients (100 at a time) and stops the server; deletes its Redis keys before and after.

Besides the table it reports what explains a lost push: sockets the server closed during the run (with their
close codes), how many lost pushes were due to such a socket, and the consumer crashes in the server's log
(``<tmp>/bench_websockets_server.<clients>.log``) by cause and phase. A probe task on the client's event loop
(sleep 10 ms, record the overshoot) shows whether the client itself was late in reading frames, which would
inflate the latencies; the machine's load average is printed because other work on it moves the figures.
Talks to 127.0.0.1 only; every loop is bounded in count and in time. Exits 1 when a target is missed (p95 under
100 ms at the largest count, 100 % after re-sync).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import http.client
import itertools
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DB_NAME = "lsw_wsbench"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CHANNEL_PREFIX": "lsw-wsbench",  # our own keys: other runs on the same Redis do not see our groups
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "wsbench-" + "k" * 50,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    # Production terminates TLS at the proxy; here HTTP goes straight to uvicorn.
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "EMAIL_URL": "console:",
}
STAFF_PER_PARTNER = 10
PEOPLE = 20
CONNECT_CONCURRENCY = 100
P95_TARGET_MS = 100.0
HTTP_TIMEOUT_S = 30.0
QUIET_S = 5.0  # stop waiting for pushes after this long without one
SIZE_DEADLINE_S = 240.0  # one client count may not take longer than this


# --- setup ------------------------------------------------------------------------------------------


def raise_open_files_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(max(needed, soft), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ.update(ENV)
    import django

    django.setup()


@dataclass
class Data:
    coordinator_token: str
    people: list[str]
    partners: list[str]  # measured partners, in order; clients of the first k partners are opened
    staff: dict[str, list[tuple[str, str]]]  # partner id -> [(user id, token)]
    warmup_partner: str
    warmup_token: str


def build_data(partner_count: int) -> Data:
    """Bulk inserts where nothing but the row is needed; services' own paths for the rest."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from knox.models import AuthToken

    from network.models import Network, NetworkCoordinator, NetworkMembership
    from partners.choices import PartnerType, Sector, StaffRole
    from partners.models import Partner, StaffMembership, User
    from people.models import Case, Consent, Person

    since = datetime.date(2025, 1, 1)
    unusable = make_password(None)
    with transaction.atomic():
        network = Network.objects.create(
            name="Lokalny system (benchmark)",
            teryt="2462011",
            territory_name="Piekary Śląskie",
            start_date=since,
            coordinators_group=Group.objects.create(name="network-coordinators:wsbench"),
        )
        coordinator = User.objects.create(username="wsbench-coordinator", password=unusable, first_name="K")
        NetworkCoordinator.objects.create(network=network, user=coordinator)
        coordinator.groups.add(network.coordinators_group)

        groups = Group.objects.bulk_create([Group(name=f"partner:wsbench-{i}") for i in range(partner_count + 1)])
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    name=f"Stowarzyszenie {i}",
                    short_name=f"NGO {i}",
                    type=PartnerType.NGO,
                    sector=Sector.SOCIAL,
                    city="Piekary Śląskie",
                    group=groups[i],
                )
                for i in range(partner_count + 1)
            ]
        )
        NetworkMembership.objects.bulk_create(
            [
                NetworkMembership(network=network, partner=p, functions=["community_support"], since=since)
                for p in partners
            ]
        )
        # The last partner is for the warm-up only and has one staff user.
        per_partner = [STAFF_PER_PARTNER] * partner_count + [1]
        users = User.objects.bulk_create(
            [
                User(username=f"wsbench-{i}-{j}", password=unusable, first_name="Jan", last_name=f"P{i}S{j}")
                for i, count in enumerate(per_partner)
                for j in range(count)
            ]
        )
        owners: list[Any] = [p for p, count in zip(partners, per_partner, strict=True) for _ in range(count)]
        StaffMembership.objects.bulk_create(
            [StaffMembership(user=u, partner=p, role=StaffRole.STAFF) for u, p in zip(users, owners, strict=True)]
        )
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=p.group_id) for u, p in zip(users, owners, strict=True)]
        )
        # knox keeps only a hash: the tokens themselves are known here, once, as each is made.
        tokens = [AuthToken.objects.create(user=u)[1] for u in [coordinator, *users]]
        people = []
        for k in range(PEOPLE):
            person = Person(network=network, first_name="Osoba", last_name=f"Testowa{k}", birth_year=1980 + k)
            person.save()
            Case.objects.create(person=person, network=network, stage="intake")
            Consent.objects.create(
                person=person,
                categories=["identity", "social"],
                partner_types=[PartnerType.NGO],
                purpose="Wsparcie w ramach lokalnego systemu",
                recorded_by=coordinator,
            )
            people.append(str(person.pk))

    staff: dict[str, list[tuple[str, str]]] = {str(p.pk): [] for p in partners}
    for user, owner, token in zip(users, owners, tokens[1:], strict=True):
        staff[str(owner.pk)].append((str(user.pk), token))
    measured = [str(p.pk) for p in partners[:partner_count]]
    warmup = str(partners[-1].pk)
    return Data(
        coordinator_token=tokens[0],
        people=people,
        partners=measured,
        staff=staff,
        warmup_partner=warmup,
        warmup_token=staff[warmup][0][1],
    )


def max_notification_id() -> int:
    from django.db.models import Max

    from notifications.models import Notification

    return Notification.objects.aggregate(m=Max("id"))["m"] or 0


def notification_rows(after: int) -> list[tuple[int, str, str, float]]:
    """(id, recipient id, referral id, created_at as a Unix time) of the run's rows."""
    from django.db import connection

    from notifications.models import Notification

    rows = [
        (pk, str(recipient), object_id, created.timestamp())
        for pk, recipient, object_id, created in Notification.objects.filter(id__gt=after)
        .order_by("id")
        .values_list("id", "recipient_id", "object_id", "created_at")
    ]
    connection.close()
    return rows


def clean_redis() -> int:
    """Delete this benchmark's channel-layer keys (its own prefix only)."""
    import redis

    client = redis.Redis.from_url(ENV["REDIS_URL"])
    try:
        keys = list(client.scan_iter(match=ENV["CHANNEL_PREFIX"] + "*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return len(keys)
    finally:
        client.close()


ASGI_ERROR = "Exception in ASGI application"
CAUSES = {  # the last matching line of a traceback names its cause
    "redis.exceptions.TimeoutError": "redis read timeout",
    "redis.exceptions.MaxConnectionsError": "redis pool exhausted",
}
WARNINGS = {"push of notification": "push failed", "channel message to": "hint failed"}


def count_errors(text: str) -> Counter[str]:
    """Consumer crashes in the server's log by cause, and the push warnings of notifications/."""
    counts: Counter[str] = Counter()
    for block in text.split(ASGI_ERROR)[1:]:
        causes = [label for line in block.splitlines() for needle, label in CAUSES.items() if line.startswith(needle)]
        counts["consumer crashed: " + (causes[-1] if causes else "other")] += 1
    for needle, label in WARNINGS.items():
        if needle in text:
            counts[label] = text.count(needle)
    return counts


# --- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, ws: str, log_path: Path) -> None:
        self.port = free_port()
        self.log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--ws",
                ws,
                "--lifespan",
                "off",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **ENV},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {log_path}")
            try:
                status, _ = http_call(self.port, "GET", "/healthz", None, None, timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not answer /healthz within 60 s; see {log_path}")
            time.sleep(0.2)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


# --- HTTP -------------------------------------------------------------------------------------------

_local = threading.local()


def http_call(
    port: int, method: str, path: str, token: str | None, body: Any, timeout: float = HTTP_TIMEOUT_S
) -> tuple[int, Any]:
    """One request on this thread's keep-alive connection to 127.0.0.1:port.

    uvicorn closes a connection idle for 5 s; a request that fails on such a reused connection before any
    answer came is sent once more on a fresh one (the server never saw it).
    """
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    for attempt in range(2):
        conn: http.client.HTTPConnection | None = getattr(_local, "conn", None)
        reused = conn is not None and getattr(_local, "port", None) == port
        if conn is None or not reused:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            _local.conn, _local.port = conn, port
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            break
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            conn.close()
            _local.conn = None
            if not reused or attempt:
                raise
        except (OSError, http.client.HTTPException):
            conn.close()
            _local.conn = None
            raise
    text = raw.decode("utf-8", "replace")
    try:
        return response.status, json.loads(text) if text else None
    except ValueError:
        return response.status, text


def api(port: int, method: str, path: str, token: str, body: Any = None) -> Any:
    status, payload = http_call(port, method, path, token, body)
    if status >= 300:
        raise RuntimeError(f"{method} {path} answered {status}: {str(payload)[:300]}")
    return payload


def send_referral(port: int, token: str, person: str, partner: str) -> float:
    """Create and send one referral as the coordinator; returns the send call's duration in seconds."""
    created = api(
        port,
        "POST",
        "/api/v1/referrals/",
        token,
        {
            "person": person,
            "to_partner": partner,
            "reason": "Wsparcie w codziennym funkcjonowaniu",
            "categories": ["identity"],
        },
    )
    started = time.perf_counter()
    api(port, "POST", f"/api/v1/referrals/{created['id']}/send/", token, {})
    return time.perf_counter() - started


def resync(port: int, token: str, after: int, deadline: float) -> list[int]:
    """DESIGN §6: every notification newer than the last one seen, following pages."""
    ids: list[int] = []
    while time.monotonic() < deadline:
        page = api(port, "GET", f"/api/v1/notifications/?after={after}", token)
        got = [int(n["id"]) for n in page["results"]]
        ids.extend(got)
        if len(got) < 100:  # api/notifications.py LIMIT
            break
        after = got[-1]
    return ids


# --- websocket clients ------------------------------------------------------------------------------


@dataclass
class Client:
    user_id: str
    token: str
    ws: Any = None
    received: dict[int, float] = field(default_factory=dict)  # notification id -> Unix time read
    other_frames: int = 0
    task: asyncio.Task[None] | None = None
    opened_at: float = 0.0  # perf_counter when the handshake completed
    closing: bool = False  # we are closing it (the end of the run)
    dropped: str = ""  # the close code and reason when the server closed it during the run

    @property
    def last_seen(self) -> int:
        return max(self.received, default=0)


async def open_client(client: Client, port: int, compression: bool, gate: asyncio.Semaphore) -> bool:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    async with gate:
        try:
            client.ws = await connect(
                f"ws://127.0.0.1:{port}/ws/notifications/",
                origin=Origin(f"http://127.0.0.1:{port}"),
                additional_headers={"Authorization": f"Token {client.token}"},
                compression="deflate" if compression else None,
                proxy=None,
                open_timeout=60,
                ping_interval=None,
                close_timeout=5,
            )
        except Exception as exc:  # counted as not connected
            print(f"  connect failed for {client.user_id}: {exc!r}", file=sys.stderr)
            return False
    client.opened_at = time.perf_counter()
    client.task = asyncio.create_task(read_frames(client))
    return True


async def read_frames(client: Client) -> None:
    with contextlib.suppress(Exception):  # closed abnormally: recorded below
        async for frame in client.ws:
            now = time.time()
            message = json.loads(frame)
            if message.get("type") == "notification":
                client.received[int(message["id"])] = now
            else:
                client.other_frames += 1
    if not client.closing:
        client.dropped = f"{client.ws.close_code} {client.ws.close_reason}".strip()


async def close_clients(clients: Iterable[Client], gate: asyncio.Semaphore) -> None:
    """Through the same gate as the handshakes: all at once, the server's group_discard calls would exhaust
    the Redis connection pool (redis-py 8 allows 100 by default) and leave stale group members behind."""

    async def close(client: Client) -> None:
        client.closing = True
        async with gate:
            if client.ws is not None:
                with contextlib.suppress(Exception):  # already closed by the server: nothing to do
                    await asyncio.wait_for(client.ws.close(), 10)
        if client.task is not None:
            client.task.cancel()

    await asyncio.gather(*(close(c) for c in clients))


class LagProbe:
    """How late the client's own event loop runs: a late loop reads frames late and inflates latencies."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.running = True
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        while self.running:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            self.samples.append(time.perf_counter() - started - 0.01)

    async def stop(self) -> None:
        self.running = False
        await self.task


# --- one client count -------------------------------------------------------------------------------


@dataclass
class Result:
    clients: int
    connected: int = 0
    connect_s: float = 0.0
    sends: int = 0
    send_ms_p50: float = 0.0
    expected: int = 0
    pushed: int = 0
    after_resync: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_rank_ms: dict[int, list[float]] = field(default_factory=dict)
    rss_before_kib: int = 0
    rss_open_kib: int = 0
    client_lag_ms_p99: float = 0.0
    client_lag_ms_max: float = 0.0
    stray: int = 0
    connect_rate_first: float = 0.0  # handshakes per second over the second quarter of the clients
    connect_rate_last: float = 0.0  # ... and over the last quarter
    dropped: Counter[str] = field(default_factory=Counter)  # server-closed sockets by close code
    lost_to_dropped: int = 0  # pushes not delivered that were due to a socket the server had closed
    server_errors: dict[str, Counter[str]] = field(default_factory=dict)  # phase -> error -> count
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def run_size(data: Data, size: int, sends: int, args: argparse.Namespace, log: Path) -> Result:
    result = Result(clients=size)
    load_before = os.getloadavg()[0]
    started_at = time.monotonic()
    deadline = started_at + SIZE_DEADLINE_S
    partners = data.partners[: max(1, size // STAFF_PER_PARTNER)]
    clients = [Client(user_id=u, token=t) for p in partners for u, t in data.staff[p]][:size]
    await asyncio.to_thread(clean_redis)
    log = log.with_name(f"{log.stem}.{size}{log.suffix}")
    log.write_text("")
    marks: list[tuple[str, int]] = []

    def mark(phase: str) -> None:
        marks.append((phase, log.stat().st_size))

    server = await asyncio.to_thread(Server, args.ws, log)
    try:
        port = server.port
        # Warm-up: every code path once (token auth, consumer, group_add, create, send, push, re-sync).
        warm = Client(user_id="warm-up", token=data.warmup_token)
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        if not await open_client(warm, port, not args.no_compression, gate):
            raise RuntimeError("the warm-up client could not connect")
        await asyncio.to_thread(send_referral, port, data.coordinator_token, data.people[0], data.warmup_partner)
        await asyncio.to_thread(api, port, "GET", "/api/v1/notifications/?after=0", data.warmup_token)
        for _ in range(100):
            if warm.received:
                break
            await asyncio.sleep(0.05)
        if not warm.received:
            raise RuntimeError("the warm-up push never arrived; is the server on the Redis layer?")
        await close_clients([warm], gate)
        await asyncio.sleep(1.0)
        result.rss_before_kib = server.rss_kib()
        baseline = await asyncio.to_thread(max_notification_id)
        mark("start")

        t0 = time.perf_counter()
        ok = await asyncio.gather(*(open_client(c, port, not args.no_compression, gate) for c in clients))
        result.connect_s = time.perf_counter() - t0
        connected = [c for c, good in zip(clients, ok, strict=True) if good]
        result.connected = len(connected)
        opened = sorted(c.opened_at - t0 for c in connected)
        quarter = len(opened) // 4
        if quarter:
            result.connect_rate_first = quarter / max(opened[2 * quarter - 1] - opened[quarter - 1], 1e-6)
            result.connect_rate_last = quarter / max(opened[-1] - opened[-quarter - 1], 1e-6)
        mark("connect")
        await asyncio.sleep(2.0)
        result.rss_open_kib = server.rss_kib()
        print(
            f"  {size}: {len(connected)} connected in {result.connect_s:.1f} s, "
            f"RSS {result.rss_before_kib / 1024:.0f} -> {result.rss_open_kib / 1024:.0f} MiB",
            file=sys.stderr,
        )

        # Transitions through the API, one after the other, as the coordinator would click them.
        probe = LagProbe()
        targets = [(data.people[k % len(data.people)], partners[k % len(partners)]) for k in range(sends)]

        def trigger() -> list[float]:
            durations = []
            for person, partner in targets:
                if time.monotonic() > deadline - 60:
                    break
                durations.append(send_referral(port, data.coordinator_token, person, partner))
            return durations

        durations = await asyncio.to_thread(trigger)
        result.sends = len(durations)
        result.send_ms_p50 = statistics.median(durations) * 1000 if durations else float("nan")
        expected_pushes = result.sends * STAFF_PER_PARTNER
        last_total, last_change = -1, time.monotonic()
        while time.monotonic() < deadline - 45:
            total = sum(len(c.received) for c in connected)
            if total >= expected_pushes:
                break
            if total != last_total:
                last_total, last_change = total, time.monotonic()
            elif time.monotonic() - last_change > QUIET_S:
                break
            await asyncio.sleep(0.05)
        await probe.stop()
        lags = [s * 1000 for s in probe.samples]
        result.client_lag_ms_p99 = percentile(lags, 99)
        result.client_lag_ms_max = max(lags, default=0.0)

        mark("send and deliver")
        rows = await asyncio.to_thread(notification_rows, baseline)
        by_user = {c.user_id: c for c in connected}
        expected = [r for r in rows if r[1] in by_user]
        result.expected = len(expected)
        result.stray = sum(len(c.received) for c in connected) - sum(
            1 for r in expected if r[0] in by_user[r[1]].received
        )
        rank: dict[str, int] = {}
        for note_id, user_id, referral_id, created in expected:  # rows come in id order
            position = rank[referral_id] = rank.get(referral_id, 0) + 1
            read_at = by_user[user_id].received.get(note_id)
            if read_at is None:
                result.lost_to_dropped += bool(by_user[user_id].dropped)
                continue
            result.pushed += 1
            latency = (read_at - created) * 1000
            result.latencies_ms.append(latency)
            result.by_rank_ms.setdefault(position, []).append(latency)

        # Re-sync every client from the last id it saw (or the id before the run), as a reconnect would.
        def resync_one(client: Client) -> set[int]:
            return set(resync(port, client.token, max(client.last_seen, baseline), deadline))

        with ThreadPoolExecutor(max_workers=8) as pool:
            fetched = await asyncio.gather(
                *(asyncio.wrap_future(pool.submit(resync_one, c)) for c in connected), return_exceptions=True
            )
        for client, got in zip(connected, fetched, strict=True):
            if isinstance(got, BaseException):
                print(f"  re-sync failed for {client.user_id}: {got!r}", file=sys.stderr)
                got = set()
            client.received.update({note_id: 0.0 for note_id in got if note_id not in client.received})
        result.after_resync = sum(1 for r in expected if r[0] in by_user[r[1]].received)
        mark("re-sync")
        result.dropped = Counter(c.dropped for c in connected if c.dropped)
        await close_clients(connected, gate)
        mark("close")
    finally:
        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(clean_redis)
    result.load = (load_before, os.getloadavg()[0])
    text = log.read_bytes()
    for (_, begin), (phase, end) in itertools.pairwise(marks):
        errors = count_errors(text[begin:end].decode("utf-8", "replace"))
        if errors:
            result.server_errors[phase] = errors
    print(f"  {size}: done in {time.monotonic() - started_at:.0f} s", file=sys.stderr)
    return result


# --- report -----------------------------------------------------------------------------------------


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "n/a"


def table(results: list[Result], compression: bool, ws: str) -> str:
    lines = [
        "| clients | connected | connect (s) | sends | pushes due | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) "
        "| delivered | after re-sync | server RSS before → open (MiB) | per connection (KiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per_conn = (r.rss_open_kib - r.rss_before_kib) / r.connected if r.connected else float("nan")
        lines.append(
            f"| {r.clients:,} | {r.connected:,} | {r.connect_s:.1f} | {r.sends} | {r.expected:,} "
            f"| {r.pct(50):.1f} | {r.pct(95):.1f} | {r.pct(99):.1f} | {max(r.latencies_ms, default=float('nan')):.1f} "
            f"| {share(r.pushed, r.expected)} | {share(r.after_resync, r.expected)} "
            f"| {r.rss_before_kib / 1024:.0f} → {r.rss_open_kib / 1024:.0f} | {per_conn:.0f} |"
        )
    lines.append("")
    lines.append(f"uvicorn --ws {ws}; permessage-deflate {'offered (as browsers do)' if compression else 'off'}")
    for r in results:
        ranks = sorted(r.by_rank_ms)
        spread = ", ".join(f"#{k}: {statistics.median(r.by_rank_ms[k]):.1f}" for k in ranks)
        lines.append(
            f"- {r.clients:,} clients: median latency by recipient's place in its send's fan-out ({spread} ms); "
            f"send call p50 {r.send_ms_p50:.0f} ms; client loop lag p99 {r.client_lag_ms_p99:.1f} ms, "
            f"max {r.client_lag_ms_max:.1f} ms; pushes not matching a row of the run: {r.stray}"
        )
        dropped = ", ".join(f"{n} × code {code}" for code, n in r.dropped.most_common()) or "none"
        lost = r.expected - r.pushed
        errors = "; ".join(
            f"{phase}: " + ", ".join(f"{n} {label}" for label, n in counts.most_common())
            for phase, counts in r.server_errors.items()
        )
        lines.append(
            f"  handshakes/s in the 2nd quarter {r.connect_rate_first:.0f}, last quarter {r.connect_rate_last:.0f}; "
            f"sockets closed by the server during the run: {dropped}; pushes lost: {lost}, "
            f"{r.lost_to_dropped} of them due to a closed socket; server log: {errors or 'no errors'}; "
            f"load average {r.load[0]:.1f} → {r.load[1]:.1f}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--sends", type=int, default=200, help="referrals created and sent per client count")
    parser.add_argument(
        "--ws",
        default="auto",
        choices=["auto", "websockets", "websockets-sansio"],
        help="uvicorn's implementation; auto is what docs/deploy.md runs (websockets-sansio in uvicorn 0.54)",
    )
    parser.add_argument("--no-compression", action="store_true", help="do not offer permessage-deflate")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) / "bench_websockets_server.log")
    args = parser.parse_args()
    sizes = sorted(set(args.clients))
    if not sizes or sizes[0] < STAFF_PER_PARTNER or sizes[-1] > 20_000:
        parser.error(f"client counts from {STAFF_PER_PARTNER} to 20,000")
    limit = raise_open_files_limit(2 * sizes[-1] + 1024)
    if limit < sizes[-1] + 256:
        print(f"open-files limit {limit} is too low for {sizes[-1]} clients", file=sys.stderr)
        return 2

    started = time.monotonic()
    print(f"database {DB_NAME}: re-creating and migrating", file=sys.stderr)
    recreate_database()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    data = build_data(-(-sizes[-1] // STAFF_PER_PARTNER))
    connection.close()
    print(f"data ready after {time.monotonic() - started:.0f} s", file=sys.stderr)

    results = [asyncio.run(run_size(data, size, args.sends, args, args.log)) for size in sizes]
    print(table(results, not args.no_compression, args.ws))
    print(f"\ntotal {time.monotonic() - started:.0f} s on {os.cpu_count()} CPUs", file=sys.stderr)
    largest = results[-1]
    missed = largest.pct(95) >= P95_TARGET_MS or any(r.after_resync != r.expected or not r.expected for r in results)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
