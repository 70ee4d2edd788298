"""A person's path across partners as one timeline, and their open case with its support plan: what the
person page shows beside the record itself. Reads only; what a reader sees follows their access to the person.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.scope import scope_for
from core.types import AuthUser
from employment.access import applications_visible_to
from employment.models import STAGE_LABELS, ApplicationEvent
from people.access import PersonAccess
from people.models import Activity, Assessment, Attendance, Case, CaseEvent, CaseEventKind, Person
from people.plans import plan_context
from referrals.choices import ReasonCode
from referrals.models import ReferralEvent
from referrals.selectors import referral_list
from referrals.services import ACTION_LABELS
from reporting.yearly.shared import FORM_LABELS, page_url, stage_labels


@dataclass(frozen=True)
class PathEntry:
    at: datetime.datetime
    kind: str  # stage | referral | activity | group | assessment | placement
    kind_label: str
    title: str
    partner: str = ""
    detail: str = ""
    url: str | None = None

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.at).date()


def _at(day: datetime.date) -> datetime.datetime:
    # A date-only record sorts at noon, after that morning's stage change and before the evening's answer.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _minutes_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


KIND_LABELS = {
    "stage": gettext_lazy("path"),
    "referral": gettext_lazy("referral"),
    "activity": gettext_lazy("session"),
    "group": gettext_lazy("support group"),
    "assessment": gettext_lazy("assessment"),
    "placement": gettext_lazy("work"),
}


def _entry(at: datetime.datetime, kind: str, title: str, **extra: Any) -> PathEntry:
    return PathEntry(at=at, kind=kind, kind_label=str(KIND_LABELS[kind]), title=title, **extra)


def person_path(access: PersonAccess, user: AuthUser) -> list[PathEntry]:
    """One timeline across partners, oldest first, of what this reader may see of the person.

    Stage changes for everyone who sees the person (as on the person page); referrals the reader sees, with
    their answers; sessions and group attendance of every partner for those who run the path (coordinator,
    case manager), else of the reader's own partners only (which institutions a person goes to tells about
    their health); assessments with the health category; placements with the employment category.
    A fixed number of queries (at most eight), whatever the length of the path.
    """
    person = access.person
    entries: list[PathEntry] = []
    labels = stage_labels(person.network)
    own_partners = None if access.can_change_path else frozenset(scope_for(user).staff_partner_ids)

    for event in CaseEvent.objects.filter(case__person=person).select_related("to_partner").order_by("at", "id"):
        if event.kind == CaseEventKind.OPENED:
            title = _("Case opened at the stage: %(stage)s") % {"stage": labels.get(event.to_stage, event.to_stage)}
        elif event.kind == CaseEventKind.STAGE:
            title = _("Stage: %(from)s → %(to)s") % {
                "from": labels.get(event.from_stage, event.from_stage),
                "to": labels.get(event.to_stage, event.to_stage),
            }
        elif event.kind == CaseEventKind.TRANSFER:
            title = _("Case transferred")
        else:
            title = _("Case closed")
        partner = str(event.to_partner) if event.to_partner_id else ""
        entries.append(_entry(event.at, "stage", title, partner=partner, detail=event.note))

    visible = referral_list(user, person=person.pk).order_by()
    events = (
        ReferralEvent.objects.filter(referral__in=visible.values("pk"))
        .exclude(action__in=["overdue", "place"])
        .select_related("referral__to_partner", "referral__service")
        .order_by("at", "id")
    )
    reasons = dict(ReasonCode.choices)
    for ref_event in events:
        referral = ref_event.referral
        action = str(ACTION_LABELS.get(ref_event.action, ref_event.action))
        target = referral.service.name if referral.service is not None else str(referral.to_partner)
        title = _("Referral to %(target)s: %(action)s") % {"target": target, "action": action}
        detail = str(reasons.get(ref_event.reason_code, "")) if ref_event.reason_code else ""
        entries.append(
            _entry(
                ref_event.at,
                "referral",
                title,
                partner=str(referral.to_partner),
                detail=detail,
                url=page_url("referral-detail", referral.pk),
            )
        )

    activities = Activity.objects.filter(person=person).select_related("partner", "service")
    if own_partners is not None:
        activities = activities.filter(partner_id__in=own_partners)
    for activity in activities.order_by("occurred_on", "created_at"):
        title = activity.service.name if activity.service is not None else str(FORM_LABELS[activity.kind])
        detail = " — ".join(part for part in [_minutes_label(activity.minutes), activity.topic] if part)
        entries.append(
            _entry(_at(activity.occurred_on), "activity", title, partner=str(activity.partner), detail=detail)
        )

    attendance = Attendance.objects.filter(person=person, meeting__cancelled_at__isnull=True).select_related(
        "meeting__group__partner"
    )
    if own_partners is not None:
        attendance = attendance.filter(meeting__group__partner_id__in=own_partners)
    for present in attendance.order_by("meeting__held_on", "id"):
        meeting = present.meeting
        detail = " — ".join(part for part in [_minutes_label(meeting.duration_minutes), meeting.topic] if part)
        entries.append(
            _entry(
                _at(meeting.held_on),
                "group",
                meeting.group.name,
                partner=str(meeting.group.partner),
                detail=detail,
                url=page_url("group-detail", meeting.group_id),
            )
        )

    if access.can_read("health"):
        language = (translation.get_language() or "pl")[:2]
        for assessment in Assessment.objects.filter(person=person).select_related("instrument", "partner"):
            name = assessment.instrument.name_en if language == "en" else assessment.instrument.name_pl
            entries.append(
                _entry(
                    _at(assessment.assessed_on),
                    "assessment",
                    name,
                    partner=str(assessment.partner) if assessment.partner_id else "",
                    url=page_url("person-assessments", person.pk),
                )
            )

    if access.can_read("employment"):
        entries += _placement_entries(person, user)

    entries.sort(key=lambda e: e.at)
    return entries


def _placement_entries(person: Person, user: AuthUser) -> list[PathEntry]:
    visible = applications_visible_to(user).filter(person=person)
    entries = []
    for event in (
        ApplicationEvent.objects.filter(application__in=visible.values("pk"))
        .select_related("application__placement", "application__employer")
        .order_by("at", "id")
    ):
        application = event.application
        stage = STAGE_LABELS.get(event.to_stage, event.to_stage)
        title = _("%(placement)s: %(stage)s") % {"placement": application.placement.title, "stage": stage}
        entries.append(
            _entry(
                event.at,
                "placement",
                title,
                partner=str(application.employer),
                url=page_url("application-detail", application.pk),
            )
        )
    return entries


def current_plan(person: Person) -> dict[str, Any]:
    """The open case and its current support plan with goals (four queries)."""
    cases = Case.objects.open().filter(person=person)
    case = cases.select_related("case_manager", "managing_partner", "network").first()
    return {"case": case, **plan_context(case)}
