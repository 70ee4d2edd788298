from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from notifications.choices import EmailNotifications
from partners.choices import FundingSource, PartnerType, PathStage, Sector, StaffEventAction, StaffRole, StaffStatus
from partners.validators import validate_nip, validate_postal_code, validate_regon


class User(AbstractUser):  # type: ignore[django-manager-missing]  # accounts.CodeDevice: django-otp abstract FK, unresolvable by the stubs
    """A person who signs in: coordinator, partner staff, employer, monitor or operator.

    Roles are not stored here: they follow from memberships (partner staff, network coordinators),
    except the regional monitor, who belongs to no partner and sees only aggregates.
    """

    class Language(models.TextChoices):
        POLISH = "pl", _("Polish")
        ENGLISH = "en", _("English")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.POLISH)

    EmailNotifications = EmailNotifications

    email_notifications = models.CharField(
        _("notifications by e-mail"),
        max_length=10,
        choices=EmailNotifications.choices,
        default=EmailNotifications.IMMEDIATE,
    )
    is_regional_monitor = models.BooleanField(
        _("regional monitor"),
        default=False,
        help_text=_("Sees anonymous aggregates across all networks and never a person."),
    )
    # A person supported (or their guardian) reading their own record: reaches only /moje/ and its API
    # (core.account_kinds). Set once, when the invitation is accepted; never a staff account as well.
    is_person_account = models.BooleanField(_("person's own account"), default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Partner(TimeStamped):
    """An institution of the local system (instytucja partnerska)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=PartnerType.choices, db_index=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(_("description"), blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    krs = models.CharField(
        _("KRS"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("KRS number consists of 10 digits."))],
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True, validators=[validate_postal_code])
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="partner", editable=False, verbose_name=_("staff group")
    )

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["regon"], condition=~Q(regon=""), name="partner_regon_unique"),
        ]
        indexes = [models.Index(fields=["name", "postal_code"], name="partner_name_postal")]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def address(self) -> str:
        return ", ".join(part for part in [self.street, f"{self.postal_code} {self.city}".strip()] if part)


class StaffMembership(TimeStamped):
    """A user working for a partner, with a role there. Only services change it (group kept in step)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_memberships", verbose_name=_("user"))
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="staff_memberships", verbose_name=_("partner")
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.STAFF)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StaffStatus.choices,
        default=StaffStatus.ACTIVE,
        db_default=StaffStatus.ACTIVE,
    )
    # Kept in step with ``status`` (the constraint below): every query of "who works there" reads this flag.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="staff_membership_unique"),
            models.CheckConstraint(
                condition=Q(is_active=True, status=StaffStatus.ACTIVE) | (Q(is_active=False) & ~Q(status="active")),
                name="staff_membership_active_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == StaffStatus.PENDING


class StaffMembershipEvent(models.Model):
    """One change of a staff membership: who did what, when, and the role and status before and after.

    Written by the staff services in the transaction of the change; never edited.
    """

    id = models.BigAutoField(primary_key=True)
    membership = models.ForeignKey(
        StaffMembership, on_delete=models.CASCADE, related_name="events", verbose_name=_("staff membership")
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    action = models.CharField(_("action"), max_length=16, choices=StaffEventAction.choices)
    role_before = models.CharField(_("role before"), max_length=16, choices=StaffRole.choices, blank=True)
    role_after = models.CharField(_("role after"), max_length=16, choices=StaffRole.choices)
    status_before = models.CharField(_("status before"), max_length=10, choices=StaffStatus.choices, blank=True)
    status_after = models.CharField(_("status after"), max_length=10, choices=StaffStatus.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staff membership change")
        verbose_name_plural = _("staff membership changes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.membership} — {self.get_action_display()}"


class ServiceQuerySet(models.QuerySet["Service"]):
    def with_free_places(self) -> ServiceQuerySet:
        """Services that can take someone now: no capacity limit, or places left."""
        return self.filter(Q(capacity__isnull=True) | Q(load__lt=F("capacity")))


class Service(TimeStamped):
    """A partner's offer (oferta) that people can be referred to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="services", verbose_name=_("partner"))
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category (path stage)"), max_length=32, choices=PathStage.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("who can use it"), blank=True)
    schedule = models.CharField(_("schedule"), max_length=255, blank=True)
    place = models.CharField(
        _("place"), max_length=255, blank=True, help_text=_("Street and number, if other than the partner's.")
    )
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True, validators=[validate_postal_code])
    city = models.CharField(_("city"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty when the number of places is not limited.")
    )
    load = models.PositiveIntegerField(_("places taken"), default=0)
    waitlist_enabled = models.BooleanField(_("waitlist"), default=True, help_text=_("When full, new referrals wait."))
    funding_source = models.CharField(_("funding source"), max_length=32, choices=FundingSource.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(load__lte=F("capacity")),
                name="service_load_within_capacity",
                violation_error_message=_("The number of places cannot be lower than the places already taken."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def free_places(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.load, 0)
