"""People supported, their consents, their case (path) and the access log.

Everything about a person after a psychiatric crisis is sensitive. Fields belong to data categories
(PERSON_FIELD_CATEGORIES); a reader receives only the categories their access allows.
"""

from __future__ import annotations

import datetime
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from core.models import TimeStamped
from network.models import Network
from partners.choices import PartnerType, PathStage
from partners.models import Partner
from partners.uploads import upload_path
from partners.validators import validate_pesel, validate_postal_code


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("identity data")
    SOCIAL = "social", _("social and living situation")
    HEALTH = "health", _("health information")
    EMPLOYMENT = "employment", _("employment information")


class Sex(models.TextChoices):
    FEMALE = "female", _("woman")
    MALE = "male", _("man")
    UNKNOWN = "unknown", _("not given")


class DisabilityLevel(models.TextChoices):
    NONE = "", _("none or not given")
    LIGHT = "light", _("light")
    MODERATE = "moderate", _("moderate")
    SIGNIFICANT = "significant", _("significant")


class PreferredContact(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    CASE_MANAGER = "case_manager", _("through the case manager")
    GUARDIAN = "guardian", _("through the legal guardian")


# Which category each readable field of Person belongs to. "id" and the network are always shown.
PERSON_FIELD_CATEGORIES: dict[str, str] = {
    "first_name": DataCategory.IDENTITY,
    "last_name": DataCategory.IDENTITY,
    "birth_date": DataCategory.IDENTITY,
    "birth_year": DataCategory.IDENTITY,
    "pesel": DataCategory.IDENTITY,
    "sex": DataCategory.IDENTITY,
    "phone": DataCategory.IDENTITY,
    "email": DataCategory.IDENTITY,
    "street": DataCategory.IDENTITY,
    "postal_code": DataCategory.IDENTITY,
    "city": DataCategory.IDENTITY,
    "gmina_teryt": DataCategory.IDENTITY,
    "gmina_name": DataCategory.IDENTITY,
    "guardian_name": DataCategory.IDENTITY,
    "guardian_contact": DataCategory.IDENTITY,
    "preferred_contact": DataCategory.IDENTITY,
    "social_situation": DataCategory.SOCIAL,
    "disability_level": DataCategory.HEALTH,
    "disability_symbol": DataCategory.HEALTH,
    "health_notes": DataCategory.HEALTH,
    "skills_experience": DataCategory.EMPLOYMENT,
    "work_support_needs": DataCategory.EMPLOYMENT,
}

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "đ": "d"})


def normalise_name(first_name: str, last_name: str) -> str:
    """Lower-case, Polish diacritics folded, single spaces: 'Łucja  Żółć' -> 'lucja zolc'."""
    text = f"{first_name} {last_name}".translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def pesel_birth_date(pesel: str) -> datetime.date | None:
    """The birth date a valid PESEL encodes (localflavor validates the checksum; this reads the date)."""
    from localflavor.pl.forms import PLPESELField

    field = PLPESELField()
    if len(pesel) != 11 or not pesel.isdigit() or not field.has_valid_birth_date(pesel):
        return None
    return field.birth_date


def pesel_sex(pesel: str) -> str:
    return Sex.FEMALE if int(pesel[9]) % 2 == 0 else Sex.MALE


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> PersonQuerySet:
        return self.filter(anonymised_at__isnull=True)

    def unmerged(self) -> PersonQuerySet:
        return self.filter(merged_into__isnull=True)


class Person(TimeStamped):
    """A person supported (uczestnik). Registered in one network by its coordinator."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="people", verbose_name=_("network"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    normalised_name = models.CharField(max_length=210, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("When the full birth date is not known."),
    )
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True, validators=[validate_pesel])
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True, validators=[validate_postal_code])
    city = models.CharField(_("city"), max_length=100, blank=True)
    gmina_teryt = models.CharField(
        _("municipality TERYT code"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^\d{7}$", _("A municipality TERYT code has 7 digits."))],
    )
    gmina_name = models.CharField(_("municipality"), max_length=100, blank=True)
    guardian_name = models.CharField(_("legal guardian"), max_length=150, blank=True)
    guardian_contact = models.CharField(_("legal guardian's contact"), max_length=150, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=16, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    social_situation = models.TextField(_("social and living situation"), blank=True)
    disability_level = models.CharField(
        _("disability level"), max_length=12, choices=DisabilityLevel.choices, blank=True, default=""
    )
    disability_symbol = models.CharField(
        _("disability symbol"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{2}-[A-Z]$", _("The symbol looks like 02-P."))],
    )
    health_notes = models.TextField(_("health notes"), blank=True)
    skills_experience = models.TextField(_("skills and work experience"), blank=True)
    work_support_needs = models.TextField(
        _("support needed at work"), blank=True, help_text=_("Only what the person agreed to share with employers.")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    # The partner through whose door the person first came, when its staff registered them (not the coordinator):
    # its staff read what the consent they recorded gives it (the person grant policy, referrals/access.py).
    door_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("registered at"),
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # A duplicate merged into another record (people/merging.py): it keeps its rows of the append-only access log,
    # which the kept record shows as its own, and is hidden everywhere else.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="merged_records"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        db_table = "network_person"
        verbose_name = _("person supported")
        verbose_name_plural = _("people supported")
        # Per-object grants by data category: a receiving partner reads only what a referral shared.
        permissions = [
            ("read_identity", "Can read the person's identity data"),
            ("read_social", "Can read the person's social situation"),
            ("read_health", "Can read the person's health information"),
            ("read_employment", "Can read the person's employment information"),
        ]
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "pesel"], condition=~Q(pesel=""), name="person_pesel_unique_in_network"
            ),
        ]
        indexes = [
            models.Index(fields=["network", "normalised_name", "birth_date"], name="person_duplicate_lookup"),
            models.Index(fields=["network", "last_name", "first_name"], name="person_list"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column only: the rules about names live in the services.
        self.normalised_name = normalise_name(self.first_name, self.last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"first_name", "last_name"} & set(update_fields)):
            kwargs["update_fields"] = {*update_fields, "normalised_name"}
        super().save(*args, **kwargs)

    @property
    def year_of_birth(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-FK grant table for people (a partner's group may read some categories of a person)."""

    content_object = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "network_persongroupobjectpermission"
        abstract = False
        indexes = [models.Index(fields=["group", "content_object"], name="person_grant_lookup")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.permission_id} on {self.content_object_id}"


CATEGORY_PERMISSIONS = {category: f"read_{category}" for category in ("identity", "social", "health", "employment")}


class GivenBy(models.TextChoices):
    PERSON = "person", _("the person")
    GUARDIAN = "guardian", _("the legal guardian")


def consent_upload_to(instance: Consent, filename: str) -> str:
    # A generated name whose extension is that of the detected type (people/services.py), never the uploader's.
    return upload_path(f"consents/{instance.person_id}", filename)


class ConsentQuerySet(models.QuerySet["Consent"]):
    def live(self, on: datetime.date | None = None) -> ConsentQuerySet:
        day = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def covering(self, partner: Partner) -> ConsentQuerySet:
        """Consents whose scope names this partner or its type."""
        return self.filter(Q(partners=partner) | Q(partner_types__contains=[partner.type])).distinct()


class Consent(TimeStamped):
    """A consent (zgoda) to share categories of a person's data with partners or types of partners."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents", verbose_name=_("person"))
    partners = models.ManyToManyField(Partner, blank=True, related_name="+", verbose_name=_("partners"))
    partner_types = ArrayField(
        models.CharField(max_length=32, choices=PartnerType.choices),
        default=list,
        blank=True,
        verbose_name=_("partner types"),
    )
    categories = ArrayField(
        models.CharField(max_length=16, choices=DataCategory.choices), verbose_name=_("data categories")
    )
    purpose = models.TextField(_("purpose"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.PERSON)
    document = models.FileField(_("signed document"), upload_to=consent_upload_to, blank=True)
    document_type = models.CharField(max_length=40, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_note = models.CharField(_("note on withdrawal"), max_length=255, blank=True)
    # When the job ran the end of a consent that ended by date (its shares stopped, people told): once only.
    expiry_handled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        db_table = "network_consent"
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(categories__len__gte=1),
                name="consent_has_a_category",
                violation_error_message=_("Choose at least one data category."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_dates",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["person", "withdrawn_at"], name="consent_person_live")]

    def __str__(self) -> str:
        return f"{self.person} — {', '.join(self.categories)}"

    def is_live(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.valid_from <= day
            and (self.valid_until is None or self.valid_until >= day)
        )

    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]

    def partner_type_labels(self) -> list[str]:
        labels = dict(PartnerType.choices)
        return [str(labels.get(code, code)) for code in self.partner_types]


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(closed_on__isnull=True)


class Case(TimeStamped):
    """A person's path (ścieżka wsparcia) in a network, run by a case manager at a partner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person"))
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="cases", verbose_name=_("network"))
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    managing_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("managing partner"),
    )
    stage = models.CharField(_("stage"), max_length=32)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closing_note = models.CharField(_("closing note"), max_length=255, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        db_table = "network_case"
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "network"], condition=Q(closed_on__isnull=True), name="one_open_case_per_network"
            ),
        ]
        indexes = [models.Index(fields=["network", "stage"], name="case_network_stage")]

    def __str__(self) -> str:
        return f"{self.person} ({self.stage})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def stage_label(self) -> str:
        return dict(self.network.stage_choices()).get(self.stage, self.stage)

    def label_of_stage(self, code: str) -> str:
        """Any stage of this case's network by its name there (a timeline row names the stage it moved to)."""
        labels = dict(self.network.stage_choices())
        return str(labels.get(code) or dict(PathStage.choices).get(code, code))


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("case opened")
    STAGE = "stage", _("stage changed")
    TRANSFER = "transfer", _("case transferred")
    CLOSED = "closed", _("case closed")


class CaseEvent(models.Model):
    """One row per change of a case: who, when, from what to what."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=CaseEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_stage = models.CharField(max_length=32, blank=True)
    to_stage = models.CharField(max_length=32, blank=True)
    from_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "network_caseevent"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"

    @property
    def to_stage_label(self) -> str:
        return self.case.label_of_stage(self.to_stage) if self.to_stage else ""


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CREATE = "create", _("registered")
    CHANGE = "change", _("changed")
    EXPORT = "export", _("exported")
    DOWNLOAD = "download", _("downloaded a document")
    ANONYMISE = "anonymise", _("anonymised")


class AccessChannel(models.TextChoices):
    """How a row of the access log was read; the person page, its export and the admin show the label."""

    PAGE = "page", _("web page")
    API = "api", _("API")
    FHIR = "fhir", _("FHIR interface (a partner's system)")
    COMMAND = "command", _("administrator's command")


class AccessLog(models.Model):
    """Append-only record of who read or changed a person's data (a trigger refuses UPDATE and DELETE).

    It never stores health text: ``detail`` names what was touched (a field list, a document id), not content.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_log")
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    channel = models.CharField(max_length=10, default=AccessChannel.PAGE, choices=AccessChannel.choices)
    view = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "network_accesslog"
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="access_log_person")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class PersonMerge(models.Model):
    """Two records of one person made one (people/merging.py): the trace shown on the kept record, with what moved.
    Written once, never changed."""

    id = models.BigAutoField(primary_key=True)
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges")
    merged = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="merge_into")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    # What moved, by kind: {"consents": 2, "cases": 1, "referrals": 3, ...}.
    moved = models.JSONField(default=dict)
    # The merged record as it was (name, birth date, PESEL's last digits), for the trace on the kept one.
    merged_label = models.CharField(max_length=255)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"
