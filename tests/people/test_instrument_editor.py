"""The instrument editor: a coordinator defines an assessment instrument (domains, levels with descriptions) and
makes new versions of it; past assessments keep the version they were made with. Service, pages, API, permissions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import Conflict, PermissionDenied
from people.assessments import (
    DomainSpec,
    LevelSpec,
    assessment_record,
    default_instrument,
    instrument_create,
    instrument_new_version,
    instruments_for_person,
)
from people.models import Assessment, Instrument
from tests.people_fixtures import make_consent, make_person

pytestmark = pytest.mark.django_db


def _spec(name: str = "Mieszkanie", top: str = "Samodzielne mieszkanie") -> list[DomainSpec]:
    levels = [LevelSpec(v, f"poziom {v}") for v in range(1, 5)] + [LevelSpec(5, top)]
    return [DomainSpec("mieszkanie", name, levels=levels)]


def _own(world: Any) -> Instrument:
    return instrument_create(
        actor=world.coordinator, network=world.network, code="wlasne", name_pl="Nasze narzędzie", domains=_spec()
    )


def test_a_new_version_keeps_past_assessments_on_the_old_one(world: Any) -> None:
    person = make_person(world)
    first = _own(world)
    past = assessment_record(
        actor=world.coordinator,
        person=person,
        instrument=first,
        assessed_on=timezone.localdate(),
        scores={"mieszkanie": 3},
    )
    second = instrument_new_version(
        actor=world.coordinator,
        instrument=first,
        name_pl="Nasze narzędzie",
        domains=_spec(name="Mieszkanie i otoczenie", top="Własne mieszkanie, bez wsparcia"),
    )
    first.refresh_from_db()
    assert (second.code, second.version, second.previous_id) == ("wlasne", 2, first.pk)
    assert not first.is_active and second.is_active
    past = Assessment.objects.get(pk=past.pk)
    assert past.instrument_id == first.pk
    assert past.scores.get().domain.name_pl == "Mieszkanie"
    assert second.domains.get().levels.get(value=5).description_pl == "Własne mieszkanie, bez wsparcia"
    offered = list(instruments_for_person(person))
    assert second in offered and first not in offered
    with pytest.raises(ValidationError):
        assessment_record(
            actor=world.coordinator,
            person=person,
            instrument=first,
            assessed_on=timezone.localdate(),
            scores={"mieszkanie": 3},
        )


def test_only_the_latest_version_gets_a_next_one(world: Any) -> None:
    first = _own(world)
    instrument_new_version(actor=world.coordinator, instrument=first, name_pl="v2", domains=_spec())
    with pytest.raises(Conflict) as error:
        instrument_new_version(actor=world.coordinator, instrument=first, name_pl="v3", domains=_spec())
    assert error.value.code == "not_latest_version"


def test_a_bad_version_changes_nothing(world: Any) -> None:
    first = _own(world)
    missing_level = [DomainSpec("mieszkanie", "Mieszkanie", levels=[LevelSpec(1, "a"), LevelSpec(5, "b")])]
    for bad in (
        {"name_pl": "", "domains": _spec()},
        {"name_pl": "X", "domains": []},
        {"name_pl": "X", "domains": missing_level},
    ):
        with pytest.raises(ValidationError):
            instrument_new_version(actor=world.coordinator, instrument=first, **bad)
    first.refresh_from_db()
    assert first.is_active and Instrument.objects.filter(code="wlasne").count() == 1


@pytest.mark.parametrize("persona", ["receiving_staff", "employer", "other_coordinator", "monitor"])
def test_only_the_networks_coordinator_versions(world: Any, persona: str) -> None:
    first = _own(world)
    with pytest.raises(PermissionDenied):
        instrument_new_version(actor=world.personas()[persona], instrument=first, name_pl="x", domains=_spec())


def test_a_shared_instrument_is_versioned_by_no_network(world: Any) -> None:
    shared = default_instrument()
    assert shared is not None
    with pytest.raises(PermissionDenied):
        instrument_new_version(actor=world.coordinator, instrument=shared, name_pl="x", domains=_spec())


# --- the API --------------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


BODY = {
    "code": "praca",
    "name_pl": "Gotowość do pracy",
    "scale_min": 1,
    "scale_max": 3,
    "domains": [
        {
            "code": "rytm",
            "name_pl": "Rytm dnia",
            "levels": [
                {"value": 1, "description_pl": "Brak stałego rytmu"},
                {"value": 2, "description_pl": "Rytm z pomocą"},
                {"value": 3, "description_pl": "Stały rytm dnia"},
            ],
        }
    ],
}


def test_the_api_creates_versions_and_lists(world: Any) -> None:
    client = _api(world.coordinator)
    url = reverse("api-network-instruments", args=[world.network.pk])
    created = client.post(url, BODY, format="json")
    assert created.status_code == 201, created.content
    first = created.json()["id"]
    versioned = client.post(
        reverse("api-instrument-versions", args=[first]), {k: v for k, v in BODY.items() if k != "code"}, format="json"
    )
    assert versioned.status_code == 201, versioned.content
    assert versioned.json()["version"] == 2 and versioned.json()["previous"] == first
    listed = client.get(url).json()
    assert [(i["code"], i["version"], i["is_active"]) for i in listed] == [("praca", 2, True), ("praca", 1, False)]
    again = client.post(
        reverse("api-instrument-versions", args=[first]), {k: v for k, v in BODY.items() if k != "code"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "not_latest_version"
    bad = client.post(url, {**BODY, "code": "inne", "domains": []}, format="json")
    assert bad.status_code == 400 and not Instrument.objects.filter(code="inne").exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("other_coordinator", 404), ("receiving_staff", 403), ("employer", 403)]
)
def test_the_instrument_api_refuses_others(world: Any, persona: str, status: int) -> None:
    first = _own(world)
    client = _api(world.personas()[persona])
    assert (
        client.post(reverse("api-network-instruments", args=[world.network.pk]), BODY, format="json").status_code
        == status
    )
    answer = client.post(reverse("api-instrument-versions", args=[first.pk]), {**BODY}, format="json")
    assert answer.status_code == status
    assert Instrument.objects.filter(network=world.network).count() == 1


# --- the pages ------------------------------------------------------------------------------------

DOMAINS = (
    "rytm | Rytm dnia\n1: Brak stałego rytmu\n2: Rytm z pomocą\n3: Stały rytm dnia\n\n"
    "relacje | Relacje\n1: Sam\n2: Ktoś bliski\n3: Krąg bliskich"
)


def test_the_editor_pages_define_and_version_an_instrument(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    new = reverse("instrument-new", args=[world.network.pk])
    assert client.get(new).status_code == 200
    form = {
        "code": "praca",
        "name_pl": "Gotowość",
        "description_pl": "",
        "scale_min": "1",
        "scale_max": "3",
        "domains": DOMAINS,
    }
    assert client.post(new, {**form, "domains": "bez kreski\n1: x"}).status_code == 400
    assert client.post(new, form).status_code == 302
    first = Instrument.objects.get(code="praca")
    assert [d.code for d in first.domains.all()] == ["rytm", "relacje"]
    version = reverse("instrument-version", args=[first.pk])
    page = client.get(version)
    assert page.status_code == 200 and "3: Stały rytm dnia" in page.text
    answer = client.post(version, {**form, "domains": DOMAINS.replace("Krąg bliskich", "Wielu bliskich")})
    assert answer.status_code == 302
    listing = client.get(reverse("instrument-list", args=[world.network.pk]))
    assert listing.status_code == 200 and listing.text.count("Gotowość") == 2


@pytest.mark.parametrize(
    ("persona", "status"), [("other_coordinator", 404), ("receiving_staff", 403), ("employer", 403)]
)
def test_the_editor_pages_refuse_others(world: Any, persona: str, status: int) -> None:
    first = _own(world)
    client = Client()
    client.force_login(world.personas()[persona])
    assert client.get(reverse("instrument-list", args=[world.network.pk])).status_code == status
    assert client.get(reverse("instrument-new", args=[world.network.pk])).status_code == status
    assert client.get(reverse("instrument-version", args=[first.pk])).status_code in (403, 404)


def test_a_withdrawn_health_consent_stops_recording_with_the_new_version(world: Any) -> None:
    """Results are health data: the case manager's access to record them ends with the consent, whatever version."""
    from people.services import consent_withdraw
    from tests.people_fixtures import make_case

    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    consent = make_consent(world, person, ["identity", "health"], partners=[world.sending])
    second = instrument_new_version(actor=world.coordinator, instrument=_own(world), name_pl="v2", domains=_spec())
    assessment_record(
        actor=world.sending_staff,
        person=person,
        instrument=second,
        assessed_on=timezone.localdate(),
        scores={"mieszkanie": 2},
    )
    consent_withdraw(actor=world.coordinator, consent=consent)
    with pytest.raises((PermissionDenied, ValidationError)):
        assessment_record(
            actor=world.sending_staff,
            person=person,
            instrument=second,
            assessed_on=timezone.localdate() - datetime.timedelta(days=1),
            scores={"mieszkanie": 3},
        )
