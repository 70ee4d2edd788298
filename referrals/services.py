"""Referral transitions (DESIGN §4): one function per move, each in one transaction with its timeline row,
its grants (referrals/access.py) and its notification rows. An illegal move raises IllegalTransition (409)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs
from core.errors import Conflict, IllegalTransition, NoConsent, NoPlace, PermissionDenied
from core.scope import scope_for
from core.validation import require_codes
from network.calendar import add_working_days, on_working_day
from notifications.groups import hint, network_group, partner_group
from notifications.services import notify
from partners.models import Partner, Service, User
from people.access import access_to_person
from people.audit import log_access
from people.messages import REFERRAL_ACCEPTED, tell_person
from people.models import AccessAction, Case, Consent, DataCategory, Person
from people.shares import Stopped, lock_person
from referrals import access
from referrals.announce import EVENT_OF_KIND, announce
from referrals.choices import (
    CHOSEN_REASONS,
    OPEN_STATES,
    TRANSITIONS,
    URGENT_PRIORITIES,
    OutcomeCode,
    Priority,
    ReasonCode,
    ReasonOrigin,
    State,
)
from referrals.models import Referral, ReferralEvent
from referrals.selectors import referral_recipients

STATE_LABELS = dict(State.choices)


# --- helpers --------------------------------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    # The person's row first (people.shares.lock_person): a consent's withdrawal and this move never interleave.
    lock_person(referral.person_id)
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "to_partner", "from_partner", "service", "network", "created_by", "case")
        .get(pk=referral.pk)
    )


def _check_move(referral: Referral, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if referral.state not in sources:
        raise IllegalTransition(
            _("A referral that is %(state)s cannot be %(action)s.")
            % {"state": STATE_LABELS[referral.state], "action": ACTION_LABELS[action]},
        )
    return target


ACTION_LABELS = {
    "send": gettext_lazy("sent"),
    "check_in": gettext_lazy("confirmed as in contact"),
    "accept": gettext_lazy("accepted"),
    "start": gettext_lazy("started"),
    "complete": gettext_lazy("completed"),
    "decline": gettext_lazy("declined"),
    "withdraw": gettext_lazy("withdrawn"),
    "discontinue": gettext_lazy("discontinued"),
    "redirect": gettext_lazy("redirected"),
    "create": gettext_lazy("drafted"),
    "overdue": gettext_lazy("overdue, coordinator alerted"),
    "place": gettext_lazy("a place was freed"),
    "consent": gettext_lazy("data shared narrowed: a consent ended"),
}


def _event(referral: Referral, action: str, from_state: str, actor: User | None, **extra: str) -> ReferralEvent:
    event = ReferralEvent.objects.create(
        referral=referral, action=action, from_state=from_state, to_state=referral.state, actor=actor, **extra
    )
    # Every move writes its timeline row here, so the deadline's jobs follow every move from here too.
    plan_deadlines(referral)
    return event


# --- the answer's deadline, on the queue (core.jobs; the tasks are in referrals/tasks.py) ------------------

HALF_TIME_TASK = "referrals.remind_half_time"
DEADLINE_TASK = "referrals.deadline_passed"


def deadline_keys(referral_id: Any) -> tuple[str, str]:
    """The queue keys of a referral's two jobs: the half-time reminder and the deadline."""
    return f"referral:{referral_id}:half-time", f"referral:{referral_id}:deadline"


def half_time(referral: Referral) -> datetime.datetime | None:
    """Half of the answer time: from the sending (or from the check-in, which restarts it) to the due-by."""
    start = referral.checked_in_at or referral.sent_at
    if referral.due_by is None or start is None or referral.due_by <= start:
        return None
    return start + (referral.due_by - start) / 2


def plan_deadlines(referral: Referral) -> None:
    """In the move's transaction: a sent referral waits for its half-time reminder and its deadline (moved when the
    check-in moves the due-by); any other state waits for neither. The tasks check the state again when they run."""
    half_key, deadline_key = deadline_keys(referral.pk)
    if referral.state != State.SENT or referral.due_by is None:
        jobs.unschedule(half_key)
        jobs.unschedule(deadline_key)
        return
    half = half_time(referral)
    if half is not None and referral.half_time_reminded_at is None and half > timezone.now():
        jobs.schedule(HALF_TIME_TASK, at=half, key=half_key, referral_id=str(referral.pk))
    else:
        jobs.unschedule(half_key)
    if referral.overdue_alerted_at is None:
        jobs.schedule(DEADLINE_TASK, at=referral.due_by, key=deadline_key, referral_id=str(referral.pk))


def _staff_of(partner: Partner | None) -> list[User]:
    if partner is None:
        return []
    return list(
        User.objects.filter(staff_memberships__partner=partner, staff_memberships__is_active=True, is_active=True)
    )


def _coordinators(referral: Referral) -> list[User]:
    return list(User.objects.filter(coordinatorships__network_id=referral.network_id, is_active=True))


def _sender_side(referral: Referral) -> list[User]:
    people = _staff_of(referral.from_partner) if referral.from_partner_id else _coordinators(referral)
    return [*people, referral.created_by]


def _url(referral: Referral) -> str:
    return reverse("referral-detail", args=[referral.pk])


def _initials(person: Person) -> str:
    # Notifications name the person by initials only: no health data, as little identity as possible.
    return f"{person.first_name[:1]}. {person.last_name[:1]}."


def _tell(referral: Referral, recipients: list[User], kind: str, message: Any) -> None:
    def text() -> str:
        return str(message) % {
            "person": _initials(referral.person),
            "to": referral.to_partner.short_name or referral.to_partner.name,
            "state": str(STATE_LABELS[referral.state]),
        }

    notify(recipients=recipients, kind=kind, text=text, obj=referral, url=_url(referral))
    if kind in EVENT_OF_KIND:
        announce(referral, EVENT_OF_KIND[kind])
    # Open inboxes and dashboards of both partners and the network refresh their lists in place.
    for group in {
        partner_group(referral.to_partner_id),
        network_group(referral.network_id),
        *([partner_group(referral.from_partner_id)] if referral.from_partner_id else []),
    }:
        hint(group, "referrals")


def default_due_by(referral: Referral, start: datetime.datetime | None = None) -> datetime.datetime:
    """Urgent (and discharge from a ward): the network's working days, skipping weekends, Polish public holidays
    and the network's own days off; normal: calendar days, moved to the next working day when they end on a day
    off. The rule of which day is a working day is network/calendar.py's."""
    start = start or timezone.now()
    network = referral.network
    if referral.priority in URGENT_PRIORITIES:
        return add_working_days(network.pk, start, network.answer_days_urgent)
    return on_working_day(network.pk, start + datetime.timedelta(days=network.answer_days_normal))


def consent_covers(person: Person, partner: Partner, categories: list[str]) -> bool:
    consents = (
        Consent.objects.live()
        .filter(person=person)
        .filter(Q(partners=partner) | Q(partner_types__contains=[partner.type]))
        .values_list("categories", flat=True)
    )
    covered = {c for row in consents for c in row}
    return set(categories) <= covered


def _require_consent(referral: Referral) -> None:
    """Accepting, starting or completing goes on only while a live consent (or the recorded legal basis) covers
    every category the referral shares: 409 ``consent_missing`` otherwise."""
    if referral.legal_basis or consent_covers(referral.person, referral.to_partner, referral.categories):
        return
    raise NoConsent(
        _(
            "The consent that covered this referral is no longer in force: the referral cannot go on. Ask the "
            "coordinator or the case manager."
        )
    )


def _refuse_anonymised(person: Person) -> None:
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised: they cannot be referred."), code="anonymised")


# --- create and send ------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    actor: User,
    person: Person,
    to_partner: Partner,
    reason: str,
    categories: list[str],
    service: Service | None = None,
    goal: str = "",
    priority: str = Priority.NORMAL,
    due_by: datetime.datetime | None = None,
    from_partner: Partner | None = None,
) -> Referral:
    """A draft. The coordinator refers for the network; partner staff refer onward for their own partner."""
    person_access = access_to_person(actor, person)
    if person_access is None:
        raise PermissionDenied
    person = lock_person(person)
    _refuse_anonymised(person)
    scope = scope_for(actor)
    if from_partner is None:
        if person.network_id not in scope.coordinated_network_ids:
            if len(scope.staff_partner_ids) != 1:
                raise ValidationError({"from_partner": _("Choose on behalf of which institution you refer.")})
            from_partner = Partner.objects.get(pk=next(iter(scope.staff_partner_ids)))
    elif from_partner.pk not in scope.staff_partner_ids:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not referral_recipients(person.network_id).filter(pk=to_partner.pk).exists():
        errors["to_partner"] = [_("The partner must be a current member of this network.")]
    if from_partner is not None and from_partner.pk == to_partner.pk:
        errors["to_partner"] = [_("A partner cannot refer to itself.")]
    if service is not None and (service.partner_id != to_partner.pk or not service.is_active):
        errors["service"] = [_("Choose an active service of the receiving partner.")]
    categories = list(dict.fromkeys(categories or []))
    if not categories:
        errors["categories"] = [_("Choose at least one data category.")]
    elif any(c not in DataCategory.values for c in categories):
        errors["categories"] = [_("Unknown data category.")]
    elif not set(categories) <= person_access.categories:
        errors["categories"] = [_("You cannot share data you cannot see yourself.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if due_by is not None and due_by <= timezone.now():
        errors["due_by"] = [_("The answer date must be in the future.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the referral.")]
    if errors:
        raise ValidationError(errors)
    case = Case.objects.open().filter(person=person, network_id=person.network_id).first()
    referral = Referral(
        network_id=person.network_id,
        person=person,
        case=case,
        from_partner=from_partner,
        created_by=actor,
        to_partner=to_partner,
        service=service,
        reason=reason.strip(),
        goal=(goal or "").strip(),
        categories=[c for c in DataCategory.values if c in categories],
        priority=priority,
        due_by=due_by,
    )
    referral.full_clean()
    referral.save()
    _event(referral, "create", "", actor)
    access.sync_referral(referral)
    return referral


@transaction.atomic
def referral_send(*, actor: User, referral: Referral, legal_basis: str = "") -> Referral:
    referral = _lock(referral)
    if not access.is_sender(actor, referral):
        raise PermissionDenied
    from_state = referral.state
    target = _check_move(referral, "send")
    _refuse_anonymised(referral.person)
    legal_basis = (legal_basis or "").strip()
    covered = consent_covers(referral.person, referral.to_partner, referral.categories)
    if not covered:
        if not legal_basis:
            raise NoConsent(
                _(
                    "No consent in force covers %(partner)s and every category shared. Record the person's consent, "
                    "or (coordinator only) the legal basis for sharing."
                )
                % {"partner": referral.to_partner}
            )
        if referral.network_id not in scope_for(actor).coordinated_network_ids:
            raise PermissionDenied
        referral.legal_basis = legal_basis[:255]
    now = timezone.now()
    referral.state = target
    referral.sent_at = now
    if referral.due_by is None or referral.due_by <= now:
        referral.due_by = default_due_by(referral, now)
    referral.save()
    _event(
        referral,
        "send",
        from_state,
        actor,
        note=referral.legal_basis and _("legal basis: %(basis)s") % {"basis": referral.legal_basis},
    )
    access.sync_referral(referral)
    log_access(
        user=actor,
        person=referral.person,
        action=AccessAction.CHANGE,
        detail=f"referral-sent:{referral.pk}" + (":legal-basis" if referral.legal_basis else ""),
    )
    _tell(
        referral,
        _staff_of(referral.to_partner),
        "referral.sent",
        gettext_lazy("New referral for %(person)s to %(to)s."),
    )
    return referral


# --- the receiving partner's answers --------------------------------------------------------------


def _require_respond(actor: User, referral: Referral) -> None:
    if not access.can_respond(actor, referral):
        raise PermissionDenied


def _require_answer(actor: User, referral: Referral) -> None:
    """Accept, decline, confirm contact: the receiving side's answer, never the sender's own."""
    _require_respond(actor, referral)
    if access.is_own_outgoing(actor, referral):
        raise Conflict(_("You sent this referral: the partner it went to answers it."), code="own_referral")


@transaction.atomic
def referral_check_in(*, actor: User, referral: Referral, note: str = "") -> Referral:
    """ "We are contacting the person": resets the due-by, once."""
    referral = _lock(referral)
    _require_answer(actor, referral)
    _check_move(referral, "check_in")
    if referral.checked_in_at is not None:
        raise IllegalTransition(_("Contact was already confirmed once for this referral."))
    now = timezone.now()
    referral.checked_in_at = now
    referral.due_by = default_due_by(referral, now)
    referral.overdue_alerted_at = referral.half_time_reminded_at = None
    referral.save(
        update_fields=["checked_in_at", "due_by", "overdue_alerted_at", "half_time_reminded_at", "updated_at"]
    )
    _event(referral, "check_in", referral.state, actor, note=note[:500])
    _tell(
        referral,
        _sender_side(referral),
        "referral.check_in",
        gettext_lazy("%(to)s is contacting %(person)s about the referral."),
    )
    return referral


@transaction.atomic
def referral_accept(
    *, actor: User, referral: Referral, first_appointment_at: datetime.datetime | None = None
) -> Referral:
    """Takes a place of the service; when it is full, joins the waitlist or is refused (per service). The person
    who agreed to messages hears that it was accepted, and of the first appointment the day before."""
    referral = _lock(referral)
    _require_answer(actor, referral)
    from_state = referral.state
    target = _check_move(referral, "accept")
    _require_consent(referral)
    now = timezone.now()
    if first_appointment_at is not None and first_appointment_at <= now:
        raise ValidationError({"first_appointment_at": [_("The first appointment must be in the future.")]})
    referral.first_appointment_at = first_appointment_at
    note = ""
    if referral.service_id is not None:
        service = Service.objects.select_for_update().get(pk=referral.service_id)
        if service.capacity is None or service.load < service.capacity:
            if service.capacity is not None:
                service.load += 1
                service.save(update_fields=["load", "updated_at"])
                referral.holds_place = True
        elif service.waitlist_enabled:
            referral.waitlisted_at = now
            note = "waitlist"
        else:
            raise NoPlace(_("%(service)s has no free place.") % {"service": service.name})
    referral.state = target
    referral.answered_at = now
    referral.save()
    _event(referral, "accept", from_state, actor, note=note)
    access.sync_referral(referral)
    message = (
        gettext_lazy("%(to)s accepted the referral of %(person)s; the person is on the waitlist.")
        if note
        else gettext_lazy("%(to)s accepted the referral of %(person)s.")
    )
    _tell(referral, _sender_side(referral), "referral.accepted", message)
    tell_person(referral.person, REFERRAL_ACCEPTED, str(referral.pk))
    return referral


@transaction.atomic
def referral_start(*, actor: User, referral: Referral) -> Referral:
    referral = _lock(referral)
    _require_respond(actor, referral)
    from_state = referral.state
    target = _check_move(referral, "start")
    _require_consent(referral)
    if referral.waitlisted_at is not None:
        raise NoPlace(_("The person is still on the waitlist: no place has been freed yet."))
    referral.state = target
    referral.save(update_fields=["state", "updated_at"])
    _event(referral, "start", from_state, actor)
    access.sync_referral(referral)
    _tell(
        referral,
        _sender_side(referral),
        "referral.started",
        gettext_lazy("Support for %(person)s at %(to)s has started."),
    )
    return referral


def _validate_reason(reason_code: str, origin: str, *, system: bool = False) -> None:
    """A person picks one of CHOSEN_REASONS; only the system's own moves (``system``) record the others."""
    allowed = ReasonCode.values if system else [code for code, _label in CHOSEN_REASONS]
    require_codes(
        reason_code=(reason_code, allowed, _("Choose a reason.")),
        reason_origin=(
            origin,
            ReasonOrigin.values,
            _("Say whether the reason came from the institution or the person."),
        ),
    )


def _validate_outcome(outcome_code: str) -> None:
    require_codes(outcome_code=(outcome_code, OutcomeCode.values, _("Choose the outcome.")))


def _release_place(referral: Referral, actor: User | None) -> None:
    """Give the place back and hand it to the first on the waitlist (its order: ward discharge, urgent, then the
    longest waiting)."""
    if referral.waitlisted_at is not None:
        referral.waitlisted_at = None
        return
    if not referral.holds_place or referral.service_id is None:
        return
    referral.holds_place = False
    service = Service.objects.select_for_update().get(pk=referral.service_id)
    service.load = max(service.load - 1, 0)
    nxt = (
        Referral.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(service=service)
        .waiting()
        .exclude(pk=referral.pk)
        .in_waitlist_order()
        .select_related("person", "to_partner", "from_partner", "created_by", "network")
        .first()
    )
    if nxt is not None and (service.capacity is None or service.load < service.capacity):
        service.load += 1
        nxt.waitlisted_at = None
        nxt.holds_place = True
        nxt.save(update_fields=["waitlisted_at", "holds_place", "updated_at"])
        ReferralEvent.objects.create(
            referral=nxt, action="place", from_state=nxt.state, to_state=nxt.state, actor=actor, note="waitlist"
        )
        _tell(
            nxt,
            [*_sender_side(nxt), *_staff_of(nxt.to_partner)],
            "referral.place",
            gettext_lazy("A place at %(to)s is free for %(person)s."),
        )
    service.save(update_fields=["load", "updated_at"])


@transaction.atomic
def referral_complete(*, actor: User, referral: Referral, outcome_code: str, note: str = "") -> Referral:
    referral = _lock(referral)
    _require_respond(actor, referral)
    from_state = referral.state
    target = _check_move(referral, "complete")
    _validate_outcome(outcome_code)
    _require_consent(referral)
    referral.state = target
    referral.outcome_code = outcome_code
    referral.outcome_note = note[:500]
    referral.closed_at = timezone.now()
    _release_place(referral, actor)
    referral.save()
    _event(referral, "complete", from_state, actor, note=note[:500], reason_code=outcome_code)
    access.sync_referral(referral)
    _tell(
        referral,
        _sender_side(referral),
        "referral.completed",
        gettext_lazy("%(to)s completed the referral of %(person)s."),
    )
    return referral


@transaction.atomic
def referral_decline(
    *, actor: User, referral: Referral, reason_code: str, reason_origin: str = ReasonOrigin.PARTNER, note: str = ""
) -> Referral:
    referral = _lock(referral)
    _require_answer(actor, referral)
    from_state = referral.state
    target = _check_move(referral, "decline")
    _validate_reason(reason_code, reason_origin)
    referral.state = target
    referral.reason_code, referral.reason_origin, referral.reason_note = reason_code, reason_origin, note[:500]
    referral.answered_at = referral.closed_at = timezone.now()
    referral.save()
    _event(
        referral, "decline", from_state, actor, reason_code=reason_code, reason_origin=reason_origin, note=note[:500]
    )
    access.sync_referral(referral)
    _tell(
        referral,
        [*_sender_side(referral), *_coordinators(referral)],
        "referral.declined",
        gettext_lazy("%(to)s declined the referral of %(person)s."),
    )
    return referral


@transaction.atomic
def referral_withdraw(
    *,
    actor: User,
    referral: Referral,
    reason_code: str,
    reason_origin: str = ReasonOrigin.PARTNER,
    note: str = "",
    system_reason: bool = False,
) -> Referral:
    referral = _lock(referral)
    if not access.is_sender(actor, referral):
        raise PermissionDenied
    from_state = referral.state
    target = _check_move(referral, "withdraw")
    _validate_reason(reason_code, reason_origin, system=system_reason)
    referral.state = target
    referral.reason_code, referral.reason_origin, referral.reason_note = reason_code, reason_origin, note[:500]
    referral.closed_at = timezone.now()
    _release_place(referral, actor)
    referral.save()
    _event(
        referral, "withdraw", from_state, actor, reason_code=reason_code, reason_origin=reason_origin, note=note[:500]
    )
    access.sync_referral(referral)
    if from_state != State.DRAFT:
        _tell(
            referral,
            _staff_of(referral.to_partner),
            "referral.withdrawn",
            gettext_lazy("The referral of %(person)s to %(to)s was withdrawn."),
        )
    return referral


@transaction.atomic
def referral_discontinue(
    *,
    actor: User,
    referral: Referral,
    reason_code: str,
    outcome_code: str,
    reason_origin: str = ReasonOrigin.PARTNER,
    note: str = "",
) -> Referral:
    referral = _lock(referral)
    if not (access.can_respond(actor, referral) or referral.network_id in scope_for(actor).coordinated_network_ids):
        raise PermissionDenied
    from_state = referral.state
    target = _check_move(referral, "discontinue")
    _validate_reason(reason_code, reason_origin)
    _validate_outcome(outcome_code)
    referral.state = target
    referral.reason_code, referral.reason_origin, referral.reason_note = reason_code, reason_origin, note[:500]
    referral.outcome_code = outcome_code
    referral.closed_at = timezone.now()
    _release_place(referral, actor)
    referral.save()
    _event(
        referral,
        "discontinue",
        from_state,
        actor,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note[:500],
    )
    access.sync_referral(referral)
    _tell(
        referral,
        [*_sender_side(referral), *_coordinators(referral)],
        "referral.discontinued",
        gettext_lazy("Support for %(person)s at %(to)s was discontinued."),
    )
    return referral


# --- deadlines ------------------------------------------------------------------------------------


@transaction.atomic
def referral_redirect(
    *, actor: User, referral: Referral, to_partner: Partner, service: Service | None = None, note: str = ""
) -> Referral:
    """The coordinator moves an overdue referral to another partner: the old one is withdrawn, a new one sent."""
    referral = _lock(referral)
    if referral.network_id not in scope_for(actor).coordinated_network_ids:
        raise PermissionDenied
    if not referral.is_overdue:
        raise IllegalTransition(_("Only an overdue referral can be redirected."))
    if to_partner.pk == referral.to_partner_id:
        raise ValidationError({"to_partner": [_("Choose another partner.")]})
    new = referral_create(
        actor=actor,
        person=referral.person,
        to_partner=to_partner,
        service=service,
        reason=referral.reason,
        goal=referral.goal,
        categories=list(referral.categories),
        priority=referral.priority,
        from_partner=referral.from_partner if referral.from_partner_id in scope_for(actor).staff_partner_ids else None,
    )
    new.redirected_from = referral
    new.save(update_fields=["redirected_from", "updated_at"])
    withdrawn = referral_withdraw(
        actor=actor,
        referral=referral,
        reason_code=ReasonCode.NO_ANSWER,
        note=note or _("redirected: no answer in time"),
        system_reason=True,
    )
    announce(withdrawn, "referral.redirected")
    return referral_send(actor=actor, referral=new, legal_basis=referral.legal_basis)


def staff_partner_choices(user: User) -> list[Partner]:
    return list(Partner.objects.filter(staff_memberships__user=user, staff_memberships__is_active=True))


# --- when a consent ends, and anonymisation (people.shares keepers) --------------------------------


def _stop(referral: Referral, actor: User | None, target: str, reason_code: str, note: str) -> None:
    """Close one open referral for the person's sake (consent ended, anonymisation): timeline, place, grants."""
    from_state = referral.state
    referral.state = target
    referral.reason_code, referral.reason_origin, referral.reason_note = reason_code, ReasonOrigin.PERSON, note[:500]
    if target == State.DISCONTINUED:
        referral.outcome_code = OutcomeCode.OTHER
    referral.closed_at = timezone.now()
    _release_place(referral, actor)
    referral.save()
    action = "discontinue" if target == State.DISCONTINUED else "withdraw"
    _event(
        referral, action, from_state, actor, reason_code=reason_code, reason_origin=ReasonOrigin.PERSON, note=note[:500]
    )
    access.sync_referral(referral)


def _open_for_update(person: Person, **filters: Any) -> list[Referral]:
    return list(
        Referral.objects.select_for_update(of=("self",))
        .filter(person=person, **filters)
        .select_related("person", "to_partner", "from_partner", "service", "network", "created_by", "case")
        .order_by("created_at", "pk")
    )


def stop_uncovered(person: Person, actor: User | None, how: str) -> list[Stopped]:
    """A consent ended (``how``: withdrawn | expired); the person's row is locked by the caller. A referral not yet
    accepted whose categories are no longer all covered is withdrawn; an accepted or running one keeps only the
    covered categories, or is discontinued when none is left. Referrals on a recorded legal basis go on."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.text import format_lazy

    consents = list(Consent.objects.live().filter(person=person).prefetch_related("partners"))
    labels = dict(DataCategory.choices)
    stopped: list[Stopped] = []
    with translation.override(settings.LANGUAGE_CODE):
        why = str(_("the consent expired") if how == "expired" else _("the person withdrew the consent"))
    for referral in _open_for_update(person, state__in=OPEN_STATES, legal_basis=""):
        covered, _ids = access.referral_share(referral, consents)
        needed = set(referral.categories)
        if needed <= covered:
            continue
        to = referral.to_partner.short_name or referral.to_partner.name
        kept = [c for c in DataCategory.values if c in covered & needed]
        if referral.state == State.SENT or not kept:
            target = State.WITHDRAWN if referral.state == State.SENT else State.DISCONTINUED
            _stop(referral, actor, target, ReasonCode.CONSENT_WITHDRAWN, why)
            kind = f"referral.{target}"
            text = (
                format_lazy(gettext_lazy("the referral to {to} was withdrawn"), to=to)
                if target == State.WITHDRAWN
                else format_lazy(gettext_lazy("support at {to} was discontinued"), to=to)
            )
            message = gettext_lazy(
                "The referral of %(person)s to %(to)s was stopped: the consent that covered it ended."
            )
        else:
            from_state = referral.state
            with translation.override(settings.LANGUAGE_CODE):
                removed = ", ".join(str(labels[c]) for c in DataCategory.values if c in needed - covered)
                note = str(_("%(why)s; no longer shared: %(removed)s")) % {"why": why, "removed": removed}
            referral.categories = kept
            referral.save(update_fields=["categories", "updated_at"])
            _event(
                referral,
                "consent",
                from_state,
                actor,
                reason_code=ReasonCode.CONSENT_WITHDRAWN,
                reason_origin=ReasonOrigin.PERSON,
                note=note[:500],
            )
            access.sync_referral(referral)
            kind = "referral.narrowed"
            text = format_lazy(gettext_lazy("{to} no longer receives part of the data"), to=to)
            message = gettext_lazy("%(to)s no longer receives part of the data of %(person)s: a consent ended.")
        _tell(referral, [*_staff_of(referral.to_partner), *_sender_side(referral)], kind, message)
        stopped.append(Stopped(kind=kind, object_id=referral.pk, partner_id=referral.to_partner_id, text=text))
    return stopped


def before_anonymise(person: Person) -> list[str]:
    items: list[str] = []
    open_count = Referral.objects.filter(person=person, state__in=(State.DRAFT, *OPEN_STATES)).count()
    if open_count:
        items.append(_("Open referrals that will be withdrawn or discontinued: %(count)s.") % {"count": open_count})
    total = Referral.objects.filter(person=person).count()
    if total:
        items.append(_("Reasons, goals and notes of referrals that will be cleared: %(count)s.") % {"count": total})
    return items


def anonymise_referrals(person: Person, actor: User) -> None:
    """End the person's open referrals (the receiving partners lose them now), then clear their free text."""
    for referral in _open_for_update(person, state__in=(State.DRAFT, *OPEN_STATES)):
        was_open = referral.state != State.DRAFT
        target = State.DISCONTINUED if referral.state in (State.ACCEPTED, State.IN_PROGRESS) else State.WITHDRAWN
        _stop(referral, actor, target, ReasonCode.OTHER, "")
        if was_open:
            _tell(
                referral,
                _staff_of(referral.to_partner),
                f"referral.{target}",
                gettext_lazy("The referral of %(person)s to %(to)s was closed: the person's data was anonymised."),
            )
    Referral.objects.filter(person=person).update(reason="—", goal="", reason_note="", outcome_note="")
    ReferralEvent.objects.filter(referral__person=person).update(note="")
