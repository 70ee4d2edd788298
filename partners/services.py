"""Writes for partners, their staff and services. Each checks the actor, validates, saves in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.sessions import end_everything
from core.errors import Conflict, IllegalTransition, PermissionDenied
from core.scope import forget_scope
from notifications.services import notify
from partners.access import can_manage_partner
from partners.choices import STAFF_TRANSITIONS, PartnerType, StaffEventAction, StaffRole, StaffStatus
from partners.models import Partner, StaffMembership, StaffMembershipEvent, User
from partners.overseers import overseers_of
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
#
# Staff membership is the key to a partner's people, so it is never handed to an account behind its back:
# a partner admin creates a new account (active at once, it is the partner's own), or invites an existing one,
# which stays PENDING (no group, no scope) until that user confirms it. Only the operator sets up an active
# membership for an existing account (a partner's first admin), and the operator never holds one. Every change
# writes a StaffMembershipEvent and tells the coordinators of the partner's networks, in the same transaction.

LIVE_STATUSES = (StaffStatus.PENDING, StaffStatus.ACTIVE)

_TOLD: dict[str, Any] = {
    StaffEventAction.ADDED: gettext_lazy("%(actor)s added %(user)s to the staff of %(partner)s as %(role)s."),
    StaffEventAction.INVITED: gettext_lazy(
        "%(actor)s invited %(user)s to the staff of %(partner)s as %(role)s; it takes effect when they confirm."
    ),
    StaffEventAction.CONFIRMED: gettext_lazy(
        "%(user)s confirmed the invitation and works for %(partner)s as %(role)s."
    ),
    StaffEventAction.DECLINED: gettext_lazy("%(user)s declined the invitation to the staff of %(partner)s."),
    StaffEventAction.ROLE_CHANGED: gettext_lazy(
        "%(actor)s changed the role of %(user)s at %(partner)s from %(role_before)s to %(role)s."
    ),
    StaffEventAction.DEACTIVATED: gettext_lazy("%(actor)s ended the staff membership of %(user)s at %(partner)s."),
    StaffEventAction.REACTIVATED: gettext_lazy("%(actor)s made %(user)s active again at %(partner)s as %(role)s."),
}
# What a move of staff_update is called in the log.
_STATUS_ACTIONS: dict[str, str] = {
    StaffStatus.ENDED: StaffEventAction.DEACTIVATED,
    StaffStatus.PENDING: StaffEventAction.INVITED,
    StaffStatus.ACTIVE: StaffEventAction.REACTIVATED,
}
_TOLD_INVITEE = gettext_lazy(
    "%(actor)s invites you to work for %(partner)s as %(role)s. Accept or decline on your start page."
)


def _sync_group(membership: StaffMembership) -> None:
    """The partner's group holds exactly its active staff."""
    from notifications.groups import refresh_user_groups

    if membership.is_active:
        membership.user.groups.add(membership.partner.group)
    else:
        membership.user.groups.remove(membership.partner.group)
    forget_scope(membership.user)
    refresh_user_groups(membership.user_id)


def refuse_superuser(user: User) -> None:
    """The operator administers the system and sees no person, so it never works for a partner."""
    if user.is_superuser:
        raise Conflict(
            _("The operator's account (a superuser) cannot be a partner's staff member. Use a separate account."),
            code="superuser",
        )


def require_one_partner_kind(*, user: User, partner: Partner, partner_type: str | None = None) -> None:
    """An account works for employers or for the other partners (health, social, ...), never for both.

    The one place of the rule: an employer's account must not reach a health or social partner's people, and
    the other way round. Pending invitations count as work; ``partner_type`` checks a type a partner would get.
    """
    employer = (partner_type or partner.type) == PartnerType.EMPLOYER
    elsewhere = StaffMembership.objects.filter(user=user, status__in=LIVE_STATUSES).exclude(partner=partner)
    if employer:
        clash = elsewhere.exclude(partner__type=PartnerType.EMPLOYER)
    else:
        clash = elsewhere.filter(partner__type=PartnerType.EMPLOYER)
    if clash.exists():
        message = (
            _("%(user)s works for a partner that is not an employer; an employer's staff needs a separate account.")
            if employer
            else _("%(user)s works for an employer; a health or social partner's staff needs a separate account.")
        )
        raise Conflict(message % {"user": user}, code="partner_kind")


def require_partner_kind_kept(*, partner: Partner, new_type: str) -> None:
    """A partner changing between employer and not-employer must not carry its staff across the line."""
    if (partner.type == PartnerType.EMPLOYER) == (new_type == PartnerType.EMPLOYER):
        return
    staff = User.objects.filter(staff_memberships__partner=partner, staff_memberships__status__in=LIVE_STATUSES)
    for user in staff:
        require_one_partner_kind(user=user, partner=partner, partner_type=new_type)


def _lock_user(user: User) -> None:
    # Two invitations or confirmations of one account at once must not both pass the partner-kind rule.
    User.objects.select_for_update().filter(pk=user.pk).first()


def _move(membership: StaffMembership, status: str) -> None:
    if status not in STAFF_TRANSITIONS[membership.status]:
        raise IllegalTransition(
            _("This staff membership is %(status)s; it cannot become %(new)s.")
            % {"status": membership.get_status_display(), "new": StaffStatus(status).label}
        )
    membership.status = status
    membership.is_active = status == StaffStatus.ACTIVE


def _partner_admins(partner: Partner) -> list[User]:
    return list(
        User.objects.filter(
            staff_memberships__partner=partner,
            staff_memberships__role=StaffRole.ADMIN,
            staff_memberships__is_active=True,
            is_active=True,
        )
    )


def _record(
    membership: StaffMembership, *, actor: User, action: str, role_before: str, status_before: str
) -> StaffMembershipEvent:
    """The change's log row, and the notice to the coordinators (to the invitee too, and to the partner's admins
    when the invitee answers). The text names people and the partner only."""
    event = StaffMembershipEvent.objects.create(
        membership=membership,
        actor=actor,
        action=action,
        role_before=role_before,
        role_after=membership.role,
        status_before=status_before,
        status_after=membership.status,
    )
    partner, user = membership.partner, membership.user

    def text(message: Any) -> Callable[[], str]:
        def render() -> str:
            return str(message) % {
                "actor": actor,
                "user": f"{user} ({user.username})",
                "partner": partner,
                "role": StaffRole(membership.role).label,
                "role_before": StaffRole(role_before).label if role_before else "—",
            }

        return render

    watchers = overseers_of(partner)
    if action in (StaffEventAction.CONFIRMED, StaffEventAction.DECLINED):
        watchers += _partner_admins(partner)
    watchers = [w for w in watchers if w.pk not in (actor.pk, user.pk)]
    url = reverse("partner-detail", args=[partner.pk])
    notify(recipients=watchers, kind="staff_membership", text=text(_TOLD[action]), obj=membership, url=url)
    if action == StaffEventAction.INVITED:
        notify(
            recipients=[user], kind="staff_invitation", text=text(_TOLD_INVITEE), obj=membership, url=reverse("home")
        )
    return event


def _clean_role(role: str) -> None:
    if role not in StaffRole.values:
        raise ValidationError({"role": _("Choose a valid role.")})


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
    """Create an account that gets an e-mail to set its password (active at once), or invite an existing one
    (pending until it confirms; the operator's setup is active at once)."""
    if not can_manage_partner(actor, partner):
        raise PermissionDenied
    _clean_role(role)
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
    refuse_superuser(user)
    _lock_user(user)
    membership = StaffMembership.objects.select_for_update().filter(user=user, partner=partner).first()
    if membership is not None and membership.status == StaffStatus.ACTIVE:
        raise Conflict(_("%(user)s already works for this partner.") % {"user": user}, code="already_staff")
    if membership is not None and membership.status == StaffStatus.PENDING:
        raise Conflict(_("%(user)s is already invited to this partner.") % {"user": user}, code="already_invited")
    require_one_partner_kind(user=user, partner=partner)
    # A new account is the partner's own; the operator sets up partners' first admins. Anyone else confirms.
    confirmed = created or actor.is_superuser
    target = StaffStatus.ACTIVE if confirmed else StaffStatus.PENDING
    if membership is None:
        membership = StaffMembership(user=user, partner=partner, status=target, is_active=confirmed)
        role_before = status_before = ""
    else:
        role_before, status_before = membership.role, membership.status
        _move(membership, target)
    membership.role = role
    membership.job_title = job_title.strip()
    membership.full_clean()
    membership.save()
    _sync_group(membership)
    action = StaffEventAction.ADDED if confirmed else StaffEventAction.INVITED
    _record(membership, actor=actor, action=action, role_before=role_before, status_before=status_before)
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
    """Change a role, end a membership (or withdraw an invitation), or take someone back: an existing account
    comes back through a new invitation it confirms, unless the operator does it."""
    if not can_manage_partner(actor, membership.partner):
        raise PermissionDenied
    membership = (
        StaffMembership.objects.select_for_update().select_related("user", "partner__group").get(pk=membership.pk)
    )
    role_before, status_before = membership.role, membership.status
    if role is not None:
        _clean_role(role)
        membership.role = role
    if job_title is not None:
        membership.job_title = job_title.strip()
    live = membership.status in LIVE_STATUSES
    if is_active is False and live:
        _move(membership, StaffStatus.ENDED)
    elif is_active is True and not live:
        refuse_superuser(membership.user)
        _lock_user(membership.user)
        require_one_partner_kind(user=membership.user, partner=membership.partner)
        _move(membership, StaffStatus.ACTIVE if actor.is_superuser else StaffStatus.PENDING)
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
    action: str | None = None
    if membership.status != status_before:
        action = _STATUS_ACTIONS[membership.status]
    elif membership.role != role_before:
        action = StaffEventAction.ROLE_CHANGED
    if action is not None:
        _record(membership, actor=actor, action=action, role_before=role_before, status_before=status_before)
    return membership


@transaction.atomic
def staff_confirm(*, actor: User, membership: StaffMembership) -> StaffMembership:
    """The invited user accepts: from now on they are the partner's staff (group and scope)."""
    return _answer(actor=actor, membership=membership, accept=True)


@transaction.atomic
def staff_decline(*, actor: User, membership: StaffMembership) -> StaffMembership:
    """The invited user refuses: the membership gives nothing and stays as a record."""
    return _answer(actor=actor, membership=membership, accept=False)


def _answer(*, actor: User, membership: StaffMembership, accept: bool) -> StaffMembership:
    membership = (
        StaffMembership.objects.select_for_update().select_related("user", "partner__group").get(pk=membership.pk)
    )
    if membership.user_id != actor.pk:
        # Only the invited account answers its invitation; nobody answers for it.
        raise PermissionDenied
    if membership.status != StaffStatus.PENDING:
        raise IllegalTransition(_("This invitation is no longer waiting for an answer."), code="not_pending")
    status_before = membership.status
    if accept:
        refuse_superuser(membership.user)
        _lock_user(membership.user)
        require_one_partner_kind(user=membership.user, partner=membership.partner)
    _move(membership, StaffStatus.ACTIVE if accept else StaffStatus.DECLINED)
    membership.full_clean()
    membership.save()
    _sync_group(membership)
    action = StaffEventAction.CONFIRMED if accept else StaffEventAction.DECLINED
    _record(membership, actor=actor, action=action, role_before=membership.role, status_before=status_before)
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
            "base_url": settings.SITE_URL,
        }
        subject = _("Your account in the local cooperation network")
        body = render_to_string("partners/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Sign a user out of everything: no more sign-in; sessions, tokens and open sockets end with it."""

    if not actor.is_superuser and not any(
        can_manage_partner(actor, m.partner) for m in user.staff_memberships.select_related("partner")
    ):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_everything(user, reason="deactivated", actor=actor)
    return user


# --- the user's own account -----------------------------------------------------------------------

ACCOUNT_FIELDS = ["first_name", "last_name", "email", "language", "email_notifications"]


@transaction.atomic
def account_update(*, actor: User, data: dict[str, Any]) -> User:
    """The signed-in user changes their own name, e-mail, language and how notifications reach them (the account
    page and ``PATCH /api/v1/me/``); nothing else of the account, and no one else's."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    apply_fields(user, data, ACCOUNT_FIELDS)
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in ACCOUNT_FIELDS])
    user.save(update_fields=list(data))
    return user
