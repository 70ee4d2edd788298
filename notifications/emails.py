"""E-mail for people who are away: at once (a job deferred with the notification, retried with a backoff when the
mail server fails) or a daily digest at ``NOTIFICATIONS_DIGEST_HOUR``, in the recipient's language.

``send_emails_to`` is the one place that sends: it locks the recipient's unsent rows (SKIP LOCKED, so two workers
never send the same row), sends, and marks them in one transaction, so a failed send leaves them for the retry.
The periodic sweep (``send_notification_emails``) catches whatever a job missed; ``send_digests`` runs at the hour.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs
from notifications.choices import EmailNotifications
from notifications.models import Notification

EMAIL_TASK = "notifications.send_email"


def _pending() -> Any:
    return (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .exclude(recipient__email="")
        .exclude(recipient__email_notifications=EmailNotifications.OFF)
        .filter(recipient__is_active=True)
    )


def defer_email(user: Any) -> None:
    """With a new notification: one e-mail job per recipient who wants e-mail at once (a burst makes one job)."""
    if user.email and getattr(user, "email_notifications", "") == EmailNotifications.IMMEDIATE:
        jobs.defer(EMAIL_TASK, key=f"email:{user.pk}", user_id=str(user.pk))


def send_emails_to(user_id: Any, now: datetime.datetime | None = None) -> int:
    """Send one recipient what is due (everything unsent at once, or the digest once it is due); 1 when sent.
    A mail server's error propagates after the rollback: the job is retried and the rows stay unsent."""
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.email_notifications == EmailNotifications.OFF:
        return 0
    digest = user.email_notifications == EmailNotifications.DIGEST
    if digest and not _digest_due(user, now):
        return 0
    with transaction.atomic():
        locked = list(
            _pending()
            .select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id=user.pk, created_at__lte=now)
            .order_by("id")[:200]
        )
        if not locked:
            return 0
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = (
                _("Daily summary: %(count)s new notifications") % {"count": len(locked)}
                if digest
                else _("New in the local cooperation network: %(text)s") % {"text": locked[0].text[:80]}
            )
            body = render_to_string(
                "notifications/email.txt", {"user": user, "notes": locked, "site_url": settings.SITE_URL}
            )
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in locked]).update(emailed_at=now)
    return 1


def _recipients(now: datetime.datetime, digest_only: bool = False) -> list[Any]:
    pending = _pending().filter(created_at__lte=now)
    if digest_only:
        pending = pending.filter(recipient__email_notifications=EmailNotifications.DIGEST)
    return list(pending.order_by("recipient_id").values_list("recipient_id", flat=True).distinct()[:5000])


def send_notification_emails(now: datetime.datetime | None = None) -> int:
    """The sweep: everyone with something due; returns the number of e-mails sent."""
    now = now or timezone.now()
    return sum(send_emails_to(user_id, now) for user_id in _recipients(now))


def send_digests(now: datetime.datetime | None = None) -> int:
    """The daily digest, at the digest hour (periodic): everyone who chose it and has something unread."""
    now = now or timezone.now()
    return sum(send_emails_to(user_id, now) for user_id in _recipients(now, digest_only=True))


def _digest_due(user: Any, now: datetime.datetime) -> bool:
    """A digest goes once a day, after the digest hour, with everything still unread."""
    if timezone.localtime(now).hour < settings.NOTIFICATIONS_DIGEST_HOUR:
        return False
    last_sent = (
        Notification.objects.filter(recipient=user, emailed_at__isnull=False)
        .order_by("-emailed_at")
        .values_list("emailed_at", flat=True)
        .first()
    )
    return last_sent is None or last_sent < now - datetime.timedelta(hours=20)
