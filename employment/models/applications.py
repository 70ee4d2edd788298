"""Placement applications: a person proposed to an employer's supported job placement, moving through stages
like a referral (proposed → interview → offered → hired → retained 1/3/6 months, or declined/withdrawn/ended),
with a timeline, follow-along contacts of the job coach and guardian's direct-FK grant table.

Imported at the end of ``referrals/models.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase

from core.models import TimeStamped
from employment.models.placements import JobPlacement
from network.models import Network
from partners.models import Partner
from people.models import Activity, Case, Person


class Stage(models.TextChoices):
    # With a context: "declined" and "withdrawn" of a candidate read differently in Polish from a referral's.
    PROPOSED = "proposed", pgettext_lazy("placement stage", "proposed")
    INTERVIEW = "interview", pgettext_lazy("placement stage", "interview")
    OFFERED = "offered", pgettext_lazy("placement stage", "offered")
    HIRED = "hired", pgettext_lazy("placement stage", "hired")
    RETAINED_1M = "retained_1m", pgettext_lazy("placement stage", "retained after 1 month")
    RETAINED_3M = "retained_3m", pgettext_lazy("placement stage", "retained after 3 months")
    RETAINED_6M = "retained_6m", pgettext_lazy("placement stage", "retained after 6 months")
    DECLINED = "declined", pgettext_lazy("placement stage", "declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("placement stage", "withdrawn")
    ENDED = "ended", pgettext_lazy("placement stage", "employment ended")


STAGE_LABELS = dict(Stage.choices)


class ApplicationReason(models.TextChoices):
    POSITION_FILLED = "position_filled", _("the position was filled")
    NOT_SUITED = "not_suited", _("the candidate does not meet the requirements")
    PERSON_DECLINED = "person_declined", _("the person resigned")
    PERSON_UNREACHABLE = "person_unreachable", _("no contact with the person")
    CONTRACT_ENDED = "contract_ended", _("the contract ended")
    DISMISSED = "dismissed", _("the employer ended the contract")
    OPEN_MARKET = "open_market", _("moved to the open labour market")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("the consent was withdrawn or expired")
    OTHER = "other", _("other reason")


class ApplicationReasonOrigin(models.TextChoices):
    EMPLOYER = "employer", _("the employer")
    PERSON = "person", _("the person")
    NETWORK = "network", _("the proposing institution")


class ContactMode(models.TextChoices):
    AT_WORK = "at_work", _("at the workplace")
    OUTSIDE_WORK = "outside_work", _("outside work")
    PHONE = "phone", _("by phone")
    WITH_EMPLOYER = "with_employer", _("with the employer")


# The way to a job, in order; a stage may only advance to the next one.
LADDER: tuple[str, ...] = (
    Stage.PROPOSED,
    Stage.INTERVIEW,
    Stage.OFFERED,
    Stage.HIRED,
    Stage.RETAINED_1M,
    Stage.RETAINED_3M,
    Stage.RETAINED_6M,
)
BEFORE_HIRE: tuple[str, ...] = (Stage.PROPOSED, Stage.INTERVIEW, Stage.OFFERED)
EMPLOYED: tuple[str, ...] = (Stage.HIRED, Stage.RETAINED_1M, Stage.RETAINED_3M, Stage.RETAINED_6M)
ACTIVE: tuple[str, ...] = BEFORE_HIRE + EMPLOYED
TERMINAL: tuple[str, ...] = (Stage.DECLINED, Stage.WITHDRAWN, Stage.ENDED)
# Months after the hire at which retention is checked (fidelity of supported employment).
CHECKPOINT_MONTHS: dict[str, int] = {Stage.RETAINED_1M: 1, Stage.RETAINED_3M: 3, Stage.RETAINED_6M: 6}

# target stage -> stages it may be reached from. One table, next to the model (CONVENTIONS).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.INTERVIEW: (Stage.PROPOSED,),
    Stage.OFFERED: (Stage.INTERVIEW,),
    Stage.HIRED: (Stage.OFFERED,),
    Stage.RETAINED_1M: (Stage.HIRED,),
    Stage.RETAINED_3M: (Stage.RETAINED_1M,),
    Stage.RETAINED_6M: (Stage.RETAINED_3M,),
    Stage.DECLINED: BEFORE_HIRE,
    Stage.WITHDRAWN: BEFORE_HIRE,
    Stage.ENDED: EMPLOYED,
}
# Which coded reasons fit which ending.
REASONS_FOR: dict[str, tuple[str, ...]] = {
    Stage.DECLINED: (
        ApplicationReason.POSITION_FILLED,
        ApplicationReason.NOT_SUITED,
        ApplicationReason.PERSON_DECLINED,
        ApplicationReason.PERSON_UNREACHABLE,
        ApplicationReason.OTHER,
    ),
    Stage.WITHDRAWN: (
        ApplicationReason.PERSON_DECLINED,
        ApplicationReason.PERSON_UNREACHABLE,
        ApplicationReason.POSITION_FILLED,
        ApplicationReason.CONSENT_WITHDRAWN,
        ApplicationReason.OTHER,
    ),
    Stage.ENDED: (
        ApplicationReason.CONTRACT_ENDED,
        ApplicationReason.DISMISSED,
        ApplicationReason.PERSON_DECLINED,
        ApplicationReason.OPEN_MARKET,
        ApplicationReason.OTHER,
    ),
}


class PlacementApplicationQuerySet(models.QuerySet["PlacementApplication"]):
    def active(self) -> PlacementApplicationQuerySet:
        return self.filter(stage__in=ACTIVE)

    def employed(self) -> PlacementApplicationQuerySet:
        return self.filter(stage__in=EMPLOYED)


class PlacementApplication(TimeStamped):
    """A person proposed to a placement (by the coordinator, the labour office or a job coach)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(
        JobPlacement, on_delete=models.PROTECT, related_name="applications", verbose_name=_("placement")
    )
    # Copied from the placement so that lists narrow by an index before checking the grant (CONVENTIONS).
    employer = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+", editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+", editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="placement_applications", verbose_name=_("person")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_by_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
        help_text=_("Empty when the coordinator proposes."),
    )
    note = models.CharField(
        _("note for the employer"),
        max_length=500,
        blank=True,
        help_text=_("The employer reads it. Do not write about health or diagnosis."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PROPOSED)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    job_coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coached_applications",
        verbose_name=_("job coach"),
    )
    job_coach_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The retention checkpoint the coach was last reminded of, so that the background job reminds once.
    reminded_for = models.CharField(max_length=16, blank=True, editable=False)
    reason_code = models.CharField(_("reason"), max_length=20, choices=ApplicationReason.choices, blank=True)
    reason_origin = models.CharField(
        _("reason came from"), max_length=10, choices=ApplicationReasonOrigin.choices, blank=True
    )
    reason_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = PlacementApplicationQuerySet.as_manager()

    class Meta:
        db_table = "referrals_placementapplication"
        verbose_name = _("candidate for a placement")
        verbose_name_plural = _("candidates for placements")
        permissions = [("respond_placementapplication", "Can move a candidate through the stages")]
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "person"],
                condition=Q(stage__in=ACTIVE),
                name="application_one_active_per_person",
                violation_error_message=_("This person is already a candidate for this placement."),
            ),
            models.CheckConstraint(
                condition=Q(hired_on__isnull=False) | ~Q(stage__in=EMPLOYED),
                name="application_employed_has_hire_date",
            ),
        ]
        indexes = [
            models.Index(fields=["placement", "-created_at"], name="application_placement"),
            models.Index(fields=["employer", "-created_at"], name="application_employer"),
            models.Index(fields=["network", "stage"], name="application_network_stage"),
            models.Index(fields=["job_coach", "stage"], name="application_coach"),
            models.Index(fields=["proposed_by_partner", "-created_at"], name="application_proposer"),
            models.Index(fields=["person", "-created_at"], name="application_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.placement_id} ({self.stage})"

    @property
    def is_active(self) -> bool:
        return self.stage in ACTIVE

    @property
    def is_employed(self) -> bool:
        return self.stage in EMPLOYED


class ApplicationEvent(models.Model):
    """One timeline row per stage move: who, when, from, to, why."""

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(PlacementApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    # Whether the actor acted for the employer: the employer reads only its own notes, never the network's.
    by_employer = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    reason_code = models.CharField(max_length=20, blank=True)
    reason_origin = models.CharField(max_length=10, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "referrals_applicationevent"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["application", "at"], name="application_event_timeline"),
            models.Index(fields=["to_stage", "at"], name="application_event_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_stage} → {self.to_stage}"


class FollowAlongContact(models.Model):
    """A job coach's contact with a person they support at work. The minutes also count as an Activity of the
    coach's institution, so they appear in the person's hours and the network's reports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(PlacementApplication, on_delete=models.PROTECT, related_name="contacts")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    mode = models.CharField(_("form of contact"), max_length=16, choices=ContactMode.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "referrals_followalongcontact"
        verbose_name = _("follow-along contact")
        verbose_name_plural = _("follow-along contacts")
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["application", "occurred_on"], name="follow_along_application")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.mode} {self.minutes} min"


class PlacementApplicationGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-FK grant table for applications: the employer's group and the proposer's."""

    content_object = models.ForeignKey(PlacementApplication, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "referrals_placementapplicationgroupobjectpermission"
        abstract = False
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="application_grant_lookup")]
