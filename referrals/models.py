"""Referrals between partners (skierowania), their timeline, and guardian's direct-FK permission tables."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from core.models import TimeStamped
from network.models import Network
from partners.models import Partner, Service
from people.models import Case, DataCategory, Person
from referrals.choices import OPEN_STATES, OutcomeCode, Priority, ReasonCode, ReasonOrigin, State


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now: object = None) -> ReferralQuerySet:
        """Sent, unanswered, past their due-by."""
        return self.filter(state=State.SENT, due_by__lt=now or timezone.now())


class Referral(TimeStamped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("person"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    from_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sent_referrals",
        verbose_name=_("from"),
        help_text=_("Empty when the coordinator refers."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="received_referrals", verbose_name=_("to")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals", verbose_name=_("service")
    )
    reason = models.TextField(_("reason"))
    goal = models.TextField(_("goal"), blank=True)
    categories = ArrayField(
        models.CharField(max_length=16, choices=DataCategory.choices), verbose_name=_("data shared")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.DRAFT)
    due_by = models.DateTimeField(_("answer due by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("contact confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set by the receiving partner when it accepts: the person is reminded of it the day before (people.messages).
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Sent without a covering consent, on a legal basis recorded by the coordinator.
    legal_basis = models.CharField(_("legal basis of sharing"), max_length=255, blank=True)
    holds_place = models.BooleanField(default=False, editable=False)
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=20, choices=ReasonCode.choices, blank=True)
    reason_origin = models.CharField(_("reason came from"), max_length=8, choices=ReasonOrigin.choices, blank=True)
    reason_note = models.CharField(_("note"), max_length=500, blank=True)
    outcome_code = models.CharField(_("outcome"), max_length=20, choices=OutcomeCode.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    redirected_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redirected_to"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [("respond_referral", "Can answer and act on a referral")]
        indexes = [
            models.Index(fields=["to_partner", "-created_at"], name="referral_inbox"),
            models.Index(fields=["from_partner", "-created_at"], name="referral_outbox"),
            models.Index(fields=["network", "state", "due_by"], name="referral_network_state"),
            models.Index(fields=["person", "-created_at"], name="referral_person"),
            models.Index(
                fields=["service", "priority", "waitlisted_at"],
                condition=Q(waitlisted_at__isnull=False),
                name="referral_waitlist",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(categories__len__gte=1), name="referral_shares_a_category"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_partner} ({self.state})"

    @property
    def is_overdue(self) -> bool:
        return self.state == State.SENT and self.due_by is not None and self.due_by < timezone.now()


class ReferralEvent(models.Model):
    """One timeline row per transition: who, when, from, to, why."""

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    at = models.DateTimeField(default=timezone.now)
    reason_code = models.CharField(max_length=20, blank=True)
    reason_origin = models.CharField(max_length=8, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_timeline")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"

    @property
    def reason_label(self) -> str:
        """The coded reason (or, on complete, the outcome) as users read it, never the code."""
        labels = {**dict(ReasonCode.choices), **dict(OutcomeCode.choices)}
        return str(labels.get(self.reason_code, self.reason_code))


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-FK grant table for referrals: lists join it by index instead of a generic object_pk."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="referral_grant_lookup")]
