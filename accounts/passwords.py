"""Changing and resetting a password: the rest of the account follows (ASVS V6.2, V7.4).

A change ends every other session, every API token and their websockets (``end_everything``) and is logged; the
session it was made from stays signed in. Reset e-mails are limited per e-mail address and per client address,
counted in the security log (so several application machines agree), and the form answers the same whether it
sent a mail or not: nobody learns from it which addresses have an account."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.choices import SecurityEventKind
from accounts.log import client_address, record
from accounts.models import SecurityEvent
from accounts.sessions import end_everything, session_key_changed

log = logging.getLogger("lsw.security")

RESET_WINDOW = timedelta(hours=1)


def old_password_refused(request: HttpRequest, user: Any) -> None:
    """A wrong current password on the change form counts toward the sign-in lockout like a wrong sign-in: a
    session left open on a ward PC must not become a way to guess the password at leisure."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "password": "********************"},
        request=request,
    )


@transaction.atomic
def password_changed(*, request: HttpRequest, user: Any, how: str = "changed") -> int:
    """After the new password is saved: end everything else of the user's, keep the current browser session
    (when there is one) signed in, and log it. Returns how many sessions and tokens were ended."""
    session = getattr(request, "session", None)
    signed_in_here = session is not None and getattr(request, "user", None) == user
    keep = session.session_key if signed_in_here and session is not None else None
    reason = "password_changed" if how == "changed" else "password_reset"
    ended = end_everything(user, reason=reason, request=request, keep_session_key=keep)
    if signed_in_here:
        update_session_auth_hash(request, user)
        session_key_changed(request, keep)
    record(SecurityEventKind.PASSWORD_CHANGED, user=user, request=request, detail=how)
    return ended


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most PASSWORD_RESET_LIMIT_PER_EMAIL mails to one address and
    PASSWORD_RESET_LIMIT_PER_CLIENT from one client address in an hour; the rest are dropped silently."""

    request: HttpRequest | None = None

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        self.request = kwargs.get("request")
        # The users' rows stay locked until the mails are sent and logged: two requests at once count each other.
        with transaction.atomic():
            super().save(**kwargs)

    def get_users(self, email: str) -> Any:
        user_model = get_user_model()
        field = user_model.get_email_field_name()
        list(user_model._default_manager.select_for_update().filter(**{f"{field}__iexact": email}))
        users = list(super().get_users(email))
        if not users:
            return []
        since = timezone.now() - RESET_WINDOW
        sent = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_SENT, at__gte=since)
        to_address = sent.filter(**{f"user__{field}__iexact": email}).count()
        address = client_address(self.request)
        from_client = sent.filter(ip_address=address).count() if address else 0
        if to_address >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
            log.warning("password reset not sent: %d already sent to this address within the hour", to_address)
            return []
        if from_client >= settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
            log.warning("password reset not sent: %d already sent from %s within the hour", from_client, address)
            return []
        return users

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name=html_email_template_name,
        )
        record(SecurityEventKind.PASSWORD_RESET_SENT, user=context["user"], request=self.request)
