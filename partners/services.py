"""Writes for partners, their staff and services. Each checks the actor, validates, saves in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, PermissionDenied
from core.scope import forget_scope
from partners.access import can_manage_partner
from partners.choices import StaffRole
from partners.models import Partner, StaffMembership, User
from partners.validators import normalise_nip

PARTNER_FIELDS = [
    "name",
    "short_name",
    "type",
    "sector",
    "description",
    "regon",
    "nip",
    "krs",
    "street",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
]
SERVICE_FIELDS = [
    "name",
    "category",
    "description",
    "eligibility",
    "schedule",
    "place",
    "postal_code",
    "city",
    "capacity",
    "load",
    "waitlist_enabled",
    "funding_source",
    "is_active",
]


def apply_fields(instance: Any, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, name, value)
    if isinstance(instance, Partner) and instance.nip:
        instance.nip = normalise_nip(instance.nip)


# --- staff ----------------------------------------------------------------------------------------


def _sync_group(membership: StaffMembership) -> None:
    """The partner's group holds exactly its active staff."""
    from notifications.groups import refresh_user_groups

    if membership.is_active:
        membership.user.groups.add(membership.partner.group)
    else:
        membership.user.groups.remove(membership.partner.group)
    forget_scope(membership.user)
    refresh_user_groups(membership.user_id)


@transaction.atomic
def staff_add(
    *,
    actor: User,
    partner: Partner,
    role: str = StaffRole.STAFF,
    job_title: str = "",
    user: User | None = None,
    username: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    send_invitation: bool = True,
) -> StaffMembership:
    """Add an existing user, or create an account that gets an e-mail to set its password."""
    if not can_manage_partner(actor, partner):
        raise PermissionDenied
    if role not in StaffRole.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    created = False
    if user is None:
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("This field is required.")})
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, email=email.strip(), first_name=first_name.strip(), last_name=last_name.strip()
            )
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            created = True
    membership = StaffMembership.objects.filter(user=user, partner=partner).first()
    if membership is not None and membership.is_active:
        raise Conflict(_("%(user)s already works for this partner.") % {"user": user}, code="already_staff")
    if membership is None:
        membership = StaffMembership(user=user, partner=partner)
    membership.role = role
    membership.job_title = job_title.strip()
    membership.is_active = True
    membership.full_clean()
    membership.save()
    _sync_group(membership)
    if created and send_invitation and user.email:
        transaction.on_commit(lambda: send_invitation_email(user))
    return membership


@transaction.atomic
def staff_update(
    *,
    actor: User,
    membership: StaffMembership,
    role: str | None = None,
    is_active: bool | None = None,
    job_title: str | None = None,
) -> StaffMembership:
    if not can_manage_partner(actor, membership.partner):
        raise PermissionDenied
    membership = (
        StaffMembership.objects.select_for_update().select_related("user", "partner__group").get(pk=membership.pk)
    )
    if role is not None:
        if role not in StaffRole.values:
            raise ValidationError({"role": _("Choose a valid role.")})
        membership.role = role
    if job_title is not None:
        membership.job_title = job_title.strip()
    if is_active is not None:
        membership.is_active = is_active
    demoting_self = membership.user_id == actor.pk and (membership.role != StaffRole.ADMIN or not membership.is_active)
    if demoting_self and not actor.is_superuser:
        others = StaffMembership.objects.filter(
            partner=membership.partner, role=StaffRole.ADMIN, is_active=True
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise Conflict(_("A partner must keep at least one active admin."), code="last_admin")
    membership.full_clean()
    membership.save()
    _sync_group(membership)
    return membership


def send_invitation_email(user: User) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "base_url": getattr(settings, "SITE_URL", "http://127.0.0.1:8000"),
        }
        subject = _("Your account in the local cooperation network")
        body = render_to_string("partners/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Sign a user out of everything: no more sign-in, their open sockets are closed after commit."""
    from notifications.groups import revoke_user_sockets

    if not actor.is_superuser and not any(
        can_manage_partner(actor, m.partner) for m in user.staff_memberships.select_related("partner")
    ):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    revoke_user_sockets(user.pk)
    return user
