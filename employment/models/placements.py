"""Supported job placements (oferty pracy wspomaganej) that employers post, and their guardian grant table.

Imported at the end of ``partners/models.py`` so that Django finds the models in the app's models module.
The network is referenced by name: ``network.models`` imports ``partners.models`` itself.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from core.models import TimeStamped
from partners.models import Partner
from partners.validators import validate_postal_code

MAX_HOURS_PER_WEEK = 60


class ContractForm(models.TextChoices):
    EMPLOYMENT_CONTRACT = "employment_contract", _("employment contract")
    INTERNSHIP = "internship", _("internship")
    JOB_TRIAL = "job_trial", _("job trial")
    OTHER = "other", _("other form")


class SupportOffered(models.TextChoices):
    JOB_COACH = "job_coach", _("job coach")
    ADAPTED_WORKSTATION = "adapted_workstation", _("adapted workstation")
    FLEXIBLE_HOURS = "flexible_hours", _("flexible hours")
    WORKPLACE_MENTOR = "workplace_mentor", _("mentor at work")


class JobPlacementQuerySet(models.QuerySet["JobPlacement"]):
    def open(self) -> JobPlacementQuerySet:
        """Open for proposals: not closed by the employer and the closing date (if any) not passed."""
        today = timezone.localdate()
        return self.filter(is_open=True).filter(Q(closing_date__isnull=True) | Q(closing_date__gte=today))


class JobPlacement(TimeStamped):
    """A supported job placement an employer offers in a network (oferta pracy wspomaganej)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employer = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="placements", verbose_name=_("employer")
    )
    network = models.ForeignKey(
        "network.Network", on_delete=models.PROTECT, related_name="placements", verbose_name=_("network")
    )
    title = models.CharField(_("position"), max_length=200)
    description = models.TextField(_("duties and requirements"), blank=True)
    workplace = models.CharField(
        _("workplace"), max_length=200, help_text=_("E.g. the warehouse, the shop, the office.")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True, validators=[validate_postal_code])
    city = models.CharField(_("city"), max_length=100, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)]
    )
    contract_form = models.CharField(_("form of employment"), max_length=24, choices=ContractForm.choices)
    support_offered = ArrayField(
        models.CharField(max_length=24, choices=SupportOffered.choices),
        default=list,
        blank=True,
        verbose_name=_("support offered"),
    )
    positions = models.PositiveSmallIntegerField(_("positions"), default=1, validators=[MinValueValidator(1)])
    # People currently employed on this placement. Only the application services change it, under a row lock;
    # the check constraint below is the database's own guarantee that hires never exceed positions.
    hired_count = models.PositiveSmallIntegerField(_("people employed"), default=0, editable=False)
    is_open = models.BooleanField(_("open"), default=True)
    closing_date = models.DateField(_("closing date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = JobPlacementQuerySet.as_manager()

    class Meta:
        db_table = "partners_jobplacement"
        verbose_name = _("supported job placement")
        verbose_name_plural = _("supported job placements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(positions__gte=1),
                name="placement_positions_positive",
                violation_error_message=_("A placement has at least one position."),
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1) & Q(hours_per_week__lte=MAX_HOURS_PER_WEEK),
                name="placement_hours_range",
                violation_error_message=_("Hours per week must be between 1 and 60."),
            ),
            models.CheckConstraint(
                condition=Q(hired_count__lte=F("positions")),
                name="placement_hires_within_positions",
                violation_error_message=_("The number of positions cannot be lower than the people already employed."),
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "-created_at"], name="placement_employer"),
            models.Index(fields=["network", "is_open", "closing_date"], name="placement_network_open"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def free_positions(self) -> int:
        return max(self.positions - self.hired_count, 0)

    @property
    def is_accepting(self) -> bool:
        """Open, before its closing date and with a position still free: new candidates may be proposed."""
        return (
            self.is_open
            and (self.closing_date is None or self.closing_date >= timezone.localdate())
            and self.hired_count < self.positions
        )

    @property
    def is_filled(self) -> bool:
        return self.hired_count >= self.positions

    @property
    def address(self) -> str:
        return ", ".join(part for part in [self.street, f"{self.postal_code} {self.city}".strip()] if part)

    def support_labels(self) -> list[str]:
        labels = dict(SupportOffered.choices)
        return [str(labels.get(code, code)) for code in self.support_offered]


class JobPlacementGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-FK grant table for placements: the employer's group views and edits its own."""

    content_object = models.ForeignKey(JobPlacement, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "partners_jobplacementgroupobjectpermission"
        abstract = False
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="placement_grant_lookup")]
