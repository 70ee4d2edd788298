"""Reads for the pages and the API: a subscription's delivery log."""

from __future__ import annotations

from django.db.models import QuerySet

from webhooks.models import Delivery, Subscription


def deliveries_of(subscription: Subscription, *, status: str = "") -> QuerySet[Delivery]:
    """Newest first (the model's order), by the (subscription, -created_at) index."""
    deliveries = Delivery.objects.filter(subscription=subscription)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")
