"""What happens when the receiving partner is late (issue 15: "Reminders to the late partner"): at half of the answer
time its staff are reminded; at the due-by they are reminded again and the network's coordinators (and the sending
side) are alerted. Each runs from its job at its moment (referrals/tasks.py, planned by
``services.plan_deadlines``); ``alert_overdue`` and ``remind_half_time_due`` are the periodic sweeps that catch a
job that was missed. All of them are idempotent: a referral is locked (SKIP LOCKED), checked, and marked in one
transaction, so two workers — or a job and a sweep — tell nobody twice.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from core import jobs
from notifications.services import notify
from people.messages import APPOINTMENT_REMINDER, tell_person, when_params
from referrals.choices import State
from referrals.models import Referral, ReferralEvent
from referrals.services import (
    DEADLINE_TASK,
    HALF_TIME_TASK,
    _coordinators,
    _initials,
    _sender_side,
    _staff_of,
    _tell,
    _url,
    deadline_keys,
    half_time,
)

# A job found a moment early (clocks of two machines) is put back for its moment, unless it is this far off.
EARLY = datetime.timedelta(minutes=10)


class Busy(Exception):
    """The referral is locked by a move in progress: the job is retried in a moment (RETRY_DB), not dropped."""


def _locked(referral_id: Any) -> Referral | None:
    """The sent referral, locked; None when it is no longer sent. Busy when another transaction holds it (a sweep
    passing over it skips it; a job tries again, and finds it moved on or still due)."""
    referral = (
        Referral.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("person", "to_partner", "network", "created_by", "from_partner")
        .filter(pk=referral_id, state=State.SENT)
        .first()
    )
    if referral is None and Referral.objects.filter(pk=referral_id, state=State.SENT).exists():
        raise Busy(referral_id)
    return referral


def _remind(referral: Referral, kind: str, message: Any) -> None:
    """The receiving partner's staff: which referral, by when (DD.MM.RRRR, local time); never what it is about."""
    due = formats.date_format(timezone.localtime(referral.due_by), "d.m.Y H:i") if referral.due_by else ""

    def text() -> str:
        return str(message) % {"person": _initials(referral.person), "due": due}

    notify(recipients=_staff_of(referral.to_partner), kind=kind, text=text, obj=referral, url=_url(referral))


def deadline_passed(referral_id: Any, now: datetime.datetime | None = None) -> bool:
    """The job at the due-by: alert the coordinators and the sending side, remind the receiving partner, once.
    A due-by still ahead (moved by a check-in whose job replacement was missed) gets its job again."""
    with transaction.atomic():
        referral = _locked(referral_id)
        if referral is None or referral.overdue_alerted_at is not None or referral.due_by is None:
            return False
        now = now or timezone.now()
        if referral.due_by > now:
            jobs.schedule(
                DEADLINE_TASK, at=referral.due_by, key=deadline_keys(referral.pk)[1], referral_id=str(referral.pk)
            )
            return False
        referral.overdue_alerted_at = now
        referral.save(update_fields=["overdue_alerted_at"])
        ReferralEvent.objects.create(
            referral=referral, action="overdue", from_state=referral.state, to_state=referral.state, actor=None
        )
        _tell(
            referral,
            [*_coordinators(referral), *_sender_side(referral)],
            "referral.overdue",
            gettext_lazy("%(to)s has not answered the referral of %(person)s in time."),
        )
        _remind(
            referral,
            "referral.reminder_deadline",
            gettext_lazy(
                "The time to answer the referral of %(person)s ran out on %(due)s: answer it now; the coordinator "
                "has been told."
            ),
        )
        return True


def remind_half_time(referral_id: Any, now: datetime.datetime | None = None) -> bool:
    """The job at half of the answer time: remind the receiving partner's staff once (again after a check-in)."""
    with transaction.atomic():
        referral = _locked(referral_id)
        if referral is None or referral.half_time_reminded_at is not None:
            return False
        half = half_time(referral)
        now = now or timezone.now()
        if half is None or (referral.due_by is not None and referral.due_by <= now):
            return False  # past the deadline: the deadline's reminder says it
        if half > now:
            if half - now > EARLY:
                return False  # planned for another time: the planned job will come
            jobs.schedule(HALF_TIME_TASK, at=half, key=deadline_keys(referral.pk)[0], referral_id=str(referral.pk))
            return False
        referral.half_time_reminded_at = now
        referral.save(update_fields=["half_time_reminded_at"])
        _remind(
            referral,
            "referral.reminder_half_time",
            gettext_lazy("Half of the time to answer the referral of %(person)s has passed: please answer by %(due)s."),
        )
        return True


def alert_overdue(now: datetime.datetime | None = None) -> int:
    """The sweep: every sent referral past its due-by that no job alerted yet."""
    now = now or timezone.now()
    ids = list(Referral.objects.overdue(now).filter(overdue_alerted_at__isnull=True).values_list("pk", flat=True)[:500])
    return sum(1 for pk in ids if _unless_busy(deadline_passed, pk, now))


def remind_half_time_due(now: datetime.datetime | None = None) -> int:
    """The sweep: sent referrals past half of their answer time, before their due-by, not yet reminded."""
    now = now or timezone.now()
    half = RawSQL("COALESCE(checked_in_at, sent_at) + (due_by - COALESCE(checked_in_at, sent_at)) / 2", [])
    due = list(
        Referral.objects.filter(state=State.SENT, half_time_reminded_at__isnull=True, due_by__gt=now)
        .annotate(half=half)
        .filter(half__lte=now)
        .values_list("pk", flat=True)[:500]
    )
    return sum(1 for pk in due if _unless_busy(remind_half_time, pk, now))


def _unless_busy(job: Any, pk: Any, now: datetime.datetime) -> bool:
    try:
        return bool(job(pk, now))
    except Busy:
        return False  # its own job, or the next sweep, will find it


def appointment_reminders(now: datetime.datetime | None = None) -> int:
    """The job: the day before a referral's first appointment, the person who agreed to messages is reminded of
    its date and time (and of nothing else: people.messages). Once per referral and appointment time."""
    today = timezone.localtime(now or timezone.now()).date()
    tomorrow = today + datetime.timedelta(days=1)
    count = 0
    due = (
        Referral.objects.filter(
            state__in=(State.ACCEPTED, State.IN_PROGRESS),
            first_appointment_at__date=tomorrow,
            person__accounts__isnull=False,
        )
        .select_related("person")
        .distinct()
    )
    for referral in due:
        at = referral.first_appointment_at
        assert at is not None
        with transaction.atomic():
            count += tell_person(
                referral.person,
                APPOINTMENT_REMINDER,
                f"{referral.pk}:{at.isoformat()}",
                params=partial(when_params, at),
            )
    return count
