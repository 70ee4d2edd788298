"""A person's complete record for data-subject access (GDPR art. 15): JSON and a printable page.

The record is a list of sections, each a table with a Polish title and Polish column names; values of choices
are their labels, never codes. The JSON keeps stable English keys and carries the Polish titles and column names
under ``labels``. Sections about other domains (referrals, placement applications) are registered at start-up by
the apps that own them (``register_section`` from their ``AppConfig.ready``): people/ imports neither of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PermissionDenied
from partners.choices import PartnerType
from partners.models import User
from people.access import access_to_person
from people.audit import log_access
from people.merging import log_of
from people.models import (
    PERSON_FIELD_CATEGORIES,
    AccessAction,
    AccessChannel,
    AccessLog,
    Activity,
    ActivityKind,
    Assessment,
    Attendance,
    Case,
    CaseEvent,
    CaseEventKind,
    Consent,
    DataCategory,
    GivenBy,
    Goal,
    GoalReview,
    GoalStatus,
    GroupMembership,
    LifeDomain,
    Person,
    PersonAccount,
    SupportPlan,
)


@dataclass(frozen=True)
class Section:
    """One table of the record. ``fields`` maps each key of a row to its Polish column name, in display order."""

    title: str
    fields: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    single: bool = False  # one row shown as a record (the person's own data), not a table


SectionBuilder = Callable[[Person], Section]

# Sections other apps add, in the order they registered (see the module docstring).
_REGISTERED: dict[str, SectionBuilder] = {}


def register_section(name: str, builder: SectionBuilder) -> None:
    """Add a section to every export; called from an ``AppConfig.ready``. The same name registered again
    replaces the builder (a reloaded module), it never adds the section twice."""
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is a section of people/ itself")
    _REGISTERED[name] = builder


def label(model: type[models.Model], name: str) -> str:
    """A field's verbose name, translated: the column names readers know from the forms."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def choice(choices: type[models.Choices], value: str) -> str:
    """The translated label of a stored code ("" stays ""; a code no longer offered shows as it is)."""
    if not value:
        return ""
    return str(dict(choices.choices).get(value, value))


def choices(choices_class: type[models.Choices], values: Iterable[str]) -> list[str]:
    return [choice(choices_class, v) for v in values]


def name_of(obj: Any) -> str:
    return "" if obj is None else str(obj)


# How a row of the access log was read: the labels of ``AccessChannel``, the one place that names them.
CHANNEL_LABELS = dict(AccessChannel.choices)


def _person(person: Person) -> Section:
    row: dict[str, Any] = {"id": str(person.pk), "network": person.network.name}
    fields = {"id": _("identifier"), "network": label(Person, "network")}
    for name in PERSON_FIELD_CATEGORIES:
        model_field = Person._meta.get_field(name)
        value = getattr(person, name)
        if getattr(model_field, "choices", None):
            value = getattr(person, f"get_{name}_display")() if value else ""
        row[name] = value
        fields[name] = label(Person, name)
    return Section(_("Personal data"), fields, [row], single=True)


def _consents(person: Person) -> Section:
    fields = {
        "categories": label(Consent, "categories"),
        "partners": label(Consent, "partners"),
        "partner_types": label(Consent, "partner_types"),
        "purpose": label(Consent, "purpose"),
        "valid_from": label(Consent, "valid_from"),
        "valid_until": label(Consent, "valid_until"),
        "given_by": label(Consent, "given_by"),
        "withdrawn_at": label(Consent, "withdrawn_at"),
        "has_document": label(Consent, "document"),
    }
    rows = [
        {
            "categories": choices(DataCategory, c.categories),
            "partners": [p.name for p in c.partners.all()],
            "partner_types": choices(PartnerType, c.partner_types),
            "purpose": c.purpose,
            "valid_from": c.valid_from,
            "valid_until": c.valid_until,
            "given_by": choice(GivenBy, c.given_by),
            "withdrawn_at": c.withdrawn_at,
            "has_document": bool(c.document),
        }
        for c in Consent.objects.filter(person=person).prefetch_related("partners").order_by("valid_from", "created_at")
    ]
    return Section(_("Consents"), fields, rows)


def _case_transfers(person: Person) -> Section:
    """Case transfers: a new partner and case manager received the person's path."""
    fields = {
        "at": _("date"),
        "from_partner": _("from partner"),
        "from_manager": _("from case manager"),
        "to_partner": _("to partner"),
        "to_manager": _("to case manager"),
        "by": _("transferred by"),
    }
    events = (
        CaseEvent.objects.filter(case__person=person, kind=CaseEventKind.TRANSFER)
        .select_related("actor", "from_manager", "to_manager", "from_partner", "to_partner")
        .order_by("at", "id")
    )
    rows = [
        {
            "at": e.at,
            "from_partner": name_of(e.from_partner),
            "from_manager": name_of(e.from_manager),
            "to_partner": name_of(e.to_partner),
            "to_manager": name_of(e.to_manager),
            "by": name_of(e.actor),
        }
        for e in events
    ]
    return Section(_("Case transfers"), fields, rows)


def _cases(person: Person) -> Section:
    fields = {
        "opened_on": label(Case, "opened_on"),
        "closed_on": label(Case, "closed_on"),
        "stage": _("stage"),
        "case_manager": _("case manager"),
        "managing_partner": _("managing partner"),
    }
    cases = person.cases.select_related("network", "case_manager", "managing_partner").order_by("opened_on")
    rows = [
        {
            "opened_on": case.opened_on,
            "closed_on": case.closed_on,
            "stage": case.stage_label(),
            "case_manager": name_of(case.case_manager),
            "managing_partner": name_of(case.managing_partner),
        }
        for case in cases
    ]
    return Section(_("Cases"), fields, rows)


def _case_events(person: Person) -> Section:
    """The path's history; transfers have a section of their own."""
    fields = {
        "case": _("case opened on"),
        "at": _("date"),
        "kind": _("event"),
        "from_stage": _("from stage"),
        "to_stage": _("to stage"),
        "by": _("recorded by"),
        "note": _("note"),
    }
    events = (
        CaseEvent.objects.filter(case__person=person)
        .exclude(kind=CaseEventKind.TRANSFER)
        .select_related("case__network", "actor")
        .order_by("at", "id")
    )
    rows = []
    for e in events:
        stages = dict(e.case.network.stage_choices())
        rows.append(
            {
                "case": e.case.opened_on,
                "at": e.at,
                "kind": choice(CaseEventKind, e.kind),
                "from_stage": stages.get(e.from_stage, e.from_stage),
                "to_stage": stages.get(e.to_stage, e.to_stage),
                "by": name_of(e.actor),
                "note": e.note,
            }
        )
    return Section(_("History of the path"), fields, rows)


def _plans(person: Person) -> Section:
    fields = {
        "case": _("case opened on"),
        "title": label(SupportPlan, "title"),
        "agreed_on": label(SupportPlan, "agreed_on"),
        "current": label(SupportPlan, "is_current"),
    }
    plans = SupportPlan.objects.filter(case__person=person).select_related("case").order_by("agreed_on", "created_at")
    rows = [
        {"case": p.case.opened_on, "title": p.title, "agreed_on": p.agreed_on, "current": p.is_current} for p in plans
    ]
    return Section(_("Support plans"), fields, rows)


def _goals(person: Person) -> Section:
    fields = {
        "plan_agreed_on": _("plan agreed on"),
        "domain": label(Goal, "domain"),
        "description": label(Goal, "description"),
        "responsible": label(Goal, "responsible_partner"),
        "target_date": label(Goal, "target_date"),
        "status": label(Goal, "status"),
    }
    goals = (
        Goal.objects.filter(plan__case__person=person)
        .select_related("plan", "responsible_partner")
        .order_by("plan__agreed_on", "target_date", "created_at")
    )
    rows = [
        {
            "plan_agreed_on": g.plan.agreed_on,
            "domain": choice(LifeDomain, g.domain),
            "description": g.description,
            "responsible": name_of(g.responsible_partner),
            "target_date": g.target_date,
            "status": choice(GoalStatus, g.status),
        }
        for g in goals
    ]
    return Section(_("Goals of the support plan"), fields, rows)


def _goal_reviews(person: Person) -> Section:
    fields = {
        "goal": label(Goal, "description"),
        "on": label(GoalReview, "reviewed_on"),
        "status": label(GoalReview, "status"),
        "note": label(GoalReview, "note"),
    }
    reviews = (
        GoalReview.objects.filter(goal__plan__case__person=person).select_related("goal").order_by("reviewed_on", "id")
    )
    rows = [
        {"goal": r.goal.description, "on": r.reviewed_on, "status": choice(GoalStatus, r.status), "note": r.note}
        for r in reviews
    ]
    return Section(_("Reviews of goals"), fields, rows)


def _assessments(person: Person) -> Section:
    fields = {"instrument": _("instrument"), "on": label(Assessment, "assessed_on"), "scores": _("levels")}
    assessments = (
        Assessment.objects.filter(person=person)
        .select_related("instrument")
        .prefetch_related("scores__domain")
        .order_by("assessed_on", "created_at")
    )
    rows = [
        {
            "instrument": a.instrument.name_pl,
            "on": a.assessed_on,
            "scores": {s.domain.name_pl: s.value for s in sorted(a.scores.all(), key=lambda s: s.domain.position)},
        }
        for a in assessments
    ]
    return Section(_("Assessments"), fields, rows)


def _activities(person: Person) -> Section:
    fields = {
        "on": label(Activity, "occurred_on"),
        "partner": _("partner"),
        "service": _("service"),
        "kind": label(Activity, "kind"),
        "minutes": label(Activity, "minutes"),
        "topic": label(Activity, "topic"),
    }
    activities = Activity.objects.filter(person=person).select_related("partner", "service").order_by("occurred_on")
    rows = [
        {
            "on": a.occurred_on,
            "partner": a.partner.name,
            "service": name_of(a.service),
            "kind": choice(ActivityKind, a.kind),
            "minutes": a.minutes,
            "topic": a.topic,
        }
        for a in activities
    ]
    return Section(_("Activities"), fields, rows)


def _support_groups(person: Person) -> Section:
    fields = {
        "group": _("support group"),
        "joined_on": label(GroupMembership, "joined_on"),
        "left_on": label(GroupMembership, "left_on"),
    }
    memberships = GroupMembership.objects.filter(person=person).select_related("group").order_by("joined_on")
    rows = [{"group": m.group.name, "joined_on": m.joined_on, "left_on": m.left_on} for m in memberships]
    return Section(_("Support groups"), fields, rows)


def _meetings(person: Person) -> Section:
    fields = {"group": _("support group"), "on": _("date"), "minutes": _("duration (minutes)")}
    attended = (
        Attendance.objects.filter(person=person, meeting__cancelled_at__isnull=True)
        .select_related("meeting__group")
        .order_by("meeting__held_on")
    )
    rows = [
        {"group": a.meeting.group.name, "on": a.meeting.held_on, "minutes": a.meeting.duration_minutes}
        for a in attended
    ]
    return Section(_("Meetings attended"), fields, rows)


def _access_log(person: Person) -> Section:
    fields = {"at": _("date"), "user": _("user"), "action": _("action"), "channel": _("channel")}
    entries = AccessLog.objects.filter(log_of(person)).select_related("user").order_by("at", "id")
    rows = [
        {
            "at": e.at,
            "user": name_of(e.user),
            "action": choice(AccessAction, e.action),
            "channel": str(CHANNEL_LABELS.get(e.channel, e.channel)),
        }
        for e in entries
    ]
    return Section(_("Who saw this record"), fields, rows)


# The sections of people/ itself, in the order of the page. The registered sections (to whom the data went)
# come right after the consents, then the case transfers, then the rest of the path.
_BUILT_IN: dict[str, SectionBuilder] = {
    "person": _person,
    "consents": _consents,
    "case_transfers": _case_transfers,
    "cases": _cases,
    "case_events": _case_events,
    "support_plans": _plans,
    "goals": _goals,
    "goal_reviews": _goal_reviews,
    "assessments": _assessments,
    "activities": _activities,
    "support_groups": _support_groups,
    "meetings_attended": _meetings,
    "access_log": _access_log,
}


def _builders() -> list[tuple[str, SectionBuilder]]:
    built_in = list(_BUILT_IN.items())
    return [*built_in[:2], *_REGISTERED.items(), *built_in[2:]]


@transaction.atomic
def person_export_sections(*, actor: User, person: Person, channel: str = "page") -> list[tuple[str, Section]]:
    """Everything held about the person, section by section. Only the network's coordinators may export; the
    export is logged (before the log is read, so the record shows its own export)."""
    access = access_to_person(actor, person)
    if access is None or not access.is_coordinator:
        raise PermissionDenied
    log_access(user=actor, person=person, action=AccessAction.EXPORT, channel=channel)
    return [(name, builder(person)) for name, builder in _builders()]


@transaction.atomic
def own_export_sections(*, actor: User, person: Person, channel: str = "page") -> list[tuple[str, Section]]:
    """The same record for the person themselves (or their guardian), from their own account (GDPR art. 15)."""
    if not PersonAccount.objects.filter(user=actor, person=person).exists():
        raise PermissionDenied
    log_access(user=actor, person=person, action=AccessAction.EXPORT, channel=channel, view="own-export")
    return [(name, builder(person)) for name, builder in _builders()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | bool | float):
        return value
    return str(value)


def as_json(sections: list[tuple[str, Section]]) -> dict[str, Any]:
    """Stable English keys; choice values as labels; Polish titles and column names under ``labels``."""
    record: dict[str, Any] = {
        "prepared_at": _jsonable(timezone.now()),
        "labels": {name: {"title": s.title, "fields": s.fields} for name, s in sections},
    }
    for name, section in sections:
        rows = [_jsonable(row) for row in section.rows]
        record[name] = rows[0] if section.single else rows
    return record


def person_export(*, actor: User, person: Person, channel: str = "page") -> dict[str, Any]:
    """The record as JSON, the same for the page download and ``GET /api/v1/persons/{id}/export/``."""
    return as_json(person_export_sections(actor=actor, person=person, channel=channel))
