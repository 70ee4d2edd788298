"""The person page: a summary header, sections with an in-page navigation, and the access log on its own page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from people.models import AccessLog
from tests.people_fixtures import make_case, make_consent, make_person


def test_it_shows_a_summary_header_and_a_navigation_of_sections(client: Any, world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff, stage="therapy")
    make_consent(world, person, ["identity"], partners=[world.receiving])
    client.force_login(world.coordinator)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    summary = page[page.index('id="summary"') : page.index("</dl>", page.index('id="summary"'))]
    assert "badge--info" in summary and "badge--success" in summary  # the stage and the consent in force
    assert world.receiving_staff.get_full_name() in summary
    nav = page[page.index('class="section-nav"') : page.index("</nav>", page.index('class="section-nav"'))]
    for anchor in ("#data", "#consents", "#case", "#referrals", "#readers", "#rights"):
        assert f'href="{anchor}"' in nav and f'id="{anchor[1:]}"' in page
    assert reverse("person-refer", args=[person.pk]) in page
    assert "<details" not in page.split('id="consents"')[1].split("</section>")[0]  # the form is in plain view


def test_it_says_when_no_consent_is_recorded(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    summary = page[page.index('id="summary"') : page.index("</dl>", page.index('id="summary"'))]
    assert "badge--warning" in summary


def test_it_shows_the_whole_access_log_page_by_page(client: Any, world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("frontend.people_views.PAGE_SIZE", 5)
    person = make_person(world)
    for _ in range(7):
        AccessLog.objects.create(person=person, user=world.receiving_staff, action="view")
    client.force_login(world.coordinator)
    detail = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert reverse("person-access-log", args=[person.pk]) in detail
    first = client.get(reverse("person-access-log", args=[person.pk]))
    assert first.status_code == 200
    body = first.content.decode()
    assert body.count("<tr>") == 5 + 1 and 'class="pagination"' in body  # five rows and the header row
    second = client.get(reverse("person-access-log", args=[person.pk]), {"page": 2}).content.decode()
    # 7 rows written above, 1 by opening the person page: 3 on the second page.
    assert second.count("<tr>") == 3 + 1


def test_it_keeps_the_access_log_to_the_coordinators(client: Any, world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff)
    client.force_login(world.receiving_staff)
    assert client.get(reverse("person-access-log", args=[person.pk])).status_code == 403
    client.force_login(world.other_coordinator)
    assert client.get(reverse("person-access-log", args=[person.pk])).status_code == 404


# --- confirmations (issue 16 item 5) -------------------------------------------------------------------


def test_closing_a_case_asks_first_and_requires_the_reason(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    client.force_login(world.coordinator)
    url = reverse("person-case-close", args=[person.pk, case.pk])
    confirm = client.get(url).content.decode()
    assert 'class="confirm-panel"' in confirm and 'class="warning"' in confirm
    refused = client.post(url, {"close-note": "  "})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'class="error-summary"' in page and 'href="#id_close-note"' in page
    case.refresh_from_db()
    assert case.closed_on is None and not case.events.exists()
    done = client.post(url, {"close-note": "Cel osiągnięty"}, follow=True)
    case.refresh_from_db()
    assert case.closed_on is not None and case.closing_note == "Cel osiągnięty"
    assert "Przypadek został zamknięty." in [str(m) for m in done.context["messages"]]


def test_the_api_refuses_closing_a_case_without_a_reason(world: Any) -> None:
    from rest_framework.test import APIClient

    person = make_person(world)
    case = make_case(world, person)
    api = APIClient()
    api.force_authenticate(world.coordinator)
    answer = api.post(f"/api/v1/cases/{case.pk}/close/", {"note": ""}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "reason_required"
    assert answer.json()["detail"].startswith("Podaj powód")
    case.refresh_from_db()
    assert case.closed_on is None


def test_withdrawing_a_consent_asks_first_then_says_it_is_done(client: Any, world: Any) -> None:
    person = make_person(world)
    consent = make_consent(world, person, ["identity"], partners=[world.receiving])
    client.force_login(world.coordinator)
    url = reverse("person-consent-withdraw", args=[person.pk, consent.pk])
    confirm = client.get(url).content.decode()
    assert 'class="confirm-panel"' in confirm and 'class="warning"' in confirm and "checked" not in confirm
    consent.refresh_from_db()
    assert consent.withdrawn_at is None  # looking at the confirmation changes nothing
    done = client.post(url, {"withdraw-note": "Na prośbę osoby"}, follow=True)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert any("Zgoda została wycofana" in str(m) for m in done.context["messages"])


def test_anonymising_asks_on_a_warning_panel(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    confirm = client.get(reverse("person-anonymise", args=[person.pk])).content.decode()
    assert 'class="confirm-panel"' in confirm and 'class="warning"' in confirm


# --- notifications (issue 16 item 5) ---------------------------------------------------------------------


def test_opening_a_person_marks_the_users_notifications_about_them_read(client: Any, world: Any) -> None:
    from notifications.models import Notification

    person = make_person(world)
    other = make_person(world, first_name="Ewa")
    consent = make_consent(world, person, ["identity"], partners=[world.receiving])

    def note(user: Any, object_type: str, object_id: Any) -> Notification:
        return Notification.objects.create(
            recipient=user, kind="k", object_type=object_type, object_id=str(object_id), text="t"
        )

    about_person = note(world.coordinator, "person", person.pk)
    about_consent = note(world.coordinator, "consent", consent.pk)
    about_other = note(world.coordinator, "person", other.pk)
    someone_elses = note(world.other_coordinator, "person", person.pk)
    client.force_login(world.coordinator)
    client.get(reverse("person-detail", args=[person.pk]))
    for row in (about_person, about_consent, about_other, someone_elses):
        row.refresh_from_db()
    assert about_person.read_at is not None and about_consent.read_at is not None
    assert about_other.read_at is None and someone_elses.read_at is None
