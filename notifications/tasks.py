"""E-mail on the job queue: one job per recipient, retried with an exponential backoff when the mail server fails."""

from __future__ import annotations

from procrastinate.contrib.django import app

from core.jobs import RETRY
from notifications.emails import EMAIL_TASK, send_emails_to


@app.task(name=EMAIL_TASK, retry=RETRY)
def send_email(user_id: str) -> int:
    return send_emails_to(user_id)
