"""Real worker and server processes on the test database, for the tests of background work as it runs.

The processes are started with ``DATABASE_URL`` naming pytest-django's test database (this xdist worker's own), so
what the test commits they see, and what they write the test reads. A worker runs as a throw-away role with exactly
the application's privileges (``core.db_roles.grant_app``): the queue's tables and functions must do for it.
"""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from core import db_roles

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "test-artifacts" / "processes"


@dataclass
class Role:
    name: str
    password: str


def database_url(role: Role | None = None) -> str:
    db = connection.settings_dict
    user = role.name if role else db.get("USER") or "postgres"
    password = role.password if role else db.get("PASSWORD") or ""
    auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{auth}@{quote(str(host), safe='')}:{port}/{db['NAME']}"


@contextmanager
def app_role() -> Iterator[Role]:
    """A login role of the test database with the application's privileges, dropped afterwards."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    role = Role(f"lsw_test_jobs_{worker}_{os.getpid()}", secrets.token_urlsafe(16))
    name = db_roles.identifier(role.name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {name}")
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD {db_roles.literal(role.password)}")
        db_roles.grant_app(cursor, app=role.name)
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def empty_queue() -> None:
    """procrastinate's tables are not Django-managed, so a transactional test's flush leaves them: start clean."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers "
            "RESTART IDENTITY CASCADE"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_OWNER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # A worker beats every second and is taken for dead after three: the SIGKILL test waits seconds, not a minute.
        JOBS_POLL_SECONDS="1",
        JOBS_HEARTBEAT_SECONDS="1",
        JOBS_STALLED_AFTER_SECONDS="3",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int = 0
    closed: bool = field(default=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start(name: str, args: list[str], env: dict[str, str], port: int = 0) -> Process:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}-{os.getpid()}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log, port)


def start_worker(name: str, url: str, **extra: str) -> Process:
    return start(name, ["manage.py", "run_jobs", "--name", name], base_env(url, **extra))


def start_server(name: str, url: str, **extra: str) -> Process:
    port = free_port()
    args = ["-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"]
    return start(name, args, base_env(url, **extra), port)


def wait_for(what: str, check: Callable[[], Any], timeout: float, processes: Sequence[Process] = ()) -> Any:
    """Poll ``check`` until it returns something true; fail with the processes' output when it never does."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        for process in processes:
            if process.popen.poll() is not None:
                raise AssertionError(f"{process.name} exited ({process.popen.returncode}):\n{process.output()[-3000:]}")
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.output()[-3000:]}" for p in processes)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.1)


def due_in(referrals: Sequence[Any], seconds: int) -> Any:
    """Sent referrals made due ``seconds`` from now (sent now), their jobs planned again as the send plans them: the
    referrals are made first, however long a loaded machine takes, and the clock starts after."""
    from django.db import transaction
    from django.utils import timezone

    from referrals import services
    from referrals.models import Referral

    with transaction.atomic():
        now = timezone.now()
        due_by = now + datetime.timedelta(seconds=seconds)
        ids = [r.pk for r in referrals]
        Referral.objects.filter(pk__in=ids).update(sent_at=now, due_by=due_by)
        for referral in Referral.objects.filter(pk__in=ids):
            services.plan_deadlines(referral)
    return due_by


def workers_alive() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval '3 seconds'")
        return int(cursor.fetchone()[0])


def server_up(process: Process) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", process.port), timeout=0.2):
            return True
    except OSError:
        return False
