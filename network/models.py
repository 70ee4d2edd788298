"""The local system: networks, partner membership and functions, coordinators, the cooperation agreement."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from partners.choices import FundingSource, PartnerFunction, PathStage
from partners.models import Partner
from partners.uploads import upload_path

teryt_validator = RegexValidator(
    r"^\d{4}(\d{3})?$",
    _("TERYT code has 4 digits (county) or 7 digits (municipality with its type), e.g. 2462011."),
)


def default_stages() -> list[dict[str, str]]:
    return [{"code": code, "name": ""} for code in PathStage.values]


class Network(TimeStamped):
    """A local cooperation network (lokalny system współdziałania) of one gmina or powiat."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255)
    teryt = models.CharField(_("TERYT code"), max_length=7, validators=[teryt_validator])
    territory_name = models.CharField(_("territory"), max_length=150, help_text=_("Municipality or county."))
    coordinating_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_networks",
        verbose_name=_("coordinating partner"),
    )
    start_date = models.DateField(_("start date"))
    description = models.TextField(_("scope of support"), blank=True)
    # Ordered stages of a person's path; "name" overrides the default label when not empty.
    stages = models.JSONField(_("path stages"), default=default_stages)
    # How long a partner has to answer a referral (DESIGN §4): working days for urgent, calendar days otherwise.
    answer_days_urgent = models.PositiveSmallIntegerField(_("answer time, urgent (working days)"), default=1)
    answer_days_normal = models.PositiveSmallIntegerField(_("answer time, normal (days)"), default=7)
    # What a person reads in "who saw my data" on their own pages: the institution and the role always, the staff
    # member's name only where the network's agreement says people are told it.
    show_staff_names_to_people = models.BooleanField(
        _("people see the names of staff who opened their record"),
        default=False,
        help_text=_("Otherwise a person sees the institution and the role only."),
    )
    coordinators_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="coordinated_network", editable=False
    )

    class Meta:
        verbose_name = _("local cooperation network")
        verbose_name_plural = _("local cooperation networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def stage_choices(self) -> list[tuple[str, str]]:
        labels = dict(PathStage.choices)
        return [(s["code"], s.get("name") or str(labels.get(s["code"], s["code"]))) for s in self.stages]


class NetworkMembershipQuerySet(models.QuerySet["NetworkMembership"]):
    def current(self) -> NetworkMembershipQuerySet:
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=today), since__lte=today)


class NetworkMembership(TimeStamped):
    """A partner in a network, with its functions in the system and its coordinating person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="network_memberships", verbose_name=_("partner")
    )
    functions = ArrayField(
        models.CharField(max_length=32, choices=PartnerFunction.choices), default=list, verbose_name=_("functions")
    )
    coordinating_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating person"),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    since = models.DateField(_("member since"))
    until = models.DateField(_("member until"), null=True, blank=True)

    objects = NetworkMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "partner"], name="network_membership_unique"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="network_membership_dates",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.network}"

    def function_labels(self) -> list[str]:
        labels = dict(PartnerFunction.choices)
        return [str(labels.get(code, code)) for code in self.functions]


class NetworkCoordinator(TimeStamped):
    """A user who coordinates a network. Services keep the network's coordinators group in step."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="coordinators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinatorships")

    class Meta:
        verbose_name = _("network coordinator")
        verbose_name_plural = _("network coordinators")
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="network_coordinator_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.network}"


def agreement_upload_to(instance: CooperationAgreement, filename: str) -> str:
    # Never reuse the uploaded name: it may carry personal data and must not be guessable. The extension is that of
    # the detected type (network/services.py).
    return upload_path(f"agreements/{instance.network_id}", filename)


class AgreementKind(models.TextChoices):
    AGREEMENT = "agreement", _("agreement")
    ANNEX = "annex", _("annex")


class AgreementQuerySet(models.QuerySet["CooperationAgreement"]):
    def versions(self) -> AgreementQuerySet:
        return self.filter(kind=AgreementKind.AGREEMENT)


class CooperationAgreement(TimeStamped):
    """The cooperation agreement (porozumienie o współpracy) the partners agree before the system starts.

    Its history is kept: a new version ends the one before it, and annexes (aneksy) amend a version from a date;
    ``network.agreements`` holds both kinds, ``.versions()`` the agreements themselves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(
        _("kind"), max_length=10, choices=AgreementKind.choices, default=AgreementKind.AGREEMENT, editable=False
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annexes",
        editable=False,
        verbose_name=_("amends"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    changes = models.TextField(_("what it changes"), blank=True)
    title = models.CharField(_("title"), max_length=255)
    procedures = models.TextField(_("procedures of cooperation"), blank=True)
    communication_means = models.TextField(_("means of communication"), blank=True)
    contact_persons = models.TextField(_("contact persons"), blank=True)
    funding_sources = ArrayField(
        models.CharField(max_length=32, choices=FundingSource.choices),
        default=list,
        blank=True,
        verbose_name=_("funding sources"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    document = models.FileField(_("signed document"), upload_to=agreement_upload_to, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_dates",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(kind="agreement", amends__isnull=True) | Q(kind="annex", amends__isnull=False),
                name="agreement_annex_amends_a_version",
                violation_error_message=_("An annex amends one version of the agreement."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def funding_labels(self) -> list[str]:
        labels = dict(FundingSource.choices)
        return [str(labels.get(code, code)) for code in self.funding_sources]


class DayOff(TimeStamped):
    """A day the network's partners do not work beyond the public holidays (e.g. a bridge day the county gives
    off): answer times in working days skip it (network/calendar.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="days_off")
    day = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["network", "day"], name="network_day_off_unique")]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.name}"
