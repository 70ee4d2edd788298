"""Supported employment as it happens: a filled placement takes no more candidates, a hire records the contract's
start and the 1/3/6-month checkpoints count from it, and a checkpoint can be confirmed up to a week early."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from employment import applications, retention
from employment.applications import PlacementClosed
from employment.models import PlacementApplication, Stage
from employment.placements import placement_list
from partners.choices import PartnerType, Sector, StaffRole
from tests.employment.test_employment import Emp, advance, api, candidate, post_placement, propose, web
from tests.factories import MembershipFactory, PartnerFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def emp(world: Any) -> Emp:
    # The employment suite's cast: a labour office, a job coach, a second employer, a candidate.
    pup = PartnerFactory(name="PUP Piekary", type=PartnerType.PUP, sector=Sector.LOCAL_GOVERNMENT)
    MembershipFactory(network=world.network, partner=pup, functions=["employment"])
    other_employer = PartnerFactory(name="Zielony Ogród s.c.", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    MembershipFactory(network=world.network, partner=other_employer, functions=["employment"])
    return Emp(
        world=world,
        pup=pup,
        pup_staff=make_staff(pup, username="pup"),
        coach=make_staff(world.sending, StaffRole.JOB_COACH, username="trener"),
        other_employer=other_employer,
        other_employer_staff=make_staff(other_employer, username="ogrodnik"),
        person=candidate(world),
    )


def offered(emp: Emp, placement: Any, **person: Any) -> Any:
    who = candidate(emp.world, **person) if person else emp.person
    return advance(emp.world.employer_staff, propose(emp, placement, who), "interview", "offered")


def test_it_stops_taking_candidates_once_every_position_is_filled(emp: Emp) -> None:
    placement = post_placement(emp, positions=1)
    application = advance(emp.world.employer_staff, propose(emp, placement), "interview", "offered", "hired")
    placement.refresh_from_db()
    assert placement.is_open and not placement.is_accepting
    assert not placement_list(emp.world.coordinator, open_only=True).filter(pk=placement.pk).exists()
    other = candidate(emp.world, first_name="Jan", last_name="Nowak", pesel="")
    with pytest.raises(PlacementClosed) as refused:
        propose(emp, placement, other)
    assert refused.value.code == "placement_filled"
    # The API says the same, nothing written.
    response = api(emp.world.coordinator).post(
        f"/api/v1/placements/{placement.pk}/applications/", {"person": str(other.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "placement_filled"
    assert PlacementApplication.objects.filter(placement=placement).count() == 1
    # The position comes free when the employment ends: candidates are taken again.
    advance(emp.world.employer_staff, application, "ended", reason_code="open_market")
    placement.refresh_from_db()
    assert placement.is_accepting
    propose(emp, placement, other)


def test_it_counts_the_checkpoints_from_the_contracts_start(emp: Emp) -> None:
    application = offered(emp, post_placement(emp))
    starts = timezone.localdate() + datetime.timedelta(days=14)
    hired = applications.application_advance(
        actor=emp.world.employer_staff, application=application, stage="hired", starts_on=starts
    )
    assert hired.hired_on == starts
    assert retention.next_checkpoint(hired) == ("retained_1m", retention.add_months(starts, 1))


@pytest.mark.parametrize("days", [-40, 120])
def test_it_refuses_a_contract_start_too_far_back_or_ahead(emp: Emp, days: int) -> None:
    application = offered(emp, post_placement(emp))
    starts = timezone.localdate() + datetime.timedelta(days=days)
    with pytest.raises(ValidationError) as refused:
        applications.application_advance(
            actor=emp.world.employer_staff, application=application, stage="hired", starts_on=starts
        )
    assert "starts_on" in refused.value.message_dict
    application.refresh_from_db()
    assert application.stage == Stage.OFFERED
    response = api(emp.world.employer_staff).post(
        f"/api/v1/applications/{application.pk}/advance/",
        {"stage": "hired", "starts_on": starts.isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "starts_on" in response.json()


def test_it_takes_the_contract_start_from_the_page_and_the_api(emp: Emp) -> None:
    first = offered(emp, post_placement(emp, positions=2))
    starts = timezone.localdate() - datetime.timedelta(days=3)
    response = web(emp.world.employer_staff).post(
        reverse("application-move", args=[first.pk]),
        {"stage": "hired", "starts_on": starts.isoformat(), "context": "detail"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.stage == Stage.HIRED and first.hired_on == starts
    second = offered(emp, first.placement, first_name="Jan", last_name="Nowak", pesel="")
    answer = api(emp.world.employer_staff).post(
        f"/api/v1/applications/{second.pk}/advance/", {"stage": "hired", "starts_on": starts.isoformat()}, format="json"
    )
    assert answer.status_code == 200
    second.refresh_from_db()
    assert second.hired_on == starts


def test_it_lets_a_checkpoint_be_confirmed_up_to_a_week_early(emp: Emp) -> None:
    application = offered(emp, post_placement(emp))
    today = timezone.localdate()
    # The contract started so that the 1-month checkpoint falls in 6 days: confirmable now.
    starts = retention.add_months(today + datetime.timedelta(days=6), -1)
    hired = applications.application_advance(
        actor=emp.world.employer_staff, application=application, stage="hired", starts_on=starts
    )
    retained = applications.application_advance(actor=emp.world.employer_staff, application=hired, stage="retained_1m")
    assert retained.stage == Stage.RETAINED_1M


def test_it_refuses_a_checkpoint_more_than_a_week_early(emp: Emp) -> None:
    application = offered(emp, post_placement(emp))
    starts = retention.add_months(timezone.localdate() + datetime.timedelta(days=9), -1)
    hired = applications.application_advance(
        actor=emp.world.employer_staff, application=application, stage="hired", starts_on=starts
    )
    response = api(emp.world.employer_staff).post(
        f"/api/v1/applications/{hired.pk}/advance/", {"stage": "retained_1m"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    hired.refresh_from_db()
    assert hired.stage == Stage.HIRED
