"""Reads of placement applications for pages, the API and exports: the candidates a user may see, what an
employer may read of a person, the moves on offer and the timeline; and the choices the employment forms offer,
which are the ones the services validate against (``proposable_people`` for ``application_propose``,
``employer_networks`` for ``placement_create``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.scope import scope_for
from core.types import AuthUser
from employment.access import (
    allowed_moves,
    employment_consent_live,
    employment_consents,
    readable_applications,
    reads_as_employer,
)
from employment.models import (
    CHECKPOINT_MONTHS,
    STAGE_LABELS,
    ApplicationReason,
    FollowAlongContact,
    JobPlacement,
    PlacementApplication,
)
from employment.retention import add_months, next_checkpoint
from network.models import Network, NetworkMembership
from partners.choices import StaffRole
from partners.models import Partner, User
from people.access import persons_visible_to, reads_employment
from people.models import PersonQuerySet

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


def application_list(user: AuthUser, *, placement: JobPlacement | None = None, stage: str = "") -> QuerySet[Any]:
    """Candidates the user may see, with what a row needs in one query (consent, the employer's answer right)."""
    applications = readable_applications(user)
    if placement is not None:
        applications = applications.filter(placement=placement)
    if stage:
        applications = applications.filter(stage=stage)
    return applications.order_by("-created_at", "-id")


def moves_now(user: AuthUser, application: PlacementApplication) -> list[str]:
    """What pages and the API offer: the allowed moves, less a retention checkpoint whose day has not come."""
    today = timezone.localdate()
    return [
        target
        for target in allowed_moves(user, application)
        if target not in CHECKPOINT_MONTHS
        or (application.hired_on is not None and add_months(application.hired_on, CHECKPOINT_MONTHS[target]) <= today)
    ]


def candidate_data(user: AuthUser, application: Any) -> dict[str, Any]:
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


def timeline_data(user: AuthUser, application: PlacementApplication) -> list[dict[str, Any]]:
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
            "reason_label": str(dict(ApplicationReason.choices).get(event.reason_code, event.reason_code)),
            "reason_origin": event.reason_origin,
            "note": event.note if (event.by_employer or not employer_reader) else "",
        }
        for event in application.events.all()
    ]


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


def follow_along_contacts(application: PlacementApplication) -> QuerySet[FollowAlongContact]:
    """The job coach's follow-along contacts with the person, newest first."""
    return application.contacts.order_by("-occurred_on", "-created_at")


def coordinated_networks(user: AuthUser) -> QuerySet[Network]:
    """The networks the user coordinates, by name (the caseload page shows each one's figures)."""
    return Network.objects.filter(id__in=list(scope_for(user).coordinated_network_ids)).order_by("name")


# --- the choices the forms offer ------------------------------------------------------------------


def employer_networks(employers: Iterable[Partner]) -> QuerySet[Network]:
    """Networks the employers are current members of: where their placements may be offered. The new placement
    form offers these, and ``placements.placement_create`` refuses any other network."""
    current = NetworkMembership.objects.current().filter(partner__in=employers)
    return Network.objects.filter(id__in=current.values("network_id")).order_by("name")


def proposable_people(user: AuthUser, placement: JobPlacement) -> PersonQuerySet:
    """The people the user may propose to this placement, as the propose page offers them.

    ``applications.application_propose`` refuses everyone this leaves out, each with its reason:
    - not a person of the placement's network the user sees: 400 on ``person``;
    - a person whose employment information the user cannot read (``people.access.reads_employment``): 400 on
      ``person``;
    - an anonymised person: 409 ``anonymised``;
    - no live consent lets the employer receive the employment information (``access.employment_consents``):
      409 ``consent_missing``;
    - already an active candidate for this placement: 409 ``duplicate``.
    What concerns the placement, not the person (the user may not propose in its network: 403; it is closed: 409
    ``placement_closed``), the service refuses for everyone alike, so a page shows that reason rather than an empty
    list.
    """
    consented = employment_consents(placement.employer).filter(person=OuterRef("pk"))
    already = PlacementApplication.objects.active().filter(placement=placement, person=OuterRef("pk"))
    return (
        persons_visible_to(user)
        .active()
        .filter(network_id=placement.network_id)
        .filter(reads_employment(user))
        .filter(Exists(consented))
        .exclude(Exists(already))
        .only("id", "first_name", "last_name", "birth_date", "birth_year")
        .order_by("last_name", "first_name", "id")
    )
