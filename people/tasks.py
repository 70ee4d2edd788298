"""A consent's start and end at their moments (planned by ``services.plan_consent_dates``)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from core.jobs import RETRY_DB
from people import services


@app.task(name=services.CONSENT_STARTS_TASK, retry=RETRY_DB)
def consent_starts(consent_id: str) -> bool:
    return services.consent_starts(consent_id)


@app.task(name=services.CONSENT_ENDS_TASK, retry=RETRY_DB)
def consent_ends(consent_id: str) -> bool:
    return services.consent_ends(consent_id)
