"""What other systems hear of a referral (``core.events``; the webhooks app listens): the event, the referral's id
and state and where to fetch it, never what it is about."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from core import events
from referrals.choices import State
from referrals.models import Referral

# Notification kinds that are also events for other systems (core.events, heard by webhooks), by event type.
EVENT_OF_KIND = {
    "referral.sent": "referral.sent",
    "referral.check_in": "referral.checked_in",
    "referral.accepted": "referral.accepted",
    "referral.started": "referral.started",
    "referral.completed": "referral.completed",
    "referral.declined": "referral.declined",
    "referral.withdrawn": "referral.withdrawn",
    "referral.discontinued": "referral.discontinued",
}


def announce(referral: Referral, event_type: str) -> None:
    """Tell other systems (webhooks): the referral's id, state and where to fetch it; never what it is about. Its
    receiving partner hears of a decline or withdrawal although that ends its view of the referral."""
    try:
        api = reverse("api-referral", args=[referral.pk])
    except NoReverseMatch:  # the API is not routed in this deployment
        api = ""
    events.publish(
        event_type,
        referral.pk,
        referral.state,
        {"api": api, "fhir": f"/fhir/ServiceRequest/{referral.pk}"},
        events.Audience.of(
            networks=[referral.network_id],
            partners=[referral.from_partner_id, referral.to_partner_id],
            leaving=[referral.to_partner_id] if referral.state in (State.DECLINED, State.WITHDRAWN) else [],
        ),
    )
