"""Printable documents: the consent form with its information clause, the IPW, a meeting's attendance list and a
referral letter — A4 PDFs in Polish with the network's name and the partner's header, for whoever may open the object
they show, through the page and the API alike."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from people import groups as group_services
from people import plans
from people import services as people_services
from people.models import AccessLog, Consent
from tests.people_fixtures import make_case, make_consent, make_person
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    # A4 in points, portrait.
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    # Table cells come out with doubled spaces: compare words.
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def fonts_embedded(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]))
    return names


def planned_person(world: Any) -> Any:
    person = make_person(world, first_name="Zdzisław", last_name="Gęślak")
    case = make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity", "social"], partners=[world.sending])
    plans.goal_add(
        actor=world.coordinator,
        case=case,
        domain="housing",
        description="Znaleźć mieszkanie chronione w Żywcu",
        responsible_partner=world.receiving,
        target_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    return person


def test_it_prints_the_support_plan_with_goals_partners_and_signatures(client: Any, world: Any) -> None:
    person = planned_person(world)
    client.force_login(world.sending_staff)  # the case manager
    response = client.get(reverse("support-plan-pdf", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("inline") and "filename*=utf-8''" in response["Content-Disposition"]
    )
    text = pdf_text(response.content)
    for expected in (
        "Indywidualny plan wsparcia",
        "Lokalny system Piekary",  # the network's name
        "ŚDS Piekary",  # the managing partner's header
        "Znaleźć mieszkanie chronione w Żywcu",
        "MOPR Piekary",  # responsible partner
        "podpis",
        "Zdzisław Gęślak",
    ):
        assert expected in text, expected
    assert any("DejaVu" in name for name in fonts_embedded(response.content))
    assert AccessLog.objects.filter(person=person, view="document-plan", action="export").count() == 1


def test_it_prints_the_consent_form_with_the_information_clause(client: Any, world: Any) -> None:
    person = planned_person(world)
    consent = Consent.objects.get(person=person)
    client.force_login(world.coordinator)
    response = client.get(reverse("consent-form", args=[person.pk]) + f"?consent={consent.pk}")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for expected in ("Zgoda na przetwarzanie", "art. 13 RODO", "Prezesa Urzędu Ochrony Danych", "Zdzisław Gęślak"):
        assert expected in text, expected
    assert "☒" in text  # the recorded categories are ticked
    # The blank form of the door, for partner staff of the network.
    client.force_login(world.receiving_staff)
    blank = client.get(reverse("consent-form-blank", args=[world.network.pk]))
    assert blank.status_code == 200 and "MOPR Piekary" in pdf_text(blank.content)
    client.force_login(world.employer_staff)
    assert client.get(reverse("consent-form-blank", args=[world.network.pk])).status_code == 404


def test_it_prints_a_meetings_attendance_list(client: Any, world: Any) -> None:
    person = consenting_person(world, first_name="Łucja", last_name="Śliwa")
    group = group_services.group_create(
        actor=world.coordinator, network=world.network, partner=world.receiving, data={"name": "Grupa wsparcia „Razem”"}
    )
    day = timezone.localdate() - datetime.timedelta(days=1)
    group_services.group_join(actor=world.coordinator, group=group, person=person, joined_on=day)
    meeting = group_services.meeting_record(
        actor=world.coordinator, group=group, held_on=day, duration_minutes=90, topic="Sen", attendee_ids=[person.pk]
    )
    client.force_login(world.receiving_staff)
    response = client.get(reverse("attendance-list-pdf", args=[meeting.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Lista obecności" in text and "Łucja Śliwa" in text and "Grupa wsparcia „Razem”" in text
    for user in (world.sending_staff, world.unrelated_staff, world.employer_staff, world.other_coordinator):
        client.force_login(user)
        assert client.get(reverse("attendance-list-pdf", args=[meeting.pk])).status_code == 404


def test_it_prints_the_referral_letter_and_stops_when_the_consent_is_withdrawn(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    response = client.get(reverse("referral-letter-pdf", args=[referral.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Skierowanie" in text and "Wsparcie w codziennym funkcjonowaniu" in text and "Anna Kowalska" in text
    for consent in Consent.objects.filter(person=referral.person):
        people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    assert client.get(reverse("referral-letter-pdf", args=[referral.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["unrelated_staff", "other_coordinator", "employer", "monitor", "receiving_staff"])
def test_it_hides_a_persons_documents_from_strangers_and_employers(client: Any, world: Any, persona: str) -> None:
    person = planned_person(world)
    client.force_login(world.personas()[persona])
    for name in ("support-plan-pdf", "consent-form"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 404


def test_it_serves_the_same_documents_through_the_api(world: Any) -> None:
    person = planned_person(world)
    referral = sent_referral(world)
    api = APIClient()
    api.force_authenticate(world.sending_staff)
    response = api.get(f"/api/v1/persons/{person.pk}/documents/support-plan/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Znaleźć mieszkanie chronione w Żywcu" in pdf_text(response.content)
    assert api.get(f"/api/v1/persons/{person.pk}/documents/consent-form/").status_code == 200
    api.force_authenticate(world.employer_staff)
    response = api.get(f"/api/v1/persons/{person.pk}/documents/support-plan/")
    assert response.status_code == 404 and response.json()["code"]
    api.force_authenticate(world.receiving_staff)
    assert api.get(f"/api/v1/referrals/{referral.pk}/documents/letter/").status_code == 200
    assert api.get(f"/api/v1/networks/{world.network.pk}/documents/consent-form/").status_code == 200
    api.force_authenticate(world.unrelated_staff)
    assert api.get(f"/api/v1/referrals/{referral.pk}/documents/letter/").status_code == 404
    assert api.get("/api/v1/referrals/not-a-uuid/documents/letter/").status_code == 404
