"""What the reports keep of their own: the funding a network states for a year (source and amount in PLN, as the
good-practice card asks: "źródło i wysokość finansowania"), and a period's report closed by its coordinator —
the figures frozen as they were sent to the region, with the PDF and every close and reopening logged.

Reporting reads every domain and writes none of theirs; these are its own tables, written only by
``reporting/services.py``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from network.models import Network
from partners.choices import FundingSource

MAX_AMOUNT = Decimal("9999999999.99")


class FundingAmount(TimeStamped):
    """The amount a network had from one source in one calendar year (one row per network, year and source)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="funding_amounts")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("funding source"), max_length=32, choices=FundingSource.choices)
    amount = models.DecimalField(
        _("amount (PLN)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("funding amount")
        verbose_name_plural = _("funding amounts")
        ordering = ["-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["network", "year", "source"], name="funding_one_row_per_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.year} {self.source}: {self.amount}"


class ClosureStatus(models.TextChoices):
    CLOSED = "closed", _("closed and sent")
    REOPENED = "reopened", _("reopened for a correction")


class ReportClosure(TimeStamped):
    """A network's report for one period as its coordinator closed it: the figures frozen at that moment (the
    same ``MonitoringReport`` the page, the API and every export read), and the PDF that went to the region."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="report_closures")
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=16, choices=ClosureStatus.choices)
    snapshot = models.JSONField(_("frozen figures"), default=dict)
    pdf = models.BinaryField(_("PDF"), default=bytes)
    closed_at = models.DateTimeField(_("closed"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("closed by")
    )

    class Meta:
        verbose_name = _("closed report")
        verbose_name_plural = _("closed reports")
        ordering = ["-start", "network_id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "start", "end"], name="report_closure_one_per_period"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="report_closure_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.start}–{self.end} {self.status}"

    @property
    def is_closed(self) -> bool:
        return self.status == ClosureStatus.CLOSED


class ClosureAction(models.TextChoices):
    CLOSED = "closed", _("closed and sent to the region")
    REOPENED = "reopened", _("reopened for a correction")


class ReportClosureEvent(models.Model):
    """Every close and reopening of a period's report, with who did it, when, and the reason for a reopening."""

    id = models.BigAutoField(primary_key=True)
    closure = models.ForeignKey(ReportClosure, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=ClosureAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("closed report event")
        verbose_name_plural = _("closed report events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.closure_id} {self.action} {self.at}"
