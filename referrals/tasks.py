"""The referral's jobs at their moments (planned by ``services.plan_deadlines``, run by a worker)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from core.jobs import RETRY_DB
from referrals import deadlines
from referrals.services import DEADLINE_TASK, HALF_TIME_TASK


@app.task(name=DEADLINE_TASK, retry=RETRY_DB)
def deadline_passed(referral_id: str) -> bool:
    return deadlines.deadline_passed(referral_id)


@app.task(name=HALF_TIME_TASK, retry=RETRY_DB)
def remind_half_time(referral_id: str) -> bool:
    return deadlines.remind_half_time(referral_id)
