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
from referrals.choices import (
    NOTE_LABELS,
    OPEN_STATES,
    PRIORITY_RANK,
    OutcomeCode,
    Priority,
    ReasonCode,
    ReasonOrigin,
    State,
)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now: object = None) -> ReferralQuerySet:
        """Sent, unanswered, past their due-by."""
        return self.filter(state=State.SENT, due_by__lt=now or timezone.now())

    _count_query: models.QuerySet[Referral] | None = None

    def counted_by(self, rows: models.QuerySet[Referral]) -> ReferralQuerySet:
        """This list, its total counted by ``rows``: another query of exactly the same rows that PostgreSQL counts
        faster (``referrals.selectors.referral_list``). Only the queryset returned here counts that way; one
        derived from it (a slice, another filter) counts itself."""
        clone = self.all()
        clone._count_query = rows
        return clone

    def count(self) -> int:
        if self._count_query is not None and self._result_cache is None:
            return self._count_query.count()
        return super().count()

    def waiting(self) -> ReferralQuerySet:
        """Accepted, waiting for a place of their service."""
        return self.filter(state=State.ACCEPTED, waitlisted_at__isnull=False)

    def in_waitlist_order(self) -> ReferralQuerySet:
        """Who gets the next place first: the highest priority (PRIORITY_RANK), then the longest waiting."""
        return self.annotate(priority_rank=priority_rank()).order_by("priority_rank", "waitlisted_at", "id")


def priority_rank() -> models.Case:
    return models.Case(
        *(models.When(priority=code, then=models.Value(rank)) for code, rank in PRIORITY_RANK.items()),
        default=models.Value(len(PRIORITY_RANK)),
        output_field=models.IntegerField(),
    )


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
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.DRAFT)
    due_by = models.DateTimeField(_("answer due by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("contact confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set by the receiving partner when it accepts: the person is reminded of it the day before (people.messages).
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The receiving partner was reminded at half of the answer time (a check-in restarts the time and clears it).
    half_time_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
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
            # The overdue job's question every minute: sent, not yet alerted, by due-by. Without it, a scan of every
            # referral (1.3 s at 1M); with it, a few thousand entries at most (docs/performance.md).
            models.Index(
                fields=["due_by"],
                condition=Q(state="sent", overdue_alerted_at__isnull=True),
                name="referral_overdue_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(categories__len__gte=1), name="referral_shares_a_category"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_partner} ({self.state})"

    @property
    def category_labels(self) -> list[str]:
        """The data shared, as users read it (never the codes)."""
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]

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
    def note_shown(self) -> str:
        """The note as users read it: a note the services write as a code ("waitlist") by its label."""
        return str(NOTE_LABELS.get(self.note, self.note))

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
