"""Webhook subscriptions of a partner or a network's coordination, and the log of every delivery to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from network.models import Network
from partners.models import Partner
from webhooks.choices import DeliveryStatus, DisabledReason


class Subscription(TimeStamped):
    """One receiving URL of a partner's (or the network's) own system and the event types it asked for.

    The secret signs every delivery (Standard Webhooks, ``whsec_`` + base64 of 32 random bytes). It is kept as it
    is because HMAC signing needs the key itself; it is shown once, in the answer that creates or rotates it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks", verbose_name=_("partner")
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks", verbose_name=_("network")
    )
    url = models.URLField(_("address"), max_length=500)
    events = ArrayField(models.CharField(max_length=40), verbose_name=_("events"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=80, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("turned off"), null=True, blank=True)
    disabled_reason = models.CharField(_("why turned off"), max_length=16, choices=DisabledReason.choices, blank=True)
    # Since when every attempt has failed (none delivered since): 24 hours of it turn the subscription off.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, network__isnull=True)
                | Q(partner__isnull=True, network__isnull=False),
                name="webhook_one_owner",
            )
        ]
        indexes = [models.Index(fields=["active", "partner", "network"], name="webhook_fanout")]

    def __str__(self) -> str:
        return self.url

    @property
    def owner(self) -> Partner | Network:
        owner = self.partner if self.partner_id else self.network
        assert owner is not None  # the check constraint: exactly one owner
        return owner


class Delivery(models.Model):
    """One event for one subscription, and its attempts so far. ``event_id`` is the ``webhook-id`` header: the
    same in every attempt, so a receiver can drop a repeat."""

    id = models.BigAutoField(primary_key=True)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(_("event"), max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["created_at"], name="webhook_delivery_age"),  # the retention job
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"

    @property
    def message_id(self) -> str:
        return f"msg_{self.event_id.hex}"
