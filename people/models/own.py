"""A person's own account (or their legal guardian's), and the invitation that creates it (issue 18).

The account is a ``partners.User`` marked ``is_person_account``: it reaches only ``/moje/`` and its API
(``core.account_kinds``). An invitation is a one-time link: only a hash of its token is stored, it works once and
for ``INVITATION_HOURS`` hours.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models.persons import Person

INVITATION_HOURS = 72


class AccountRelation(models.TextChoices):
    PERSON = "person", _("the person")
    GUARDIAN = "guardian", _("the legal guardian")


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message (SMS)")


class ContactBy(models.TextChoices):
    """How the person agreed to be told of meetings and news; nothing is sent without it."""

    NONE = "", _("do not send me messages")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message (SMS)")


class PersonAccount(models.Model):
    """The link between a sign-in account and the person whose record it reads. A guardian's sees the same."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_account")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="accounts")
    relation = models.CharField(_("whose account"), max_length=10, choices=AccountRelation.choices)
    phone = models.CharField(_("phone for messages"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail for messages"), blank=True)
    contact_by = models.CharField(
        _("messages about meetings and news"), max_length=8, choices=ContactBy.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("person's own account")
        verbose_name_plural = _("people's own accounts")
        indexes = [models.Index(fields=["person"], name="person_account_person")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id} ({self.relation})"


class PersonInvitation(models.Model):
    """A one-time link to create a person's own account. ``token_hash`` is the SHA-256 of the token in the link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="account_invitations")
    relation = models.CharField(_("whose account"), max_length=10, choices=AccountRelation.choices)
    channel = models.CharField(_("sent by"), max_length=8, choices=InvitationChannel.choices)
    address = models.CharField(_("e-mail or phone"), max_length=254)
    language = models.CharField(_("language"), max_length=2, default="pl")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    account = models.OneToOneField(
        PersonAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation", editable=False
    )

    class Meta:
        verbose_name = _("invitation to a person's own account")
        verbose_name_plural = _("invitations to people's own accounts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} {self.created_at:%Y-%m-%d}"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.cancelled_at is None and self.expires_at > now


class PersonMessage(models.Model):
    """One message sent to a person's own account (an invitation is not one: it has no account yet). The unique key
    keeps a reminder from going twice when the job runs again or on two workers; the text is not kept."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(PersonAccount, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    channel = models.CharField(max_length=8, choices=ContactBy.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "key"], name="person_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
