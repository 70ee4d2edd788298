"""Several processes around one PostgreSQL and one Redis, as a deployment over several machines runs (issue 19):
two server processes (uvicorn, config.asgi) and two workers (``manage.py run_jobs``), all on this test's database
as a role with only the application's rights.

- a push made by a request on one server reaches a socket opened on the other (the Redis channel layer);
- a deadline job runs exactly once with two workers;
- a worker killed with SIGKILL in the middle of a job leaves it to be retried by the other and done once.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifications.models import Notification
from referrals.models import Referral, ReferralEvent
from tests import workers
from tests.factories import api_token
from tests.referral_fixtures import sent_referral
from webhooks import services as webhook_services
from webhooks.choices import DeliveryStatus
from webhooks.models import Delivery

pytestmark = pytest.mark.slow


@dataclass
class Cluster:
    servers: list[workers.Process]
    pool: list[workers.Process]
    role: workers.Role

    @property
    def processes(self) -> list[workers.Process]:
        return [*self.servers, *self.pool]


@pytest.fixture
def cluster(transactional_db: Any, redis_url: str) -> Iterator[Cluster]:
    workers.empty_queue()
    extra = {
        "REDIS_URL": redis_url,
        "CHANNEL_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "WEBHOOKS_ALLOW_PRIVATE": "127.0.0.0/8",
        "WEBHOOKS_ALLOW_HTTP": "1",
        "WEBHOOKS_TIMEOUT": "60",
    }
    with workers.app_role() as role:
        url = workers.database_url(role)
        started: list[workers.Process] = []
        try:
            servers = [workers.start_server(f"server-{n}", url, **extra) for n in (1, 2)]
            started += servers
            pool = [workers.start_worker(f"worker-{n}", url, **extra) for n in (1, 2)]
            started += pool
            for server in servers:
                workers.wait_for(f"{server.name} to listen", lambda s=server: workers.server_up(s), 60, started)
            workers.wait_for("two workers to beat", lambda: workers.workers_alive() >= 2, 60, started)
            yield Cluster(servers, pool, role)
        finally:
            for process in started:
                process.stop()
    workers.empty_queue()


def test_a_push_made_on_one_server_reaches_a_socket_on_the_other(world: Any, cluster: Cluster) -> None:
    from urllib.request import Request, urlopen

    from websockets.sync.client import connect

    referral = sent_referral(world)
    one, other = cluster.servers
    coordinator = api_token(world.coordinator)
    staff = api_token(world.receiving_staff)
    with connect(
        f"ws://127.0.0.1:{other.port}/ws/notifications/",
        additional_headers={"Authorization": f"Token {coordinator}", "Origin": f"http://127.0.0.1:{other.port}"},
        open_timeout=10,
    ) as socket:
        request = Request(
            f"http://127.0.0.1:{one.port}/api/v1/referrals/{referral.pk}/check-in/",
            data=b"{}",
            headers={"Authorization": f"Token {staff}", "Content-Type": "application/json"},
            method="POST",
        )
        with urlopen(request, timeout=30) as answer:  # noqa: S310
            assert answer.status == 200
        deadline = time.monotonic() + 10
        while True:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("type") == "notification":
                break
        assert message["kind"] == "referral.check_in"
        assert message["object"]["id"] == str(referral.pk)


def test_a_deadline_job_runs_exactly_once_with_two_workers(world: Any, cluster: Cluster) -> None:
    referrals = [sent_referral(world) for _ in range(6)]
    due_by = workers.due_in(referrals, 5)
    ids = [str(r.pk) for r in referrals]

    def alerted() -> bool:
        return Referral.objects.filter(pk__in=ids, overdue_alerted_at__isnull=False).count() == len(ids)

    workers.wait_for("every referral's overdue alert", alerted, 30, cluster.processes)
    time.sleep(3)  # a second run, had there been one, would have come by now
    for pk in ids:
        assert (
            Notification.objects.filter(recipient=world.coordinator, kind="referral.overdue", object_id=pk).count() == 1
        )
        reminders = Notification.objects.filter(
            recipient=world.receiving_staff, kind="referral.reminder_deadline", object_id=pk
        )
        assert reminders.count() == 1
        assert ReferralEvent.objects.filter(referral_id=pk, action="overdue").count() == 1
    every = Notification.objects.filter(kind="referral.overdue", object_id__in=ids)
    assert all(note.created_at < due_by + datetime.timedelta(seconds=5) for note in every)


@dataclass
class SlowReceiver:
    """A webhook receiver that holds its first request until released, then answers every request at once."""

    url: str = ""
    ids: list[str] = field(default_factory=list)
    first: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def slow_receiver() -> Iterator[SlowReceiver]:
    state = SlowReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.ids.append(self.headers.get("webhook-id", ""))
            if len(state.ids) == 1:
                state.first.set()
                state.release.wait(60)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the worker that asked is dead

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/lsw"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_the_other_and_it_is_done_once(
    world: Any, cluster: Cluster, slow_receiver: SlowReceiver, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = ["127.0.0.0/8"]
    settings.WEBHOOKS_ALLOW_HTTP = True
    webhook_services.subscription_create(
        actor=world.receiving_admin, url=slow_receiver.url, events=["referral.sent"], partner=world.receiving
    )
    sent_referral(world)
    delivery = workers.wait_for("the delivery row", lambda: Delivery.objects.first(), 10, cluster.processes)
    # The job is running: the receiver holds its request. Which worker runs it, its log says.
    assert slow_receiver.first.wait(30), "no worker sent the delivery"

    def running() -> workers.Process | None:
        marker = "Starting job webhooks.send_delivery"
        return next((w for w in cluster.pool if marker in w.output()), None)

    victim = workers.wait_for("the worker running the delivery", running, 10, cluster.processes)
    survivor = next(w for w in cluster.pool if w is not victim)
    victim.kill()
    killed_at = time.monotonic()
    slow_receiver.release.set()

    def delivered() -> bool:
        delivery.refresh_from_db()
        return delivery.status == DeliveryStatus.DELIVERED

    workers.wait_for("the other worker to deliver", delivered, 40, [*cluster.servers, survivor])
    assert time.monotonic() - killed_at < 30
    # Done once: one attempt recorded (the killed one rolled back with its connection), no job left waiting or
    # running, and the receiver saw the same message id both times (it drops the repeat, docs/webhooks.md).
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    assert len(set(slow_receiver.ids)) == 1 and len(slow_receiver.ids) == 2
    assert "(webhooks.send_delivery) of a dead worker goes back to the queue" in survivor.output()
    from procrastinate.contrib.django.models import ProcrastinateJob

    # The retried job may still be finishing its bookkeeping (the delivery is done, the job row not yet): wait for
    # the queue to empty rather than catch it mid-step, then check that nothing is left to run.
    workers.wait_for(
        "the queue to hold no delivery job",
        lambda: (
            not ProcrastinateJob.objects.filter(
                task_name="webhooks.send_delivery", status__in=["todo", "doing"]
            ).exists()
        ),
        30,
        [*cluster.servers, survivor],
    )
    slow_receiver_ids = list(slow_receiver.ids)
    assert len(set(slow_receiver_ids)) == 1, slow_receiver_ids
