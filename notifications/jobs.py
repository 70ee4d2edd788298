"""The background jobs, run by `manage.py run_jobs` (started by `make run`; a separate process in production).

Each job is idempotent and safe to run from several processes at once (rows are locked with SKIP LOCKED).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def _jobs() -> list[tuple[str, Callable[[], int]]]:
    from notifications.emails import send_notification_emails
    from referrals.access import resync_consent_dates
    from referrals.services import alert_overdue

    jobs: list[tuple[str, Callable[[], int]]] = [
        ("overdue referrals", alert_overdue),
        ("consents starting or ending by date", resync_consent_dates),
        ("notification e-mails", send_notification_emails),
    ]
    try:
        from referrals.applications import remind_retention_checkpoints
    except ImportError:
        pass
    else:
        jobs.append(("retention reminders", remind_retention_checkpoints))
    return jobs


def run_all() -> dict[str, int]:
    results: dict[str, int] = {}
    for name, job in _jobs():
        try:
            results[name] = job()
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", name)
            results[name] = -1
    return results
