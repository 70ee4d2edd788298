"""People, consent and the path: registration, duplicates, consent, case, plan, access and the access log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse

from people.models import AccessLog, Case, CaseEvent, Consent, Goal, Person
from tests.factories import UserFactory
from tests.people_fixtures import make_case, make_consent, make_person, make_pesel

pytestmark = pytest.mark.django_db

HEALTH_TEXT = "Schizofrenia paranoidalna"


def register(client: Any, world: Any, **data: Any) -> Any:
    payload = {"first_name": "Jan", "last_name": "Nowak", "preferred_contact": "phone", "sex": "unknown"} | data
    return client.post(reverse("person-register", args=[world.network.pk]), payload)


def test_it_checks_the_pesel_helper_against_localflavor() -> None:
    from localflavor.pl.forms import PLPESELField

    field = PLPESELField()
    pesel = make_pesel(datetime.date(2002, 3, 15), 45, female=True)
    assert field.clean(pesel) == pesel and field.birth_date == datetime.date(2002, 3, 15)


def test_it_registers_a_person_and_derives_birth_date_and_sex_from_pesel(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    pesel = make_pesel(datetime.date(1990, 7, 1), 77, female=True)
    response = register(client, world, pesel=pesel)
    assert response.status_code == 302
    person = Person.objects.get(pesel=pesel)
    assert person.birth_date == datetime.date(1990, 7, 1) and person.sex == "female" and person.birth_year == 1990
    assert AccessLog.objects.filter(person=person, action="create", user=world.coordinator).count() == 1


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"pesel": "44051401358"}, "Błędna suma kontrolna numeru PESEL."),
        (
            {"pesel": make_pesel(datetime.date(1990, 7, 1)), "birth_date": "1991-07-01"},
            "Numer PESEL nie zgadza się z datą urodzenia (01.07.1990).",
        ),
        (
            {"birth_date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()},
            "Data urodzenia nie może być z przyszłości.",
        ),
        ({"disability_symbol": "2P"}, "Symbol wygląda tak: 02-P."),
    ],
)
def test_it_refuses_bad_identity_in_polish_and_saves_nothing(
    client: Any, world: Any, data: dict[str, str], field_message: str
) -> None:
    client.force_login(world.coordinator)
    response = register(client, world, **data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Person.objects.exists()
    assert not AccessLog.objects.exists()


def test_it_finds_a_duplicate_by_pesel_and_never_registers_it_twice(client: Any, world: Any) -> None:
    pesel = make_pesel(datetime.date(1980, 1, 2))
    existing = make_person(world, pesel=pesel, birth_date=datetime.date(1980, 1, 2))
    client.force_login(world.coordinator)
    response = register(client, world, pesel=pesel, force="on")
    assert response.status_code == 409
    assert reverse("person-detail", args=[existing.pk]) in response.content.decode()
    assert Person.objects.count() == 1


def test_it_finds_a_duplicate_by_folded_name_and_birth_date_and_registers_on_purpose(client: Any, world: Any) -> None:
    make_person(world, first_name="Łucja", last_name="Żółć", birth_date=datetime.date(1975, 5, 5))
    client.force_login(world.coordinator)
    response = register(client, world, first_name="lucja", last_name="ZOLC", birth_date="1975-05-05")
    assert response.status_code == 409
    assert "Możliwe duplikaty" in response.content.decode()
    assert Person.objects.count() == 1
    response = register(client, world, first_name="lucja", last_name="ZOLC", birth_date="1975-05-05", force="on")
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_it_lets_only_the_coordinator_and_the_networks_partners_register(client: Any, world: Any) -> None:
    # Partner staff register at their door (tests/people/test_door.py); an employer never, strangers see nothing.
    for user, expected in [(world.employer_staff, 403), (world.other_coordinator, 404), (world.monitor, 404)]:
        client.force_login(user)
        assert register(client, world).status_code == expected
    assert not Person.objects.exists()


# --- access ---------------------------------------------------------------------------------------


def visible_ids(client: Any, user: Any) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("people-list")).content.decode()
    return {str(p.pk) for p in Person.objects.all() if reverse("person-detail", args=[p.pk]) in html}


def test_it_shows_each_persona_exactly_the_people_it_may_see(client: Any, world: Any) -> None:
    managed = make_person(world, first_name="Ewa", last_name="Prowadzona")
    make_case(world, managed, manager=world.receiving_staff, partner=world.receiving)
    unmanaged = make_person(world, first_name="Olga", last_name="Bezopieki")
    theirs = make_person(world, network=world.other_network, first_name="Piotr", last_name="Obcy")
    everyone = {str(managed.pk), str(unmanaged.pk), str(theirs.pk)}
    expected = {
        "coordinator": {str(managed.pk), str(unmanaged.pk)},
        "receiving_staff": {str(managed.pk)},
        "receiving_admin": set(),
        "sending_staff": set(),
        "employer": set(),
        "unrelated_staff": set(),
        "other_coordinator": {str(theirs.pk)},
        "monitor": set(),
    }
    for persona, ids in expected.items():
        user = world.personas()[persona]
        assert visible_ids(client, user) == ids, persona
        client.force_login(user)
        for pk in everyone:
            status = client.get(reverse("person-detail", args=[pk])).status_code
            assert status == (200 if pk in ids else 404), (persona, pk)


def test_it_gives_the_operator_no_person_data(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404


def test_it_sends_anonymous_users_to_the_login_page(client: Any, world: Any) -> None:
    person = make_person(world)
    response = client.get(reverse("person-detail", args=[person.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_leaves_health_out_of_the_page_without_a_health_consent(client: Any, world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    make_consent(world, person, ["identity", "social"], partners=[world.receiving])
    client.force_login(world.receiving_staff)
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Mieszka sama" in html  # social, consented
    assert HEALTH_TEXT not in html and "02-P" not in html and "Magazynier" not in html
    make_consent(world, person, ["health"], partner_types=["ops"])
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert HEALTH_TEXT in html and "02-P" in html


def test_it_stops_access_at_once_when_the_consent_is_withdrawn(client: Any, world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    consent = make_consent(world, person, ["health"], partners=[world.receiving])
    client.force_login(world.receiving_staff)
    assert HEALTH_TEXT in client.get(reverse("person-detail", args=[person.pk])).content.decode()
    client.force_login(world.coordinator)
    response = client.post(reverse("person-consent-withdraw", args=[person.pk, consent.pk]))
    assert response.status_code == 302
    client.force_login(world.receiving_staff)
    assert HEALTH_TEXT not in client.get(reverse("person-detail", args=[person.pk])).content.decode()


def test_it_writes_an_access_log_row_for_every_read(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    client.get(reverse("person-detail", args=[person.pk]))
    client.get(reverse("people-list"))
    actions = list(AccessLog.objects.filter(person=person).values_list("view", flat=True))
    assert sorted(actions) == ["people-list", "person-detail"]
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Kto widział te dane" in html


def test_it_refuses_to_alter_the_access_log_through_the_orm_or_raw_sql(world: Any) -> None:
    person = make_person(world)
    row = AccessLog.objects.create(person=person, user=world.coordinator, action="view")
    for attempt in [
        lambda: AccessLog.objects.filter(pk=row.pk).update(action="change"),
        lambda: AccessLog.objects.filter(pk=row.pk).delete(),
        lambda: connection.cursor().execute("UPDATE network_accesslog SET action = 'x' WHERE id = %s", [row.pk]),
        lambda: connection.cursor().execute("DELETE FROM network_accesslog WHERE id = %s", [row.pk]),
    ]:
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
            attempt()
    row.refresh_from_db()
    assert row.action == "view"


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_people_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        make_case(world, make_person(world, last_name=f"Osoba{i:02}"), manager=world.receiving_staff)
    client.force_login(world.coordinator)
    # 1 session, 2 user, 3-4 scope, 5-7 the filters' choices (networks' stages, case managers, municipalities),
    # 8 savepoint, 9 count, 10 page of people, 11 open cases with managers, 12 one INSERT of access-log rows,
    # 13 release savepoint.
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(14):
        response = client.get(reverse("people-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_the_person_page_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    person = make_person(world)
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    for i in range(rows):
        CaseEvent.objects.create(case=case, kind="stage", actor=world.coordinator, to_stage="therapy", note=f"{i}")
        make_consent(world, person, ["identity"], partners=[world.receiving])
        AccessLog.objects.create(person=person, user=world.coordinator, action="view")
    client.force_login(world.coordinator)
    response = client.get(reverse("person-detail", args=[person.pk]))
    assert response.status_code == 200
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as queries:
        client.get(reverse("person-detail", args=[person.pk]))
    # The number must not depend on rows, and is locked (issue 19: lower it when a section needs fewer; never raise
    # it): a coordinator with every section and form, the savepoints and the access-log INSERT included. The open
    # and closed cases come in one query, the group memberships with their attendance totals in one. The header's
    # unread count (written by the server, so it shows without JavaScript) is one query of every page: 34 + 1.
    assert len(queries) == PERSON_PAGE_QUERIES


PERSON_PAGE_QUERIES = 35


# --- consent --------------------------------------------------------------------------------------


def post_consent(client: Any, person: Person, **data: Any) -> Any:
    payload = {"consent-purpose": "Skierowanie do MOPR", "consent-given_by": "person"} | {
        f"consent-{k}": v for k, v in data.items()
    }
    return client.post(reverse("person-consent-add", args=[person.pk]), payload)


def test_it_records_a_consent_with_a_signed_pdf(client: Any, world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    person = make_person(world)
    client.force_login(world.coordinator)
    pdf = SimpleUploadedFile("zgoda.pdf", b"%PDF-1.4\n%test\n%%EOF\n", content_type="application/pdf")
    response = post_consent(
        client, person, categories=["identity", "health"], partners=[world.receiving.pk], document=pdf
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.categories == ["identity", "health"] and consent.document_type == "application/pdf"
    assert not str(consent.document.path).startswith(str(settings.STATIC_ROOT))
    download = client.get(reverse("person-consent-document", args=[person.pk, consent.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.force_login(world.unrelated_staff)
    assert client.get(reverse("person-consent-document", args=[person.pk, consent.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"partners": ["PARTNER"]}, "Wybierz co najmniej jedną kategorię danych."),
        (
            {
                "categories": ["identity"],
                "partners": ["PARTNER"],
                "document": SimpleUploadedFile("zgoda.pdf", b"MZ\x90\x00" + b"\0" * 100),
            },
            "Akceptujemy tylko pliki PDF, JPEG lub PNG.",
        ),
        # A document above 10 MB is stopped while it streams: tests/core/test_uploads.py (413, nothing saved).
        ({"categories": ["identity"]}, "Wskaż partnerów albo typy partnerów, których dotyczy zgoda."),
    ],
)
def test_it_refuses_a_bad_consent_in_polish_and_saves_nothing(
    client: Any, world: Any, settings: Any, tmp_path: Any, data: dict[str, Any], message: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    person = make_person(world)
    if data.get("partners") == ["PARTNER"]:
        data["partners"] = [world.receiving.pk]
    client.force_login(world.coordinator)
    response = post_consent(client, person, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.exists()
    assert not list(tmp_path.iterdir())


def test_it_refuses_a_consent_naming_another_networks_partner(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = post_consent(client, person, categories=["identity"], partners=[world.unrelated.pk])
    assert response.status_code == 400
    assert not Consent.objects.exists()


# --- case and plan --------------------------------------------------------------------------------


def test_it_walks_a_case_through_stages_a_transfer_and_closing(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    client.post(
        reverse("person-case-open", args=[person.pk]),
        {
            "open-stage": "intake",
            "open-case_manager": world.receiving_staff.pk,
            "open-managing_partner": world.receiving.pk,
        },
    )
    case = Case.objects.get(person=person)
    client.post(reverse("person-case-stage", args=[person.pk, case.pk]), {"stage-stage": "community_support"})
    client.post(
        reverse("person-case-transfer", args=[person.pk, case.pk]),
        {
            "transfer-case_manager": world.sending_staff.pk,
            "transfer-managing_partner": world.sending.pk,
            "transfer-note": "przeprowadzka",
        },
    )
    response = client.post(
        reverse("person-goal-add", args=[person.pk, case.pk]),
        {
            "goal-domain": "work_education",
            "goal-description": "Staż w drukarni",
            "goal-responsible_partner": world.employer.pk,
            "goal-target_date": "2027-06-30",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(plan__case=case)
    client.post(
        reverse("person-goal-review", args=[person.pk, goal.pk]),
        {"review-status": "in_progress", "review-note": "Rozmowa umówiona"},
    )
    client.post(reverse("person-case-close", args=[person.pk, case.pk]), {"close-note": "samodzielność"})
    case.refresh_from_db()
    goal.refresh_from_db()
    assert case.stage == "community_support" and case.case_manager == world.sending_staff and case.closed_on
    assert goal.status == "in_progress" and goal.reviews.count() == 1
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["opened", "stage", "transfer", "closed"]


def test_it_refuses_a_stage_that_the_network_does_not_have(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    client.force_login(world.coordinator)
    client.post(reverse("person-case-stage", args=[person.pk, case.pk]), {"stage-stage": "moon"})
    case.refresh_from_db()
    assert case.stage == "intake" and not case.events.exists()


# --- data subject rights --------------------------------------------------------------------------


def test_it_exports_the_complete_record_and_logs_the_export(client: Any, world: Any) -> None:
    person = make_person(world)
    make_consent(world, person, ["identity"], partners=[world.receiving])
    client.force_login(world.coordinator)
    response = client.get(reverse("person-export-json", args=[person.pk]))
    record = response.json()
    # Values of choices are their Polish labels (tests/people/test_export.py checks the whole record).
    assert record["person"]["first_name"] == "Anna" and record["consents"][0]["categories"] == ["dane identyfikacyjne"]
    assert AccessLog.objects.filter(person=person, action="export").count() == 1
    printable = client.get(reverse("person-export-print", args=[person.pk]))
    assert printable.status_code == 200 and "Anna" in printable.content.decode()
    client.force_login(world.receiving_staff)
    assert client.get(reverse("person-export-json", args=[person.pk])).status_code == 404


def test_anonymising_confirms_first_then_closes_the_case_and_keeps_report_counts(client: Any, world: Any) -> None:
    person = make_person(
        world, pesel=make_pesel(datetime.date(1985, 4, 12)), gmina_name="Piekary Śląskie", sex="female"
    )
    case = make_case(world, person)
    client.force_login(world.coordinator)
    confirm = client.get(reverse("person-anonymise", args=[person.pk]))
    assert confirm.status_code == 200
    assert "Otwarta sprawa zostanie zamknięta." in confirm.content.decode()
    person.refresh_from_db()
    assert person.anonymised_at is None  # looking at the confirmation changes nothing
    client.post(reverse("person-anonymise", args=[person.pk]))
    person.refresh_from_db()
    case.refresh_from_db()
    assert case.closed_on is not None
    assert person.anonymised_at is not None
    assert person.pesel == "" and person.first_name == "—" and person.health_notes == "" and person.birth_date is None
    assert person.birth_year == 1985 and person.sex == "female" and person.gmina_name == "Piekary Śląskie"
    assert AccessLog.objects.filter(person=person, action="anonymise").count() == 1
