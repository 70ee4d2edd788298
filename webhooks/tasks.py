"""A webhook delivery's attempts on the job queue, each at its moment (``sending.plan_attempt``)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from core.jobs import RETRY_DB
from webhooks.sending import DELIVERY_TASK, send_delivery


# The receiver's failures are the delivery's own retries (sending.BACKOFF); RETRY_DB covers this job failing itself.
@app.task(name=DELIVERY_TASK, retry=RETRY_DB)
def deliver(delivery_id: str) -> bool:
    return send_delivery(delivery_id)
