"""A person's path in detail: support plan, assessments, activities, support groups and meetings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from network.models import Network
from partners.models import Partner, Service
from people.models.persons import Case, Person


class LifeDomain(models.TextChoices):
    """Domains of everyday life used by support-plan goals and by the default assessment instrument."""

    SELF_CARE = "self_care", _("self-care")
    HOUSING = "housing", _("housing")
    MONEY = "money", _("money")
    DAILY_ACTIVITY = "daily_activity", _("daily activity")
    SOCIAL_CONTACTS = "social_contacts", _("social contacts")
    FAMILY = "family", _("family")
    WORK_EDUCATION = "work_education", _("work or education")
    PHYSICAL_HEALTH = "physical_health", _("physical health")
    CRISIS_COPING = "crisis_coping", _("coping with crises")
    OFFICIAL_MATTERS = "official_matters", _("official matters")


class SupportPlan(TimeStamped):
    """Indywidualny plan wsparcia of a case. One current plan per case; older ones stay as history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    agreed_on = models.DateField(_("agreed on"), default=timezone.localdate)
    is_current = models.BooleanField(_("current"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "network_supportplan"
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["-agreed_on"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(is_current=True), name="one_current_plan_per_case")
        ]


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    ACHIEVED = "achieved", _("achieved")
    PARTIALLY = "partially", _("partially achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")
    DROPPED = "dropped", _("dropped")


class Goal(TimeStamped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="goals")
    domain = models.CharField(_("life domain"), max_length=20, choices=LifeDomain.choices)
    description = models.TextField(_("goal"))
    responsible_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("responsible")
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.PLANNED)

    class Meta:
        db_table = "network_goal"
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "created_at"]


class GoalReview(models.Model):
    id = models.BigAutoField(primary_key=True)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("review date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "network_goalreview"
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.reviewed_on}"


class Instrument(TimeStamped):
    """An assessment instrument defined as data. ``network`` empty = shared by every network."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, null=True, blank=True, related_name="instruments")
    code = models.SlugField(_("code"), max_length=50)
    name_pl = models.CharField(_("name (Polish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("lowest level"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest level"), default=5)
    is_active = models.BooleanField(_("active"), default=True)
    # Versions of one instrument share its code; a new version is a new row (people/assessments.py), so a past
    # assessment keeps the domains and level descriptions it was made with.
    # db_default too: the seed migration of the default instrument (an older model) may be re-applied after this.
    version = models.PositiveSmallIntegerField(_("version"), default=1, db_default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="next_version"
    )

    class Meta:
        db_table = "network_instrument"
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "code", "version"], name="instrument_code_version_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="instrument_scale"),
        ]

    def __str__(self) -> str:
        return self.name_pl


class InstrumentDomain(models.Model):
    id = models.BigAutoField(primary_key=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    name_pl = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)

    class Meta:
        db_table = "network_instrumentdomain"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="instrument_domain_unique")]

    def __str__(self) -> str:
        return self.name_pl


class InstrumentLevel(models.Model):
    """The plain-language description of one level of one domain."""

    id = models.BigAutoField(primary_key=True)
    domain = models.ForeignKey(InstrumentDomain, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField()
    description_pl = models.TextField()
    description_en = models.TextField()

    class Meta:
        db_table = "network_instrumentlevel"
        ordering = ["value"]
        constraints = [models.UniqueConstraint(fields=["domain", "value"], name="instrument_level_unique")]

    def __str__(self) -> str:
        return f"{self.domain_id}: {self.value}"


class Assessment(TimeStamped):
    """A dated result of an instrument for a person (health category: it describes functioning)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("assessment date"), default=timezone.localdate)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "network_assessment"
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["assessed_on", "created_at"]
        indexes = [models.Index(fields=["person", "assessed_on"], name="assessment_person_date")]


class AssessmentScore(models.Model):
    id = models.BigAutoField(primary_key=True)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(InstrumentDomain, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        db_table = "network_assessmentscore"
        constraints = [models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_score_unique")]

    def __str__(self) -> str:
        return f"{self.domain_id}={self.value}"


class ActivityKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    GROUP = "group", _("group")


class Activity(TimeStamped):
    """A recorded contact or session (kontakt/usługa) with a person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="activities")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="activities")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="activities")
    kind = models.CharField(_("form"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.INDIVIDUAL)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "network_activity"
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_on", "-created_at"]
        indexes = [
            models.Index(fields=["person", "occurred_on"], name="activity_person_date"),
            models.Index(fields=["partner", "occurred_on"], name="activity_partner_date"),
        ]


class SupportGroup(TimeStamped):
    """An open group (people join and leave at any time), e.g. "Razem Łatwiej!" on Wednesdays 13:30."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="support_groups")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="support_groups")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(6)]
    )  # 0 = Monday
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("usual duration (minutes)"), default=90)
    place = models.CharField(_("place"), max_length=200, blank=True)
    leader = models.CharField(_("leader"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "network_supportgroup"
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name"]


class GroupMembership(models.Model):
    id = models.BigAutoField(primary_key=True)
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="group_memberships")
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        db_table = "network_groupmembership"
        ordering = ["joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=Q(left_on__isnull=True), name="one_open_group_membership"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="group_membership_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def held(self) -> MeetingQuerySet:
        """Meetings that took place: a cancelled one (entered by mistake) stays as a trace, counted nowhere."""
        return self.filter(cancelled_at__isnull=True)


class Meeting(TimeStamped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    leader = models.CharField(_("leader"), max_length=150, blank=True)
    attendees: models.ManyToManyField[Person, Attendance] = models.ManyToManyField(
        Person, through="Attendance", related_name="meetings"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason of the cancellation"), max_length=500, blank=True, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        db_table = "network_meeting"
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["group", "held_on"], name="meeting_group_date")]


class MeetingCorrectionKind(models.TextChoices):
    CORRECT = "correct", _("corrected")
    CANCEL = "cancel", _("cancelled")


class MeetingCorrection(models.Model):
    """The trace of a correction or cancellation of a meeting: who, when, why, and what changed (the fields before
    and after, the people added to and removed from the attendance). Written only by people/meeting_corrections.py."""

    id = models.BigAutoField(primary_key=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=8, choices=MeetingCorrectionKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    # {"field": [before, after]} for the meeting's own fields, dates as ISO strings.
    changes = models.JSONField(default=dict, blank=True)
    added = ArrayField(models.UUIDField(), default=list, blank=True)
    removed = ArrayField(models.UUIDField(), default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("meeting correction")
        verbose_name_plural = _("meeting corrections")

    def __str__(self) -> str:
        return f"{self.kind} {self.meeting_id}"

    @property
    def changed_labels(self) -> list[str]:
        """The changed fields as users read them, never their names."""
        return [str(getattr(Meeting._meta.get_field(name), "verbose_name", name)) for name in self.changes]


class Attendance(models.Model):
    id = models.BigAutoField(primary_key=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        db_table = "network_attendance"
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.meeting_id}"
