"""Demo placements of the two demo employers with candidates at several stages (DESIGN §10). Fictional data.

Called from network/demo.py after the demo people exist. Idempotent: nothing happens when the employers already
have placements. The printing house acts through its demo login; the garden company has no login, so its
moves are recorded by the coordinator (as coordinators may do for an employer without an account).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from employment.access import sync_application
from employment.models import (
    CHECKPOINT_MONTHS,
    ApplicationEvent,
    ApplicationReason,
    ContractForm,
    JobPlacement,
    PlacementApplication,
    Stage,
    SupportOffered,
)
from employment.placements import placement_create, sync_placement
from employment.retention import add_months
from network.models import Network
from partners.models import Partner, User
from people.models import Case, CaseEvent, CaseEventKind, Consent, DataCategory, Person

PLACEMENTS: list[tuple[str, dict[str, Any]]] = [
    (
        "drukarnia",
        {
            "title": "Pomocnik introligatora",
            "workplace": "Hala produkcyjna drukarni",
            "description": "Składanie i pakowanie druków, obsługa prostych maszyn introligatorskich.",
            "street": "ul. Składowa 7",
            "postal_code": "41-940",
            "city": "Piekary Śląskie",
            "hours_per_week": 20,
            "contract_form": ContractForm.EMPLOYMENT_CONTRACT,
            "support_offered": [SupportOffered.JOB_COACH, SupportOffered.FLEXIBLE_HOURS],
            "positions": 2,
        },
    ),
    (
        "drukarnia",
        {
            "title": "Pracownik magazynu — trening pracy",
            "workplace": "Magazyn papieru",
            "description": "Przyjmowanie dostaw, porządkowanie magazynu. Trening pracy z trenerem.",
            "street": "ul. Składowa 7",
            "postal_code": "41-940",
            "city": "Piekary Śląskie",
            "hours_per_week": 15,
            "contract_form": ContractForm.JOB_TRIAL,
            "support_offered": [SupportOffered.JOB_COACH, SupportOffered.WORKPLACE_MENTOR],
            "positions": 1,
        },
    ),
    (
        "ogrodnik",
        {
            "title": "Pomocnik ogrodnika",
            "workplace": "Tereny zielone klientów firmy",
            "description": "Pielęgnacja zieleni, koszenie, sadzenie. Praca w zespole trzyosobowym.",
            "street": "ul. Polna 21",
            "postal_code": "41-940",
            "city": "Piekary Śląskie",
            "hours_per_week": 30,
            "contract_form": ContractForm.INTERNSHIP,
            "support_offered": [
                SupportOffered.JOB_COACH,
                SupportOffered.ADAPTED_WORKSTATION,
                SupportOffered.WORKPLACE_MENTOR,
            ],
            "positions": 2,
        },
    ),
]

# (placement index, stage reached, days ago the proposal was made, months since the hire)
CANDIDATES: list[tuple[int, str, int, int]] = [
    (0, Stage.RETAINED_3M, 200, 4),
    (0, Stage.INTERVIEW, 10, 0),
    (0, Stage.PROPOSED, 3, 0),
    (0, Stage.DECLINED, 40, 0),
    (1, Stage.OFFERED, 14, 0),
    (1, Stage.HIRED, 60, 1),
    (2, Stage.RETAINED_6M, 260, 7),
    (2, Stage.PROPOSED, 5, 0),
    (2, Stage.WITHDRAWN, 30, 0),
]


def _eligible_people(network: Network, employers: list[Partner]) -> list[Person]:
    """People whose live consent lets employers receive their employment information."""
    consenting = (
        Consent.objects.live()
        .filter(categories__contains=[DataCategory.EMPLOYMENT], person__network=network)
        .filter(partner_types__contains=["employer"])
        .values("person_id")
    )
    return list(Person.objects.active().filter(id__in=consenting).order_by("last_name", "first_name", "id"))


def _move(application: PlacementApplication, stage: str, actor: User, at: datetime.datetime, **extra: Any) -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=stage,
        from_stage=application.stage,
        to_stage=stage,
        actor=actor,
        at=at,
        by_employer=extra.pop("by_employer", False),
        **extra,
    )
    application.stage = stage
    application.stage_changed_at = at


@transaction.atomic
def load_demo_employment(network: Network, partners: dict[str, Partner], users: dict[str, User]) -> int:
    """Placements of "drukarnia" and "ogrodnik" with candidates; returns the number of candidates."""
    employers = [partners["drukarnia"], partners["ogrodnik"]]
    if JobPlacement.objects.filter(employer__in=employers).exists():
        return PlacementApplication.objects.filter(employer__in=employers).count()
    coordinator, employer_user = users["koordynator"], users["pracodawca"]
    coach = users.get("trener")
    placements: list[JobPlacement] = []
    for key, data in PLACEMENTS:
        if key == "drukarnia":
            placement = placement_create(actor=employer_user, employer=partners[key], data=data, network=network)
        else:  # an employer without a login: its placement is entered directly
            placement = JobPlacement(employer=partners[key], network=network, created_by=coordinator, **data)
            placement.full_clean(exclude=["created_by"])
            placement.save()
            sync_placement(placement)
        placements.append(placement)

    people = _eligible_people(network, employers)
    now = timezone.now()
    today = timezone.localdate()
    count = 0
    for (index, stage, days_ago, months_hired), person in zip(CANDIDATES, people, strict=False):
        placement = placements[index]
        proposed_at = now - datetime.timedelta(days=days_ago)
        case = person.cases.filter(closed_on__isnull=True).first()
        if case is not None and case.opened_on > proposed_at.date():
            # The demo people's cases open on the day the demo loads; a person proposed months ago had a case
            # before that, so the case opening moves back (the figure "days to the first employer contact").
            opened_on = proposed_at.date() - datetime.timedelta(days=30 + 7 * (index + 1))
            Case.objects.filter(pk=case.pk).update(opened_on=opened_on)
            CaseEvent.objects.filter(case=case, kind=CaseEventKind.OPENED).update(
                at=timezone.make_aware(datetime.datetime.combine(opened_on, datetime.time(9)))
            )
        application = PlacementApplication.objects.create(
            placement=placement,
            employer=placement.employer,
            network=network,
            person=person,
            case=case,
            proposed_by=coordinator,
            note="Osoba zmotywowana, po kursie w Centrum Szkoleń Zawodowych.",
        )
        application.created_at = proposed_at  # kept by the save below (auto_now_add acts on insert only)
        ApplicationEvent.objects.create(
            application=application, action="propose", to_stage=Stage.PROPOSED, actor=coordinator, at=proposed_at
        )
        by_employer = placement.employer_id == partners["drukarnia"].pk
        actor = employer_user if by_employer else coordinator
        step_at = proposed_at
        ladder: list[str] = [
            Stage.INTERVIEW,
            Stage.OFFERED,
            Stage.HIRED,
            Stage.RETAINED_1M,
            Stage.RETAINED_3M,
            Stage.RETAINED_6M,
        ]
        if stage in ladder:
            hired_on = add_months(today, -months_hired) if months_hired else today
            for step in ladder[: ladder.index(stage) + 1]:
                step_at = min(step_at + datetime.timedelta(days=3), now)
                if step == Stage.HIRED:
                    application.hired_on = hired_on
                    step_at = max(step_at, timezone.make_aware(datetime.datetime.combine(hired_on, datetime.time(9))))
                if step in CHECKPOINT_MONTHS:
                    month_at = add_months(hired_on, CHECKPOINT_MONTHS[step])
                    step_at = timezone.make_aware(datetime.datetime.combine(month_at, datetime.time(10)))
                _move(
                    application,
                    step,
                    actor if step not in CHECKPOINT_MONTHS else coordinator,
                    step_at,
                    by_employer=by_employer and step not in CHECKPOINT_MONTHS,
                )
            if stage in (Stage.HIRED, Stage.RETAINED_1M, Stage.RETAINED_3M, Stage.RETAINED_6M):
                JobPlacement.objects.filter(pk=placement.pk).update(hired_count=placement.hired_count + 1)
                placement.hired_count += 1
                if coach is not None:
                    application.job_coach = coach
                    application.job_coach_partner = partners["zaz"]
        elif stage == Stage.DECLINED:
            _move(
                application, Stage.INTERVIEW, actor, proposed_at + datetime.timedelta(days=5), by_employer=by_employer
            )
            _move(
                application,
                Stage.DECLINED,
                actor,
                proposed_at + datetime.timedelta(days=9),
                reason_code=ApplicationReason.POSITION_FILLED,
                reason_origin="employer",
                by_employer=by_employer,
            )
            application.reason_code, application.reason_origin = ApplicationReason.POSITION_FILLED, "employer"
        elif stage == Stage.WITHDRAWN:
            _move(
                application,
                Stage.WITHDRAWN,
                coordinator,
                proposed_at + datetime.timedelta(days=4),
                reason_code=ApplicationReason.PERSON_DECLINED,
                reason_origin="person",
            )
            application.reason_code, application.reason_origin = ApplicationReason.PERSON_DECLINED, "person"
        application.save()
        sync_application(application)
        count += 1
    return count
