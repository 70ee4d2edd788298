"""Background work on procrastinate's queue, which lives in our PostgreSQL (no second broker). A worker is
``manage.py run_jobs`` (started by ``make run``; its own processes in production, docs/deploy.md "Workers").

``core`` knows no domain: each app writes its tasks in its own ``tasks.py`` (found by procrastinate at start-up)
and uses the three kinds of work this module offers:

- **at a moment** — ``schedule(task, at=..., key=...)``: a referral's deadline, a consent's start and end, a
  placement's retention checkpoint. The job row is written in the caller's transaction, so a rolled-back change
  leaves no job and a committed one cannot lose it (the worker is woken by a NOTIFY sent on commit). A second
  ``schedule`` under the same key replaces the job still waiting (check-in moves a deadline), ``unschedule(key)``
  drops it (accept, withdrawal). The key is also the job's lock: two jobs of one object never run at once.
- **on demand** — ``defer(task, key=...)``: an e-mail, a webhook delivery. With a key, one job waits per key at
  most (a burst of notifications to one person makes one e-mail job). Tasks are declared with ``RETRY``: a
  failure is retried with an exponential backoff.
- **periodic** — ``register(name, job, cron=...)``: retention, the digest, and the sweeps that catch whatever a
  scheduled job missed (a job lost with a restored backup, a row changed by hand). Two workers never run the same
  tick twice (procrastinate's periodic-defer table), one run at a time (its lock), one waiting at most.

Every task is idempotent: it re-reads its object under a row lock (SKIP LOCKED where another worker may hold it)
and does nothing when the moment has passed or the object moved on. A worker killed mid-task leaves its job
"doing"; ``core.tasks.retry_stalled`` hands it to another worker once the dead one stops beating.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify
from procrastinate import RetryStrategy, exceptions
from procrastinate.contrib.django import app
from procrastinate.tasks import Task

log = logging.getLogger(__name__)

# On-demand work that talks to something outside (SMTP, SMS, a receiver): 2, 4, 8 … 512 s between attempts, about
# 17 minutes in all, then the job fails and shows in the admin (Procrastinate → jobs, status "failed"), to retry.
RETRY = RetryStrategy(max_attempts=10, exponential_wait=2)
# Work inside our database (a deadline alert): a short backoff, the row lock of a busy object is soon free.
RETRY_DB = RetryStrategy(max_attempts=5, exponential_wait=2)

Job = Callable[[], int]
_jobs: dict[str, tuple[int, Job]] = {}

__all__ = ["RETRY", "RETRY_DB", "app", "defer", "register", "registered", "run_all", "schedule", "unschedule"]


def _periodic_name(name: str) -> str:
    return f"periodic.{slugify(name)}"


def register(name: str, job: Job, *, order: int = 0, cron: str | None = None) -> None:
    """A periodic task: ``job()`` every ``cron`` (five fields, or six with seconds last; by default
    ``JOBS_SWEEP_CRON``, every five minutes). ``order`` only orders ``run_all`` (``run_jobs --once``)."""
    task_name = _periodic_name(name)

    def run(timestamp: int) -> int:
        count = job()
        log.info("periodic %s: %s", name, count)
        return count

    run.__name__ = run.__qualname__ = task_name
    # An app reload (tests) registers again under the same name: replace, as the old registry did.
    app.tasks.pop(task_name, None)
    app.periodic_registry.periodic_tasks.pop((task_name, ""), None)
    task = app.task(name=task_name, lock=task_name, queueing_lock=task_name, pass_context=False)(run)
    app.periodic(cron=cron or settings.JOBS_SWEEP_CRON)(task)
    _jobs[name] = (order, job)


def registered() -> list[tuple[str, Job]]:
    ranked = sorted(enumerate(_jobs.items()), key=lambda item: (item[1][1][0], item[0]))
    return [(name, job) for _index, (name, (_order, job)) in ranked]


def run_all() -> dict[str, int]:
    """Every periodic job once, in this process (``run_jobs --once``: after restoring a backup, or by hand)."""
    results: dict[str, int] = {}
    for name, job in registered():
        try:
            results[name] = job()
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", name)
            results[name] = -1
    return results


TaskRef = str | Task[Any, Any, Any]


def _defer(task: TaskRef, options: dict[str, Any], kwargs: dict[str, Any]) -> int | None:
    """Write the job in the current transaction; None when one is already waiting under its queueing lock. A
    savepoint keeps that refusal (a unique violation) from spoiling the caller's transaction. A task is named by
    its name where the caller's module may not import the task's (a service of the layer the task calls)."""
    try:
        with transaction.atomic():
            if isinstance(task, str):
                return app.configure_task(name=task, **options).defer(**kwargs)
            return task.configure(**options).defer(**kwargs)
    except exceptions.AlreadyEnqueued:
        return None


def unschedule(key: str) -> int:
    """Drop the jobs still waiting under ``key`` (a running one finishes and finds nothing to do); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT procrastinate_cancel_job_v1(id, false, true) FROM procrastinate_jobs "
            "WHERE queueing_lock = %s AND status = 'todo'",
            [key],
        )
        return len(cursor.fetchall())


def schedule(task: TaskRef, *, at: datetime.datetime, key: str, **kwargs: Any) -> int | None:
    """Run ``task(**kwargs)`` at ``at`` (now when it has passed), replacing the job waiting under ``key``."""
    unschedule(key)
    return _defer(task, {"schedule_at": at, "queueing_lock": key, "lock": key}, kwargs)


def defer(task: TaskRef, *, key: str | None = None, **kwargs: Any) -> int | None:
    """Run ``task(**kwargs)`` as soon as a worker is free; with ``key``, not if one is already waiting under it."""
    options: dict[str, Any] = {"queueing_lock": key, "lock": key} if key else {}
    return _defer(task, options, kwargs)
