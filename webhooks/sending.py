"""Sending deliveries: signed as the Standard Webhooks specification says, posted with a short timeout to the
address checked at that moment, retried with a growing pause for 24 hours.

``send_delivery(delivery_id)`` is a plain, idempotent function of one id: it locks the row with SKIP LOCKED, so two
workers never send the same attempt, and does nothing to a row that is not due. Each attempt is a job on the queue
at its moment (``plan_attempt``; webhooks/tasks.py), written with the delivery or with the failed attempt before it;
the pause between attempts is the delivery's own (``BACKOFF``, what receivers are told in docs/webhooks.md).
``send_due`` is the periodic sweep (``core.jobs``, "webhook deliveries") that sends whatever a job missed.
"""

from __future__ import annotations

import datetime
import http.client
import json
import logging
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from core import jobs
from webhooks import addresses
from webhooks.choices import RETRYING, DeliveryStatus, DisabledReason
from webhooks.models import Delivery, Subscription

log = logging.getLogger(__name__)

# The pause after the n-th failed attempt; the last one repeats until 24 hours have passed since the event.
BACKOFF = [
    datetime.timedelta(seconds=30),
    datetime.timedelta(minutes=2),
    datetime.timedelta(minutes=10),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=6),
]
RETRY_FOR = datetime.timedelta(hours=24)
DELIVERY_TASK = "webhooks.send_delivery"
USER_AGENT = "LSW-Webhooks/1"


def plan_attempt(delivery: Delivery) -> None:
    """In the caller's transaction: the delivery's next attempt is a job at ``next_attempt_at``."""
    if delivery.next_attempt_at is not None:
        key = f"webhook-delivery:{delivery.pk}"
        jobs.schedule(DELIVERY_TASK, at=delivery.next_attempt_at, key=key, delivery_id=str(delivery.pk))


def pause_after(attempts: int) -> datetime.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def body_of(delivery: Delivery) -> str:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def signed_headers(secret: str, message_id: str, at: datetime.datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


# --- one POST ---------------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked a moment ago, not to whatever the name resolves to next (DNS rebinding);
    the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: SNI and the certificate check use the host's name, the socket the checked address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST once and return the status code; redirects are not followed. Raises NotAllowed for an address that is
    not allowed now, OSError (and http.client's errors) when the receiver cannot be reached."""
    scheme, host, port = addresses.split(url)
    address = addresses.resolve(host, port)[0]
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(getattr(settings, "WEBHOOKS_TIMEOUT", 5))
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, str(address), timeout)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        response = connection.getresponse()
        response.read(4096)  # the receiver's answer is not kept: it is theirs, and may say anything
        return response.status
    finally:
        connection.close()


# --- one attempt of one delivery ------------------------------------------------------------------------


def send_delivery(delivery_id: Any, *, now: datetime.datetime | None = None) -> bool:
    """Attempt one due delivery; False when it is not due, already done, or another worker holds it."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status__in=RETRYING)
            .first()
        )
        now = now or timezone.now()
        if delivery is None or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now):
            return False
        subscription = delivery.subscription
        if not subscription.active:
            return False
        body = body_of(delivery)
        status_code: int | None = None
        error = ""
        try:
            # Signed at the wall clock's time, whatever ``now`` a test gives: receivers check it against theirs.
            headers = signed_headers(subscription.secret, delivery.message_id, timezone.now(), body)
            status_code = post(subscription.url, body, headers)
        except addresses.NotAllowed as exc:
            error = " ".join(exc.messages)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _record(delivery, subscription, now, status_code, error)
    return True


def _record(
    delivery: Delivery, subscription: Subscription, now: datetime.datetime, status_code: int | None, error: str
) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save()
        Subscription.objects.filter(pk=subscription.pk, failing_since__isnull=False).update(failing_since=None)
        return
    if status_code is not None:
        error = f"HTTP {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    delivery.last_error = error[:500]
    Subscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(failing_since=now)
    next_at = now + pause_after(delivery.attempts)
    if status_code == 410:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
        delivery.save()
        disable(subscription, DisabledReason.GONE, now=now)
        return
    if next_at > delivery.created_at + RETRY_FOR:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
        delivery.save()
        # Retried for a day and nothing at all reached the receiver since this event: it is down, not just picky.
        if not Delivery.objects.filter(subscription=subscription, delivered_at__gte=delivery.created_at).exists():
            disable(subscription, DisabledReason.FAILING, now=now)
        return
    delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, next_at
    delivery.save()
    plan_attempt(delivery)


def disable(subscription: Subscription, reason: str, *, now: datetime.datetime | None = None) -> bool:
    """Turn a subscription off (once: a second call changes nothing); what it still had to send is given up. The
    owner's admins (or the network's coordinators) are told when the system turned it off."""
    now = now or timezone.now()
    changed = Subscription.objects.filter(pk=subscription.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason, updated_at=now
    )
    if not changed:
        return False
    Delivery.objects.filter(subscription=subscription, status__in=RETRYING).update(
        status=DeliveryStatus.GAVE_UP, next_attempt_at=None, last_error="subscription turned off"
    )
    subscription.active, subscription.disabled_at, subscription.disabled_reason = False, now, reason
    if reason != DisabledReason.BY_OWNER:
        from webhooks.access import tell_owner

        tell_owner(subscription, reason)
    return True


def send_due(now: datetime.datetime | None = None, *, limit: int = 200) -> int:
    """The job: send every delivery that is due, oldest first; returns how many were attempted."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(status__in=RETRYING, next_attempt_at__lte=now, subscription__active=True)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if send_delivery(pk, now=now))


KEEP_LOG_FOR = datetime.timedelta(days=90)


def purge_delivery_log(now: datetime.datetime | None = None) -> int:
    """The job that keeps the delivery log to 90 days: finished deliveries older than that are deleted."""
    now = now or timezone.now()
    deleted, _by_model = Delivery.objects.filter(
        created_at__lt=now - KEEP_LOG_FOR, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP]
    ).delete()
    return deleted
