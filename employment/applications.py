"""Placement applications (issue 7): who sees them, what an employer may read of a candidate, and one service per
stage move. Each move locks the row, checks the actor and the move, writes its timeline row, keeps the guardian
grants in step, logs the access and queues notifications — in one transaction. Illegal moves raise
IllegalTransition (409); a hire with no free position raises NoPlace (409).

Grants (the one place they change for applications):
- the employer's group: view + respond while the application is active; view once employment ended (its own
  employee's history); nothing after decline or withdrawal;
- the proposing partner's group: view, always (it learns the outcome);
- coordinators reach their network's applications through the network, the job coach through ``job_coach``.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import grants
from core.errors import Conflict, IllegalTransition, NoConsent, NoPlace, PermissionDenied
from core.scope import scope_for
from employment.models import (
    ACTIVE,
    CHECKPOINT_MONTHS,
    EMPLOYED,
    REASONS_FOR,
    TRANSITIONS,
    ApplicationEvent,
    ApplicationReasonOrigin,
    JobPlacement,
    PlacementApplication,
    PlacementApplicationGroupObjectPermission,
    Stage,
)
from network.models import NetworkMembership
from notifications.services import notify
from partners.choices import PartnerType, StaffRole
from partners.models import Partner, User
from people.access import access_to_person
from people.audit import log_access
from people.models import AccessAction, Case, Consent, DataCategory, Person

VIEW = "view_placementapplication"
RESPOND = "respond_placementapplication"
STAGE_LABELS = dict(Stage.choices)

# The only fields of a person an employer ever receives (issue 7): name, how to contact, skills and experience,
# and the support needs at work the person agreed to share. Never health, disability, social situation or notes.
EMPLOYER_PERSON_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_contact",
    "skills_experience",
    "work_support_needs",
)
# Shown only while a live consent gives the employer the employment category.
CONSENTED_FIELDS = ("phone", "email", "preferred_contact", "skills_experience", "work_support_needs")
# Columns of Person an employer-facing query never even loads.
PERSON_COLUMNS_NOT_LOADED = (
    "person__health_notes",
    "person__disability_level",
    "person__disability_symbol",
    "person__social_situation",
    "person__pesel",
    "person__birth_date",
    "person__guardian_name",
    "person__guardian_contact",
)


class PlacementClosed(Conflict):
    code = "placement_closed"


class AlreadyProposed(Conflict):
    code = "duplicate"


# --- permission ids -------------------------------------------------------------------------------


def perm_id(codename: str) -> int:
    """An application permission (view, respond) or a placement one (view, change), by codename."""
    return grants.permission_id(PlacementApplication if codename in (VIEW, RESPOND) else JobPlacement, codename)


# --- dates ----------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_checkpoint(application: PlacementApplication) -> tuple[str, datetime.date] | None:
    """The retention checkpoint to record next and the day it falls on (None when none is ahead)."""
    if application.hired_on is None or application.stage not in EMPLOYED:
        return None
    for stage, months in CHECKPOINT_MONTHS.items():
        if TRANSITIONS[stage] == (application.stage,):
            return stage, add_months(application.hired_on, months)
    return None


# --- who is who -----------------------------------------------------------------------------------

_NETWORKS_ATTR = "_lsw_employment_networks"


def proposer_network_ids(user: Any) -> frozenset[Any]:
    """Networks where the user proposes candidates and sees open placements without coordinating: as staff of a
    labour office (PUP) or as a job coach of a partner that is a current member. Cached on the user object."""
    cached = getattr(user, _NETWORKS_ATTR, None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    ids: frozenset[Any] = frozenset()
    if scope.staff_partner_ids:
        ids = frozenset(
            NetworkMembership.objects.current()
            .filter(partner_id__in=list(scope.staff_partner_ids))
            .filter(Q(partner__type=PartnerType.PUP) | Q(partner_id__in=list(scope.job_coach_partner_ids)))
            .values_list("network_id", flat=True)
        )
    if scope.user_id is not None:
        setattr(user, _NETWORKS_ATTR, ids)
    return ids


def acting_partner_ids(user: Any) -> frozenset[Any]:
    """Partners the user acts for as staff or admin (a job coach role does not speak for the employer)."""
    scope = scope_for(user)
    return scope.staff_partner_ids - scope.job_coach_partner_ids


def _granted(group_ids: Iterable[int], codename: str) -> Exists:
    return grants.granted_in(PlacementApplicationGroupObjectPermission, group_ids, perm_id(codename))


def applications_visible_to(user: Any) -> QuerySet[PlacementApplication]:
    """Coordinators: their networks. Employer and proposer staff: by partner id first, then the grant.
    Job coaches: the people they were assigned."""
    scope = scope_for(user)
    if scope.user_id is None:
        return PlacementApplication.objects.none()
    condition = Q(network_id__in=list(scope.coordinated_network_ids)) | Q(job_coach_id=scope.user_id)
    if scope.staff_partner_ids:
        partners = list(scope.staff_partner_ids)
        condition |= Q(
            (Q(employer_id__in=partners) | Q(proposed_by_partner_id__in=partners))
            & _granted(scope.staff_group_ids, VIEW)
        )
    return PlacementApplication.objects.filter(condition)


def employment_consent_live() -> Exists:
    """For querysets of applications: a live consent gives the employer the employment category."""
    return Exists(
        Consent.objects.live()
        .filter(person=OuterRef("person_id"), categories__contains=[DataCategory.EMPLOYMENT])
        .filter(Q(partners=OuterRef("employer_id")) | Q(partner_types__contains=[PartnerType.EMPLOYER]))
    )


def application_list(user: Any, *, placement: JobPlacement | None = None, stage: str = "") -> QuerySet[Any]:
    """Candidates the user may see, with what a row needs in one query (consent, the employer's answer right)."""
    scope = scope_for(user)
    applications = applications_visible_to(user)
    if placement is not None:
        applications = applications.filter(placement=placement)
    if stage:
        applications = applications.filter(stage=stage)
    acting = list(acting_partner_ids(user))
    responds = (Q(employer_id__in=acting) & _granted(scope.staff_group_ids, RESPOND) if acting else Q(pk__in=[])) | Q(
        network_id__in=list(scope.coordinated_network_ids)
    )
    return (
        applications.select_related("placement", "employer", "person", "job_coach", "job_coach_partner")
        .defer(*PERSON_COLUMNS_NOT_LOADED)
        .annotate(consent_live=employment_consent_live(), user_responds=Q(responds))
        .order_by("-created_at", "-id")
    )


def get_application_for(user: Any, pk: Any) -> Any:
    try:
        return application_list(user).get(pk=pk)
    except (PlacementApplication.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    except ValidationError:
        raise Http404 from None


def responds_for_employer(user: Any, application: PlacementApplication) -> bool:
    """Answers for the employer: its staff holding the respond grant; coordinators may record for an employer."""
    annotated = getattr(application, "user_responds", None)
    if annotated is not None:
        return bool(annotated)
    scope = scope_for(user)
    if application.network_id in scope.coordinated_network_ids:
        return True
    if application.employer_id not in acting_partner_ids(user):
        return False
    return grants.holds(PlacementApplicationGroupObjectPermission, application, scope.staff_group_ids, perm_id(RESPOND))


def is_proposer_side(user: Any, application: PlacementApplication) -> bool:
    scope = scope_for(user)
    return (
        application.network_id in scope.coordinated_network_ids
        or application.proposed_by_id == scope.user_id
        or (
            application.proposed_by_partner_id is not None
            and application.proposed_by_partner_id in scope.staff_partner_ids
        )
    )


def is_coach(user: Any, application: PlacementApplication) -> bool:
    return application.job_coach_id is not None and application.job_coach_id == getattr(user, "pk", None)


def reads_as_employer(user: Any, application: PlacementApplication) -> bool:
    """Whether the user reads this application as the employer does (notes of the network hidden)."""
    scope = scope_for(user)
    return (
        application.employer_id in scope.staff_partner_ids
        and application.network_id not in scope.coordinated_network_ids
        and not is_proposer_side(user, application)
        and not is_coach(user, application)
    )


def allowed_moves(user: Any, application: PlacementApplication) -> list[str]:
    """Stages the user may move this application to now, in the order pages show them."""
    moves: list[str] = []
    employer = responds_for_employer(user, application)
    coach = is_coach(user, application)
    proposer = is_proposer_side(user, application)
    for target, sources in TRANSITIONS.items():
        if application.stage not in sources:
            continue
        if target in (Stage.INTERVIEW, Stage.OFFERED, Stage.HIRED, Stage.DECLINED):
            ok = employer
        elif target in CHECKPOINT_MONTHS or target == Stage.ENDED:
            ok = employer or coach
        else:  # withdrawn
            ok = proposer or coach
        if ok:
            moves.append(target)
    return moves


def moves_now(user: Any, application: PlacementApplication) -> list[str]:
    """What pages and the API offer: the allowed moves, less a retention checkpoint whose day has not come."""
    today = timezone.localdate()
    return [
        target
        for target in allowed_moves(user, application)
        if target not in CHECKPOINT_MONTHS
        or (application.hired_on is not None and add_months(application.hired_on, CHECKPOINT_MONTHS[target]) <= today)
    ]


# --- what a reader receives -----------------------------------------------------------------------


def candidate_data(user: Any, application: Any) -> dict[str, Any]:
    """A candidate as every page, API answer and export shows them: the employer-safe fields only, for everyone.
    Contact, skills and support needs only while a live consent gives the employer the employment category."""
    person = application.person
    consent_live = getattr(application, "consent_live", None)
    if consent_live is None:
        consent_live = (
            PlacementApplication.objects.filter(pk=application.pk)
            .annotate(live=employment_consent_live())
            .values_list("live", flat=True)
            .first()
        )
    data: dict[str, Any] = {
        "id": str(application.pk),
        "placement": str(application.placement_id),
        "placement_title": application.placement.title,
        "employer": str(application.employer_id),
        "employer_name": str(application.employer),
        "stage": application.stage,
        "stage_label": str(STAGE_LABELS.get(application.stage, application.stage)),
        "consent_live": bool(consent_live),
        "first_name": person.first_name,
        "last_name": person.last_name,
    }
    for name in CONSENTED_FIELDS:
        data[name] = getattr(person, name) if consent_live else None
    if not consent_live:
        # Consent withdrawn: the employer keeps only initials of a candidate it already knew.
        data["first_name"], data["last_name"] = f"{person.first_name[:1]}.", f"{person.last_name[:1]}."
    coach = application.job_coach
    data.update(
        proposed_at=application.created_at.isoformat(),
        note=application.note,
        hired_on=application.hired_on.isoformat() if application.hired_on else None,
        ended_on=application.ended_on.isoformat() if application.ended_on else None,
        reason_code=application.reason_code,
        reason_origin=application.reason_origin,
        job_coach=(
            {
                "name": coach.get_full_name() or coach.username,
                "email": coach.email,
                "partner": str(application.job_coach_partner) if application.job_coach_partner_id else "",
            }
            if coach is not None
            else None
        ),
        moves=moves_now(user, application),
    )
    checkpoint = next_checkpoint(application)
    data["next_checkpoint"] = {"stage": checkpoint[0], "on": checkpoint[1].isoformat()} if checkpoint else None
    if scope_for(user).coordinates(application.network_id):
        data["person"] = str(application.person_id)
    return data


def timeline_data(user: Any, application: PlacementApplication) -> list[dict[str, Any]]:
    """The timeline; an employer reads the notes its own staff wrote, never those of the network's side."""
    employer_reader = reads_as_employer(user, application)
    return [
        {
            "action": event.action,
            "from": event.from_stage,
            "to": event.to_stage,
            "to_label": str(STAGE_LABELS.get(event.to_stage, event.to_stage)),
            "at": event.at.isoformat(),
            "reason_code": event.reason_code,
            "reason_origin": event.reason_origin,
            "note": event.note if (event.by_employer or not employer_reader) else "",
        }
        for event in application.events.all()
    ]


# --- grants ---------------------------------------------------------------------------------------


def desired_application_grants(application: PlacementApplication) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    employer_group = application.employer.group_id
    if application.stage in ACTIVE:
        pairs |= {(employer_group, perm_id(VIEW)), (employer_group, perm_id(RESPOND))}
    elif application.stage == Stage.ENDED:
        pairs.add((employer_group, perm_id(VIEW)))
    proposer = application.proposed_by_partner
    if proposer is not None:
        pairs.add((proposer.group_id, perm_id(VIEW)))
    return pairs


def sync_application(application: PlacementApplication, *, apply: bool = True) -> tuple[set[Any], set[Any]]:
    """Make the grant rows match the domain state; return what was missing and what was extra."""
    return grants.sync(application, apply=apply)


# --- notifications --------------------------------------------------------------------------------


def _initials(person: Person) -> str:
    # Notifications name the person by initials only: never health data, as little identity as possible.
    return f"{person.first_name[:1]}. {person.last_name[:1]}."


def application_url(application: PlacementApplication) -> str:
    try:
        return reverse("application-detail", args=[application.pk])
    except NoReverseMatch:  # the pages are not routed (yet) in this deployment
        return ""


def staff_of(partner_id: Any, *, roles: Iterable[str] | None = None) -> list[User]:
    if partner_id is None:
        return []
    users = User.objects.filter(
        staff_memberships__partner_id=partner_id, staff_memberships__is_active=True, is_active=True
    )
    if roles is not None:
        users = users.filter(staff_memberships__role__in=list(roles))
    return list(users.distinct())


def coordinators_of(network_id: Any) -> list[User]:
    return list(User.objects.filter(coordinatorships__network_id=network_id, is_active=True))


def employer_side(application: PlacementApplication) -> list[User]:
    return staff_of(application.employer_id, roles=[StaffRole.STAFF, StaffRole.ADMIN])


def network_side(application: PlacementApplication) -> list[User]:
    """Who proposed (their partner's staff, or the coordinators) and the job coach."""
    people = (
        staff_of(application.proposed_by_partner_id)
        if application.proposed_by_partner_id
        else coordinators_of(application.network_id)
    )
    people = [*people, application.proposed_by]
    if application.job_coach is not None:
        people.append(application.job_coach)
    return people


def tell(application: PlacementApplication, recipients: list[User], kind: str, message: Any, **extra: Any) -> None:
    def text() -> str:
        return str(message) % {
            "person": _initials(application.person),
            "placement": application.placement.title,
            "employer": str(application.employer),
            "stage": str(STAGE_LABELS[application.stage]),
            **{key: str(value) for key, value in extra.items()},
        }

    notify(recipients=recipients, kind=kind, text=text, obj=application, url=application_url(application))


# --- propose --------------------------------------------------------------------------------------


def employment_consent_covers(person: Person, employer: Partner) -> bool:
    return (
        Consent.objects.live()
        .filter(person=person, categories__contains=[DataCategory.EMPLOYMENT])
        .filter(Q(partners=employer) | Q(partner_types__contains=[employer.type]))
        .exists()
    )


def may_propose_in(user: Any, network_id: Any) -> bool:
    scope = scope_for(user)
    return network_id in scope.coordinated_network_ids or network_id in proposer_network_ids(user)


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

    Gated by a live consent that covers the employer and the employment category (409 without it)."""
    if not may_propose_in(actor, placement.network_id):
        raise PermissionDenied
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
    errors: dict[str, list[str]] = {}
    if reason_code not in REASONS_FOR[target]:
        errors["reason_code"] = [_("Choose one of the reasons for this step.")]
    if reason_origin not in ApplicationReasonOrigin.values:
        errors["reason_origin"] = [_("Say whether the reason came from the employer, the person or the institution.")]
    if errors:
        raise ValidationError(errors)


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
    channel: str = "page",
) -> PlacementApplication:
    """Hire: takes one of the placement's positions. The placement row is locked, and its check constraint
    refuses a count above the positions, so two hires on the last position cannot both succeed."""
    application = _lock(application)
    _check_move(application, Stage.HIRED)
    if Stage.HIRED not in allowed_moves(actor, application):
        raise PermissionDenied
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
    application.hired_on = timezone.localdate()
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
    if timezone.localdate() < due:
        raise IllegalTransition(
            _("It is too early: the checkpoint “%(stage)s” falls on %(date)s.")
            % {"stage": STAGE_LABELS[checkpoint], "date": due.strftime("%d.%m.%Y")}
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
    channel: str = "page",
) -> PlacementApplication:
    """One entry point for pages and the API: move to ``stage`` through its own service."""
    if stage == Stage.INTERVIEW:
        return application_interview(actor=actor, application=application, note=note, channel=channel)
    if stage == Stage.OFFERED:
        return application_offer(actor=actor, application=application, note=note, channel=channel)
    if stage == Stage.HIRED:
        return application_hire(actor=actor, application=application, note=note, channel=channel)
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


# --- retention reminders (the background job) -----------------------------------------------------

REMIND_DAYS_AHEAD = 7


def remind_retention_checkpoints(today: datetime.date | None = None) -> int:
    """The background job: tell each job coach (or, with none assigned, the network's coordinators) once per
    retention checkpoint (1, 3, 6 months after the hire), from a week before it — or at once if the job finds it
    already passed and unrecorded. Idempotent; rows are locked with SKIP LOCKED, so several runners may overlap."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMIND_DAYS_AHEAD)
    condition = Q()
    for stage, months in CHECKPOINT_MONTHS.items():
        # A few days of slack for month ends; the exact day is checked below.
        latest_hire = add_months(horizon, -months) + datetime.timedelta(days=3)
        condition |= Q(stage=TRANSITIONS[stage][0], hired_on__lte=latest_hire) & ~Q(reminded_for=stage)
    ids = list(PlacementApplication.objects.filter(condition).values_list("pk", flat=True)[:500])
    count = 0
    for pk in ids:
        with transaction.atomic():
            application = (
                PlacementApplication.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("person", "placement", "employer", "job_coach")
                .filter(pk=pk, stage__in=EMPLOYED)
                .first()
            )
            checkpoint = next_checkpoint(application) if application is not None else None
            if application is None or checkpoint is None:
                continue
            stage, due = checkpoint
            if due > horizon or application.reminded_for == stage:
                continue
            application.reminded_for = stage
            application.save(update_fields=["reminded_for"])
            recipients: list[User] = (
                [application.job_coach]
                if application.job_coach is not None
                else coordinators_of(application.network_id)
            )
            tell(
                application,
                recipients,
                "placement.checkpoint",
                gettext_lazy(
                    "Retention checkpoint “%(checkpoint)s” of %(person)s at %(employer)s falls on %(date)s: "
                    "record it after a follow-along contact."
                ),
                checkpoint=STAGE_LABELS[stage],
                date=due.strftime("%d.%m.%Y"),
            )
            count += 1
    return count


# --- the job coach --------------------------------------------------------------------------------


def coach_choices(network_id: Any) -> QuerySet[User]:
    """Job coaches of partners that are current members of the network."""
    members = NetworkMembership.objects.current().filter(network_id=network_id).values("partner_id")
    return (
        User.objects.filter(
            is_active=True,
            staff_memberships__role=StaffRole.JOB_COACH,
            staff_memberships__is_active=True,
            staff_memberships__partner_id__in=members,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assign_job_coach_locked(*, actor: User, application: PlacementApplication, coach: User) -> PlacementApplication:
    """The assignment itself, for a row the caller already locked (see partners.placement_services)."""
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
