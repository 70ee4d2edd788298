"""Who is told what about a placement application: the employer's side, the network's side, the coordinators.
Notifications name the person by initials only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse

from core import events
from employment.models import STAGE_LABELS, PlacementApplication, Stage
from notifications.groups import hint, network_group, partner_group
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
    if kind in ANNOUNCED_KINDS:
        announce(application)
    refresh_lists(application.network_id, [application.employer_id, application.proposed_by_partner_id])


def refresh_lists(network_id: Any, partner_ids: Iterable[Any]) -> None:
    """Open placement lists of the network's coordinators and of these partners refresh in place (a hint: no
    data travels; each page asks for its own rows), as the referrals inbox does."""
    groups = {network_group(network_id), *(partner_group(pk) for pk in partner_ids if pk is not None)}
    for group in sorted(groups):
        hint(group, "placements")


# Notification kinds of a stage move: each is also an event for other systems (core.events, heard by webhooks).
ANNOUNCED_KINDS = frozenset(
    {
        "placement.proposed",
        "placement.interview",
        "placement.offered",
        "placement.hired",
        "placement.retained",
        "placement.declined",
        "placement.withdrawn",
        "placement.ended",
    }
)
RETAINED = (Stage.RETAINED_1M, Stage.RETAINED_3M, Stage.RETAINED_6M)


def announce(application: PlacementApplication) -> None:
    """``application.<stage>`` (the three checkpoints are one ``application.retained``): the id, the stage and where
    to fetch it, never who the candidate is. The employer hears of a decline or withdrawal that ends its view."""
    stage = "retained" if application.stage in RETAINED else application.stage
    try:
        api = reverse("api-application", args=[application.pk])
    except NoReverseMatch:
        api = ""
    events.publish(
        f"application.{stage}",
        application.pk,
        application.stage,
        {"api": api},
        events.Audience.of(
            networks=[application.network_id],
            partners=[application.employer_id, application.proposed_by_partner_id],
            leaving=[application.employer_id] if application.stage in (Stage.DECLINED, Stage.WITHDRAWN) else [],
        ),
    )
