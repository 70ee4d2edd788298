"""Retention checkpoints of a hire (1, 3 and 6 months after it): the day each falls on, and the job that reminds
the job coach (or the coordinators) a week before it — one job per application at its moment, planned by every
move (``plan_checkpoint``, called from ``applications._record``), with the periodic sweep as a safety net."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import jobs
from employment.models import CHECKPOINT_MONTHS, EMPLOYED, STAGE_LABELS, TRANSITIONS, PlacementApplication
from employment.notify import coordinators_of, tell
from partners.models import User


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_checkpoint(application: PlacementApplication) -> tuple[str, datetime.date] | None:
    """The retention checkpoint to record next and the day it falls on (None when none is ahead)."""
    if application.hired_on is None or application.stage not in EMPLOYED:
        return None
    for stage, months in CHECKPOINT_MONTHS.items():
        if TRANSITIONS[stage] == (application.stage,):
            return stage, add_months(application.hired_on, months)
    return None


REMIND_DAYS_AHEAD = 7
CHECKPOINT_TASK = "employment.remind_checkpoint"


def plan_checkpoint(application: PlacementApplication) -> None:
    """In the move's transaction: the reminder of the next checkpoint waits for the midnight a week before it (or
    comes at once when that has passed); an application that is no longer employed waits for none."""
    key = f"placement-application:{application.pk}:checkpoint"
    checkpoint = next_checkpoint(application)
    if checkpoint is None or application.reminded_for == checkpoint[0]:
        jobs.unschedule(key)
        return
    day = checkpoint[1] - datetime.timedelta(days=REMIND_DAYS_AHEAD)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    jobs.schedule(CHECKPOINT_TASK, at=at, key=key, application_id=str(application.pk))


def remind_retention_checkpoints(today: datetime.date | None = None) -> int:
    """The sweep: tell each job coach (or, with none assigned, the network's coordinators) once per
    retention checkpoint (1, 3, 6 months after the hire), from a week before it — or at once if the job finds it
    already passed and unrecorded. Idempotent; rows are locked with SKIP LOCKED, so several runners may overlap."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMIND_DAYS_AHEAD)
    condition = Q()
    for stage, months in CHECKPOINT_MONTHS.items():
        # A few days of slack for month ends; the exact day is checked below.
        latest_hire = add_months(horizon, -months) + datetime.timedelta(days=3)
        condition |= Q(stage=TRANSITIONS[stage][0], hired_on__lte=latest_hire) & ~Q(reminded_for=stage)
    ids = list(PlacementApplication.objects.filter(condition).values_list("pk", flat=True)[:500])
    return sum(1 for pk in ids if remind_checkpoint(pk, today))


def remind_checkpoint(application_id: Any, today: datetime.date | None = None) -> bool:
    """Remind once of the application's next checkpoint, from a week before it; False when not due or done."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMIND_DAYS_AHEAD)
    with transaction.atomic():
        application = (
            PlacementApplication.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("person", "placement", "employer", "job_coach")
            .filter(pk=application_id, stage__in=EMPLOYED)
            .first()
        )
        checkpoint = next_checkpoint(application) if application is not None else None
        if application is None or checkpoint is None:
            return False
        stage, due = checkpoint
        if due > horizon or application.reminded_for == stage:
            return False
        application.reminded_for = stage
        application.save(update_fields=["reminded_for"])
        recipients: list[User] = (
            [application.job_coach] if application.job_coach is not None else coordinators_of(application.network_id)
        )
        tell(
            application,
            recipients,
            "placement.checkpoint",
            gettext_lazy(
                "Retention checkpoint “%(checkpoint)s” of %(person)s at %(employer)s falls on %(date)s: "
                "record it after a follow-along contact."
            ),
            checkpoint=STAGE_LABELS[stage],
            date=due.strftime("%d.%m.%Y"),
        )
        return True
