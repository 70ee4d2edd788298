"""Supported job placements (issue 7): who sees them, the employer's writes, the job coach's work.

- Placements: the employer's staff and admins create, edit and close their own (a guardian grant on each, kept
  in step here); coordinators see every placement of their network; the labour office (PUP) and job coaches
  see the open ones of the networks their partner belongs to; a job coach also sees the placements of the
  people assigned to them.
- The job coach: assigned per hire, records follow-along contacts (also counted as an Activity of the coach's
  institution), reminded before each retention checkpoint by ``employment.retention.remind_retention_checkpoints``
  (the background job), and a caseload flagged above 20 people (a fidelity benchmark of supported employment).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import events, grants
from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from core.types import AuthUser
from employment import access, applications, selectors
from employment.models import (
    ACTIVE,
    EMPLOYED,
    ContactMode,
    ContractForm,
    FollowAlongContact,
    JobPlacement,
    JobPlacementGroupObjectPermission,
    PlacementApplication,
    PlacementApplicationGroupObjectPermission,
    Stage,
    SupportOffered,
)
from employment.notify import refresh_lists
from network.models import NetworkMembership
from notifications.services import notify
from partners.choices import PartnerType
from partners.models import Partner, User
from people.audit import log_access
from people.models import AccessAction, Activity

VIEW = "view_jobplacement"
CHANGE = "change_jobplacement"
PLACEMENT_FIELDS = [
    "title",
    "description",
    "workplace",
    "street",
    "postal_code",
    "city",
    "hours_per_week",
    "contract_form",
    "support_offered",
    "positions",
    "closing_date",
]
CASELOAD_LIMIT = 20


# --- reading placements ---------------------------------------------------------------------------


def _granted(group_ids: Any, codename: str) -> Exists:
    return grants.granted_in(JobPlacementGroupObjectPermission, group_ids, access.perm_id(codename))


def _open_condition() -> Q:
    today = timezone.localdate()
    return Q(is_open=True) & (Q(closing_date__isnull=True) | Q(closing_date__gte=today))


def placements_visible_to(user: AuthUser) -> QuerySet[JobPlacement]:
    scope = scope_for(user)
    if scope.user_id is None:
        return JobPlacement.objects.none()
    condition = Q(network_id__in=list(scope.coordinated_network_ids))
    if scope.staff_partner_ids:
        condition |= Q(Q(employer_id__in=list(scope.staff_partner_ids)) & _granted(scope.staff_group_ids, VIEW))
    proposer_networks = access.proposer_network_ids(user)
    if proposer_networks:
        condition |= Q(network_id__in=list(proposer_networks)) & _open_condition()
    if scope.job_coach_partner_ids:
        condition |= Q(
            Exists(PlacementApplication.objects.filter(placement=OuterRef("pk"), job_coach_id=scope.user_id))
        )
    return JobPlacement.objects.filter(condition)


def get_placement_for(user: AuthUser, pk: Any) -> JobPlacement:
    try:
        return placements_visible_to(user).select_related("employer", "network").get(pk=pk)
    except (JobPlacement.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def employer_partners_of(user: AuthUser) -> QuerySet[Partner]:
    """Employers the user posts placements for (their staff or admin, not a job coach there)."""
    return Partner.objects.filter(id__in=list(access.acting_partner_ids(user)), type=PartnerType.EMPLOYER)


def can_manage_placement(user: AuthUser, placement: JobPlacement) -> bool:
    if placement.employer_id not in access.acting_partner_ids(user):
        return False
    scope = scope_for(user)
    return grants.holds(JobPlacementGroupObjectPermission, placement, scope.staff_group_ids, access.perm_id(CHANGE))


def placement_list(
    user: AuthUser,
    *,
    q: str = "",
    network: Any = None,
    contract_form: str = "",
    support: str = "",
    open_only: bool = False,
    employer: Any = None,
) -> QuerySet[JobPlacement]:
    """Placements the user sees, searchable; with the number of active candidates, in one query."""
    placements = placements_visible_to(user)
    if open_only:
        # Accepting candidates: open, before the closing date, a position still free (``is_accepting``).
        placements = placements.filter(_open_condition(), hired_count__lt=F("positions"))
    if network is not None:
        placements = placements.filter(network_id=network)
    if employer is not None:
        placements = placements.filter(employer_id=employer)
    if contract_form:
        placements = placements.filter(contract_form=contract_form)
    if support:
        placements = placements.filter(support_offered__contains=[support])
    q = (q or "").strip()
    if q:
        placements = placements.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(workplace__icontains=q)
            | Q(city__icontains=q)
            | Q(employer__name__icontains=q)
        )
    active = (
        PlacementApplication.objects.filter(placement=OuterRef("pk"), stage__in=ACTIVE)
        .order_by()
        .values("placement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        placements.select_related("employer", "network")
        .annotate(active_candidates=Coalesce(Subquery(active, output_field=IntegerField()), Value(0)))
        .order_by("-created_at", "-id")
    )


# --- the employer's writes ------------------------------------------------------------------------


def desired_placement_grants(placement: JobPlacement) -> set[tuple[int, int]]:
    group = placement.employer.group_id
    return {(group, access.perm_id(VIEW)), (group, access.perm_id(CHANGE))}


def sync_placement(placement: JobPlacement, *, apply: bool = True) -> tuple[set[Any], set[Any]]:
    return grants.sync(placement, apply=apply)


def register_policies() -> None:
    """Placement and application grant tables follow their state (called from ``EmploymentConfig.ready``)."""
    grants.register(
        grants.GrantPolicy(
            name="placement",
            model=JobPlacement,
            table=JobPlacementGroupObjectPermission,
            desired=desired_placement_grants,
            sources=lambda: JobPlacement.objects.all(),
            prepare=lambda queryset: queryset.select_related("employer"),
        )
    )
    grants.register(
        grants.GrantPolicy(
            name="application",
            model=PlacementApplication,
            table=PlacementApplicationGroupObjectPermission,
            desired=access.desired_application_grants,
            sources=lambda: PlacementApplication.objects.all(),
            prepare=lambda queryset: queryset.select_related("employer", "proposed_by_partner"),
        )
    )


def _apply(placement: JobPlacement, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    unknown = set(data) - set(PLACEMENT_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    for name in PLACEMENT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if name == "support_offered":
            value = list(dict.fromkeys(value or []))
            if any(code not in SupportOffered.values for code in value):
                errors[name] = [_("Unknown kind of support.")]
                continue
        if name == "contract_form" and value not in ContractForm.values:
            errors[name] = [_("Choose the form of employment.")]
            continue
        setattr(placement, name, value)


def _check_closing_date(placement: JobPlacement, errors: dict[str, list[str]]) -> None:
    if placement.closing_date is not None and placement.closing_date < timezone.localdate():
        errors["closing_date"] = [_("The closing date cannot be in the past.")]


def _full_clean(placement: JobPlacement, errors: dict[str, list[str]]) -> None:
    try:
        placement.full_clean(exclude=["employer", "network", "created_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def placement_create(
    *, actor: User, employer: Partner, data: dict[str, Any], network: Any = None, channel: str = "page"
) -> JobPlacement:
    """A new placement of an employer the actor works for, in a network the employer belongs to."""
    if employer.pk not in access.acting_partner_ids(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if employer.type != PartnerType.EMPLOYER:
        errors["employer"] = [_("Only an employer posts supported job placements.")]
    networks = list(selectors.employer_networks([employer]).values_list("id", flat=True))
    network_id = getattr(network, "pk", network)
    if network_id is None:
        if len(networks) == 1:
            network_id = networks[0]
        else:
            errors["network"] = [_("Choose the network the placement is offered in.")]
    elif network_id not in networks:
        errors["network"] = [_("The employer is not a current member of this network.")]
    placement = JobPlacement(employer=employer, network_id=network_id, created_by=actor)
    _apply(placement, data, errors)
    _check_closing_date(placement, errors)
    _full_clean(placement, errors)
    placement.save()
    sync_placement(placement)

    def text() -> str:
        return str(gettext_lazy("New supported job placement at %(employer)s: %(title)s.")) % {
            "employer": employer,
            "title": placement.title,
        }

    notify(
        recipients=User.objects.filter(coordinatorships__network_id=network_id, is_active=True),
        kind="placement.created",
        text=text,
        obj=placement,
        url=placement_url(placement),
    )
    announce(placement, "placement.published")
    return placement


def announce(placement: JobPlacement, event_type: str) -> None:
    """Tell other systems (webhooks) that a placement was published, changed, closed or reopened: the employer, the
    network's coordinators and the member partners that see open placements (the access function decides)."""
    from django.urls import NoReverseMatch, reverse

    try:
        api = reverse("api-placement", args=[placement.pk])
    except NoReverseMatch:
        api = ""
    # The lists of those who see the placement refresh in place: the employer, the coordinators and the members.
    members = NetworkMembership.objects.current().filter(network_id=placement.network_id)
    refresh_lists(placement.network_id, [placement.employer_id, *members.values_list("partner_id", flat=True)])
    events.publish(
        event_type,
        placement.pk,
        "open" if placement.is_open else "closed",
        {"api": api},
        events.Audience.of(
            networks=[placement.network_id], partners=[placement.employer_id], members_of=[placement.network_id]
        ),
    )


def placement_url(placement: JobPlacement) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("placement-detail", args=[placement.pk])
    except NoReverseMatch:  # the pages are not routed (yet) in this deployment
        return ""


def _lock_to_manage(actor: User, placement: JobPlacement) -> JobPlacement:
    if not can_manage_placement(actor, placement):
        raise PermissionDenied
    return JobPlacement.objects.select_for_update().select_related("employer", "network").get(pk=placement.pk)


@transaction.atomic
def placement_update(*, actor: User, placement: JobPlacement, data: dict[str, Any]) -> JobPlacement:
    """Edit under a row lock: positions never drop below the people already employed (a hire may be running)."""
    placement = _lock_to_manage(actor, placement)
    errors: dict[str, list[str]] = {}
    previous_closing = placement.closing_date
    _apply(placement, data, errors)
    if "closing_date" in data and placement.closing_date != previous_closing:
        _check_closing_date(placement, errors)
    _full_clean(placement, errors)
    placement.save()
    announce(placement, "placement.updated")
    return placement


@transaction.atomic
def placement_close(*, actor: User, placement: JobPlacement) -> JobPlacement:
    """No new candidates; those already proposed keep their stages."""
    placement = _lock_to_manage(actor, placement)
    if not placement.is_open:
        raise Conflict(_("This placement is already closed."), code="already_closed")
    placement.is_open = False
    placement.closed_at = timezone.now()
    placement.save(update_fields=["is_open", "closed_at", "updated_at"])
    announce(placement, "placement.closed")
    return placement


@transaction.atomic
def placement_reopen(*, actor: User, placement: JobPlacement) -> JobPlacement:
    placement = _lock_to_manage(actor, placement)
    if placement.is_open:
        raise Conflict(_("This placement is already open."), code="already_open")
    errors: dict[str, list[str]] = {}
    _check_closing_date(placement, errors)
    if errors:
        raise ValidationError(errors)
    placement.is_open = True
    placement.closed_at = None
    placement.save(update_fields=["is_open", "closed_at", "updated_at"])
    announce(placement, "placement.reopened")
    return placement


# --- the job coach --------------------------------------------------------------------------------


@transaction.atomic
def job_coach_assign(*, actor: User, application: PlacementApplication, coach: User) -> PlacementApplication:
    """Assign (or change) the job coach of a hire: the coordinator or whoever proposed the person."""
    locked = applications.lock_application(application)
    return applications.assign_job_coach_locked(actor=actor, application=locked, coach=coach)


def can_record_follow_along(user: AuthUser, application: PlacementApplication) -> bool:
    return access.is_coach(user, application) or scope_for(user).coordinates(application.network_id)


@transaction.atomic
def follow_along_record(
    *,
    actor: User,
    application: PlacementApplication,
    minutes: int,
    mode: str,
    occurred_on: datetime.date | None = None,
    note: str = "",
    channel: str = "page",
) -> FollowAlongContact:
    """A follow-along contact of the job coach (or the coordinator) with a person at work."""
    application = applications.lock_application(application)
    if not can_record_follow_along(actor, application):
        raise PermissionDenied
    if application.stage not in (Stage.OFFERED, *EMPLOYED):
        raise Conflict(
            _("Follow-along contacts are recorded while the person is offered the job or employed."),
            code="not_employed",
        )
    errors: dict[str, list[str]] = {}
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    if mode not in ContactMode.values:
        errors["mode"] = [_("Choose the form of contact.")]
    contact = FollowAlongContact(
        application=application,
        coach=actor,
        occurred_on=occurred_on,
        minutes=minutes,
        mode=mode,
        note=(note or "").strip(),
    )
    try:
        contact.full_clean(exclude=["application", "coach", "activity"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    partner_id = application.job_coach_partner_id
    if partner_id is None or not access.is_coach(actor, application):
        partner_id = application.network.coordinating_partner_id if application.network_id else None
    if partner_id is not None:
        contact.activity = Activity.objects.create(
            person=application.person,
            partner_id=partner_id,
            occurred_on=occurred_on,
            minutes=minutes,
            topic=application.placement.title[:200],
            recorded_by=actor,
        )
    contact.save()
    log_access(
        user=actor,
        person=application.person,
        action=AccessAction.CHANGE,
        view="follow-along",
        channel=channel,
        detail=f"follow-along:{contact.pk}",
    )
    return contact


# --- caseload -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachLoad:
    coach_id: Any
    name: str
    people: int

    @property
    def over_limit(self) -> bool:
        return self.people > CASELOAD_LIMIT


def caseload_by_coach(network_ids: Any) -> list[CoachLoad]:
    """People currently employed with each job coach's support, per coach, in one query."""
    rows = (
        PlacementApplication.objects.employed()
        .filter(network_id__in=list(network_ids), job_coach__isnull=False)
        .values("job_coach_id", "job_coach__first_name", "job_coach__last_name", "job_coach__username")
        .annotate(people=Count("person_id", distinct=True))
        .order_by("-people", "job_coach__last_name", "job_coach_id")
    )
    return [
        CoachLoad(
            coach_id=row["job_coach_id"],
            name=f"{row['job_coach__first_name']} {row['job_coach__last_name']}".strip() or row["job_coach__username"],
            people=row["people"],
        )
        for row in rows
    ]


def coach_caseload(user: AuthUser) -> QuerySet[Any]:
    """The people a job coach supports now: employed, or offered the job, with the coach assigned."""
    return (
        selectors.application_list(user)
        .filter(job_coach_id=user.pk, stage__in=(Stage.OFFERED, *EMPLOYED))
        .order_by("hired_on", "id")
    )
