"""Reads of referrals for pages and the API: filtered lists with a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.scope import scope_for
from core.types import AuthUser
from network.models import NetworkMembership
from partners.choices import PartnerType
from partners.models import Partner, Service
from people.models import Person
from referrals.access import VIEW, can_respond, granted, is_sender, referrals_visible_to
from referrals.choices import OPEN_STATES, State
from referrals.models import Referral


def referral_list(
    user: AuthUser,
    *,
    direction: str = "",
    status: str = "",
    overdue: bool | None = None,
    person: Any = None,
    network: Any = None,
) -> QuerySet[Referral]:
    scope = scope_for(user)
    partners = list(scope.staff_partner_ids)
    referrals: QuerySet[Referral]
    if direction == "incoming":
        # Narrow by the inbox index alone, then require the grant: OR-ing in the other direction made PostgreSQL
        # join every visible row of a large partner before sorting (docs/performance.md).
        referrals = Referral.objects.filter(to_partner_id__in=partners).filter(granted(scope.staff_group_ids, VIEW))
    elif direction == "outgoing":
        sent_by_partner = Referral.objects.filter(from_partner_id__in=partners).filter(
            granted(scope.staff_group_ids, VIEW)
        )
        sent_by_coordinator = Referral.objects.filter(
            network_id__in=list(scope.coordinated_network_ids), from_partner__isnull=True
        )
        referrals = sent_by_partner | sent_by_coordinator
    else:
        referrals = referrals_visible_to(user)
    if status:
        referrals = referrals.filter(state=status)
    if overdue is True:
        referrals = referrals.filter(state=State.SENT, due_by__lt=timezone.now())
    elif overdue is False:
        referrals = referrals.exclude(state=State.SENT, due_by__lt=timezone.now())
    if person is not None:
        referrals = referrals.filter(person_id=person)
    if network is not None:
        referrals = referrals.filter(network_id=network)
    return referrals.select_related("person", "to_partner", "from_partner", "service").order_by("-created_at", "-id")


def available_actions(user: AuthUser, referral: Referral) -> list[str]:
    """What the user may do next on this referral, in the order pages show them."""
    actions: list[str] = []
    responder = can_respond(user, referral)
    sender = is_sender(user, referral)
    coordinator = referral.network_id in scope_for(user).coordinated_network_ids
    state = referral.state
    if state == State.DRAFT and sender:
        actions.append("send")
    if state == State.SENT and responder:
        if referral.checked_in_at is None:
            actions.append("check_in")
        actions += ["accept", "decline"]
    if state == State.ACCEPTED and responder and referral.waitlisted_at is None:
        actions.append("start")
    if state == State.IN_PROGRESS and responder:
        actions.append("complete")
    if state in (State.ACCEPTED, State.IN_PROGRESS) and (responder or coordinator):
        actions.append("discontinue")
    if (state == State.DRAFT or state in OPEN_STATES) and sender:
        actions.append("withdraw")
    if coordinator and referral.is_overdue:
        actions.append("redirect")
    return actions


def referral_recipients(network_id: Any) -> QuerySet[Partner]:
    """Partners a referral in this network may go to: those whose membership has started and not ended, except
    employers (they receive a candidate through a placement, with the employment category only, never a referral).

    The refer and redirect pages offer exactly these, and ``referral_create`` refuses any other.
    """
    current = NetworkMembership.objects.current().filter(network_id=network_id)
    return (
        Partner.objects.filter(id__in=current.values("partner_id")).exclude(type=PartnerType.EMPLOYER).order_by("name")
    )


def referral_services(network_id: Any) -> QuerySet[Service]:
    """Active services of the partners a referral in this network may go to."""
    return (
        Service.objects.filter(partner__in=referral_recipients(network_id).values("id"), is_active=True)
        .select_related("partner")
        .order_by("partner__name", "name")
    )


def referrals_for_the_person(person: Person) -> list[Referral]:
    """The person's own referrals as they read them on their own pages: where to, which service, the status and
    the first appointment; never a draft, and the caller shows no reason, goal or note (staff's words)."""
    return list(
        Referral.objects.filter(person=person)
        .exclude(state=State.DRAFT)
        .select_related("to_partner", "service")
        .order_by("-sent_at", "-created_at")
    )
