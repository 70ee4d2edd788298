"""Assessments: the default instrument, recording and validating results, history, the SVG chart, who may see
them (health data), the access log, the pages and the API."""

from __future__ import annotations

import datetime
import importlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from people.access import access_to_person
from people.assessments import (
    DEFAULT_INSTRUMENT_CODE,
    DomainSpec,
    LevelSpec,
    assessment_history,
    assessment_record,
    default_instrument,
    instrument_create,
    progress_svg,
)
from people.models import (
    AccessLog,
    Assessment,
    AssessmentScore,
    Case,
    Consent,
    Instrument,
    InstrumentDomain,
    InstrumentLevel,
    LifeDomain,
    Person,
)
from tests.factories import api_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_assessments")]

SVG = "{http://www.w3.org/2000/svg}"
TODAY = timezone.localdate()

# Names (and the distinctive acronyms) of licensed scales whose text must never ship.
LICENSED = [
    r"\bCAN\b",
    r"CANSAS",
    r"Camberwell",
    r"WHODAS",
    r"HoNOS",
    r"Health of the Nation",
    r"\bGAF\b",
    r"Global Assessment of Functioning",
    r"\bPSP\b",
    r"Personal and Social Performance",
    r"Recovery Star",
    r"Outcomes Star",
]


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def instrument(db: Any) -> Instrument:
    found = default_instrument()
    assert found is not None
    return found


@pytest.fixture
def person(world: Any) -> Person:
    return Person.objects.create(network=world.network, first_name="Anna", last_name="Kowalska")


@pytest.fixture
def managed(world: Any, person: Person) -> Person:
    """The person with an open case managed by MOPR's staff member (who has no health consent yet)."""
    Case.objects.create(
        person=person, network=world.network, stage="intake", case_manager=world.receiving_staff,
        managing_partner=world.receiving,
    )  # fmt: skip
    return person


def give_health_consent(world: Any, person: Person) -> Consent:
    consent = Consent.objects.create(
        person=person, categories=["identity", "health"], purpose="Wsparcie w MOPR", recorded_by=world.coordinator
    )
    consent.partners.add(world.receiving)
    return consent


def levels(instrument: Instrument, value: int = 3) -> dict[str, int]:
    return {code: value for code in instrument.domains.values_list("code", flat=True)}


def record(world: Any, person: Person, instrument: Instrument, day: datetime.date, value: int = 3) -> Assessment:
    return assessment_record(
        actor=world.coordinator, person=person, instrument=instrument, assessed_on=day, scores=levels(instrument, value)
    )


def api_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def parse_svg(svg: str) -> ET.Element:
    """Parse the chart as strict XML (it is our own output, so the stdlib parser is safe here)."""
    return ET.fromstring(svg)  # noqa: S314


def nothing_saved() -> bool:
    return not Assessment.objects.exists() and not AssessmentScore.objects.exists() and not AccessLog.objects.exists()


# --- the default instrument -----------------------------------------------------------------------


def test_it_ships_a_default_instrument_of_ten_domains_with_five_described_levels_in_both_languages(
    instrument: Instrument,
) -> None:
    assert instrument.network_id is None and instrument.code == DEFAULT_INSTRUMENT_CODE and instrument.is_active
    assert (instrument.scale_min, instrument.scale_max) == (1, 5)
    assert instrument.name_pl and instrument.name_en and instrument.description_pl and instrument.description_en
    domains = list(instrument.domains.prefetch_related("levels"))
    assert [d.code for d in domains] == list(LifeDomain.values)
    for domain in domains:
        assert domain.name_pl and domain.name_en
        described = list(domain.levels.all())
        assert [level.value for level in described] == [1, 2, 3, 4, 5]
        for level in described:
            assert level.description_pl.strip() and level.description_en.strip()
            assert level.description_pl != level.description_en
    assert InstrumentLevel.objects.filter(domain__instrument=instrument).count() == 50


def test_it_ships_no_text_or_name_of_a_licensed_scale(instrument: Instrument) -> None:
    texts = [instrument.name_pl, instrument.name_en, instrument.description_pl, instrument.description_en]
    for domain in instrument.domains.prefetch_related("levels"):
        texts += [domain.name_pl, domain.name_en]
        texts += [text for level in domain.levels.all() for text in (level.description_pl, level.description_en)]
    everything = "\n".join(texts)
    for pattern in LICENSED:
        assert not re.search(pattern, everything), pattern


def test_its_migration_can_be_reversed_and_applied_again(instrument: Instrument) -> None:
    migration = importlib.import_module("network.migrations.0005_default_instrument")
    # The functions run against the models as they stood at that migration (the instrument then lived in network).
    state_apps = MigrationLoader(connection).project_state(("network", "0005_default_instrument")).apps
    migration.delete_instrument(state_apps, None)
    assert not Instrument.objects.filter(code=DEFAULT_INSTRUMENT_CODE).exists()
    assert not InstrumentDomain.objects.filter(instrument_id=instrument.pk).exists()
    migration.create_instrument(state_apps, None)
    migration.create_instrument(state_apps, None)  # applying twice changes nothing
    assert Instrument.objects.filter(code=DEFAULT_INSTRUMENT_CODE).count() == 1
    assert InstrumentLevel.objects.filter(domain__instrument__code=DEFAULT_INSTRUMENT_CODE).count() == 50


# --- recording ------------------------------------------------------------------------------------


def test_it_records_a_dated_result_and_logs_the_change_without_its_content(
    world: Any, person: Person, instrument: Instrument
) -> None:
    scores = levels(instrument, 2) | {"money": 4}
    assessment = assessment_record(
        actor=world.coordinator,
        person=person,
        instrument=instrument,
        assessed_on=TODAY,
        scores=scores,
        note="Trudny miesiąc",
        partner=world.receiving,
    )
    saved = {s.domain.code: s.value for s in assessment.scores.select_related("domain")}
    assert saved == scores and assessment.assessed_on == TODAY and assessment.assessed_by == world.coordinator
    log = AccessLog.objects.get(person=person)
    assert log.action == "change" and log.user == world.coordinator and log.detail == f"assessment:{assessment.pk}"
    assert "Trudny" not in log.detail


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (lambda s, d: (s.pop("money"), d)[1], "scores", "missing"),
        (lambda s, d: (s.update(housing=6), d)[1], "scores", "out_of_range"),
        (lambda s, d: (s.update(housing=0), d)[1], "scores", "out_of_range"),
        (lambda s, d: (s.update(housing="3"), d)[1], "scores", "invalid"),
        (lambda s, d: (s.update(astrology=3), d)[1], "scores", "unknown_domain"),
        (lambda s, d: TODAY + datetime.timedelta(days=1), "assessed_on", "future"),
    ],
    ids=["missing-domain", "above-scale", "below-scale", "not-a-number", "unknown-domain", "future-date"],
)
def test_it_refuses_an_incomplete_or_wrong_result_and_saves_nothing(
    world: Any, person: Person, instrument: Instrument, change: Any, field: str, code: str
) -> None:
    scores: dict[str, Any] = levels(instrument)
    day = change(scores, TODAY)
    with pytest.raises(ValidationError) as caught:
        assessment_record(actor=world.coordinator, person=person, instrument=instrument, assessed_on=day, scores=scores)
    assert code in [error.code for error in caught.value.error_dict[field]]
    assert nothing_saved()


def test_it_refuses_another_networks_instrument_and_an_inactive_one(
    world: Any, person: Person, instrument: Instrument
) -> None:
    theirs = Instrument.objects.create(network=world.other_network, code="ich", name_pl="Ich", name_en="Theirs")
    InstrumentDomain.objects.create(instrument=theirs, code="a", name_pl="A", name_en="A")
    with pytest.raises(ValidationError) as caught:
        assessment_record(actor=world.coordinator, person=person, instrument=theirs, assessed_on=TODAY, scores={"a": 3})
    assert caught.value.error_dict["instrument"][0].code == "other_network"
    Instrument.objects.filter(pk=instrument.pk).update(is_active=False)
    instrument.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        record(world, person, instrument, TODAY)
    assert caught.value.error_dict["instrument"][0].code == "inactive"
    assert nothing_saved()


def test_it_lets_only_readers_of_health_data_record(world: Any, managed: Person, instrument: Instrument) -> None:
    for user in [world.receiving_staff, world.unrelated_staff, world.other_coordinator, world.monitor]:
        with pytest.raises(PermissionDenied):
            assessment_record(
                actor=user, person=managed, instrument=instrument, assessed_on=TODAY, scores=levels(instrument)
            )
    assert nothing_saved()
    give_health_consent(world, managed)
    assessment_record(
        actor=world.receiving_staff, person=managed, instrument=instrument, assessed_on=TODAY, scores=levels(instrument)
    )
    assert Assessment.objects.count() == 1


def test_it_refuses_a_partner_outside_the_network(world: Any, person: Person, instrument: Instrument) -> None:
    with pytest.raises(ValidationError) as caught:
        assessment_record(
            actor=world.coordinator,
            person=person,
            instrument=instrument,
            assessed_on=TODAY,
            scores=levels(instrument),
            partner=world.unrelated,
        )
    assert caught.value.error_dict["partner"][0].code == "not_member"
    assert nothing_saved()


# --- history and chart ----------------------------------------------------------------------------


def test_it_reads_the_history_in_a_fixed_number_of_queries(
    world: Any, person: Person, instrument: Instrument, django_assert_num_queries: Any
) -> None:
    def history() -> Any:
        with django_assert_num_queries(3):
            # 1. the person's results with who recorded them
            # 2. their scores
            # 3. the instrument's domains
            return assessment_history(person, instrument)

    for n in range(2):
        record(world, person, instrument, TODAY - datetime.timedelta(days=300 - n), value=n + 1)
    assert [len(series.points) for series in history().domains] == [2] * 10
    for n in range(8):
        record(world, person, instrument, TODAY - datetime.timedelta(days=200 - 20 * n), value=(n % 5) + 1)
    result = history()
    assert [len(series.points) for series in result.domains] == [10] * 10 and len(result.rows) == 10
    assert result.rows == sorted(result.rows, key=lambda row: row.assessed_on)


def test_it_draws_a_well_formed_accessible_svg_with_a_point_per_result(
    world: Any, person: Person, instrument: Instrument
) -> None:
    for n, value in enumerate([1, 3, 4]):
        record(world, person, instrument, TODAY - datetime.timedelta(days=90 * (3 - n)), value=value)
    svg = progress_svg(assessment_history(person, instrument), "pl")
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and "Codzienne funkcjonowanie" in title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    points = root.findall(f".//{SVG}circle[@class='point']")
    assert len(points) == 3 * 10
    assert {p.get("data-value") for p in points} == {"1", "3", "4"}
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Dbanie o siebie" in texts and "Sprawy urzędowe" in texts
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    english = parse_svg(progress_svg(assessment_history(person, instrument), "en"))
    assert "Self-care" in [t.text for t in english.iter(f"{SVG}text")]


def test_it_escapes_the_texts_of_a_user_defined_instrument(world: Any, person: Person) -> None:
    nasty = '<script>alert("x")</script> & "co\'ś"'
    own = instrument_create(
        actor=world.coordinator,
        network=world.network,
        code="wlasne",
        name_pl=nasty,
        domains=[DomainSpec("a", nasty, levels=[LevelSpec(v, f"poziom {v}") for v in range(1, 6)])],
    )
    assessment_record(actor=world.coordinator, person=person, instrument=own, assessed_on=TODAY, scores={"a": 2})
    svg = progress_svg(assessment_history(person, own), "pl")
    root = parse_svg(svg)
    assert "<script>" not in svg
    assert nasty in [t.text for t in root.iter(f"{SVG}text")]


def test_it_draws_an_empty_history_too(person: Person, instrument: Instrument) -> None:
    root = parse_svg(progress_svg(assessment_history(person, instrument), "en"))
    assert root.get("role") == "img" and root.findall(f".//{SVG}circle") == []


# --- user-defined instruments ---------------------------------------------------------------------


def test_a_coordinator_defines_an_instrument_for_their_network(world: Any, person: Person) -> None:
    own = instrument_create(
        actor=world.coordinator,
        network=world.network,
        code="samodzielnosc",
        name_pl="Samodzielność",
        scale_min=0,
        scale_max=2,
        domains=[
            DomainSpec("zakupy", "Zakupy", "Shopping", [LevelSpec(0, "z pomocą"), LevelSpec(1, "częściowo"),
                                                         LevelSpec(2, "sam", "alone")]),
        ],
    )  # fmt: skip
    assert own.network == world.network and own.name_en == "Samodzielność"
    assert list(InstrumentLevel.objects.filter(domain__instrument=own).values_list("value", "description_en")) == [
        (0, "z pomocą"),
        (1, "częściowo"),
        (2, "alone"),
    ]
    assessment_record(actor=world.coordinator, person=person, instrument=own, assessed_on=TODAY, scores={"zakupy": 0})
    theirs = Person.objects.create(network=world.other_network, first_name="Jan", last_name="Nowy")
    with pytest.raises(ValidationError):
        assessment_record(
            actor=world.other_coordinator, person=theirs, instrument=own, assessed_on=TODAY, scores={"zakupy": 1}
        )


def test_only_coordinators_define_instruments_and_every_level_must_be_described(world: Any) -> None:
    spec = [DomainSpec("a", "A", levels=[LevelSpec(v, "opis") for v in range(1, 6)])]
    for user in [world.receiving_admin, world.other_coordinator]:
        with pytest.raises(PermissionDenied):
            instrument_create(actor=user, network=world.network, code="x", name_pl="X", domains=spec)
    with pytest.raises(ValidationError) as caught:
        instrument_create(
            actor=world.coordinator,
            network=world.network,
            code="x",
            name_pl="X",
            domains=[DomainSpec("a", "A", levels=[LevelSpec(1, "opis"), LevelSpec(7, "opis")])],
        )
    assert len(caught.value.error_dict["domains"]) == 2  # 7 is off the scale; 2–5 are not described
    assert not Instrument.objects.filter(network=world.network).exists()


# --- pages ----------------------------------------------------------------------------------------


def test_a_coordinator_records_an_assessment_on_the_page(
    client: Any, world: Any, person: Person, instrument: Instrument
) -> None:
    client.force_login(world.coordinator)
    url = reverse("assessment-new", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<fieldset") == 10 and html.count("<legend>") == 10
    assert html.count('type="radio"') == 50
    first_level = InstrumentLevel.objects.get(domain__instrument=instrument, domain__code="self_care", value=1)
    assert first_level.description_pl in html
    assert AccessLog.objects.filter(person=person, action="view", view="assessment-new").count() == 1

    data = {"instrument": str(instrument.pk), "assessed_on": TODAY.isoformat(), "note": ""}
    data |= {f"score_{code}": str(value) for code, value in levels(instrument, 4).items()}
    response = client.post(url, data)
    assert response.status_code == 302
    assessment = Assessment.objects.get(person=person)
    assert set(assessment.scores.values_list("value", flat=True)) == {4}
    assert AccessLog.objects.filter(person=person, action="change", detail=f"assessment:{assessment.pk}").exists()


def test_the_page_shows_what_is_missing_and_saves_nothing(
    client: Any, world: Any, person: Person, instrument: Instrument
) -> None:
    client.force_login(world.coordinator)
    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    data = {"instrument": str(instrument.pk), "assessed_on": future}
    data |= {f"score_{code}": "3" for code in levels(instrument) if code != "money"}
    response = client.post(reverse("assessment-new", args=[person.pk]), data)
    assert response.status_code == 400
    assert 'aria-describedby="id_score_money_error"' in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_history_page_and_the_person_section_show_table_and_chart(
    client: Any, world: Any, person: Person, instrument: Instrument
) -> None:
    record(world, person, instrument, TODAY - datetime.timedelta(days=30), value=2)
    record(world, person, instrument, TODAY, value=4)
    client.force_login(world.coordinator)
    response = client.get(reverse("person-assessments", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and '<table class="table' in html and "<caption" in html
    assert html.count('class="point"') == 20
    assert reverse("assessment-new", args=[person.pk]) in html
    assert AccessLog.objects.filter(person=person, action="view", view="person-assessments").count() == 1

    from frontend.assessment_views import assessment_section_context

    access = access_to_person(world.coordinator, person)
    assert access is not None
    section = assessment_section_context(access)
    fragment = render_to_string("assessments/_person_section.html", {"section": section})
    assert 'id="assessments"' in fragment and fragment.count('class="point"') == 20


def test_a_case_manager_without_health_consent_gets_no_section_and_404(
    client: Any, world: Any, managed: Person, instrument: Instrument
) -> None:
    from frontend.assessment_views import assessment_section_context

    access = access_to_person(world.receiving_staff, managed)
    assert access is not None and access.is_case_manager
    assert assessment_section_context(access) == {}
    client.force_login(world.receiving_staff)
    for name in ["assessment-new", "person-assessments"]:
        assert client.get(reverse(name, args=[managed.pk])).status_code == 404
    give_health_consent(world, managed)
    for name in ["assessment-new", "person-assessments"]:
        assert client.get(reverse(name, args=[managed.pk])).status_code == 200


def test_the_person_page_carries_the_section_only_for_readers_of_health_data(
    client: Any, world: Any, managed: Person, instrument: Instrument
) -> None:
    record(world, managed, instrument, TODAY, value=2)
    url = reverse("person-detail", args=[managed.pk])
    client.force_login(world.coordinator)
    html = client.get(url).content.decode()
    assert 'id="assessments"' in html and html.count('class="point"') == 10
    client.force_login(world.receiving_staff)
    response = client.get(url)
    assert response.status_code == 200 and 'id="assessments"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["unrelated_staff", "other_coordinator", "sending_staff", "employer", "monitor"])
def test_people_outside_the_persons_circle_get_404(
    client: Any, world: Any, person: Person, instrument: Instrument, persona: str
) -> None:
    client.force_login(world.personas()[persona])
    for name in ["assessment-new", "person-assessments"]:
        assert client.get(reverse(name, args=[person.pk])).status_code == 404
    data = {"instrument": str(instrument.pk), "assessed_on": TODAY.isoformat()}
    data |= {f"score_{code}": "3" for code in levels(instrument)}
    assert client.post(reverse("assessment-new", args=[person.pk]), data).status_code == 404
    assert nothing_saved()


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, person: Person) -> None:
    for name in ["assessment-new", "person-assessments"]:
        response = client.get(reverse(name, args=[person.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- API ------------------------------------------------------------------------------------------


def test_the_api_lists_instruments_and_gives_one_in_the_requested_language(world: Any, instrument: Instrument) -> None:
    theirs = Instrument.objects.create(network=world.other_network, code="ich", name_pl="Ich", name_en="Theirs")
    api = api_for(world.coordinator)
    listed = api.get("/api/v1/instruments/").json()
    ids = {row["id"] for row in listed["results"]}
    assert str(instrument.pk) in ids and str(theirs.pk) not in ids

    english = api.get(f"/api/v1/instruments/{instrument.pk}/?lang=en").json()
    assert english["name"] == instrument.name_en and english["language"] == "en"
    assert [d["code"] for d in english["domains"]] == list(LifeDomain.values)
    assert english["domains"][0]["name"] == "Self-care" and len(english["domains"][0]["levels"]) == 5
    polish = api.get(f"/api/v1/instruments/{instrument.pk}/").json()
    assert polish["domains"][0]["name"] == "Dbanie o siebie"
    by_header = api.get(f"/api/v1/instruments/{instrument.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert by_header["domains"][0]["name"] == "Self-care"

    assert api.get(f"/api/v1/instruments/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/instruments/not-a-uuid/").status_code == 404
    assert api_for(None).get("/api/v1/instruments/").status_code == 401


def test_the_api_records_and_lists_a_persons_results_and_logs_both(
    world: Any, person: Person, instrument: Instrument
) -> None:
    api = api_for(world.coordinator)
    url = f"/api/v1/persons/{person.pk}/assessments/"
    created = api.post(url, {"assessed_on": TODAY.isoformat(), "scores": levels(instrument, 5)}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["instrument"] == str(instrument.pk) and len(body["scores"]) == 10
    assert AccessLog.objects.filter(person=person, action="change", channel="api").count() == 1

    listed = api.get(url)
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["id"] for row in rows] == [body["id"]]
    assert {s["domain"]: s["value"] for s in rows[0]["scores"]} == levels(instrument, 5)
    assert AccessLog.objects.filter(person=person, action="view", channel="api").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"scores": {"self_care": 3}}, "scores"),
        ({"scores": "all fine"}, "scores"),
        ({"scores": {"self_care": 9}}, "scores"),
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
        ({"instrument": "00000000-0000-0000-0000-000000000000"}, "instrument"),
    ],
    ids=["missing-domains", "not-a-mapping", "out-of-range", "future-date", "unknown-instrument"],
)
def test_the_api_answers_400_with_field_errors_and_saves_nothing(
    world: Any, person: Person, instrument: Instrument, payload: dict[str, Any], field: str
) -> None:
    data = {"assessed_on": TODAY.isoformat(), "scores": levels(instrument)} | payload
    response = api_for(world.coordinator).post(f"/api/v1/persons/{person.pk}/assessments/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert nothing_saved()


def test_the_api_answers_404_to_everyone_without_health_access(
    world: Any, managed: Person, instrument: Instrument
) -> None:
    url = f"/api/v1/persons/{managed.pk}/assessments/"
    data = {"scores": levels(instrument)}
    for user in [world.receiving_staff, world.unrelated_staff, world.other_coordinator, world.monitor]:
        api = api_for(user)
        answer = api.get(url)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        assert api.post(url, data, format="json").status_code == 404
    assert api_for(world.coordinator).get("/api/v1/persons/not-a-uuid/assessments/").status_code == 404
    anonymous = api_for(None)
    assert anonymous.get(url).status_code == 401 and anonymous.post(url, data, format="json").status_code == 401
    assert nothing_saved()
    give_health_consent(world, managed)
    assert api_for(world.receiving_staff).post(url, data, format="json").status_code == 201


def test_the_api_refuses_to_change_an_anonymised_person(world: Any, person: Person, instrument: Instrument) -> None:
    Person.objects.filter(pk=person.pk).update(anonymised_at=timezone.now())
    response = api_for(world.coordinator).post(
        f"/api/v1/persons/{person.pk}/assessments/", {"scores": levels(instrument)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "anonymised"


def test_the_api_is_documented_without_schema_warnings() -> None:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include("api.assessment_urls"))]).get_schema(public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned about the assessment API"
    assert {"/api/v1/instruments/", "/api/v1/instruments/{id}/", "/api/v1/persons/{id}/assessments/"} <= set(
        schema["paths"]
    )
    assert set(schema["paths"]["/api/v1/persons/{id}/assessments/"]) == {"get", "post"}
