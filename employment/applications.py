"""Placement applications (issue 7): proposing a person to a placement and one service per stage move, with the
job coach's assignment. Each move locks the row, checks the actor and the move (``employment/access.py``), writes
its timeline row, keeps the guardian grants in step, logs the access and queues notifications — in one
transaction. Illegal moves raise IllegalTransition (409); a hire with no free position raises NoPlace (409).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, IllegalTransition, NoConsent, NoPlace, PermissionDenied
from core.scope import scope_for
from core.validation import require_codes
from employment.access import (
    acting_partner_ids,
    allowed_moves,
    employment_consents,
    is_proposer_side,
    may_propose_in,
    sync_application,
)
from employment.models import (
    CHECKPOINT_MONTHS,
    EMPLOYED,
    REASONS_FOR,
    STAGE_LABELS,
    TRANSITIONS,
    ApplicationEvent,
    ApplicationReasonOrigin,
    JobPlacement,
    PlacementApplication,
    Stage,
)
from employment.notify import coordinators_of, employer_side, network_side, tell
from employment.retention import add_months, plan_checkpoint
from network.models import NetworkMembership
from partners.choices import PartnerType, StaffRole
from partners.models import Partner, User
from people.access import access_to_person
from people.audit import log_access
from people.models import AccessAction, Case, DataCategory, Person
from people.shares import lock_person

# A hire may be recorded up to a month after the contract started, for a contract starting up to three months ahead.
HIRE_BACKDATE_DAYS = 31
HIRE_AHEAD_DAYS = 92
# A retention checkpoint may be confirmed up to a week before the day it falls on (a follow-along visit that week).
CHECKPOINT_EARLY_DAYS = 7


class PlacementClosed(Conflict):
    code = "placement_closed"


class AlreadyProposed(Conflict):
    code = "duplicate"


# --- propose --------------------------------------------------------------------------------------


def employment_consent_covers(person: Person, employer: Partner) -> bool:
    return employment_consents(employer).filter(person=person).exists()


def _proposing_partner(actor: User, network_id: Any) -> Partner | None:
    """None when the coordinator proposes; otherwise the actor's labour office or job-coaching partner there."""
    scope = scope_for(actor)
    if network_id in scope.coordinated_network_ids:
        return None
    members = NetworkMembership.objects.current().filter(network_id=network_id, partner_id__in=scope.staff_partner_ids)
    partner = (
        Partner.objects.filter(id__in=members.values("partner_id"))
        .filter(Q(type=PartnerType.PUP) | Q(id__in=list(scope.job_coach_partner_ids)))
        .order_by("name", "id")
        .first()
    )
    if partner is None:
        raise PermissionDenied
    return partner


@transaction.atomic
def application_propose(
    *, actor: User, placement: JobPlacement, person: Person, note: str = "", channel: str = "page"
) -> PlacementApplication:
    """Propose a person to a placement: the coordinator, the labour office or a job coach of the network.

    Gated by a live consent that covers the employer and the employment category (409 without it). Every person
    refused here is one ``selectors.proposable_people`` leaves out, so the page offers only whom this accepts."""
    if not may_propose_in(actor, placement.network_id):
        raise PermissionDenied
    person = lock_person(person)  # before the placement: the order every change to the person's shares takes
    placement = JobPlacement.objects.select_for_update().select_related("employer").get(pk=placement.pk)
    proposer_partner = _proposing_partner(actor, placement.network_id)
    person_access = access_to_person(actor, person)
    errors: dict[str, list[str]] = {}
    if person_access is None or person.network_id != placement.network_id:
        errors["person"] = [_("Choose a person of this placement's network.")]
    elif not person_access.can_read(DataCategory.EMPLOYMENT):
        errors["person"] = [_("You cannot share employment information you cannot see yourself.")]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = [_("Keep the note under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    if placement.is_open and placement.hired_count >= placement.positions:
        raise PlacementClosed(
            _("All positions of this placement are filled: no more candidates can be proposed."),
            code="placement_filled",
        )
    if not placement.is_accepting:
        raise PlacementClosed(_("This placement is closed: no more candidates can be proposed."))
    if not employment_consent_covers(person, placement.employer):
        raise NoConsent(
            _(
                "No consent in force lets %(employer)s receive the person's employment information. Record the "
                "person's consent first."
            )
            % {"employer": placement.employer}
        )
    if PlacementApplication.objects.active().filter(placement=placement, person=person).exists():
        raise AlreadyProposed(_("This person is already a candidate for this placement."))
    application = PlacementApplication(
        placement=placement,
        employer=placement.employer,
        network_id=placement.network_id,
        person=person,
        case=Case.objects.open().filter(person=person, network_id=placement.network_id).first(),
        proposed_by=actor,
        proposed_by_partner=proposer_partner,
        note=note,
    )
    application.full_clean(exclude=["employer", "network"])
    application.save()
    ApplicationEvent.objects.create(application=application, action="propose", to_stage=application.stage, actor=actor)
    sync_application(application)
    log_access(
        user=actor,
        person=person,
        action=AccessAction.CHANGE,
        view="application-propose",
        channel=channel,
        detail=f"placement-application:{application.pk}",
    )
    tell(
        application,
        employer_side(application),
        "placement.proposed",
        gettext_lazy("New candidate %(person)s proposed for %(placement)s."),
    )
    return application


# --- stage moves ----------------------------------------------------------------------------------


def _lock(application: PlacementApplication) -> PlacementApplication:
    lock_person(application.person_id)  # a consent's end and this move never interleave (people.shares)
    return (
        PlacementApplication.objects.select_for_update(of=("self",))
        .select_related("placement", "employer", "person", "proposed_by", "proposed_by_partner", "job_coach")
        .get(pk=application.pk)
    )


def _check_move(application: PlacementApplication, target: str) -> None:
    if target not in TRANSITIONS:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    if application.stage not in TRANSITIONS[target]:
        raise IllegalTransition(
            _("A candidate at the stage “%(stage)s” cannot move to “%(target)s”: stages go one at a time.")
            % {"stage": STAGE_LABELS[application.stage], "target": STAGE_LABELS[target]}
        )


def _validate_reason(target: str, reason_code: str, reason_origin: str) -> None:
    if not reason_code:
        # Nothing is chosen in advance on the page (issue 16): a missing reason is said as such, with its own code.
        raise ValidationError(
            _("Choose the reason for declining, withdrawing or ending (none is chosen in advance)."),
            code="reason_required",
        )
    require_codes(
        reason_code=(reason_code, REASONS_FOR[target], _("Choose one of the reasons for this step.")),
        reason_origin=(
            reason_origin,
            ApplicationReasonOrigin.values,
            _("Say whether the reason came from the employer, the person or the institution."),
        ),
    )


def _record(
    application: PlacementApplication,
    *,
    actor: User,
    from_stage: str,
    by_employer: bool,
    channel: str,
    reason_code: str = "",
    reason_origin: str = "",
    note: str = "",
) -> None:
    """What every move writes besides the row itself: timeline, grants, access log."""
    ApplicationEvent.objects.create(
        application=application,
        action=application.stage,
        from_stage=from_stage,
        to_stage=application.stage,
        actor=actor,
        by_employer=by_employer,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note[:500],
    )
    sync_application(application)
    plan_checkpoint(application)
    log_access(
        user=actor,
        person=application.person,
        action=AccessAction.CHANGE,
        view="application-move",
        channel=channel,
        detail=f"placement-application:{application.pk}:{application.stage}",
    )


def _acts_for_employer(actor: User, application: PlacementApplication) -> bool:
    """True when the employer's own staff acted (their notes the employer reads back)."""
    return application.employer_id in acting_partner_ids(actor) and not scope_for(actor).coordinates(
        application.network_id
    )


def _simple_move(
    *, actor: User, application: PlacementApplication, target: str, note: str, channel: str
) -> PlacementApplication:
    application = _lock(application)
    _check_move(application, target)
    if target not in allowed_moves(actor, application):
        raise PermissionDenied
    from_stage = application.stage
    application.stage = target
    application.stage_changed_at = timezone.now()
    application.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    _record(
        application,
        actor=actor,
        from_stage=from_stage,
        by_employer=_acts_for_employer(actor, application),
        channel=channel,
        note=note,
    )
    return application


@transaction.atomic
def application_interview(
    *, actor: User, application: PlacementApplication, note: str = "", channel: str = "page"
) -> PlacementApplication:
    application = _simple_move(actor=actor, application=application, target=Stage.INTERVIEW, note=note, channel=channel)
    tell(
        application,
        network_side(application),
        "placement.interview",
        gettext_lazy("%(employer)s invited %(person)s to an interview for %(placement)s."),
    )
    return application


@transaction.atomic
def application_offer(
    *, actor: User, application: PlacementApplication, note: str = "", channel: str = "page"
) -> PlacementApplication:
    application = _simple_move(actor=actor, application=application, target=Stage.OFFERED, note=note, channel=channel)
    tell(
        application,
        network_side(application),
        "placement.offered",
        gettext_lazy("%(employer)s offered %(person)s the job: %(placement)s."),
    )
    return application


@transaction.atomic
def application_hire(
    *,
    actor: User,
    application: PlacementApplication,
    note: str = "",
    job_coach: User | None = None,
    starts_on: datetime.date | None = None,
    channel: str = "page",
) -> PlacementApplication:
    """Hire: takes one of the placement's positions. The placement row is locked, and its check constraint
    refuses a count above the positions, so two hires on the last position cannot both succeed.

    ``starts_on`` is the day the contract starts (today when not given): the retention checkpoints count from it.
    It may lie up to a month back (a hire recorded late) and up to three months ahead (a signed contract that
    starts later)."""
    application = _lock(application)
    _check_move(application, Stage.HIRED)
    if Stage.HIRED not in allowed_moves(actor, application):
        raise PermissionDenied
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today - datetime.timedelta(days=HIRE_BACKDATE_DAYS):
        raise ValidationError({"starts_on": [_("The contract cannot start more than a month before today.")]})
    if starts_on > today + datetime.timedelta(days=HIRE_AHEAD_DAYS):
        raise ValidationError({"starts_on": [_("The contract cannot start more than three months from today.")]})
    placement = JobPlacement.objects.select_for_update().get(pk=application.placement_id)
    if placement.hired_count >= placement.positions:
        raise NoPlace(_("All positions of this placement are filled."))
    try:
        with transaction.atomic():
            JobPlacement.objects.filter(pk=placement.pk).update(
                hired_count=F("hired_count") + 1, updated_at=timezone.now()
            )
    except IntegrityError:
        raise NoPlace(_("All positions of this placement are filled.")) from None
    from_stage = application.stage
    application.stage = Stage.HIRED
    application.stage_changed_at = timezone.now()
    application.hired_on = starts_on
    application.save(update_fields=["stage", "stage_changed_at", "hired_on", "updated_at"])
    _record(
        application,
        actor=actor,
        from_stage=from_stage,
        by_employer=_acts_for_employer(actor, application),
        channel=channel,
        note=note,
    )
    if job_coach is not None:
        assign_job_coach_locked(actor=actor, application=application, coach=job_coach)
    recipients = network_side(application)
    if application.job_coach_id is None:
        recipients += coordinators_of(application.network_id)
    tell(
        application,
        recipients,
        "placement.hired",
        gettext_lazy("%(employer)s hired %(person)s: %(placement)s."),
    )
    return application


@transaction.atomic
def application_retain(
    *, actor: User, application: PlacementApplication, checkpoint: str, note: str = "", channel: str = "page"
) -> PlacementApplication:
    """Record that the person is still employed at a checkpoint (1, 3 or 6 months after the hire)."""
    if checkpoint not in CHECKPOINT_MONTHS:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    locked = _lock(application)
    _check_move(locked, checkpoint)
    assert locked.hired_on is not None  # employed stages carry a hire date (a check constraint)
    due = add_months(locked.hired_on, CHECKPOINT_MONTHS[checkpoint])
    earliest = due - datetime.timedelta(days=CHECKPOINT_EARLY_DAYS)
    if timezone.localdate() < earliest:
        raise IllegalTransition(
            _("It is too early: the checkpoint “%(stage)s” falls on %(date)s and can be confirmed from %(from)s.")
            % {
                "stage": STAGE_LABELS[checkpoint],
                "date": due.strftime("%d.%m.%Y"),
                "from": earliest.strftime("%d.%m.%Y"),
            }
        )
    application = _simple_move(actor=actor, application=locked, target=checkpoint, note=note, channel=channel)
    tell(
        application,
        [*network_side(application), *employer_side(application)],
        "placement.retained",
        gettext_lazy("%(person)s at %(employer)s: %(stage)s."),
    )
    return application


def _close(
    *,
    actor: User,
    application: PlacementApplication,
    target: str,
    reason_code: str,
    reason_origin: str,
    note: str,
    channel: str,
) -> PlacementApplication:
    application = _lock(application)
    _check_move(application, target)
    if target not in allowed_moves(actor, application):
        raise PermissionDenied
    by_employer = _acts_for_employer(actor, application)
    if not reason_origin:
        reason_origin = ApplicationReasonOrigin.EMPLOYER if by_employer else ApplicationReasonOrigin.NETWORK
    _validate_reason(target, reason_code, reason_origin)
    from_stage = application.stage
    if target == Stage.ENDED:
        # The position is free again for another candidate.
        JobPlacement.objects.filter(pk=application.placement_id).update(
            hired_count=F("hired_count") - 1, updated_at=timezone.now()
        )
        application.ended_on = timezone.localdate()
    application.stage = target
    application.stage_changed_at = timezone.now()
    application.reason_code, application.reason_origin, application.reason_note = reason_code, reason_origin, note[:500]
    application.save()
    _record(
        application,
        actor=actor,
        from_stage=from_stage,
        by_employer=by_employer,
        channel=channel,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note,
    )
    return application


@transaction.atomic
def application_decline(
    *,
    actor: User,
    application: PlacementApplication,
    reason_code: str,
    reason_origin: str = "",
    note: str = "",
    channel: str = "page",
) -> PlacementApplication:
    application = _close(
        actor=actor,
        application=application,
        target=Stage.DECLINED,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note,
        channel=channel,
    )
    tell(
        application,
        network_side(application),
        "placement.declined",
        gettext_lazy("%(employer)s declined the candidacy of %(person)s for %(placement)s."),
    )
    return application


@transaction.atomic
def application_withdraw(
    *,
    actor: User,
    application: PlacementApplication,
    reason_code: str,
    reason_origin: str = "",
    note: str = "",
    channel: str = "page",
) -> PlacementApplication:
    application = _close(
        actor=actor,
        application=application,
        target=Stage.WITHDRAWN,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note,
        channel=channel,
    )
    tell(
        application,
        employer_side(application),
        "placement.withdrawn",
        gettext_lazy("The candidacy of %(person)s for %(placement)s was withdrawn."),
    )
    return application


@transaction.atomic
def application_end(
    *,
    actor: User,
    application: PlacementApplication,
    reason_code: str,
    reason_origin: str = "",
    note: str = "",
    channel: str = "page",
) -> PlacementApplication:
    application = _close(
        actor=actor,
        application=application,
        target=Stage.ENDED,
        reason_code=reason_code,
        reason_origin=reason_origin,
        note=note,
        channel=channel,
    )
    tell(
        application,
        [*network_side(application), *employer_side(application), *coordinators_of(application.network_id)],
        "placement.ended",
        gettext_lazy("The employment of %(person)s at %(employer)s ended."),
    )
    return application


def application_advance(
    *,
    actor: User,
    application: PlacementApplication,
    stage: str,
    reason_code: str = "",
    reason_origin: str = "",
    note: str = "",
    starts_on: datetime.date | None = None,
    channel: str = "page",
) -> PlacementApplication:
    """One entry point for pages and the API: move to ``stage`` through its own service (``starts_on``: the
    contract's start, for a hire)."""
    if stage == Stage.INTERVIEW:
        return application_interview(actor=actor, application=application, note=note, channel=channel)
    if stage == Stage.OFFERED:
        return application_offer(actor=actor, application=application, note=note, channel=channel)
    if stage == Stage.HIRED:
        return application_hire(actor=actor, application=application, note=note, starts_on=starts_on, channel=channel)
    if stage in CHECKPOINT_MONTHS:
        return application_retain(actor=actor, application=application, checkpoint=stage, note=note, channel=channel)
    closings: dict[str, Callable[..., PlacementApplication]] = {
        Stage.DECLINED: application_decline,
        Stage.WITHDRAWN: application_withdraw,
        Stage.ENDED: application_end,
    }
    if stage in closings:
        return closings[stage](
            actor=actor,
            application=application,
            reason_code=reason_code,
            reason_origin=reason_origin,
            note=note,
            channel=channel,
        )
    if stage in Stage.values:  # "proposed": nothing leads back to it
        raise IllegalTransition(_("A candidate cannot go back to an earlier stage."))
    raise ValidationError({"stage": [_("Unknown stage.")]})


# --- the job coach --------------------------------------------------------------------------------


def assign_job_coach_locked(*, actor: User, application: PlacementApplication, coach: User) -> PlacementApplication:
    """The assignment itself, for a row the caller already locked (see ``employment.placements.job_coach_assign``)."""
    if not (is_proposer_side(actor, application) or scope_for(actor).coordinates(application.network_id)):
        raise PermissionDenied
    if application.stage not in (Stage.OFFERED, *EMPLOYED):
        raise IllegalTransition(_("A job coach is assigned when the job is offered or the person is hired."))
    membership = (
        coach.staff_memberships.filter(role=StaffRole.JOB_COACH, is_active=True)
        .filter(partner__network_memberships__network_id=application.network_id)
        .select_related("partner")
        .first()
        if coach.is_active
        else None
    )
    if membership is None:
        raise ValidationError({"job_coach": [_("Choose a job coach of a partner in this network.")]})
    previous = application.job_coach_id
    application.job_coach, application.job_coach_partner = coach, membership.partner
    application.save(update_fields=["job_coach", "job_coach_partner", "updated_at"])
    log_access(
        user=actor,
        person=application.person,
        action=AccessAction.CHANGE,
        view="application-coach",
        detail=f"placement-application:{application.pk}:coach",
    )
    ApplicationEvent.objects.create(
        application=application,
        action="coach",
        from_stage=application.stage,
        to_stage=application.stage,
        actor=actor,
        note=coach.get_full_name() or coach.username,
    )
    if previous != coach.pk:
        tell(
            application,
            [coach],
            "placement.coach",
            gettext_lazy("You are the job coach of %(person)s at %(employer)s (%(placement)s)."),
        )
    return application


def lock_application(application: PlacementApplication) -> PlacementApplication:
    return _lock(application)
