"""The registry of background jobs, run by ``manage.py run_jobs`` (started by ``make run``; its own process in
production).

``core`` knows no domain: each app registers its jobs in its ``AppConfig.ready`` (referrals: overdue alerts and
consent dates; employment: retention reminders; notifications: e-mails). Each job is idempotent and safe to run
from several processes at once (rows are locked with SKIP LOCKED) and returns how many things it did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], int]
_jobs: dict[str, tuple[int, Job]] = {}


def register(name: str, job: Job, *, order: int = 0) -> None:
    """Add (or, on an app reload, replace) a job under a name shown in the runner's log.

    Jobs run by ``order``, then in the order they were registered: the e-mail job runs last so that what the
    other jobs notified goes out in the same round.
    """
    _jobs[name] = (order, job)


def registered() -> list[tuple[str, Job]]:
    ranked = sorted(enumerate(_jobs.items()), key=lambda item: (item[1][1][0], item[0]))
    return [(name, job) for _index, (name, (_order, job)) in ranked]


def run_all() -> dict[str, int]:
    results: dict[str, int] = {}
    for name, job in registered():
        try:
            results[name] = job()
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", name)
            results[name] = -1
    return results
