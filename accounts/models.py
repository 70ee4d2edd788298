from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin

from accounts.choices import SecurityChannel, SecurityEventKind


class SecurityEvent(models.Model):
    """Append-only record of sign-in and account security events (OWASP ASVS V16).

    A trigger refuses UPDATE and TRUNCATE, and DELETE of any row younger than the retention floor; the retention
    job removes older rows (``accounts.log.purge_security_log``). It never stores a password, a code or a token:
    ``username`` is what was typed (so failures against unknown names are visible), ``detail`` names what
    happened (a device kind, a token's first characters, a path).
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=24, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    username = models.CharField(max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Who did it, when it was not the user themselves (an administrator's reset or unlock)."),
    )
    channel = models.CharField(max_length=10, choices=SecurityChannel.choices, default=SecurityChannel.PAGE)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("security log entry")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="security_log_user"),
            models.Index(fields=["kind", "-at"], name="security_log_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"


class UserSession(models.Model):
    """Which browser sessions a user holds, so that a password change, a deactivation or a factor reset can end
    every one of them at once (ASVS V7.4) without decoding the whole session table."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user"], name="user_session_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class CodeDevice(CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """A person account's second step by a one-time code sent to their phone (SMS) or e-mail (issue 18): a
    django-otp side-channel device, with its cooldown between codes and its exponential back-off after wrong ones.
    The message says only that this is a code to sign in: no health word, no kind of institution."""

    CHANNELS = [("email", "e-mail"), ("sms", "SMS")]

    channel: models.CharField[str, str] = models.CharField(max_length=8, choices=CHANNELS)
    address: models.CharField[str, str] = models.CharField(max_length=254)

    class Meta(SideChannelDevice.Meta):
        verbose_name = "one-time code device"

    def get_cooldown_duration(self) -> int:
        return int(getattr(settings, "OTP_CODE_COOLDOWN_SECONDS", 30))

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_CODE_THROTTLE_FACTOR", 1))

    def generate_challenge(self, extra_context: Any = None) -> str:
        """Send a new code, unless one went out a moment ago (the cooldown). Returns what happened, for the page."""
        allowed, _data = self.generate_is_allowed()
        if not allowed:
            return "cooldown"
        self.cooldown_set(commit=False)
        self.generate_token(valid_secs=int(getattr(settings, "OTP_CODE_VALIDITY_SECONDS", 600)), commit=True)
        from accounts.code_message import deliver_code

        deliver_code(self.channel, self.address, str(self.token), language=getattr(self.user, "language", "pl"))
        return "sent"

    def verify_token(self, token: Any) -> bool:
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        verified = bool(super().verify_token(token))
        if verified:
            self.throttle_reset(commit=False)
            self.cooldown_reset(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return verified
