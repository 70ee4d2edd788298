"""Who sees and acts on a placement application, and the grants that carry it (the one place they are decided).

Grants, kept in step by every stage move (``employment/applications.py`` calls ``sync_application``):
- the employer's group: view + respond while the application is active; view once employment ended (its own
  employee's history); nothing after decline or withdrawal;
- the proposing partner's group: view, always (it learns the outcome);
- coordinators reach their network's applications through the network, the job coach through ``job_coach``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core import grants
from core.scope import scope_for
from core.types import AuthUser
from employment.models import (
    ACTIVE,
    CHECKPOINT_MONTHS,
    TRANSITIONS,
    JobPlacement,
    PlacementApplication,
    PlacementApplicationGroupObjectPermission,
    Stage,
)
from network.models import NetworkMembership
from partners.choices import PartnerType
from partners.models import Partner
from people.models import (
    Consent,
    ConsentQuerySet,
    DataCategory,
)

VIEW = "view_placementapplication"
RESPOND = "respond_placementapplication"

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


# --- permission ids -------------------------------------------------------------------------------


def perm_id(codename: str) -> int:
    """An application permission (view, respond) or a placement one (view, change), by codename."""
    return grants.permission_id(PlacementApplication if codename in (VIEW, RESPOND) else JobPlacement, codename)


# --- who is who -----------------------------------------------------------------------------------

_NETWORKS_ATTR = "_lsw_employment_networks"


def proposer_network_ids(user: AuthUser) -> frozenset[Any]:
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


def acting_partner_ids(user: AuthUser) -> frozenset[Any]:
    """Partners the user acts for as staff or admin (a job coach role does not speak for the employer)."""
    scope = scope_for(user)
    return scope.staff_partner_ids - scope.job_coach_partner_ids


def _granted(group_ids: Iterable[int], codename: str) -> Exists:
    return grants.granted_in(PlacementApplicationGroupObjectPermission, group_ids, perm_id(codename))


def applications_visible_to(user: AuthUser) -> QuerySet[PlacementApplication]:
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


def employment_consents(employer: Partner) -> ConsentQuerySet:
    """Live consents that let this employer receive a person's employment information (by name or by type): the
    gate of ``application_propose`` and the filter of ``selectors.proposable_people`` alike."""
    return (
        Consent.objects.live()
        .filter(categories__contains=[DataCategory.EMPLOYMENT])
        .filter(Q(partners=employer) | Q(partner_types__contains=[employer.type]))
    )


def readable_applications(user: AuthUser) -> QuerySet[Any]:
    """The applications the user sees, loaded as every reader receives them, in one query: the person without the
    columns an employer never gets, whether a live consent shares employment, and the employer's answer right."""
    scope = scope_for(user)
    acting = list(acting_partner_ids(user))
    responds = (Q(employer_id__in=acting) & _granted(scope.staff_group_ids, RESPOND) if acting else Q(pk__in=[])) | Q(
        network_id__in=list(scope.coordinated_network_ids)
    )
    return (
        applications_visible_to(user)
        .select_related("placement", "employer", "person", "job_coach", "job_coach_partner")
        .defer(*PERSON_COLUMNS_NOT_LOADED)
        .annotate(consent_live=employment_consent_live(), user_responds=Q(responds))
    )


def get_application_for(user: AuthUser, pk: Any) -> Any:
    try:
        return readable_applications(user).get(pk=pk)
    except (PlacementApplication.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    except ValidationError:
        raise Http404 from None


def responds_for_employer(user: AuthUser, application: PlacementApplication) -> bool:
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


def is_proposer_side(user: AuthUser, application: PlacementApplication) -> bool:
    scope = scope_for(user)
    return (
        application.network_id in scope.coordinated_network_ids
        or application.proposed_by_id == scope.user_id
        or (
            application.proposed_by_partner_id is not None
            and application.proposed_by_partner_id in scope.staff_partner_ids
        )
    )


def is_coach(user: AuthUser, application: PlacementApplication) -> bool:
    return application.job_coach_id is not None and application.job_coach_id == getattr(user, "pk", None)


def reads_as_employer(user: AuthUser, application: PlacementApplication) -> bool:
    """Whether the user reads this application as the employer does (notes of the network hidden)."""
    scope = scope_for(user)
    return (
        application.employer_id in scope.staff_partner_ids
        and application.network_id not in scope.coordinated_network_ids
        and not is_proposer_side(user, application)
        and not is_coach(user, application)
    )


def allowed_moves(user: AuthUser, application: PlacementApplication) -> list[str]:
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


def may_propose_in(user: AuthUser, network_id: Any) -> bool:
    scope = scope_for(user)
    return network_id in scope.coordinated_network_ids or network_id in proposer_network_ids(user)


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
