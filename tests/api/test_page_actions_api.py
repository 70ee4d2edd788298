"""The page actions that had no API operation (issue 15): the case, the support plan, the import of partners and
services, the job coach and follow-along, anonymising, marking all notifications read and the account settings.

Each goes through the service the page calls; where it matters, the same bad input is posted to the page and to
the API and both refuse it, changing nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from employment import applications
from employment import placements as placement_services
from employment.models import FollowAlongContact
from notifications.models import Notification
from partners.choices import PartnerType, StaffRole
from partners.models import Partner
from people import plans
from people.models import Case, CaseEventKind, Goal, GoalReview, Person
from tests.factories import make_staff
from tests.network.test_import import bad_checksum, csv_file, partner_rows
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world: Any) -> Case:
    person = make_person(world)
    make_consent(world, person, ["identity", "social"], partners=[world.sending])
    return make_case(world, person, manager=world.sending_staff, partner=world.sending)


# --- the case ---------------------------------------------------------------------------------------


def test_it_opens_a_case_for_a_person_without_one(world: Any) -> None:
    person = make_person(world)
    answer = api(world.coordinator).post(
        f"/api/v1/persons/{person.pk}/case/",
        {"managing_partner": str(world.sending.pk), "case_manager": str(world.sending_staff.pk), "note": "Z MOPR"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(pk=answer.json()["id"])
    assert case.case_manager == world.sending_staff and case.stage == world.network.stages[0]["code"]
    assert case.events.get().kind == CaseEventKind.OPENED
    # The case manager now reads the person, through the case.
    assert api(world.sending_staff).get(f"/api/v1/persons/{person.pk}/").status_code == 200
    again = api(world.coordinator).post(f"/api/v1/persons/{person.pk}/case/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "case_open"


def test_it_refuses_a_case_manager_the_network_does_not_offer(world: Any) -> None:
    person = make_person(world)
    answer = api(world.coordinator).post(
        f"/api/v1/persons/{person.pk}/case/", {"case_manager": str(world.unrelated_staff.pk)}, format="json"
    )
    assert answer.status_code == 400 and "case_manager" in answer.json()
    assert not Case.objects.filter(person=person).exists()


def test_it_reads_the_case_with_its_history_and_goals(world: Any, case: Case) -> None:
    plans.goal_add(actor=world.coordinator, case=case, domain="housing", description="Własne mieszkanie")
    data = api(world.sending_staff).get(f"/api/v1/persons/{case.person_id}/case/").json()
    assert data["id"] == str(case.pk) and data["stage"] == case.stage
    assert [g["description"] for g in data["goals"]] == ["Własne mieszkanie"]


def test_it_moves_the_stage_and_refuses_the_same_bad_stage_as_the_page(world: Any, case: Case) -> None:
    second = world.network.stages[1]["code"]
    bad_api = api(world.sending_staff).post(f"/api/v1/cases/{case.pk}/stage/", {"stage": "nonsense"}, format="json")
    bad_page = page(world.sending_staff).post(
        f"/people/{case.person_id}/case/{case.pk}/stage/", {"stage-stage": "nonsense"}
    )
    assert bad_api.status_code == 400 and "stage" in bad_api.json()
    assert bad_page.status_code == 400  # the form again, with the error summary
    case.refresh_from_db()
    assert case.stage != "nonsense" and not case.events.exists()

    moved = api(world.sending_staff).post(f"/api/v1/cases/{case.pk}/stage/", {"stage": second}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == second
    same = api(world.sending_staff).post(f"/api/v1/cases/{case.pk}/stage/", {"stage": second}, format="json")
    assert same.status_code == 409 and same.json()["code"] == "same_stage"


def test_it_transfers_the_case_and_refuses_a_manager_of_another_partner_on_both_doors(world: Any, case: Case) -> None:
    mismatch = {"managing_partner": str(world.sending.pk), "case_manager": str(world.receiving_staff.pk)}
    bad_api = api(world.coordinator).post(f"/api/v1/cases/{case.pk}/transfer/", mismatch, format="json")
    page(world.coordinator).post(
        f"/people/{case.person_id}/case/{case.pk}/transfer/",
        {f"transfer-{k}": v for k, v in mismatch.items()},
    )
    assert bad_api.status_code == 400 and "case_manager" in bad_api.json()
    case.refresh_from_db()
    assert case.case_manager == world.sending_staff and not case.events.exists()

    good = {"managing_partner": str(world.receiving.pk), "case_manager": str(world.receiving_staff.pk)}
    answer = api(world.coordinator).post(f"/api/v1/cases/{case.pk}/transfer/", good, format="json")
    assert answer.status_code == 200 and answer.json()["case_manager"] == str(world.receiving_staff.pk)
    assert Notification.objects.filter(recipient=world.receiving_staff, kind="case.transferred").exists()


def test_it_closes_the_case_and_then_refuses_changes(world: Any, case: Case) -> None:
    closed = api(world.sending_staff).post(f"/api/v1/cases/{case.pk}/close/", {"note": "Cel osiągnięty"}, format="json")
    assert closed.status_code == 200 and closed.json()["closed_on"] == TODAY.isoformat()
    # The case manager's access came with the case: it is gone, so the case is as missing as any other.
    after = api(world.sending_staff).post(f"/api/v1/cases/{case.pk}/close/", {}, format="json")
    assert after.status_code == 404
    coordinator = api(world.coordinator).post(
        f"/api/v1/cases/{case.pk}/stage/", {"stage": world.network.stages[1]["code"]}, format="json"
    )
    assert coordinator.status_code == 409 and coordinator.json()["code"] == "case_closed"


# --- the support plan -------------------------------------------------------------------------------


def test_it_adds_a_goal_and_reviews_it(world: Any, case: Case) -> None:
    client = api(world.sending_staff)
    added = client.post(
        f"/api/v1/cases/{case.pk}/goals/",
        {
            "domain": "work_education",
            "description": "Staż w bibliotece",
            "responsible_partner": str(world.receiving.pk),
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    goal = Goal.objects.get(pk=added.json()["id"])
    assert goal.plan.case == case and goal.responsible_partner == world.receiving

    reviewed = client.post(
        f"/api/v1/goals/{goal.pk}/reviews/", {"status": "in_progress", "note": "Rozmowa odbyta"}, format="json"
    )
    assert reviewed.status_code == 201 and reviewed.json()["reviewed_on"] == TODAY.isoformat()
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    refused = client.post(f"/api/v1/goals/{goal.pk}/reviews/", {"status": "achieved", "reviewed_on": future})
    assert refused.status_code == 400 and "reviewed_on" in refused.json()
    assert GoalReview.objects.filter(goal=goal).count() == 1


def test_it_refuses_a_responsible_partner_outside_the_network_on_both_doors(world: Any, case: Case) -> None:
    outsider = {"domain": "housing", "description": "Mieszkanie", "responsible_partner": str(world.unrelated.pk)}
    bad_api = api(world.coordinator).post(f"/api/v1/cases/{case.pk}/goals/", outsider, format="json")
    page(world.coordinator).post(
        f"/people/{case.person_id}/case/{case.pk}/goals/", {f"goal-{k}": v for k, v in outsider.items()}
    )
    assert bad_api.status_code == 400 and "responsible_partner" in bad_api.json()
    assert not Goal.objects.filter(plan__case=case).exists()


# --- import -----------------------------------------------------------------------------------------


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("partnerzy.csv", data, content_type="text/csv")


def test_it_imports_partners_through_the_api(world: Any) -> None:
    url = f"/api/v1/networks/{world.network.pk}/import/"
    before = Partner.objects.count()
    checked = api(world.coordinator).post(url, {"file": upload(csv_file(partner_rows())), "dry_run": "true"})
    assert checked.status_code == 200 and checked.json()["dry_run"] is True
    assert checked.json()["partners_created"] == 2 and Partner.objects.count() == before

    done = api(world.coordinator).post(url, {"file": upload(csv_file(partner_rows())), "kind": "partners"})
    assert done.status_code == 200, done.json()
    assert done.json()["partners_created"] == 2 and done.json()["errors"] == []
    created = Partner.objects.get(name="Centrum Integracji Społecznej")
    assert created.network_memberships.filter(network=world.network).exists()


def test_it_lists_every_error_of_a_bad_file_and_imports_nothing(world: Any) -> None:
    rows = partner_rows()
    rows[1][4] = bad_checksum(rows[1][4])
    before = Partner.objects.count()
    answer = api(world.coordinator).post(
        f"/api/v1/networks/{world.network.pk}/import/", {"file": upload(csv_file(rows))}
    )
    assert answer.status_code == 400
    data = answer.json()
    assert data["code"] == "invalid_file" and data["errors"][0]["row"] == 2 and data["errors"][0]["field"] == "regon"
    assert Partner.objects.count() == before


def test_it_refuses_a_file_without_a_file(world: Any) -> None:
    answer = api(world.coordinator).post(f"/api/v1/networks/{world.network.pk}/import/", {"kind": "partners"})
    assert answer.status_code == 400 and "file" in answer.json()


# --- job coach and follow-along -----------------------------------------------------------------------


@pytest.fixture
def offered(world: Any) -> Any:
    placement = placement_services.placement_create(
        actor=world.employer_staff,
        employer=world.employer,
        data={
            "title": "Pomocnik introligatora",
            "workplace": "Drukarnia",
            "hours_per_week": 20,
            "contract_form": "employment_contract",
            "positions": 1,
        },
    )
    person = make_person(world, first_name="Kamil", last_name="Kandydacki")
    make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    application = applications.application_propose(actor=world.coordinator, placement=placement, person=person)
    for stage in ("interview", "offered"):
        applications.application_advance(actor=world.coordinator, application=application, stage=stage)
    application.refresh_from_db()
    return application


def test_it_assigns_a_job_coach_of_the_network_only(world: Any, offered: Any) -> None:
    coach = make_staff(world.receiving, StaffRole.JOB_COACH, username="trenerka")
    url = f"/api/v1/applications/{offered.pk}/coach/"
    refused = api(world.coordinator).post(url, {"coach": str(world.receiving_staff.pk)}, format="json")
    assert refused.status_code == 400 and "coach" in refused.json()
    answer = api(world.coordinator).post(url, {"coach": str(coach.pk)}, format="json")
    assert answer.status_code == 200, answer.json()
    offered.refresh_from_db()
    assert offered.job_coach == coach
    # The employer sees the candidate but does not choose the coach.
    assert api(world.employer_staff).post(url, {"coach": str(coach.pk)}, format="json").status_code == 403


def test_it_records_and_lists_follow_along_contacts(world: Any, offered: Any) -> None:
    url = f"/api/v1/applications/{offered.pk}/contacts/"
    answer = api(world.coordinator).post(url, {"minutes": 40, "mode": "at_work", "note": "Dobrze"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert FollowAlongContact.objects.filter(application=offered, minutes=40).exists()
    listed = api(world.coordinator).get(url).json()
    assert [(c["minutes"], c["mode"]) for c in listed] == [(40, "at_work")]
    assert api(world.employer_staff).get(url).status_code == 404  # notes never reach the employer
    future = (TODAY + datetime.timedelta(days=1)).isoformat()
    bad = api(world.coordinator).post(url, {"minutes": 10, "mode": "phone", "occurred_on": future}, format="json")
    assert bad.status_code == 400 and "occurred_on" in bad.json()


# --- anonymising, notifications, the account --------------------------------------------------------------


def test_it_anonymises_once(world: Any, case: Case) -> None:
    url = f"/api/v1/persons/{case.person_id}/anonymise/"
    assert api(world.sending_staff).post(url, {}, format="json").status_code == 403
    answer = api(world.coordinator).post(url, {}, format="json")
    assert answer.status_code == 200 and answer.json()["anonymised"] is True
    assert Person.objects.get(pk=case.person_id).anonymised_at is not None
    again = api(world.coordinator).post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "anonymised"


def test_it_marks_only_ones_own_notifications_read(world: Any) -> None:
    mine = [Notification.objects.create(recipient=world.receiving_staff, kind="x", text="a") for _ in range(2)]
    theirs = Notification.objects.create(recipient=world.sending_staff, kind="x", text="b")
    answer = api(world.receiving_staff).post("/api/v1/notifications/read-all/", {}, format="json")
    assert answer.status_code == 200 and answer.json() == {"marked": 2}
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_it_changes_ones_own_account_and_nothing_else(world: Any) -> None:
    user = world.receiving_staff
    answer = api(user).patch(
        "/api/v1/me/", {"language": "en", "first_name": "Ala", "username": "someone-else"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["language"] == "en"
    user.refresh_from_db()
    assert (user.language, user.first_name) == ("en", "Ala") and user.username != "someone-else"
    bad = api(user).patch("/api/v1/me/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()


def test_it_saves_the_account_page_through_the_same_service(world: Any) -> None:
    user = world.receiving_staff
    response = page(user).post(
        "/account/",
        {
            "first_name": "Ola",
            "last_name": user.last_name,
            "email": "ola@example.org",
            "language": "pl",
            "email_notifications": user.email_notifications,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Ola", "ola@example.org")
