"""Who manages which webhooks, and what a subscription may hear.

- A partner's admins manage their partner's subscriptions; a network's coordinators manage the network's.
  Anyone else gets 404 for a subscription, as for a missing one.
- A subscription hears of an event only when its owner is in the event's audience (``core.events.Audience``)
  and the domain's own access function, asked for the owner as a whole (``core.scope.Principal``), shows the owner
  the object at fan-out time — the same functions the pages and the API use. A partner's subscription sees what
  the partner's staff group is granted; a network's sees what its coordinators see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from core.events import Event
from core.scope import NOBODY, Principal, Scope, scope_for
from core.types import AuthUser
from employment.access import applications_visible_to
from employment.placements import placements_visible_to
from network.models import Network, NetworkMembership
from partners.choices import PartnerType, StaffRole
from partners.models import Partner, User
from people.access import persons_visible_to
from people.models import Consent
from referrals.access import referrals_visible_to
from webhooks.choices import DisabledReason
from webhooks.models import Subscription

# --- who manages ----------------------------------------------------------------------------------


def managed_partners(user: AuthUser) -> QuerySet[Partner]:
    return Partner.objects.filter(id__in=list(scope_for(user).admin_partner_ids)).order_by("name")


def managed_networks(user: AuthUser) -> QuerySet[Network]:
    return Network.objects.filter(id__in=list(scope_for(user).coordinated_network_ids)).order_by("name")


def may_manage(user: AuthUser, *, partner: Any = None, network: Any = None) -> bool:
    scope = scope_for(user)
    if partner is not None:
        return getattr(partner, "pk", partner) in scope.admin_partner_ids
    return network is not None and getattr(network, "pk", network) in scope.coordinated_network_ids


def subscriptions_visible_to(user: AuthUser) -> QuerySet[Subscription]:
    scope = scope_for(user)
    if scope.user_id is None:
        return Subscription.objects.none()
    return Subscription.objects.filter(
        Q(partner_id__in=list(scope.admin_partner_ids)) | Q(network_id__in=list(scope.coordinated_network_ids))
    )


def get_subscription_for(user: AuthUser, pk: Any) -> Subscription:
    try:
        return subscriptions_visible_to(user).select_related("partner", "network", "created_by").get(pk=pk)
    except (Subscription.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


# --- what a subscription hears --------------------------------------------------------------------


def principal_of(subscription: Subscription) -> Principal:
    """The owner as a whole: a partner's staff group, or a network's coordination."""
    if subscription.partner_id is not None:
        partner = subscription.partner
        assert partner is not None
        ids = frozenset({partner.pk})
        return Principal(
            Scope(
                user_id=NOBODY,
                staff_partner_ids=ids,
                staff_group_ids=frozenset({partner.group_id}),
                employer_partner_ids=ids if partner.type == PartnerType.EMPLOYER else frozenset(),
                member_network_ids=frozenset(
                    NetworkMembership.objects.current().filter(partner=partner).values_list("network_id", flat=True)
                ),
            )
        )
    assert subscription.network_id is not None  # the check constraint: exactly one owner
    return Principal(Scope(user_id=NOBODY, coordinated_network_ids=frozenset({subscription.network_id})))


def _visible(principal: Principal, event: Event) -> bool:
    kind, pk = event.object_type, event.object_id
    try:
        if kind == "referral":
            return referrals_visible_to(principal).filter(pk=pk).exists()
        if kind == "placement":
            return placements_visible_to(principal).filter(pk=pk).exists()
        if kind == "application":
            return applications_visible_to(principal).filter(pk=pk).exists()
        if kind == "consent":
            return Consent.objects.filter(pk=pk, person__in=persons_visible_to(principal)).exists()
    except (ValueError, ValidationError):
        return False
    return False  # a kind no access function answers for is heard by nobody


def candidates(event: Event, event_types: list[str]) -> QuerySet[Subscription]:
    """Active subscriptions that asked for the event and whose owner is in its audience (one query)."""
    audience = event.audience
    members = NetworkMembership.objects.current().filter(network_id__in=list(audience.members_of))
    owner = Q(network_id__in=list(audience.networks)) | Q(partner_id__in=list(audience.partners))
    if audience.members_of:
        owner |= Q(partner_id__in=members.values("partner_id"))
    return (
        Subscription.objects.filter(active=True, events__overlap=event_types)
        .filter(owner)
        .select_related("partner")
        .order_by("created_at", "id")
    )


def hears(subscription: Subscription, event: Event) -> bool:
    if subscription.partner_id is not None and subscription.partner_id in event.audience.leaving:
        return True
    return _visible(principal_of(subscription), event)


# --- telling the owner ----------------------------------------------------------------------------


def owner_people(subscription: Subscription) -> list[User]:
    if subscription.partner_id is not None:
        return list(
            User.objects.filter(
                staff_memberships__partner_id=subscription.partner_id,
                staff_memberships__is_active=True,
                staff_memberships__role=StaffRole.ADMIN,
                is_active=True,
            ).distinct()
        )
    network_id: Any = subscription.network_id
    return list(User.objects.filter(coordinatorships__network_id=network_id, is_active=True).distinct())


REASON_TEXT: dict[str, Any] = {
    DisabledReason.FAILING: gettext_lazy(
        "The webhook to %(url)s was turned off: every delivery to it failed for 24 hours. Check the receiver, "
        "then turn it on again."
    ),
    DisabledReason.GONE: gettext_lazy(
        "The webhook to %(url)s was turned off: the receiver answered that it is gone (410)."
    ),
}


def tell_owner(subscription: Subscription, reason: str) -> None:
    from django.urls import NoReverseMatch, reverse

    from notifications.services import notify

    try:
        url = reverse("webhook-detail", args=[subscription.pk])
    except NoReverseMatch:
        url = ""
    message = REASON_TEXT.get(reason)
    if message is None:
        return
    notify(
        recipients=owner_people(subscription),
        kind="webhook.disabled",
        text=lambda: str(message) % {"url": subscription.url[:200]},
        obj=subscription,
        url=url,
    )
