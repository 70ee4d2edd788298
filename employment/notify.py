"""Who is told what about a placement application: the employer's side, the network's side, the coordinators.
Notifications name the person by initials only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse

from employment.models import STAGE_LABELS, PlacementApplication
from notifications.services import notify
from partners.choices import StaffRole
from partners.models import User
from people.models import Person


def _initials(person: Person) -> str:
    # Notifications name the person by initials only: never health data, as little identity as possible.
    return f"{person.first_name[:1]}. {person.last_name[:1]}."


def application_url(application: PlacementApplication) -> str:
    try:
        return reverse("application-detail", args=[application.pk])
    except NoReverseMatch:  # the pages are not routed (yet) in this deployment
        return ""


def staff_of(partner_id: Any, *, roles: Iterable[str] | None = None) -> list[User]:
    if partner_id is None:
        return []
    users = User.objects.filter(
        staff_memberships__partner_id=partner_id, staff_memberships__is_active=True, is_active=True
    )
    if roles is not None:
        users = users.filter(staff_memberships__role__in=list(roles))
    return list(users.distinct())


def coordinators_of(network_id: Any) -> list[User]:
    return list(User.objects.filter(coordinatorships__network_id=network_id, is_active=True))


def employer_side(application: PlacementApplication) -> list[User]:
    return staff_of(application.employer_id, roles=[StaffRole.STAFF, StaffRole.ADMIN])


def network_side(application: PlacementApplication) -> list[User]:
    """Who proposed (their partner's staff, or the coordinators) and the job coach."""
    people = (
        staff_of(application.proposed_by_partner_id)
        if application.proposed_by_partner_id
        else coordinators_of(application.network_id)
    )
    people = [*people, application.proposed_by]
    if application.job_coach is not None:
        people.append(application.job_coach)
    return people


def tell(application: PlacementApplication, recipients: list[User], kind: str, message: Any, **extra: Any) -> None:
    def text() -> str:
        return str(message) % {
            "person": _initials(application.person),
            "placement": application.placement.title,
            "employer": str(application.employer),
            "stage": str(STAGE_LABELS[application.stage]),
            **{key: str(value) for key, value in extra.items()},
        }

    notify(recipients=recipients, kind=kind, text=text, obj=application, url=application_url(application))
