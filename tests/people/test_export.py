"""The person's data export (GDPR art. 15): every recipient of the data, in Polish, and the reads it logs.

The page download, the printable page and ``GET /api/v1/persons/{id}/export/`` give the same record; the API's
permission rows are in tests/api/test_api_person_export.py and the API matrix.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from employment import applications
from employment import placements as placement_services
from partners.choices import PartnerType
from people import export
from people import services as people_services
from people.models import AccessLog, Case, Person
from referrals import services as referral_services
from referrals.models import Referral
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "Notatka wewnętrzna MOPR: rodzina nie współpracuje"


def shared_person(world: Any) -> tuple[Person, Case, Referral, Any]:
    """A person whose data went to MOPR (a referral, then the case), and who was proposed to the employer."""
    person = make_person(world)
    case = make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity", "social"], partners=[world.receiving, world.sending])
    make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    referral = referral_services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        service=world.service,
        reason="Wsparcie w codziennym funkcjonowaniu",
        categories=["identity", "social"],
    )
    referral_services.referral_send(actor=world.coordinator, referral=referral)
    referral_services.referral_decline(
        actor=world.receiving_staff, referral=referral, reason_code="no_capacity", note=INTERNAL_NOTE
    )
    people_services.case_transfer(
        actor=world.coordinator, case=case, case_manager=world.receiving_staff, managing_partner=world.receiving
    )
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
    application = applications.application_propose(actor=world.coordinator, placement=placement, person=person)
    referral.refresh_from_db()
    return person, case, referral, application


def test_it_lists_every_recipient_with_polish_labels(client: Any, world: Any) -> None:
    person, _case, referral, _application = shared_person(world)
    client.force_login(world.coordinator)
    record = client.get(reverse("person-export-json", args=[person.pk])).json()

    [sent] = record["referrals"]
    assert sent["to_partner"] == "MOPR Piekary" and sent["service"] == "Specjalistyczne usługi opiekuńcze"
    assert sent["from_partner"] == "koordynator lokalnego systemu"
    assert sent["categories"] == ["dane identyfikacyjne", "sytuacja społeczna i bytowa"]
    assert sent["state"] == "Odrzucone" and sent["reason"] == "brak miejsc"
    for moment in ("sent_at", "answered_at", "closed_at"):
        assert sent[moment] == timezone.localtime(getattr(referral, moment)).isoformat(timespec="seconds"), moment
    assert sent["legal_basis"] == ""

    [proposed] = record["placement_applications"]
    assert proposed["employer"] == "Drukarnia Sp. z o.o." and proposed["placement"] == "Pomocnik introligatora"
    assert proposed["stage"] == "Zaproponowany" and proposed["proposed_on"]

    [transfer] = record["case_transfers"]
    assert transfer["from_partner"] == "ŚDS Piekary" and transfer["to_partner"] == "MOPR Piekary"
    assert transfer["from_manager"] == str(world.sending_staff) and transfer["to_manager"] == str(world.receiving_staff)
    assert transfer["by"] == "Katarzyna Nowak" and transfer["at"]

    # The person's own fields and the rest of the record: labels, not codes.
    assert record["person"]["disability_level"] == "umiarkowany" and record["person"]["sex"] == "nie podano"
    assert record["consents"][0]["categories"] == ["dane identyfikacyjne", "sytuacja społeczna i bytowa"]
    assert record["consents"][1]["partner_types"] == ["pracodawca"]
    assert record["cases"][0]["stage"] != "intake"
    assert {e["action"] for e in record["access_log"]} >= {"wyeksportowano"}

    labels = record["labels"]
    assert labels["referrals"]["title"] == "Skierowania: do kogo trafiły dane"
    assert labels["referrals"]["fields"]["categories"] == "udostępnione dane"
    assert labels["placement_applications"]["title"] == "Kandydatury do pracy: do jakich pracodawców"
    assert labels["case_transfers"]["fields"]["to_partner"] == "do partnera"
    # Every section of the record has its Polish title and a column name for every key of its rows.
    sections = [name for name in record if name not in ("labels", "prepared_at")]
    assert set(sections) == set(labels)
    for name in sections:
        rows = [record[name]] if isinstance(record[name], dict) else record[name]
        for row in rows:
            assert set(row) == set(labels[name]["fields"]), name


def test_it_leaves_out_the_partners_internal_notes(client: Any, world: Any) -> None:
    person, *_ = shared_person(world)
    client.force_login(world.coordinator)
    body = client.get(reverse("person-export-json", args=[person.pk])).content.decode()
    assert INTERNAL_NOTE not in body
    printable = client.get(reverse("person-export-print", args=[person.pk])).content.decode()
    assert INTERNAL_NOTE not in printable


def test_it_prints_the_record_in_polish(client: Any, world: Any) -> None:
    person, *_ = shared_person(world)
    client.force_login(world.coordinator)
    response = client.get(reverse("person-export-print", args=[person.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for polish in [
        "Dane osobowe",
        "Skierowania: do kogo trafiły dane",
        "Kandydatury do pracy: do jakich pracodawców",
        "Przekazania przypadku",
        "Udostępnione dane",
        "dane identyfikacyjne, sytuacja społeczna i bytowa",
        "Odrzucone",
        "Pomocnik introligatora",
        "Zaproponowany",
        "Do partnera",
        "Imię",
    ]:
        assert polish in page, polish
    # No field code, English title or stored choice code reaches the page.
    for code in ["first_name", "to_partner", "case_transfers", "Referrals", "identity", "no_capacity", "declined"]:
        assert code not in page, code


def test_it_logs_the_export_once_and_shows_it_in_the_record(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    record = client.get(reverse("person-export-json", args=[person.pk])).json()
    assert AccessLog.objects.filter(person=person, action="export", channel="page").count() == 1
    assert [(e["action"], e["channel"]) for e in record["access_log"]] == [("wyeksportowano", "strona internetowa")]


def test_it_refuses_the_export_to_a_case_manager_and_logs_nothing(client: Any, world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    client.force_login(world.sending_staff)
    assert client.get(reverse("person-export-json", args=[person.pk])).status_code == 403
    assert not AccessLog.objects.filter(person=person, action="export").exists()


def test_it_adds_a_registered_section_once_and_keeps_people_s_own(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(export, "_REGISTERED", dict(export._REGISTERED))
    person = make_person(world)

    def first(p: Person) -> export.Section:
        return export.Section("Pierwsza", {"n": "numer"}, [{"n": 1}])

    def second(p: Person) -> export.Section:
        return export.Section("Druga", {"n": "numer"}, [{"n": 2}])

    export.register_section("extra", first)
    export.register_section("extra", second)
    record = export.person_export(actor=world.coordinator, person=person)
    assert record["extra"] == [{"n": 2}] and record["labels"]["extra"]["title"] == "Druga"
    assert list(record).index("referrals") < list(record).index("extra") < list(record).index("case_transfers")
    with pytest.raises(ValueError):
        export.register_section("consents", first)


# --- reads of personal data that the access log records -----------------------------------------------


def test_it_logs_the_refer_page_and_nothing_when_it_answers_404(client: Any, world: Any) -> None:
    person = make_person(world)
    make_consent(world, person, ["identity"], partners=[world.receiving])
    client.force_login(world.coordinator)
    response = client.get(reverse("person-refer", args=[person.pk]))
    assert response.status_code == 200 and "Anna Kowalska" in response.content.decode()
    [row] = AccessLog.objects.filter(person=person)
    assert (row.user, row.action, row.view, row.channel) == (world.coordinator, "view", "refer", "page")
    # A form sent back with errors shows the name again: one more read.
    assert client.post(reverse("person-refer", args=[person.pk]), {}).status_code == 400
    assert AccessLog.objects.filter(person=person, view="refer").count() == 2

    client.force_login(world.unrelated_staff)
    assert client.get(reverse("person-refer", args=[person.pk])).status_code == 404
    assert not AccessLog.objects.filter(person=person, user=world.unrelated_staff).exists()


def test_it_keeps_the_exported_json_loadable_as_a_file(client: Any, world: Any) -> None:
    person = make_person(world, first_name="Łucja", last_name="Żółć")
    client.force_login(world.coordinator)
    response = client.get(reverse("person-export-json", args=[person.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="osoba-{person.pk}.json"'
    assert "Łucja" in response.content.decode()  # written as UTF-8, not escaped
    assert json.loads(response.content)["person"]["last_name"] == "Żółć"
