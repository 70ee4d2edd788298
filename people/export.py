"""A person's complete record for data-subject access (GDPR art. 15): JSON and a printable page."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.errors import PermissionDenied
from partners.models import User
from people.access import access_to_person
from people.audit import log_access
from people.models import (
    PERSON_FIELD_CATEGORIES,
    AccessAction,
    AccessLog,
    Activity,
    Assessment,
    Attendance,
    CaseEvent,
    Consent,
    GroupMembership,
    Person,
)


def _value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool | float):
        return value
    if isinstance(value, list):
        return [_value(v) for v in value]
    return str(value)


@transaction.atomic
def person_export(*, actor: User, person: Person, channel: str = "page") -> dict[str, Any]:
    """Everything held about the person. Only the network's coordinators may export; logged as an export."""
    access = access_to_person(actor, person)
    if access is None or not access.is_coordinator:
        raise PermissionDenied
    cases = list(person.cases.select_related("case_manager", "managing_partner").order_by("opened_on"))
    events = CaseEvent.objects.filter(case__person=person).select_related("actor", "to_manager", "to_partner")
    record: dict[str, Any] = {
        "person": {"id": str(person.pk), "network": person.network.name}
        | {name: _value(getattr(person, name)) for name in PERSON_FIELD_CATEGORIES},
        "consents": [
            {
                "id": str(c.pk),
                "categories": c.categories,
                "partners": [p.name for p in c.partners.all()],
                "partner_types": c.partner_types,
                "purpose": c.purpose,
                "valid_from": _value(c.valid_from),
                "valid_until": _value(c.valid_until),
                "given_by": c.given_by,
                "withdrawn_at": _value(c.withdrawn_at),
                "has_document": bool(c.document),
            }
            for c in Consent.objects.filter(person=person).prefetch_related("partners")
        ],
        "cases": [
            {
                "id": str(case.pk),
                "stage": case.stage,
                "opened_on": _value(case.opened_on),
                "closed_on": _value(case.closed_on),
                "case_manager": _value(case.case_manager),
                "managing_partner": _value(case.managing_partner),
                "events": [
                    {
                        "kind": e.kind,
                        "at": _value(e.at),
                        "by": _value(e.actor),
                        "from_stage": e.from_stage,
                        "to_stage": e.to_stage,
                        "to_manager": _value(e.to_manager),
                        "to_partner": _value(e.to_partner),
                        "note": e.note,
                    }
                    for e in events
                    if e.case_id == case.pk
                ],
                "plans": [
                    {
                        "title": plan.title,
                        "agreed_on": _value(plan.agreed_on),
                        "current": plan.is_current,
                        "goals": [
                            {
                                "domain": g.domain,
                                "description": g.description,
                                "responsible": _value(g.responsible_partner),
                                "target_date": _value(g.target_date),
                                "status": g.status,
                                "reviews": [
                                    {"on": _value(r.reviewed_on), "status": r.status, "note": r.note}
                                    for r in g.reviews.all()
                                ],
                            }
                            for g in plan.goals.select_related("responsible_partner").prefetch_related("reviews")
                        ],
                    }
                    for plan in case.plans.all()
                ],
            }
            for case in cases
        ],
        "assessments": [
            {
                "instrument": a.instrument.name_pl,
                "on": _value(a.assessed_on),
                "scores": {s.domain.code: s.value for s in a.scores.select_related("domain")},
            }
            for a in Assessment.objects.filter(person=person).select_related("instrument")
        ],
        "activities": [
            {
                "on": _value(a.occurred_on),
                "partner": a.partner.name,
                "service": _value(a.service),
                "kind": a.kind,
                "minutes": a.minutes,
                "topic": a.topic,
            }
            for a in Activity.objects.filter(person=person).select_related("partner", "service")
        ],
        "support_groups": [
            {"group": m.group.name, "joined_on": _value(m.joined_on), "left_on": _value(m.left_on)}
            for m in GroupMembership.objects.filter(person=person).select_related("group")
        ],
        "meetings_attended": [
            {"group": a.meeting.group.name, "on": _value(a.meeting.held_on), "minutes": a.meeting.duration_minutes}
            for a in Attendance.objects.filter(person=person).select_related("meeting__group")
        ],
        "access_log": [
            {"at": _value(e.at), "user": _value(e.user), "action": e.action, "channel": e.channel, "view": e.view}
            for e in AccessLog.objects.filter(person=person).select_related("user")
        ],
    }
    log_access(user=actor, person=person, action=AccessAction.EXPORT, channel=channel)
    return record
