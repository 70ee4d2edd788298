"""Reads of a user's notifications for the notification centre and the API's re-sync.

Only the recipient ever reads a notification: someone else's id is a 404, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.types import AuthUser
from notifications.models import Notification


def notifications_of(user: AuthUser) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-id")


def notifications_after(user: AuthUser, after_id: int, *, limit: int) -> list[Notification]:
    """Every notification newer than ``after_id``, oldest first: a client re-syncs from the last one it saw."""
    return list(Notification.objects.filter(recipient_id=user.pk, id__gt=after_id).order_by("id")[:limit])


def unread_count(user: AuthUser) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def last_notification_id(user: AuthUser) -> int:
    """The id of the user's newest notification, 0 for none."""
    return notifications_of(user).values_list("id", flat=True).first() or 0


def get_notification_for(user: AuthUser, pk: Any) -> Notification:
    """One of the user's notifications; 404 for a missing id, a malformed one and someone else's alike."""
    try:
        return Notification.objects.get(pk=int(pk), recipient_id=user.pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
