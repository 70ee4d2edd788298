"""Subscriptions (create, change, turn off and on, rotate the secret, delete, ping) and the fan-out of events.

Each write is one transaction; the caller is checked with ``webhooks.access``. ``fan_out`` is the listener that
``WebhooksConfig.ready`` registers with ``core.events``: after a domain change commits, it writes one delivery per
subscription that may hear of it; the job queue sends them (``webhooks.sending``).
"""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.events import Event
from network.models import Network
from partners.models import Partner, User
from webhooks import access, addresses
from webhooks.choices import (
    EVENT_TYPES,
    NETWORK_ONLY_KINDS,
    PING,
    SUBSCRIBABLE,
    DeliveryStatus,
    DisabledReason,
)
from webhooks.models import Delivery, Subscription
from webhooks.sending import disable, plan_attempt, send_delivery

log = logging.getLogger(__name__)

MAX_PER_OWNER = 20


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, as the Standard Webhooks specification writes a secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def clean_events(events: Any, *, network_owner: bool) -> list[str]:
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    chosen = list(dict.fromkeys(str(name).strip() for name in events))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE]
    if unknown:
        raise ValidationError({"events": [_("Unknown event: %(name)s.") % {"name": unknown[0][:40]}]})
    if not network_owner and any(name.split(".", 1)[0] in NETWORK_ONLY_KINDS for name in chosen):
        raise ValidationError({"events": [_("Consent events go only to the network's coordination.")]})
    return chosen


def _clean(subscription: Subscription) -> None:
    """The URL's address (resolved now) and the model's own checks."""
    addresses.check_url(subscription.url)
    try:
        subscription.full_clean(exclude=["partner", "network", "created_by", "secret"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def subscription_create(
    *,
    actor: User,
    url: str,
    events: Any,
    partner: Partner | None = None,
    network: Network | None = None,
    description: str = "",
) -> Subscription:
    """A partner's admin subscribes for the partner, a coordinator for the network. The answer carries the secret,
    which the caller shows once."""
    if (partner is None) == (network is None):
        raise ValidationError(_("Subscribe either for an institution or for a network."))
    if not access.may_manage(actor, partner=partner, network=network):
        raise PermissionDenied
    mine = (
        Subscription.objects.filter(partner=partner)
        if partner is not None
        else Subscription.objects.filter(network=network)
    )
    if mine.count() >= MAX_PER_OWNER:
        raise Conflict(_("An owner may have at most %(count)s webhooks.") % {"count": MAX_PER_OWNER}, code="too_many")
    subscription = Subscription(
        partner=partner,
        network=network,
        url=(url or "").strip(),
        events=clean_events(events, network_owner=network is not None),
        description=(description or "").strip(),
        secret=new_secret(),
        created_by=actor,
    )
    _clean(subscription)
    subscription.save()
    return subscription


def _lock(actor: User, subscription: Subscription) -> Subscription:
    locked = access.subscriptions_visible_to(actor).select_for_update(of=("self",)).filter(pk=subscription.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def subscription_update(*, actor: User, subscription: Subscription, data: dict[str, Any]) -> Subscription:
    """Change the URL, the events or the description (only what ``data`` names)."""
    subscription = _lock(actor, subscription)
    unknown = set(data) - {"url", "events", "description"}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    if "url" in data:
        subscription.url = (data["url"] or "").strip()
    if "events" in data:
        subscription.events = clean_events(data["events"], network_owner=subscription.network_id is not None)
    if "description" in data:
        subscription.description = (data["description"] or "").strip()
    _clean(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_disable(*, actor: User, subscription: Subscription) -> Subscription:
    subscription = _lock(actor, subscription)
    if not subscription.active:
        raise Conflict(_("This webhook is already turned off."), code="already_disabled")
    disable(subscription, DisabledReason.BY_OWNER)
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_enable(*, actor: User, subscription: Subscription) -> Subscription:
    """On again, after the owner fixed the receiver: its address is checked again, and events from now on go."""
    subscription = _lock(actor, subscription)
    if subscription.active:
        raise Conflict(_("This webhook is already on."), code="already_enabled")
    addresses.check_url(subscription.url)
    subscription.active = True
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.failing_since = None
    subscription.save()
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, actor: User, subscription: Subscription) -> Subscription:
    """A new secret at once (the old one stops signing); shown once, in the answer."""
    subscription = _lock(actor, subscription)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    _lock(actor, subscription).delete()


def subscription_ping(*, actor: User, subscription: Subscription) -> Delivery:
    """A ``webhook.ping`` event to this subscription alone, attempted at once (and retried like any other)."""
    with transaction.atomic():
        subscription = _lock(actor, subscription)
        if not subscription.active:
            raise Conflict(_("Turn the webhook on before testing it."), code="disabled")
        event_id = uuid.uuid4()
        now = timezone.now()
        delivery = Delivery.objects.create(
            subscription=subscription,
            event_id=event_id,
            event_type=PING,
            payload={
                "type": PING,
                "timestamp": now.isoformat(),
                "data": {"object": "webhook", "id": str(subscription.pk), "state": "active"},
            },
            next_attempt_at=now,
        )
    send_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- fan-out --------------------------------------------------------------------------------------


def payload_of(event: Event) -> dict[str, Any]:
    """What a subscriber receives: the event, the object's kind, id and state, and where to fetch it. Nothing
    about the person, the reasons or the notes: the receiver asks the API (or FHIR) with its own credentials."""
    data: dict[str, Any] = {"object": event.object_type, "id": event.object_id, "state": event.state}
    for name, path in sorted(event.urls.items()):
        if path:
            data["url" if name == "api" else f"{name}_url"] = settings.SITE_URL + path
    return {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": data}


def fan_out(event: Event) -> int:
    """One delivery per subscription that asked for the event and may hear of it; returns how many were written.
    Runs after the domain's transaction committed; writing twice for one event is refused by the database."""
    if event.type not in EVENT_TYPES:
        log.warning("event type %s is not in webhooks.choices.EVENT_TYPES", event.type)
        return 0
    wanted = [event.type, f"{event.object_type}.*"]
    payload = payload_of(event)
    count = 0
    for subscription in access.candidates(event, wanted):
        if not access.hears(subscription, event):
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    subscription=subscription,
                    event_id=event.id,
                    event_type=event.type,
                    payload=payload,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=event.occurred_at,
                )
                plan_attempt(delivery)
        except IntegrityError:
            continue
        count += 1
    return count
