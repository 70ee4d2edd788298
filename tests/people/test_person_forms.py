"""Issue 16: the person's case, plan and referral forms follow the GOV.UK form pattern. A refused submission is
shown again with the error summary at the top (role=alert, focusable, found by app.js through
[data-error-summary]), each error linked to its field's id, the status of the refusal, and nothing changed. The
goal review is a page of its own (breadcrumbs, the form pattern), not a hidden form inside the person page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from people import plans
from people.models import Case, CaseEvent, Goal, GoalReview, Person
from referrals.models import Referral
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = pytest.mark.django_db


def summary_of(response: Any) -> str:
    html = response.content.decode()
    assert "data-error-summary" in html and 'role="alert"' in html and 'tabindex="-1"' in html
    return html[html.index("data-error-summary") :]


def case_state(person: Person) -> tuple[Any, ...]:
    return (
        list(Case.objects.filter(person=person).values_list("pk", "case_manager_id", "managing_partner_id", "stage")),
        list(CaseEvent.objects.filter(case__person=person).values_list("pk", flat=True)),
        list(Goal.objects.filter(plan__case__person=person).values_list("pk", "status")),
        list(GoalReview.objects.filter(goal__plan__case__person=person).values_list("pk", flat=True)),
    )


def test_a_refused_transfer_shows_the_summary_linked_to_the_manager_field(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    before = case_state(person)
    client.force_login(world.coordinator)
    # Each is offered on its own; the pair is refused by the service, which names the case manager.
    response = client.post(
        reverse("person-case-transfer", args=[person.pk, case.pk]),
        {"transfer-case_manager": world.sending_staff.pk, "transfer-managing_partner": world.receiving.pk},
    )
    assert response.status_code == 400
    assert 'href="#id_transfer-case_manager"' in summary_of(response)
    assert 'action="' + reverse("person-case-transfer", args=[person.pk, case.pk]) + '"' in response.content.decode()
    assert case_state(person) == before


def test_a_stage_the_network_lacks_shows_the_summary_linked_to_the_stage(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    before = case_state(person)
    client.force_login(world.coordinator)
    response = client.post(reverse("person-case-stage", args=[person.pk, case.pk]), {"stage-stage": "moon"})
    assert response.status_code == 400
    assert 'href="#id_stage-stage"' in summary_of(response)
    assert case_state(person) == before


def test_the_same_stage_again_is_shown_on_the_form_with_the_apis_status(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    client.force_login(world.coordinator)
    response = client.post(reverse("person-case-stage", args=[person.pk, case.pk]), {"stage-stage": case.stage})
    assert response.status_code == 409
    summary_of(response)
    assert case_state(person)[1] == []


def test_a_case_opened_without_a_stage_shows_the_summary_linked_to_the_stage(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = client.post(reverse("person-case-open", args=[person.pk]), {"open-stage": ""})
    assert response.status_code == 400
    summary = summary_of(response)
    assert 'href="#id_open-stage"' in summary
    # Required fields are marked as everywhere else.
    assert 'class="required-mark"' in response.content.decode()
    assert not Case.objects.filter(person=person).exists()


def test_a_goal_without_a_description_shows_the_summary(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-goal-add", args=[person.pk, case.pk]), {"goal-domain": "work_education", "goal-description": ""}
    )
    assert response.status_code == 400
    assert 'href="#id_goal-description"' in summary_of(response)
    assert not Goal.objects.exists()


def test_a_refused_referral_shows_the_summary_linked_to_its_fields(client: Any, world: Any) -> None:
    person = make_person(world)
    make_consent(world, person, ["identity"], partners=[world.receiving])
    client.force_login(world.coordinator)
    response = client.post(reverse("person-refer", args=[person.pk]), {"to_partner": "", "reason": ""})
    assert response.status_code == 400
    summary = summary_of(response)
    assert 'href="#id_to_partner"' in summary and 'href="#id_reason"' in summary
    html = response.content.decode()
    assert 'id="id_to_partner"' in html and 'id="id_reason"' in html
    assert 'class="required-mark"' in html
    assert not Referral.objects.filter(person=person).exists()


def test_the_refer_page_has_breadcrumbs_and_no_summary_before_a_submission(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = client.get(reverse("person-refer", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "data-error-summary" not in html
    assert 'class="breadcrumbs"' in html or "breadcrumb" in html


# --- the goal review: a page of its own ------------------------------------------------------------------


@pytest.fixture
def goal(world: Any) -> Goal:
    person = make_person(world)
    case = make_case(world, person)
    return plans.goal_add(actor=world.coordinator, case=case, domain="housing", description="Własne mieszkanie")


def test_the_person_page_links_to_the_goal_review_instead_of_hiding_a_form(client: Any, world: Any, goal: Goal) -> None:
    person = goal.plan.case.person
    client.force_login(world.coordinator)
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    review_url = reverse("person-goal-review", args=[person.pk, goal.pk])
    assert f'href="{review_url}"' in html
    assert 'name="review-status"' not in html and "<details" not in html.split('id="plan"', 1)[1].split("</section>")[0]


def test_the_goal_review_page_shows_the_goal_and_the_form(client: Any, world: Any, goal: Goal) -> None:
    person = goal.plan.case.person
    client.force_login(world.coordinator)
    response = client.get(reverse("person-goal-review", args=[person.pk, goal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Własne mieszkanie" in html and 'name="review-status"' in html and 'id="id_review-status"' in html
    assert reverse("person-detail", args=[person.pk]) in html  # the breadcrumb back to the person
    assert "data-error-summary" not in html


def test_a_review_dated_in_the_future_is_refused_on_its_page(client: Any, world: Any, goal: Goal) -> None:
    person = goal.plan.case.person
    before = case_state(person)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-goal-review", args=[person.pk, goal.pk]),
        {"review-status": "in_progress", "review-reviewed_on": "2999-01-01"},
    )
    assert response.status_code == 400
    assert 'href="#id_review-reviewed_on"' in summary_of(response)
    assert case_state(person) == before


def test_a_review_with_no_status_is_refused_and_a_good_one_is_saved(client: Any, world: Any, goal: Goal) -> None:
    person = goal.plan.case.person
    client.force_login(world.coordinator)
    url = reverse("person-goal-review", args=[person.pk, goal.pk])
    bad = client.post(url, {"review-status": ""})
    assert bad.status_code == 400 and 'href="#id_review-status"' in summary_of(bad)
    assert not GoalReview.objects.exists()
    good = client.post(url, {"review-status": "in_progress", "review-note": "Rozmowa umówiona"})
    assert good.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "in_progress" and goal.reviews.count() == 1


def test_the_goal_review_page_is_not_for_those_who_cannot_change_the_path(client: Any, world: Any, goal: Goal) -> None:
    client.force_login(world.unrelated_staff)
    response = client.get(reverse("person-goal-review", args=[goal.plan.case.person_id, goal.pk]))
    assert response.status_code == 404
