"""Reads of referrals for pages and the API: filtered lists with a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.scope import scope_for
from core.types import AuthUser
from network.models import NetworkMembership
from partners.choices import PartnerType
from partners.models import Partner, Service
from people.models import Person
from people.selectors import name_words
from referrals.access import VIEW, can_respond, granted, is_own_outgoing, is_sender, referrals_visible_to
from referrals.choices import OPEN_STATES, Priority, State
from referrals.models import Referral, ReferralQuerySet

# What a list of referrals shows (the inbox page, the API list, a person's page). A page of 50 is read as plain
# values and turned into ``ReferralRow``s: building five model instances a row (the referral, its person, both
# partners, the service: 250 for a page) was most of the request's CPU time (docs/performance.md).
LIST_VALUES = {
    "pk": "id",
    "network_id": "network_id",
    "person_id": "person_id",
    "from_partner_id": "from_partner_id",
    "to_partner_id": "to_partner_id",
    "service_id": "service_id",
    "state": "state",
    "priority": "priority",
    "categories": "categories",
    "due_by": "due_by",
    "waitlisted_at": "waitlisted_at",
    "created_at": "created_at",
    "sent_at": "sent_at",
    "person_first_name": "person__first_name",
    "person_last_name": "person__last_name",
    "to_partner_name": "to_partner__name",
    "to_partner_short_name": "to_partner__short_name",
    "from_partner_name": "from_partner__name",
    "from_partner_short_name": "from_partner__short_name",
    "service_name": "service__name",
    "sender_first_name": "created_by__first_name",
    "sender_last_name": "created_by__last_name",
}
# How the list may be sorted (``sort``; a leading "-" for newest/latest first): when sent, when the answer is due.
SORTS = {"sent": "sent_at", "due": "due_by"}
_STATE_LABELS = dict(State.choices)
_PRIORITY_LABELS = dict(Priority.choices)


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """One referral as a list shows it: no health data, no free text, only what the row displays."""

    pk: Any
    network_id: Any
    person_id: Any
    from_partner_id: Any
    to_partner_id: Any
    service_id: Any
    state: str
    priority: str
    categories: list[str]
    due_by: datetime.datetime | None
    waitlisted_at: datetime.datetime | None
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    person_first_name: str
    person_last_name: str
    to_partner_name: str
    to_partner_short_name: str
    from_partner_name: str | None
    from_partner_short_name: str | None
    service_name: str | None
    sender_first_name: str
    sender_last_name: str

    @property
    def sender_name(self) -> str:
        """The person who wrote the referral (not their username)."""
        return f"{self.sender_first_name} {self.sender_last_name}".strip()

    @property
    def person_initials(self) -> str:
        return f"{self.person_first_name[:1]}. {self.person_last_name[:1]}."

    @property
    def to_partner_label(self) -> str:
        """As ``str(partner)``: the short name when there is one."""
        return self.to_partner_short_name or self.to_partner_name

    @property
    def from_partner_label(self) -> str | None:
        return (self.from_partner_short_name or self.from_partner_name) if self.from_partner_id else None

    @property
    def target(self) -> str:
        """The service, or the partner when the referral names none."""
        return self.service_name or self.to_partner_name

    @property
    def is_overdue(self) -> bool:
        return self.state == State.SENT and self.due_by is not None and self.due_by < timezone.now()

    def get_state_display(self) -> str:
        return str(_STATE_LABELS.get(self.state, self.state))

    def get_priority_display(self) -> str:
        return str(_PRIORITY_LABELS.get(self.priority, self.priority))


def referral_rows(values: Iterable[dict[str, Any]]) -> list[ReferralRow]:
    """A page of ``referral_list`` (its values) as rows."""
    return [ReferralRow(**{name: row[source] for name, source in LIST_VALUES.items()}) for row in values]


def referral_list(
    user: AuthUser,
    *,
    direction: str = "",
    status: str = "",
    overdue: bool | None = None,
    person: Any = None,
    network: Any = None,
    partner: Any = None,
    search: str = "",
    sort: str = "",
) -> QuerySet[Any]:
    """The referrals the user may see, newest first, as the values of ``LIST_VALUES`` (``referral_rows`` turns a
    page of them into rows); with ``direction``, only those received by (or sent by) the user's partners;
    ``partner`` the sending or receiving partner; ``search`` the person's name, its words in any order;
    ``sort`` one of ``SORTS`` (``-`` first for descending)."""
    scope = scope_for(user)
    partners = list(scope.staff_partner_ids)

    def narrowed(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
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
        if partner is not None:
            referrals = referrals.filter(Q(from_partner_id=partner) | Q(to_partner_id=partner))
        if search.strip():
            referrals = referrals.filter(name_words(search, field="person__normalised_name"))
        return referrals

    key = SORTS.get(sort.lstrip("-"))
    order = ["-created_at", "-id"]
    if key:
        field = F(key).desc(nulls_last=True) if sort.startswith("-") else F(key).asc(nulls_last=True)
        order = [field, "-created_at", "-id"]  # type: ignore[list-item]

    def listed(referrals: QuerySet[Referral]) -> QuerySet[Any]:
        return narrowed(referrals).order_by(*order).values(*LIST_VALUES.values())

    if direction == "incoming":
        # Narrow by the inbox index alone, then require the grant: OR-ing in the other direction made PostgreSQL
        # join every visible row of a large partner before sorting (docs/performance.md). The page checks the
        # grant row by row as it walks the index newest first and stops at the page; the total counts the same
        # rows with the grant as a join (core.grants.granted_in).
        mine = Referral.objects.filter(to_partner_id__in=partners)
        page = listed(mine.filter(granted(scope.staff_group_ids, VIEW, per_row=True)))
        return cast(ReferralQuerySet, page).counted_by(narrowed(mine.filter(granted(scope.staff_group_ids, VIEW))))
    referrals: QuerySet[Referral]
    if direction == "outgoing":
        sent_by_partner = Referral.objects.filter(from_partner_id__in=partners).filter(
            granted(scope.staff_group_ids, VIEW)
        )
        sent_by_coordinator = Referral.objects.filter(
            network_id__in=list(scope.coordinated_network_ids), from_partner__isnull=True
        )
        referrals = sent_by_partner | sent_by_coordinator
    else:
        referrals = referrals_visible_to(user)
    return listed(referrals)


def available_actions(user: AuthUser, referral: Referral) -> list[str]:
    """What the user may do next on this referral, in the order pages show them."""
    actions: list[str] = []
    responder = can_respond(user, referral)
    sender = is_sender(user, referral)
    coordinator = referral.network_id in scope_for(user).coordinated_network_ids
    state = referral.state
    if state == State.DRAFT and sender:
        actions.append("send")
    if state == State.SENT and responder and not is_own_outgoing(user, referral):
        # Its sender never answers their own referral (a coordinator who wrote it, the sending partner's staff).
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


def referral_partner_choices(user: AuthUser) -> QuerySet[Partner]:
    """The partners the referrals list can be narrowed to: those of the user's networks (all for a monitor),
    employers excepted."""
    scope = scope_for(user)
    partners = Partner.objects.exclude(type=PartnerType.EMPLOYER)
    if not scope.sees_every_network:
        members = NetworkMembership.objects.filter(network_id__in=list(scope.network_ids))
        partners = partners.filter(Q(id__in=members.values("partner_id")) | Q(id__in=list(scope.staff_partner_ids)))
    return partners.only("id", "name", "short_name").order_by("name")


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


def referrals_for_the_person(person: Person) -> list[Referral]:
    """The person's own referrals as they read them on their own pages: where to, which service, the status and
    the first appointment; never a draft, and the caller shows no reason, goal or note (staff's words)."""
    return list(
        Referral.objects.filter(person=person)
        .exclude(state=State.DRAFT)
        .select_related("to_partner", "service")
        .order_by("-sent_at", "-created_at")
    )
