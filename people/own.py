"""The person's own account (or their legal guardian's): the invitation that creates it, and what it reads and does
on ``/moje/`` and ``/api/v1/me/person/`` (issue 18).

Access is one rule here: ``own_account(user)`` finds the account's person, and everything below reads that
person only. A staff account has no such row, so every own page and endpoint is a 404 to it; a person account
reaches nothing else (``core.account_kinds``). The withdrawal from here runs the same cascade as a coordinator's
(``people.services.consent_withdraw_checked``): the shares stop and the grants follow in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, PermissionDenied
from network.models import NetworkCoordinator
from partners.choices import StaffRole
from partners.models import StaffMembership, User
from people.access import access_to_person
from people.audit import log_access
from people.models import (
    INVITATION_HOURS,
    AccessAction,
    AccessLog,
    AccountRelation,
    Case,
    Consent,
    ContactBy,
    Goal,
    InvitationChannel,
    Meeting,
    Person,
    PersonAccount,
    PersonInvitation,
)
from people.services import consent_withdraw_checked, responsible_for


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- the invitation -------------------------------------------------------------------------------------------


class InvitationInvalid(Conflict):
    """The link is unknown, used, cancelled or past its 72 hours: all look the same to whoever holds it."""

    code = "invitation_invalid"

    def __init__(self) -> None:
        super().__init__(
            _(
                "This link does not work any more. It may have been used already or be older than 3 days. "
                "Ask your case manager for a new one."
            )
        )


@transaction.atomic
def person_invite(
    *,
    actor: User,
    person: Person,
    relation: str,
    channel: str,
    address: str,
    language: str = "pl",
    base_url: str = "",
) -> tuple[PersonInvitation, str]:
    """A coordinator or the case manager invites the person (or their guardian) to an account of their own. The
    link goes by e-mail or SMS after commit; earlier unused invitations of the same kind stop working. Returns the
    invitation and the token of its link (shown to nobody else: only its hash is kept)."""
    from people.messages import send_invitation

    access = access_to_person(actor, person)
    if access is None or not access.can_change_path:
        raise PermissionDenied
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    errors: dict[str, list[str]] = {}
    if relation not in AccountRelation.values:
        errors["relation"] = [_("Choose whose account it is.")]
    if channel not in InvitationChannel.values:
        errors["channel"] = [_("Choose how to send the invitation.")]
    address = (address or "").strip()
    if channel == InvitationChannel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            errors["address"] = [_("Enter a valid e-mail address.")]
    elif channel == InvitationChannel.SMS:
        from notifications.sms import normalise_phone

        if not normalise_phone(address):
            errors["address"] = [_("Enter a valid phone number.")]
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a language.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    PersonInvitation.objects.filter(
        person=person, relation=relation, used_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    token = secrets.token_urlsafe(32)
    invitation = PersonInvitation.objects.create(
        person=person,
        relation=relation,
        channel=channel,
        address=address,
        language=language,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=INVITATION_HOURS),
        invited_by=actor,
    )
    log_access(user=actor, person=person, action=AccessAction.CHANGE, detail=f"invitation:{invitation.pk}")
    send_invitation(invitation, token, base_url=base_url)
    return invitation, token


def invitation_by_token(token: str, *, for_update: bool = False) -> PersonInvitation:
    rows = PersonInvitation.objects.select_related("person")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=hash_token(token or "")).first()
    if invitation is None or not invitation.is_usable():
        raise InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    """The person chooses a login and a password: the account exists, the link is spent. One transaction; a
    second use of the link (even at the same moment) finds it used."""
    invitation = invitation_by_token(token, for_update=True)
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    username_field = User._meta.get_field("username")
    try:
        username_field.run_validators(username)
        if not username:
            raise ValidationError(_("Choose a login."))
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This login is taken. Choose another one.")]
    user = User(username=username, language=invitation.language, is_person_account=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.first_name = invitation.person.first_name if invitation.relation == AccountRelation.PERSON else ""
    if invitation.channel == InvitationChannel.EMAIL:
        user.email = invitation.address
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    account = PersonAccount.objects.create(
        user=user,
        person=invitation.person,
        relation=invitation.relation,
        phone=invitation.address if invitation.channel == InvitationChannel.SMS else "",
        email=invitation.address if invitation.channel == InvitationChannel.EMAIL else "",
        invited_by=invitation.invited_by,
    )
    invitation.used_at = timezone.now()
    invitation.account = account
    invitation.save(update_fields=["used_at", "account"])
    return user


# --- the one access rule --------------------------------------------------------------------------------------


def own_account(user: Any) -> PersonAccount:
    """The account's link to its person; 404 for a staff account, an anonymous visitor or an anonymised person."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_person_account", False):
        raise Http404
    account = (
        PersonAccount.objects.select_related("person", "person__network")
        .filter(user=user, person__anonymised_at__isnull=True)
        .first()
    )
    if account is None:
        raise Http404
    return account


def accounts_of(person: Person) -> list[PersonAccount]:
    """The person's own accounts, for the staff page that invites them."""
    return list(PersonAccount.objects.filter(person=person).select_related("user").order_by("created_at"))


def invitations_of(person: Person) -> list[PersonInvitation]:
    """The invitations sent to the person (or their guardian), newest first."""
    return list(PersonInvitation.objects.filter(person=person).order_by("-created_at"))


# --- consents -------------------------------------------------------------------------------------------------


def own_consents(person: Person) -> list[Consent]:
    return list(
        Consent.objects.filter(person=person).prefetch_related("partners").order_by("-valid_from", "-created_at")
    )


def own_consent(person: Person, consent_id: Any) -> Consent:
    try:
        return Consent.objects.prefetch_related("partners").get(pk=consent_id, person=person)
    except (Consent.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def what_stops(consent: Consent) -> list[str]:
    """In plain words, what a withdrawal ends: who will no longer receive which data."""
    from partners.choices import PartnerType

    who = [str(partner) for partner in consent.partners.all()]
    types = dict(PartnerType.choices)
    who += [str(types.get(code, code)) for code in consent.partner_types]
    data = ", ".join(consent.category_labels())
    return [_("%(who)s will no longer get your data: %(data)s.") % {"who": name, "data": data} for name in who]


@transaction.atomic
def own_consent_withdraw(*, user: User, consent_id: Any, channel: str = "page") -> Consent:
    account = own_account(user)
    consent = own_consent(account.person, consent_id)
    return consent_withdraw_checked(
        actor=user, consent=consent, note=_("Withdrawn by the person on their own page."), channel=channel
    )


# --- who saw my data ------------------------------------------------------------------------------------------

# Which part of the record a view name touches, read in plain words by the person.
_PARTS: list[tuple[tuple[str, ...], Any]] = [
    (("consent",), gettext_lazy("your consents")),
    (("assessment",), gettext_lazy("your assessments")),
    (("activit",), gettext_lazy("your visits and services")),
    (("group", "meeting"), gettext_lazy("your group meetings")),
    (("referral", "refer"), gettext_lazy("where you were referred")),
    (("placement", "application", "follow-along"), gettext_lazy("your work")),
    (("path", "goal", "plan", "case"), gettext_lazy("your plan")),
    (("invitation",), gettext_lazy("your own account")),
]


def _part(entry: AccessLog) -> str:
    if entry.action == AccessAction.EXPORT:
        return str(_("a copy of all your data"))
    text = f"{entry.view} {entry.detail}".lower()
    for keys, label in _PARTS:
        if any(key in text for key in keys):
            return str(label)
    return str(_("your personal data"))


@dataclass
class SeenEntry:
    id: int
    at: datetime.datetime
    institution: str
    role: str
    name: str
    part: str
    action: str
    is_me: bool = False


_ACTIONS = {
    AccessAction.VIEW: gettext_lazy("opened"),
    AccessAction.CREATE: gettext_lazy("wrote down"),
    AccessAction.CHANGE: gettext_lazy("changed"),
    AccessAction.EXPORT: gettext_lazy("downloaded"),
    AccessAction.DOWNLOAD: gettext_lazy("downloaded a document from"),
    AccessAction.ANONYMISE: gettext_lazy("removed"),
}


def own_access_log(person: Person, *, limit: int = 100) -> list[SeenEntry]:
    """The access log about this person, and nobody else's, newest first: which institution and role, which part,
    when; a staff member's name only when the network's policy shows it. Three queries whatever the length."""
    entries = list(AccessLog.objects.filter(person=person).select_related("user").order_by("-at", "-id")[:limit])
    user_ids = {entry.user_id for entry in entries if entry.user_id}
    places: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    roles = dict(StaffRole.choices)
    for membership in StaffMembership.objects.filter(user_id__in=user_ids).select_related("partner"):
        places[membership.user_id].append((str(membership.partner), str(roles.get(membership.role, ""))))
    coordinators = set(
        NetworkCoordinator.objects.filter(user_id__in=user_ids, network_id=person.network_id).values_list(
            "user_id", flat=True
        )
    )
    network = person.network
    show_names = network.show_staff_names_to_people
    rows = []
    for entry in entries:
        user = entry.user
        is_me = user is not None and user.is_person_account
        if user is None:
            institution, role = str(_("the system")), ""
        elif is_me:
            institution, role = str(_("you")), ""
        elif entry.user_id in coordinators:
            institution, role = str(network), str(_("coordinator of the network"))
        elif places.get(entry.user_id):
            institution, role = places[entry.user_id][0]
        else:
            institution, role = str(_("an administrator of the system")), ""
        name = user.get_full_name() if (user is not None and show_names and not is_me) else ""
        rows.append(
            SeenEntry(
                id=entry.pk,
                at=entry.at,
                institution=institution,
                role=role,
                name=name,
                part=_part(entry),
                action=str(_ACTIONS.get(entry.action, entry.action)),  # type: ignore[call-overload]
                is_me=is_me,
            )
        )
    return rows


def own_access_entry(person: Person, entry_id: Any) -> AccessLog:
    try:
        return AccessLog.objects.get(pk=int(entry_id), person=person)
    except (AccessLog.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- requests the person makes --------------------------------------------------------------------------------


class RequestKind:
    ENTRY = "entry"
    CONSENT = "consent"


@transaction.atomic
def own_request(*, user: User, kind: str, message: str = "", entry_id: Any = None) -> None:
    """The person asks their case manager and the coordinators: about an entry of the access log, or for a new
    consent (which needs a signed document, so staff record it). They are told with initials only."""
    from django.urls import reverse

    from notifications.services import notify

    account = own_account(user)
    person = account.person
    message = (message or "").strip()[:500]
    if kind == RequestKind.ENTRY:
        entry = own_access_entry(person, entry_id)
        when = timezone.localtime(entry.at)

        def text() -> str:
            return _("%(person)s asks about who opened their data on %(when)s.") % {
                "person": f"{person.first_name[:1]}. {person.last_name[:1]}.",
                "when": when.strftime("%Y-%m-%d %H:%M"),
            } + (f" „{message}”" if message else "")

    elif kind == RequestKind.CONSENT:

        def text() -> str:
            return _("%(person)s asks to give a new consent.") % {
                "person": f"{person.first_name[:1]}. {person.last_name[:1]}."
            } + (f" „{message}”" if message else "")

    else:
        raise ValidationError({"kind": [_("Unknown request.")]})
    notify(
        recipients=responsible_for(person),
        kind=f"person.request.{kind}",
        text=text,
        obj=person,
        url=reverse("person-detail", args=[person.pk]),
    )


@transaction.atomic
def own_contact_set(*, user: User, contact_by: str) -> PersonAccount:
    """The person's consent to be told of meetings and news, and how: nothing is sent without it."""
    account = own_account(user)
    if contact_by not in ContactBy.values:
        raise ValidationError({"contact_by": [_("Choose how we may send you messages.")]})
    if contact_by == ContactBy.SMS and not (account.phone or account.person.phone):
        raise ValidationError({"contact_by": [_("We do not have your phone number. Ask your case manager.")]})
    if contact_by == ContactBy.EMAIL and not (account.email or user.email or account.person.email):
        raise ValidationError({"contact_by": [_("We do not have your e-mail address. Ask your case manager.")]})
    account.contact_by = contact_by
    account.save(update_fields=["contact_by"])
    return account


# --- my path --------------------------------------------------------------------------------------------------


@dataclass
class OwnPath:
    case: Case | None
    stage: str
    manager_name: str
    manager_phone: str
    manager_email: str
    institution: str
    goals: list[Goal]
    meetings: list[Meeting]


def upcoming_meetings(person: Person, *, days: int = 60) -> list[Meeting]:
    today = timezone.localdate()
    return list(
        Meeting.objects.filter(
            held_on__gte=today,
            held_on__lte=today + datetime.timedelta(days=days),
            group__memberships__person=person,
            group__memberships__joined_on__lte=F("held_on"),
        )
        .filter(Q(group__memberships__left_on__isnull=True) | Q(group__memberships__left_on__gte=F("held_on")))
        .select_related("group")
        .distinct()
        .order_by("held_on")[:10]
    )


def own_path(person: Person) -> OwnPath:
    case = (
        Case.objects.open().filter(person=person).select_related("case_manager", "managing_partner", "network").first()
    )
    goals: list[Goal] = []
    if case is not None:
        goals = list(Goal.objects.filter(plan__case=case, plan__is_current=True).order_by("target_date", "created_at"))
    manager = case.case_manager if case else None
    partner = case.managing_partner if case else None
    return OwnPath(
        case=case,
        stage=case.stage_label() if case else "",
        manager_name=manager.get_full_name() or manager.username if manager else "",
        manager_phone=partner.phone if partner else "",
        manager_email=(manager.email if manager and manager.email else (partner.email if partner else "")),
        institution=str(partner) if partner else (str(case.network) if case else ""),
        goals=goals,
        meetings=upcoming_meetings(person),
    )


def own_record(person: Person) -> dict[str, Any]:
    """The person's own data as they may see it: everything about themselves except staff's notes on health
    (their health notes are in the full export)."""
    fields = [
        "first_name",
        "last_name",
        "birth_date",
        "phone",
        "email",
        "street",
        "postal_code",
        "city",
        "guardian_name",
        "guardian_contact",
    ]
    return {name: getattr(person, name) for name in fields}
