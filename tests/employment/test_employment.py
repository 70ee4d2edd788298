"""Supported employment (issue 7): placements, candidates and their stages, what an employer may see, the job
coach, reminders, figures, pages, API — and every "Done when" line of the issue."""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import NoPlace
from employment import access, applications, retention, selectors
from employment import placements as placement_services
from employment.figures import employment_figures
from employment.models import (
    ApplicationEvent,
    FollowAlongContact,
    JobPlacement,
    JobPlacementGroupObjectPermission,
    PlacementApplication,
    PlacementApplicationGroupObjectPermission,
    Stage,
)
from notifications.models import Notification
from partners.choices import PartnerType, Sector, StaffRole
from partners.models import Partner, User
from people.models import AccessLog, Activity, Consent, Person
from referrals import services as referral_services
from tests.factories import MembershipFactory, PartnerFactory, make_staff
from tests.people_fixtures import make_case, make_consent, make_person, make_pesel

URLS = "tests.urls_employment"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

# What a candidate's record holds that an employer must never receive (health, disability, social situation,
# identity beyond name and contact, case notes and the network's own notes).
HEALTH_NOTES = "Schizofrenia paranoidalna F20 — leczenie klozapiną"
SOCIAL = "Mieszka sama, zasiłek stały z MOPR"
ACTIVITY_TOPIC = "Wizyta u psychiatry w CZP"
COACH_NOTE = "Trener: rozmowa o lekach i samopoczuciu"
CONTACT_NOTE = "Kontakt: zgłasza gorsze samopoczucie"
BIRTH = datetime.date(1985, 4, 12)
PESEL = make_pesel(BIRTH, serial=321, female=True)
FORBIDDEN = [
    HEALTH_NOTES,
    "Schizofrenia",
    "klozapin",
    "02-P",
    "significant",
    "znaczny",
    SOCIAL,
    "zasiłek",
    ACTIVITY_TOPIC,
    "psychiatr",
    COACH_NOTE,
    "lekach",
    CONTACT_NOTE,
    "samopoczucie",
    PESEL,
    "1985-04-12",
    "12.04.1985",
]
FORBIDDEN_KEYS = {"health_notes", "disability_level", "disability_symbol", "social_situation", "pesel", "birth_date"}


@dataclass
class Emp:
    world: Any
    pup: Partner
    pup_staff: User
    coach: User
    other_employer: Partner
    other_employer_staff: User
    person: Person


def candidate(world: Any, **fields: Any) -> Person:
    """A person with health data recorded, an open case and a consent that gives employers employment data."""
    person = make_person(
        world,
        **(
            {
                "first_name": "Anna",
                "last_name": "Kowalska",
                "birth_date": BIRTH,
                "pesel": PESEL,
                "phone": "600 100 200",
                "email": "anna.kowalska@example.org",
                "health_notes": HEALTH_NOTES,
                "disability_symbol": "02-P",
                "disability_level": "significant",
                "social_situation": SOCIAL,
                "skills_experience": "Magazynier, 5 lat; wózek widłowy",
                "work_support_needs": "Stałe godziny pracy, jedna osoba do kontaktu",
            }
            | fields
        ),
    )
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity", "social", "health"], partners=[world.sending])
    make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    return person


@pytest.fixture
def emp(world: Any) -> Emp:
    pup = PartnerFactory(name="PUP Piekary", type=PartnerType.PUP, sector=Sector.LOCAL_GOVERNMENT)
    MembershipFactory(network=world.network, partner=pup, functions=["employment"])
    other_employer = PartnerFactory(name="Zielony Ogród s.c.", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    MembershipFactory(network=world.network, partner=other_employer, functions=["employment"])
    return Emp(
        world=world,
        pup=pup,
        pup_staff=make_staff(pup, username="pup"),
        coach=make_staff(
            world.sending, StaffRole.JOB_COACH, username="trener", first_name="Tomasz", last_name="Trener"
        ),
        other_employer=other_employer,
        other_employer_staff=make_staff(other_employer, username="ogrodnik"),
        person=candidate(world),
    )


def post_placement(emp: Emp, *, user: Any = None, employer: Any = None, **data: Any) -> JobPlacement:
    defaults = {
        "title": "Pomocnik magazyniera",
        "workplace": "Magazyn wyrobów gotowych",
        "hours_per_week": 20,
        "contract_form": "employment_contract",
        "support_offered": ["job_coach", "flexible_hours"],
        "positions": 2,
    }
    return placement_services.placement_create(
        actor=user or emp.world.employer_staff, employer=employer or emp.world.employer, data=defaults | data
    )


def propose(emp: Emp, placement: JobPlacement, person: Person | None = None, actor: Any = None) -> Any:
    return applications.application_propose(
        actor=actor or emp.world.coordinator, placement=placement, person=person or emp.person, note="Zmotywowana."
    )


def advance(user: Any, application: Any, *stages: str, **extra: Any) -> Any:
    for stage in stages:
        application = applications.application_advance(actor=user, application=application, stage=stage, **extra)
    return application


def hire(emp: Emp, placement: JobPlacement, person: Person | None = None) -> Any:
    application = propose(emp, placement, person)
    return advance(emp.world.employer_staff, application, Stage.INTERVIEW, Stage.OFFERED, Stage.HIRED)


def backdate_hire(application: Any, months: int) -> Any:
    hired_on = retention.add_months(timezone.localdate(), -months)
    PlacementApplication.objects.filter(pk=application.pk).update(hired_on=hired_on)
    application.refresh_from_db()
    return application


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


PLACEMENT_BODY = {
    "title": "Pracownik gospodarczy",
    "workplace": "Budynek biurowy",
    "hours_per_week": 25,
    "contract_form": "job_trial",
    "support_offered": ["job_coach"],
    "positions": 1,
}


# --- placements -----------------------------------------------------------------------------------


def test_it_lets_the_employer_post_edit_and_close_a_placement_with_grants_to_its_group(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp, closing_date=timezone.localdate() + datetime.timedelta(days=30))
    assert placement.network_id == world.network.pk and placement.is_accepting
    grants = set(
        JobPlacementGroupObjectPermission.objects.filter(content_object=placement).values_list(
            "group_id", "permission__codename"
        )
    )
    assert grants == {(world.employer.group_id, "view_jobplacement"), (world.employer.group_id, "change_jobplacement")}
    # The network's coordinators hear of it.
    assert Notification.objects.filter(recipient=world.coordinator, kind="placement.created").count() == 1
    placement_services.placement_update(actor=world.employer_staff, placement=placement, data={"positions": 3})
    placement_services.placement_close(actor=world.employer_staff, placement=placement)
    placement.refresh_from_db()
    assert placement.positions == 3 and not placement.is_open and not placement.is_accepting
    # Others cannot change it; not even the coordinator (employers edit their own).
    for user in (world.coordinator, emp.other_employer_staff, emp.pup_staff):
        with pytest.raises(PermissionDenied):
            placement_services.placement_update(actor=user, placement=placement, data={"positions": 1})
    placement.refresh_from_db()
    assert placement.positions == 3


def test_it_refuses_bad_placement_input_with_a_clear_400_and_saves_nothing(emp: Emp) -> None:
    client = api(emp.world.employer_staff)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    cases = {
        "positions": PLACEMENT_BODY | {"positions": -1},
        "closing_date": PLACEMENT_BODY | {"closing_date": yesterday},
        "hours_per_week": PLACEMENT_BODY | {"hours_per_week": 61},
    }
    for field, body in cases.items():
        response = client.post("/api/v1/placements/", body, format="json")
        assert response.status_code == 400, field
        assert field in response.json(), response.json()
    zero_hours = client.post("/api/v1/placements/", PLACEMENT_BODY | {"hours_per_week": 0}, format="json")
    assert zero_hours.status_code == 400 and "hours_per_week" in zero_hours.json()
    assert not JobPlacement.objects.exists()
    # The page form says the same and saves nothing.
    page = web(emp.world.employer_staff).post(
        "/placements/new/", {**PLACEMENT_BODY, "employer": str(emp.world.employer.pk), "positions": "-2"}
    )
    assert page.status_code == 400 and "has-error" in page.content.decode()
    assert not JobPlacement.objects.exists()
    # An edit below the people already employed is refused too (400), the row unchanged.
    placement = post_placement(emp, positions=1)
    hire(emp, placement)
    response = client.patch(f"/api/v1/placements/{placement.pk}/", {"positions": 0}, format="json")
    assert response.status_code == 400 and "positions" in response.json()
    placement.refresh_from_db()
    assert placement.positions == 1 and placement.hired_count == 1


def test_it_lets_only_employer_staff_post_placements(emp: Emp) -> None:
    for user in (emp.world.coordinator, emp.pup_staff, emp.coach):
        response = api(user).post("/api/v1/placements/", PLACEMENT_BODY, format="json")
        assert response.status_code == 403, user
    other = api(emp.world.employer_staff).post(
        "/api/v1/placements/", PLACEMENT_BODY | {"employer": str(emp.other_employer.pk)}, format="json"
    )
    assert other.status_code == 404
    assert web(emp.pup_staff).get("/placements/new/").status_code == 403
    assert not JobPlacement.objects.exists()
    created = api(emp.world.employer_staff).post("/api/v1/placements/", PLACEMENT_BODY, format="json")
    assert created.status_code == 201 and created.json()["employer"] == str(emp.world.employer.pk)


def test_it_shows_open_placements_to_the_network_coordinator_and_labour_office_only(emp: Emp) -> None:
    world = emp.world
    open_one = post_placement(emp, title="Magazynier")
    closed = post_placement(emp, title="Kierowca")
    placement_services.placement_close(actor=world.employer_staff, placement=closed)
    expired = post_placement(emp, title="Sprzątanie")
    JobPlacement.objects.filter(pk=expired.pk).update(closing_date=timezone.localdate() - datetime.timedelta(days=1))
    theirs = post_placement(emp, user=emp.other_employer_staff, employer=emp.other_employer, title="Ogrodnik")

    def visible(user: Any, **kwargs: Any) -> set[Any]:
        return set(placement_services.placement_list(user, **kwargs).values_list("pk", flat=True))

    assert visible(world.employer_staff) == {open_one.pk, closed.pk, expired.pk}
    assert visible(emp.other_employer_staff) == {theirs.pk}
    assert visible(world.coordinator) == {open_one.pk, closed.pk, expired.pk, theirs.pk}
    assert visible(world.coordinator, open_only=True) == {open_one.pk, theirs.pk}
    assert visible(emp.pup_staff) == {open_one.pk, theirs.pk}
    assert visible(emp.coach) == {open_one.pk, theirs.pk}
    for user in (world.receiving_staff, world.unrelated_staff, world.other_coordinator, world.monitor):
        assert visible(user) == set(), user
    # Searchable: words of the title, workplace, city or employer.
    assert visible(emp.pup_staff, q="ogrodn") == {theirs.pk}
    page = web(emp.pup_staff).get("/placements/", {"q": "magazynier"}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and "Magazynier" in page.content.decode() and "Ogrodnik" not in page.content.decode()


# --- the life of a candidacy ----------------------------------------------------------------------


def test_it_walks_the_whole_path_with_one_timeline_row_per_transition(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp)
    application = propose(emp, placement)
    assert application.stage == Stage.PROPOSED and application.proposed_by_partner_id is None
    assert Notification.objects.filter(recipient=world.employer_staff, kind="placement.proposed").count() == 1
    application = advance(world.employer_staff, application, Stage.INTERVIEW, Stage.OFFERED)
    placement_services.job_coach_assign(actor=world.coordinator, application=application, coach=emp.coach)
    application = advance(world.employer_staff, application, Stage.HIRED)
    placement.refresh_from_db()
    assert placement.hired_count == 1 and application.hired_on == timezone.localdate()
    application = backdate_hire(application, 6)
    application = advance(emp.coach, application, Stage.RETAINED_1M, Stage.RETAINED_3M)
    application = advance(world.employer_staff, application, Stage.RETAINED_6M)
    application = advance(
        world.employer_staff, application, Stage.ENDED, reason_code="open_market", note="Umowa na czas nieokreślony"
    )
    placement.refresh_from_db()
    assert application.stage == Stage.ENDED and application.reason_origin == "employer"
    assert placement.hired_count == 0  # the position is free again
    actions = list(application.events.values_list("action", flat=True))
    assert actions == [
        "propose",
        "interview",
        "offered",
        "coach",
        "hired",
        "retained_1m",
        "retained_3m",
        "retained_6m",
        "ended",
    ]
    # The proposer's side learns every step (closed loop); the coach was told of the assignment.
    kinds = set(Notification.objects.filter(recipient=world.coordinator).values_list("kind", flat=True))
    assert {
        "placement.interview",
        "placement.offered",
        "placement.hired",
        "placement.retained",
        "placement.ended",
    } <= kinds
    assert Notification.objects.filter(recipient=emp.coach, kind="placement.coach").exists()
    # After the end the employer keeps the history (view) but may not move it any more.
    codenames = set(
        PlacementApplicationGroupObjectPermission.objects.filter(
            content_object=application, group=world.employer.group
        ).values_list("permission__codename", flat=True)
    )
    assert codenames == {"view_placementapplication"}


def test_it_answers_409_for_a_stage_that_is_not_next_and_changes_nothing(emp: Emp) -> None:
    placement = post_placement(emp)
    application = propose(emp, placement)
    client = api(emp.world.employer_staff)
    for stage in (Stage.HIRED, Stage.OFFERED, Stage.RETAINED_1M, Stage.ENDED, Stage.PROPOSED):
        response = client.post(f"/api/v1/applications/{application.pk}/advance/", {"stage": stage}, format="json")
        assert response.status_code == 409, stage
        assert response.json()["code"] == "illegal_transition" and response.json()["detail"]
    unknown = client.post(f"/api/v1/applications/{application.pk}/advance/", {"stage": "promoted"}, format="json")
    assert unknown.status_code == 400 and "stage" in unknown.json()
    application.refresh_from_db()
    placement.refresh_from_db()
    assert application.stage == Stage.PROPOSED and placement.hired_count == 0
    assert list(application.events.values_list("action", flat=True)) == ["propose"]


def test_it_requires_a_fitting_coded_reason_to_decline_withdraw_or_end(emp: Emp) -> None:
    application = propose(emp, post_placement(emp))
    client = api(emp.world.employer_staff)
    url = f"/api/v1/applications/{application.pk}/advance/"
    assert client.post(url, {"stage": "declined"}, format="json").status_code == 400
    no_fit = client.post(url, {"stage": "declined", "reason_code": "contract_ended"}, format="json")
    assert no_fit.status_code == 400 and "reason_code" in no_fit.json()
    application.refresh_from_db()
    assert application.stage == Stage.PROPOSED and application.events.count() == 1
    declined = client.post(
        url, {"stage": "declined", "reason_code": "not_suited", "note": "Brak prawa jazdy"}, format="json"
    )
    assert declined.status_code == 200 and declined.json()["stage"] == "declined"
    # Declined: the employer's grants are gone, so the candidate is no longer its to see.
    assert client.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert (
        api(emp.world.coordinator).get(f"/api/v1/applications/{application.pk}/").json()["reason_code"] == "not_suited"
    )


def test_it_lets_only_the_proposing_side_withdraw_and_only_the_employer_hire(emp: Emp) -> None:
    world = emp.world
    application = propose(emp, post_placement(emp))
    with pytest.raises(PermissionDenied):
        applications.application_withdraw(actor=world.employer_staff, application=application, reason_code="other")
    with pytest.raises(PermissionDenied):
        advance(emp.pup_staff, application, Stage.INTERVIEW)
    applications.application_withdraw(
        actor=world.coordinator, application=application, reason_code="person_declined", reason_origin="person"
    )
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    assert Notification.objects.filter(recipient=world.employer_staff, kind="placement.withdrawn").exists()
    assert not PlacementApplicationGroupObjectPermission.objects.filter(
        content_object=application, group=world.employer.group
    ).exists()


def test_it_refuses_a_retention_checkpoint_before_its_day(emp: Emp) -> None:
    application = hire(emp, post_placement(emp))
    response = api(emp.world.employer_staff).post(
        f"/api/v1/applications/{application.pk}/advance/", {"stage": "retained_1m"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    application.refresh_from_db()
    assert application.stage == Stage.HIRED


def test_it_never_hires_more_people_than_positions(emp: Emp) -> None:
    placement = post_placement(emp, positions=1)
    # Both candidates are proposed while the position is free (a filled placement takes no more candidates).
    second = advance(
        emp.world.employer_staff,
        propose(emp, placement, candidate(emp.world, first_name="Jan", last_name="Nowak", pesel="")),
        Stage.INTERVIEW,
        Stage.OFFERED,
    )
    hire(emp, placement)
    response = api(emp.world.employer_staff).post(
        f"/api/v1/applications/{second.pk}/advance/", {"stage": "hired"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "no_capacity"
    second.refresh_from_db()
    placement.refresh_from_db()
    assert second.stage == Stage.OFFERED and placement.hired_count == 1
    # The database itself refuses a count above the positions, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        JobPlacement.objects.filter(pk=placement.pk).update(hired_count=2)


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_parallel_hires_take_the_last_position(world: Any) -> None:
    emp_world = Emp(
        world=world,
        pup=world.receiving,
        pup_staff=world.receiving_staff,
        coach=world.sending_staff,
        other_employer=world.unrelated,
        other_employer_staff=world.unrelated_staff,
        person=candidate(world),
    )
    placement = post_placement(emp_world, positions=1)
    first = advance(world.employer_staff, propose(emp_world, placement), Stage.INTERVIEW, Stage.OFFERED)
    other = candidate(world, first_name="Jan", last_name="Nowak", pesel="")
    second = advance(world.employer_staff, propose(emp_world, placement, other), Stage.INTERVIEW, Stage.OFFERED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def hire_one(application: Any) -> None:
        user = User.objects.get(pk=world.employer_staff.pk)  # a user object (and scope cache) per thread
        barrier.wait()
        try:
            applications.application_hire(actor=user, application=application)
            outcomes.append("hired")
        except NoPlace:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=hire_one, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["full", "hired"]
    assert JobPlacement.objects.get(pk=placement.pk).hired_count == 1
    assert PlacementApplication.objects.filter(stage=Stage.HIRED).count() == 1
    assert PlacementApplication.objects.filter(stage=Stage.OFFERED).count() == 1
    assert ApplicationEvent.objects.filter(action="hired").count() == 1


# --- the consent gate -----------------------------------------------------------------------------


def test_it_refuses_to_propose_a_person_without_a_consent_covering_the_employer_and_employment(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp)
    no_employment = make_person(world, first_name="Ewa", last_name="Bezzgody", pesel="")
    make_consent(world, no_employment, ["identity", "social"], partner_types=[PartnerType.EMPLOYER])
    other_partner = make_person(world, first_name="Olga", last_name="Innafirma", pesel="")
    make_consent(world, other_partner, ["identity", "employment"], partners=[emp.other_employer])
    withdrawn = make_person(world, first_name="Wanda", last_name="Cofnietazgoda", pesel="")
    consent = make_consent(world, withdrawn, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    client = api(world.coordinator)
    logged = AccessLog.objects.count()
    for person in (no_employment, other_partner, withdrawn):
        response = client.post(
            f"/api/v1/placements/{placement.pk}/applications/", {"person": str(person.pk)}, format="json"
        )
        assert response.status_code == 409, person
        assert response.json()["code"] == "consent_missing" and response.json()["detail"]
    assert not PlacementApplication.objects.exists()
    assert not Notification.objects.filter(kind="placement.proposed").exists()
    assert AccessLog.objects.count() == logged
    # The page's list offers only people the employer may learn about.
    page = web(world.coordinator).get(f"/placements/{placement.pk}/propose/").content.decode()
    assert "Kowalska" in page
    assert "Cofnietazgoda" not in page and "Innafirma" not in page and "Bezzgody" not in page


def test_it_refuses_proposals_to_a_closed_placement_and_twice_the_same_person(emp: Emp) -> None:
    placement = post_placement(emp)
    propose(emp, placement)
    with pytest.raises(applications.AlreadyProposed):
        propose(emp, placement)
    placement_services.placement_close(actor=emp.world.employer_staff, placement=placement)
    other = candidate(emp.world, first_name="Jan", last_name="Nowak", pesel="")
    response = api(emp.world.coordinator).post(
        f"/api/v1/placements/{placement.pk}/applications/", {"person": str(other.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "placement_closed"
    assert PlacementApplication.objects.count() == 1


def test_it_lets_the_labour_office_propose_people_referred_to_it_with_employment_data(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp)
    person = emp.person
    make_consent(world, person, ["identity", "employment"], partners=[emp.pup])
    referral = referral_services.referral_create(
        actor=world.coordinator, person=person, to_partner=emp.pup, reason="Aktywizacja", categories=["identity"]
    )
    referral_services.referral_send(actor=world.coordinator, referral=referral)
    # Identity alone is not enough: the labour office cannot share what it cannot see.
    with pytest.raises(ValidationError) as error:
        propose(emp, placement, actor=emp.pup_staff)
    assert "person" in error.value.message_dict
    second = referral_services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=emp.pup,
        reason="Zatrudnienie wspomagane",
        categories=["identity", "employment"],
    )
    referral_services.referral_send(actor=world.coordinator, referral=second)
    application = propose(emp, placement, actor=emp.pup_staff)
    assert application.proposed_by_partner_id == emp.pup.pk
    advance(world.employer_staff, application, Stage.INTERVIEW)
    assert Notification.objects.filter(recipient=emp.pup_staff, kind="placement.interview").exists()
    # The proposer's group sees the candidacy (closed loop), others at PUP's level do not.
    assert api(emp.pup_staff).get(f"/api/v1/applications/{application.pk}/").status_code == 200
    assert api(world.receiving_staff).get(f"/api/v1/applications/{application.pk}/").status_code == 404


# --- what an employer sees ------------------------------------------------------------------------


def _walk_json(value: Any, keys: set[str]) -> None:
    if isinstance(value, dict):
        keys.update(value)
        for item in value.values():
            _walk_json(item, keys)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item, keys)


def test_it_shows_the_employer_no_health_data_in_any_response(emp: Emp) -> None:
    world = emp.world
    person = emp.person
    Activity.objects.create(
        person=person, partner=world.sending, minutes=30, topic=ACTIVITY_TOPIC, recorded_by=world.sending_staff
    )
    placement = post_placement(emp)
    application = propose(emp, placement)
    application = advance(world.employer_staff, application, Stage.INTERVIEW, Stage.OFFERED)
    placement_services.job_coach_assign(actor=world.coordinator, application=application, coach=emp.coach)
    application = advance(world.employer_staff, application, Stage.HIRED)
    placement_services.follow_along_record(
        actor=emp.coach, application=application, minutes=45, mode="at_work", note=CONTACT_NOTE
    )
    backdate_hire(application, 1)
    application = advance(emp.coach, application, Stage.RETAINED_1M, note=COACH_NOTE)
    retention.remind_retention_checkpoints(today=timezone.localdate() + datetime.timedelta(days=70))

    employer = world.employer_staff
    client, page = api(employer), web(employer)
    responses: dict[str, str] = {}
    json_bodies: list[Any] = []

    def take(name: str, response: Any, status: int = 200) -> None:
        assert response.status_code == status, (name, response.status_code)
        body = response.content.decode("utf-8-sig")
        responses[name] = body
        if response.get("Content-Type", "").startswith("application/json"):
            json_bodies.append(json.loads(body))

    take("api placements", client.get("/api/v1/placements/"))
    take("api placement", client.get(f"/api/v1/placements/{placement.pk}/"))
    take("api candidates", client.get(f"/api/v1/placements/{placement.pk}/applications/"))
    take("api candidate", client.get(f"/api/v1/applications/{application.pk}/"))
    take("api notifications", client.get("/api/v1/notifications/"))
    take("api persons", client.get("/api/v1/persons/"))
    take("api person", client.get(f"/api/v1/persons/{person.pk}/"), 404)
    take("api edit", client.patch(f"/api/v1/placements/{placement.pk}/", {"hours_per_week": 25}, format="json"))
    take("page list", page.get("/placements/"))
    take("page placement", page.get(f"/placements/{placement.pk}/"))
    take("page candidate", page.get(f"/applications/{application.pk}/"))
    take("page edit", page.get(f"/placements/{placement.pk}/edit/"))
    take("page person", page.get(f"/people/{person.pk}/"), 404)
    take("csv", page.get(f"/placements/{placement.pk}/candidates.csv"))
    assert responses["csv"].count("\n") == 2 and "Kowalska" in responses["csv"]
    take(
        "htmx move",
        page.post(f"/applications/{application.pk}/move/", {"stage": "retained_3m"}, headers={"HX-Request": "true"}),
        409,
    )
    take(
        "api advance",
        client.post(
            f"/api/v1/applications/{application.pk}/advance/",
            {"stage": "ended", "reason_code": "contract_ended", "note": "Koniec umowy"},
            format="json",
        ),
    )
    take("api candidate after end", client.get(f"/api/v1/applications/{application.pk}/"))
    notes = list(Notification.objects.filter(recipient=employer).values_list("text", flat=True))
    assert len(notes) >= 3  # proposed, retained after 1 month, ended
    responses["notifications"] = "\n".join(notes)

    # What the employer does see: name, contact, skills and experience, support needs at work.
    assert "Kowalska" in responses["page placement"] and "600 100 200" in responses["page placement"]
    assert "wózek widłowy" in responses["api candidate"] and "Stałe godziny pracy" in responses["api candidate"]
    for name, body in responses.items():
        for secret in FORBIDDEN:
            assert secret.lower() not in body.lower(), f"{secret!r} in {name}"
    keys: set[str] = set()
    for body in json_bodies:
        _walk_json(body, keys)
    assert not keys & FORBIDDEN_KEYS, keys & FORBIDDEN_KEYS
    # An employer cannot reach /api/v1/persons/: it answers, but with no person at all.
    assert json.loads(responses["api persons"]) == {"count": 0, "next": None, "previous": None, "results": []}


def test_it_keeps_the_candidate_fields_to_the_employer_safe_set(emp: Emp) -> None:
    from api.employment import CandidateSerializer
    from people.models import PERSON_FIELD_CATEGORIES

    person_fields = set(PERSON_FIELD_CATEGORIES)
    exposed = set(CandidateSerializer().fields) & person_fields
    assert exposed == set(selectors.EMPLOYER_PERSON_FIELDS)
    assert {PERSON_FIELD_CATEGORIES[name] for name in exposed} == {"identity", "employment"}


def test_it_shows_initials_only_once_the_person_withdraws_the_employment_consent(emp: Emp) -> None:
    application = propose(emp, post_placement(emp))
    Consent.objects.filter(person=emp.person, categories__contains=["employment"]).update(withdrawn_at=timezone.now())
    body = api(emp.world.employer_staff).get(f"/api/v1/applications/{application.pk}/").json()
    assert body["consent_live"] is False
    assert body["first_name"] == "A." and body["last_name"] == "K."
    assert body["phone"] is None and body["skills_experience"] is None and body["work_support_needs"] is None


def test_it_answers_404_for_another_employers_placement_and_candidates(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp)
    application = propose(emp, placement)
    for user in (emp.other_employer_staff, world.unrelated_staff, world.other_coordinator, world.receiving_staff):
        client, page = api(user), web(user)
        assert client.get(f"/api/v1/placements/{placement.pk}/").status_code == 404
        assert client.patch(f"/api/v1/placements/{placement.pk}/", {"positions": 5}, format="json").status_code == 404
        assert client.get(f"/api/v1/placements/{placement.pk}/applications/").status_code == 404
        assert client.get(f"/api/v1/applications/{application.pk}/").status_code == 404
        advance_url = f"/api/v1/applications/{application.pk}/advance/"
        assert client.post(advance_url, {"stage": "interview"}, format="json").status_code == 404
        assert str(application.pk) not in client.get("/api/v1/placements/").content.decode()
        for url in (
            f"/placements/{placement.pk}/",
            f"/placements/{placement.pk}/edit/",
            f"/placements/{placement.pk}/candidates.csv",
            f"/placements/{placement.pk}/propose/",
            f"/applications/{application.pk}/",
        ):
            assert page.get(url).status_code == 404, (user, url)
        assert page.post(f"/applications/{application.pk}/move/", {"stage": "interview"}).status_code == 404
        assert page.post(f"/placements/{placement.pk}/close/").status_code == 404
    # Malformed ids are 404 too, in JSON.
    assert api(world.employer_staff).get("/api/v1/placements/not-a-uuid/").json()["code"] == "not_found"
    application.refresh_from_db()
    placement.refresh_from_db()
    assert application.stage == Stage.PROPOSED and placement.positions == 2 and placement.is_open


def test_it_lets_the_employer_see_the_placement_but_403_an_action_it_may_not_do(emp: Emp) -> None:
    placement = post_placement(emp)
    coordinator = api(emp.world.coordinator)
    assert coordinator.get(f"/api/v1/placements/{placement.pk}/").status_code == 200
    assert coordinator.patch(f"/api/v1/placements/{placement.pk}/", {"positions": 5}, format="json").status_code == 403
    assert (
        api(emp.world.employer_staff)
        .post(f"/api/v1/placements/{placement.pk}/applications/", {"person": str(emp.person.pk)}, format="json")
        .status_code
        == 403
    )


# --- pages ----------------------------------------------------------------------------------------


def test_it_moves_a_candidate_from_the_placement_page_with_htmx(emp: Emp) -> None:
    placement = post_placement(emp)
    application = propose(emp, placement)
    page = web(emp.world.employer_staff)
    response = page.post(
        f"/applications/{application.pk}/move/",
        {"stage": "interview", "context": "row"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith("<tr") and f'id="application-{application.pk}"' in body
    application.refresh_from_db()
    assert application.stage == Stage.INTERVIEW
    skipped = page.post(f"/applications/{application.pk}/move/", {"stage": "hired"}, headers={"HX-Request": "true"})
    assert skipped.status_code == 409 and 'role="status"' in skipped.content.decode()
    # Without JavaScript: a redirect back to the placement.
    plain = page.post(f"/applications/{application.pk}/move/", {"stage": "offered", "context": "row"})
    assert plain.status_code == 302 and plain["Location"] == f"/placements/{placement.pk}/"


def test_it_posts_edits_and_closes_a_placement_through_the_pages(emp: Emp) -> None:
    page = web(emp.world.employer_staff)
    form = page.get("/placements/new/")
    assert form.status_code == 200
    created = page.post("/placements/new/", {**PLACEMENT_BODY, "employer": str(emp.world.employer.pk)})
    assert created.status_code == 302
    placement = JobPlacement.objects.get()
    assert created["Location"] == f"/placements/{placement.pk}/"
    edited = page.post(f"/placements/{placement.pk}/edit/", {**PLACEMENT_BODY, "positions": 3})
    assert edited.status_code == 302
    assert page.post(f"/placements/{placement.pk}/close/").status_code == 302
    placement.refresh_from_db()
    assert placement.positions == 3 and not placement.is_open


def test_it_lets_the_coordinator_propose_assign_a_coach_and_the_coach_record_contacts(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp)
    coordinator = web(world.coordinator)
    proposed = coordinator.post(f"/placements/{placement.pk}/propose/", {"person": str(emp.person.pk), "note": "x"})
    assert proposed.status_code == 302
    application = PlacementApplication.objects.get()
    advance(world.employer_staff, application, Stage.INTERVIEW, Stage.OFFERED, Stage.HIRED)
    assigned = coordinator.post(f"/applications/{application.pk}/coach/", {"coach-coach": str(emp.coach.pk)})
    assert assigned.status_code == 302
    application.refresh_from_db()
    assert application.job_coach_id == emp.coach.pk and application.job_coach_partner_id == world.sending.pk
    # A coach must be a job coach of a partner in the network.
    with pytest.raises(ValidationError) as error:
        placement_services.job_coach_assign(
            actor=world.coordinator, application=application, coach=world.receiving_staff
        )
    assert "job_coach" in error.value.message_dict
    coach = web(emp.coach)
    recorded = coach.post(
        f"/applications/{application.pk}/contacts/",
        {"contact-occurred_on": timezone.localdate().isoformat(), "contact-minutes": "40", "contact-mode": "at_work"},
    )
    assert recorded.status_code == 302
    contact = FollowAlongContact.objects.get()
    assert contact.activity is not None and contact.activity.partner_id == world.sending.pk
    assert contact.activity.minutes == 40 and contact.activity.person_id == emp.person.pk
    # The employer may not record them.
    with pytest.raises(PermissionDenied):
        placement_services.follow_along_record(
            actor=world.employer_staff, application=application, minutes=10, mode="phone"
        )
    caseload = coach.get("/job-coaches/caseload/")
    assert caseload.status_code == 200 and "Kowalska" in caseload.content.decode()
    assert web(world.employer_staff).get("/job-coaches/caseload/").status_code == 403


# --- the job coach: reminders and caseload --------------------------------------------------------


def test_it_reminds_the_job_coach_once_before_each_retention_checkpoint(emp: Emp) -> None:
    world = emp.world
    application = hire(emp, post_placement(emp))
    placement_services.job_coach_assign(actor=world.coordinator, application=application, coach=emp.coach)
    today = timezone.localdate()
    assert retention.remind_retention_checkpoints(today=today) == 0
    # Five days before the 1-month checkpoint: one reminder, then none again.
    checkpoint = retention.add_months(application.hired_on, 1)
    day = checkpoint - datetime.timedelta(days=5)
    assert retention.remind_retention_checkpoints(today=day) == 1
    assert retention.remind_retention_checkpoints(today=day) == 0
    note = Notification.objects.get(recipient=emp.coach, kind="placement.checkpoint")
    assert "A. K." in note.text and checkpoint.strftime("%d.%m.%Y") in note.text
    assert "Kowalska" not in note.text and "Schizofrenia" not in note.text
    # Without a coach, the coordinators are told.
    other = hire(
        emp, post_placement(emp, title="Drugi"), candidate(world, first_name="Jan", last_name="Nowak", pesel="")
    )
    backdate_hire(other, 1)
    assert retention.remind_retention_checkpoints(today=today) == 1
    assert Notification.objects.filter(recipient=world.coordinator, kind="placement.checkpoint").count() == 1


def test_the_hire_plans_the_checkpoint_reminder_a_week_ahead_and_an_ending_drops_it(emp: Emp) -> None:
    from procrastinate.contrib.django.models import ProcrastinateJob

    from employment.tasks import remind

    application = hire(emp, post_placement(emp))
    key = f"placement-application:{application.pk}:checkpoint"
    job = ProcrastinateJob.objects.get(queueing_lock=key, status="todo")
    checkpoint = retention.add_months(application.hired_on, 1)
    assert job.task_name == retention.CHECKPOINT_TASK
    assert timezone.localtime(job.scheduled_at).date() == checkpoint - datetime.timedelta(days=7)
    assert timezone.localtime(job.scheduled_at).time() == datetime.time(0, 0)
    assert remind(str(application.pk)) is False  # run early (a clock off, a retry): nothing yet
    backdate_hire(application, 1)
    assert remind(str(application.pk)) is True
    assert remind(str(application.pk)) is False
    assert Notification.objects.filter(kind="placement.checkpoint").count() == 1
    # Recording the checkpoint plans the next one (3 months); ending the job drops it.
    applications.application_retain(
        actor=emp.world.employer_staff, application=application, checkpoint=Stage.RETAINED_1M
    )
    job = ProcrastinateJob.objects.get(queueing_lock=key, status="todo")
    three = retention.add_months(application.hired_on, 3) - datetime.timedelta(days=7)
    assert timezone.localtime(job.scheduled_at).date() == three
    applications.application_end(actor=emp.world.employer_staff, application=application, reason_code="other")
    assert not ProcrastinateJob.objects.filter(queueing_lock=key, status="todo").exists()


def test_it_flags_a_job_coach_with_more_than_twenty_people(emp: Emp) -> None:
    world = emp.world
    placement = post_placement(emp, positions=30)
    _employ_many(emp, placement, 21, coach=emp.coach)
    loads = placement_services.caseload_by_coach([world.network.pk])
    assert [(load.coach_id, load.people, load.over_limit) for load in loads] == [(emp.coach.pk, 21, True)]
    page = web(world.coordinator).get("/job-coaches/caseload/").content.decode()
    # "over the limit" is the page's only danger badge (the design system's {% badge … "danger" %}).
    main = page.split("</header>", 1)[1]  # the header's unread count is a danger badge too
    assert "Tomasz Trener" in page and main.count("badge--danger") == 1
    own = web(emp.coach).get("/job-coaches/caseload/").content.decode()
    assert "21" in own and own.split("</header>", 1)[1].count("badge--danger") == 1  # the coach's own line


def _employ_many(
    emp: Emp, placement: JobPlacement, count: int, coach: Any = None, stage: str = Stage.HIRED
) -> list[Any]:
    """Employed candidates straight in the tables (the services are tested elsewhere)."""
    world = emp.world
    people = [
        Person.objects.create(network=world.network, first_name=f"Osoba{i}", last_name=f"Testowa{i}")
        for i in range(count)
    ]
    rows = PlacementApplication.objects.bulk_create(
        [
            PlacementApplication(
                placement=placement,
                employer=placement.employer,
                network=world.network,
                person=person,
                proposed_by=world.coordinator,
                stage=stage,
                hired_on=timezone.localdate() if stage != Stage.PROPOSED else None,
                job_coach=coach,
                job_coach_partner=world.sending if coach else None,
            )
            for person in people
        ]
    )
    for row in rows:
        access.sync_application(row)
    return rows


# --- figures --------------------------------------------------------------------------------------


def test_it_counts_the_networks_employment_figures_in_three_queries(emp: Emp, django_assert_num_queries: Any) -> None:
    world = emp.world
    placement = post_placement(emp, positions=5)
    first = hire(emp, placement)
    placement_services.job_coach_assign(actor=world.coordinator, application=first, coach=emp.coach)
    backdate_hire(first, 3)
    advance(emp.coach, first, Stage.RETAINED_1M, Stage.RETAINED_3M)
    second = propose(emp, placement, candidate(world, first_name="Jan", last_name="Nowak", pesel=""))
    advance(world.employer_staff, second, Stage.INTERVIEW, Stage.DECLINED, reason_code="not_suited")
    propose(emp, placement, candidate(world, first_name="Ola", last_name="Lis", pesel=""))
    with django_assert_num_queries(3):
        # 1 steps by distinct people, 2 case opening to first proposal, 3 caseload per coach
        figures = employment_figures(world.network, year=timezone.localdate().year)
    assert (figures.proposed, figures.interviewed, figures.hired) == (3, 2, 1)
    assert (figures.retained_1m, figures.retained_3m, figures.retained_6m) == (1, 1, 0)
    assert figures.retention_rate(3) == 100.0 and figures.retention_rate(6) == 0.0
    assert figures.people_with_employer_contact == 3 and figures.days_to_first_employer_contact_median == 0.0
    assert [(load.name, load.people) for load in figures.caseload] == [("Tomasz Trener", 1)]
    # The same number of queries with many more rows.
    _employ_many(emp, post_placement(emp, positions=30), 25, coach=emp.coach)
    with django_assert_num_queries(3):
        employment_figures(world.network)
    assert employment_figures(world.other_network).proposed == 0


# --- query counts ---------------------------------------------------------------------------------


def fresh(user: Any) -> Any:
    """A user object of its own, as each real request has (the access scope is cached on the object)."""
    return User.objects.get(pk=user.pk)


def _count(callable_: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        response = callable_()
    assert response.status_code == 200, response.status_code
    return len(context)


def test_it_lists_placements_in_the_same_number_of_queries_for_2_and_20(emp: Emp) -> None:
    for _ in range(2):
        post_placement(emp)
    clients = {
        "employer api": lambda: api(fresh(emp.world.employer_staff)).get("/api/v1/placements/"),
        "pup api": lambda: api(fresh(emp.pup_staff)).get("/api/v1/placements/?open=true"),
        "employer page": lambda: web(emp.world.employer_staff).get("/placements/"),
        "coordinator page": lambda: web(emp.world.coordinator).get("/placements/", {"q": "magazyn"}),
    }
    few = {name: _count(get) for name, get in clients.items()}
    for _ in range(18):
        post_placement(emp)
    many = {name: _count(get) for name, get in clients.items()}
    assert few == many


def test_it_lists_candidates_in_the_same_number_of_queries_for_2_and_20(emp: Emp) -> None:
    placement = post_placement(emp, positions=30)
    propose(emp, placement)
    _employ_many(emp, placement, 1, coach=emp.coach)
    url = f"/api/v1/placements/{placement.pk}/applications/"
    clients = {
        "employer api": lambda: api(fresh(emp.world.employer_staff)).get(url),
        "coordinator api": lambda: api(fresh(emp.world.coordinator)).get(url),
        "employer page": lambda: web(emp.world.employer_staff).get(f"/placements/{placement.pk}/"),
        "csv": lambda: web(emp.world.employer_staff).get(f"/placements/{placement.pk}/candidates.csv"),
        "coach caseload": lambda: web(emp.coach).get("/job-coaches/caseload/"),
    }
    few = {name: _count(get) for name, get in clients.items()}
    _employ_many(emp, placement, 9, coach=emp.coach)
    _employ_many(emp, placement, 9, stage=Stage.PROPOSED)
    assert PlacementApplication.objects.filter(placement=placement).count() == 20
    many = {name: _count(get) for name, get in clients.items()}
    assert few == many


def test_it_pins_the_employers_candidate_list_at_a_fixed_number_of_queries(
    emp: Emp, django_assert_num_queries: Any
) -> None:
    placement = post_placement(emp, positions=30)
    _employ_many(emp, placement, 20, coach=emp.coach)
    client = api(fresh(emp.world.employer_staff))
    # 1 staff memberships, 2 coordinatorships, 3 their partners' networks (the scope), 4 labour-office or
    # job-coach networks, 5 the placement through its grant, 6 savepoint, 7 the count, 8 the page with persons,
    # coaches, consent and answer right, 9 the access log (one INSERT for every person shown), 10 release.
    with django_assert_num_queries(10):
        response = client.get(f"/api/v1/placements/{placement.pk}/applications/")
    assert response.json()["count"] == 20


# --- the API schema -------------------------------------------------------------------------------


def test_it_documents_the_api_without_warnings(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), "--urlconf", URLS)
    schema = target.read_text()
    for path in (
        "/api/v1/placements/:",
        "/api/v1/placements/{id}/:",
        "/api/v1/placements/{id}/applications/:",
        "/api/v1/applications/{id}/advance/:",
    ):
        assert path in schema


# --- the demo -------------------------------------------------------------------------------------


def test_it_loads_demo_placements_with_candidates_at_several_stages(world: Any) -> None:
    from demo.employment import load_demo_employment

    drukarnia = world.employer
    ogrodnik = PartnerFactory(name="Zielony Ogród", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    MembershipFactory(network=world.network, partner=ogrodnik, functions=["employment"])
    zaz = PartnerFactory(name="ZAZ", type=PartnerType.ZAZ, sector=Sector.SOCIAL)
    MembershipFactory(network=world.network, partner=zaz, functions=["employment"])
    coach = make_staff(zaz, StaffRole.JOB_COACH, username="trener")
    for i in range(10):
        candidate(world, first_name=f"Osoba{i}", pesel="")
    users = {"koordynator": world.coordinator, "pracodawca": world.employer_staff, "trener": coach}
    partners = {"drukarnia": drukarnia, "ogrodnik": ogrodnik, "zaz": zaz}
    count = load_demo_employment(world.network, partners, users)
    assert count == 9
    stages = set(PlacementApplication.objects.values_list("stage", flat=True))
    assert {
        "proposed",
        "interview",
        "offered",
        "hired",
        "retained_3m",
        "retained_6m",
        "declined",
        "withdrawn",
    } <= stages
    assert load_demo_employment(world.network, partners, users) == 9  # idempotent
    assert JobPlacement.objects.count() == 3
    # Every row satisfies what the services keep: hires within positions, grants in step.
    for placement in JobPlacement.objects.all():
        assert placement.hired_count == PlacementApplication.objects.employed().filter(placement=placement).count()
    for application in PlacementApplication.objects.all():
        assert access.sync_application(application, apply=False) == (set(), set())
    assert retention.remind_retention_checkpoints() >= 1


# --- issue 16: no reason chosen in advance -------------------------------------------------------------


def test_the_candidate_row_offers_an_empty_reason_first(emp: Emp) -> None:
    placement = post_placement(emp)
    application = propose(emp, placement)
    html = web(emp.world.employer_staff).get(reverse("placement-detail", args=[placement.pk])).content.decode()
    select = html[html.index(f'id="reason-{application.pk}"') :]
    select = select[: select.index("</select>")]
    first = select[select.index("<option") : select.index("</option>")]
    assert 'value=""' in first and "— wybierz —" in first
    assert "selected" not in select


def test_the_page_refuses_a_decline_without_a_reason_and_changes_nothing(emp: Emp) -> None:
    application = propose(emp, post_placement(emp))
    client = web(emp.world.employer_staff)
    response = client.post(
        reverse("application-move", args=[application.pk]),
        {"stage": "declined", "reason_code": "", "context": "row"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Wybierz powód" in response.content.decode()
    application.refresh_from_db()
    assert application.stage == Stage.PROPOSED and application.reason_code == ""
    assert application.events.count() == 1


def test_the_api_refuses_a_decline_without_a_reason_with_its_code(emp: Emp) -> None:
    application = propose(emp, post_placement(emp))
    url = f"/api/v1/applications/{application.pk}/advance/"
    answer = api(emp.world.employer_staff).post(url, {"stage": "declined", "reason_code": ""}, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "reason_required" and answer.json()["detail"].startswith("Wybierz powód")
    missing = api(emp.world.employer_staff).post(url, {"stage": "declined"}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    application.refresh_from_db()
    assert application.stage == Stage.PROPOSED and application.events.count() == 1
