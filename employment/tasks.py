"""A hire's retention checkpoint reminders at their moments (planned by ``retention.plan_checkpoint``)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from core.jobs import RETRY_DB
from employment.retention import CHECKPOINT_TASK, remind_checkpoint


@app.task(name=CHECKPOINT_TASK, retry=RETRY_DB)
def remind(application_id: str) -> bool:
    return remind_checkpoint(application_id)
