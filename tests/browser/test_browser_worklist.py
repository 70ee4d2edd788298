"""A case manager's week (issue 15, "Done when"): the worklist, a referral answered before its reminder, a plan
goal reviewed, the IPW printed — the PDF opens and has the goals, Polish letters and all."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from people import plans
from people.models import Goal
from referrals.models import Referral
from tests.conftest import browser_login
from tests.people_fixtures import make_case, make_consent, make_person
from tests.referral_fixtures import sent_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_case_managers_week(world: Any, asgi_browser_context: Any) -> None:
    person = make_person(world, first_name="Bożena", last_name="Łęcka")
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    make_consent(world, person, ["identity", "social"], partners=[world.receiving])
    goal = plans.goal_add(
        actor=world.coordinator,
        case=case,
        domain="housing",
        description="Uzyskać mieszkanie treningowe w Świętochłowicach",
        responsible_partner=world.sending,
        target_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    referral = sent_referral(world)

    page = asgi_browser_context()
    browser_login(page, "mopr")
    page.goto("/my-work/")
    waiting = page.locator("#waiting-referrals tbody tr")
    assert waiting.count() == 1
    assert page.locator("#reviews-due").get_by_text("Uzyskać mieszkanie treningowe").is_visible()

    # Answer the referral from the worklist, well before its reminder (half of the answer time).
    waiting.locator("a").first.click()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    page.locator("form[action$='/accept/'] button").click()
    page.locator(".badge[data-state='accepted']").first.wait_for()
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.due_by is not None and referral.sent_at is not None
    assert referral.answered_at is not None
    assert referral.answered_at < referral.sent_at + (referral.due_by - referral.sent_at) / 2
    page.goto("/my-work/")
    assert page.locator("#waiting-referrals tbody tr").count() == 0

    # Review the plan goal the worklist points to.
    page.locator("#reviews-due a").first.click()
    page.wait_for_url(f"**/people/{person.pk}/**")
    # The review is a page of its own (issue 16), reached from the goal in the person's plan.
    page.locator(f"#plan a[href$='/goals/{goal.pk}/review/']").first.click()
    page.wait_for_url(f"**/goals/{goal.pk}/review/")
    page.locator("#id_review-status").select_option("in_progress")
    page.locator("#id_review-note").fill("Złożono wniosek w MOPR; czekamy na decyzję.")
    page.locator(f"form[action$='/goals/{goal.pk}/review/'] button[type='submit']").click()
    page.wait_for_load_state()
    goal.refresh_from_db()
    assert goal.status == "in_progress" and goal.reviews.count() == 1

    # Print the IPW: the link opens a PDF with the goals and Polish letters.
    link = page.get_by_role("link", name="Drukuj plan wsparcia (PDF)")
    href = link.get_attribute("href")
    assert href
    response = page.context.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Indywidualny plan wsparcia" in text
    assert "Uzyskać mieszkanie treningowe w Świętochłowicach" in text
    assert "Bożena Łęcka" in text and "ŚDS Piekary" in text
    assert "W realizacji" in text  # the goal's status after the review
    review = Goal.objects.get(pk=goal.pk).reviews.get()
    assert review.reviewed_by == world.receiving_staff
    assert Referral.objects.filter(pk=referral.pk, state="accepted").exists()
