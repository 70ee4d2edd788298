"""E-mail for people who are away: at once (every job run) or a daily digest, in the recipient's language."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.choices import EmailNotifications
from notifications.models import Notification

DIGEST_HOUR = 7


def send_notification_emails(now: datetime.datetime | None = None) -> int:
    """Send what is due and mark it; returns the number of e-mails sent."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .exclude(recipient__email="")
        .exclude(recipient__email_notifications=EmailNotifications.OFF)
        .filter(recipient__is_active=True)
        .select_related("recipient")
        .order_by("recipient_id", "id")
    )
    by_user: dict[Any, list[Notification]] = {}
    for note in pending[:5000]:
        by_user.setdefault(note.recipient_id, []).append(note)
    sent = 0
    local = timezone.localtime(now)
    for notes in by_user.values():
        user = notes[0].recipient
        if user.email_notifications == EmailNotifications.DIGEST and not _digest_due(user, now, local):
            continue
        with transaction.atomic():
            locked = list(
                Notification.objects.select_for_update(skip_locked=True).filter(
                    pk__in=[n.pk for n in notes], emailed_at__isnull=True
                )
            )
            if not locked:
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                subject = (
                    _("Daily summary: %(count)s new notifications") % {"count": len(locked)}
                    if user.email_notifications == EmailNotifications.DIGEST
                    else _("New in the local cooperation network: %(text)s") % {"text": locked[0].text[:80]}
                )
                body = render_to_string(
                    "notifications/email.txt", {"user": user, "notes": locked, "site_url": settings.SITE_URL}
                )
            send_mail(subject, body, None, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in locked]).update(emailed_at=now)
            sent += 1
    return sent


def _digest_due(user: Any, now: datetime.datetime, local: datetime.datetime) -> bool:
    """A digest goes once a day, after the digest hour, with everything still unread."""
    if local.hour < DIGEST_HOUR:
        return False
    last_sent = (
        Notification.objects.filter(recipient=user, emailed_at__isnull=False)
        .order_by("-emailed_at")
        .values_list("emailed_at", flat=True)
        .first()
    )
    return last_sent is None or last_sent < now - datetime.timedelta(hours=20)
