"""Reads of referrals for pages and the API: filtered lists with a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.scope import scope_for
from core.types import AuthUser
from network.models import NetworkMembership
from partners.choices import PartnerType
from partners.models import Partner, Service
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


# --- waitlists ------------------------------------------------------------------------------------


def waitlist_services(user: AuthUser) -> QuerySet[Service]:
    """Services whose waitlist the user keeps or watches: those of the partners they work for and of the current
    members of the networks they coordinate, employers excepted (they receive no referrals). Each with
    ``waiting``, the number on its waitlist that the user sees."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Service.objects.none()
    members = NetworkMembership.objects.current().filter(network_id__in=list(scope.coordinated_network_ids))
    visible = referrals_visible_to(user).waiting()
    return (
        Service.objects.filter(
            Q(partner_id__in=list(scope.staff_partner_ids)) | Q(partner_id__in=members.values("partner_id"))
        )
        .exclude(partner__type=PartnerType.EMPLOYER)
        .annotate(waiting=Count("referrals", filter=Q(referrals__in=visible)))
        .select_related("partner")
        .order_by("partner__name", "name", "id")
    )


def get_waitlist_service_for(user: AuthUser, pk: Any) -> Service:
    """The service if the user keeps or watches its waitlist; 404 for missing and not-theirs alike."""
    try:
        return waitlist_services(user).get(pk=pk)
    except (Service.DoesNotExist, ValueError, DjangoValidationError):
        raise Http404 from None


def service_waitlist(user: AuthUser, service: Service) -> QuerySet[Referral]:
    """Who waits for a place of this service, in the order places are given (``in_waitlist_order``), each
    referral as far as the user may see it (``referrals_visible_to``): the receiving partner's staff and the
    network's coordinators see them all, nobody else any."""
    return (
        referrals_visible_to(user)
        .filter(service=service)
        .waiting()
        .in_waitlist_order()
        .select_related("person", "from_partner", "to_partner", "network")
    )
