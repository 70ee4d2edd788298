"""``GET /api/v1/persons/{id}/export/`` (GDPR art. 15) and the access-log rows of the API's reads of a person.

The whole persona × target table is in test_api_permissions_people.py; here: the same record as the page's
download, a 404 for every non-coordinator who knows the person, and what the access log holds afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from people.models import AccessLog
from tests.api.test_api_permissions import clients
from tests.people.test_export import shared_person
from tests.people_fixtures import make_person
from tests.referral_fixtures import sent_referral

pytestmark = pytest.mark.django_db


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what differs between two exports a moment apart: the time and the log of reads."""
    return {k: v for k, v in record.items() if k not in ("prepared_at", "access_log")}


def test_it_gives_the_coordinator_the_same_record_as_the_page(client: Any, world: Any) -> None:
    person, *_ = shared_person(world)
    api = clients(world)["coordinator"]
    response = api.get(f"/api/v1/persons/{person.pk}/export/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    record = response.json()
    client.force_login(world.coordinator)
    page = client.get(reverse("person-export-json", args=[person.pk])).json()
    assert comparable(record) == comparable(page)
    assert record["referrals"][0]["to_partner"] == "MOPR Piekary"
    assert record["placement_applications"][0]["employer"] == "Drukarnia Sp. z o.o."
    assert record["case_transfers"][0]["to_partner"] == "MOPR Piekary"
    # The API export is in the record it returns, with its channel; the page's export came after it.
    assert record["access_log"][-1]["action"] == "wyeksportowano" and record["access_log"][-1]["channel"] == "API"
    exports = AccessLog.objects.filter(person=person, action="export").order_by("at", "id")
    assert [(e.user, e.channel) for e in exports] == [(world.coordinator, "api"), (world.coordinator, "page")]


@pytest.mark.parametrize(
    "persona",
    [
        "sending_staff",
        "receiving_staff",
        "receiving_admin",
        "employer",
        "monitor",
        "unrelated_staff",
        "other_coordinator",
    ],
)
def test_it_answers_404_to_everyone_but_the_coordinators(world: Any, persona: str) -> None:
    # ŚDS staff manage the case, MOPR received a referral: both read the person, neither may export it.
    person = sent_referral(world).person
    api = clients(world)[persona]
    sees_person = persona in ("sending_staff", "receiving_staff", "receiving_admin")
    assert api.get(f"/api/v1/persons/{person.pk}/").status_code == (200 if sees_person else 404)
    before = AccessLog.objects.filter(person=person).count()
    response = api.get(f"/api/v1/persons/{person.pk}/export/")
    assert response.status_code == 404 and response.json() == {"detail": "Nie znaleziono.", "code": "not_found"}
    assert AccessLog.objects.filter(person=person).count() == before


def test_it_logs_the_consents_read_and_nothing_on_a_404(world: Any) -> None:
    person = sent_referral(world).person  # case manager: ŚDS staff; MOPR reads the person through the referral
    api = clients(world)
    before = set(AccessLog.objects.filter(person=person).values_list("pk", flat=True))
    response = api["coordinator"].get(f"/api/v1/persons/{person.pk}/consents/")
    assert response.status_code == 200 and len(response.json()) == 1
    [row] = AccessLog.objects.filter(person=person).exclude(pk__in=before)
    assert (row.user, row.action, row.view, row.channel) == (world.coordinator, "view", "api-person-consents", "api")
    assert api["sending_staff"].get(f"/api/v1/persons/{person.pk}/consents/").status_code == 200
    assert AccessLog.objects.filter(person=person, user=world.sending_staff, view="api-person-consents").count() == 1
    # MOPR sees the person but not the consents: a 404, and no row, like a stranger's.
    outsiders = ["receiving_staff", "unrelated_staff", "employer", "monitor"]
    for persona in outsiders:
        assert api[persona].get(f"/api/v1/persons/{person.pk}/consents/").status_code == 404, persona
    users = [world.personas()[p] for p in outsiders]
    assert not AccessLog.objects.filter(person=person, user__in=users, view="api-person-consents").exists()
    other = make_person(world, first_name="Zofia")
    assert api["sending_staff"].get(f"/api/v1/persons/{other.pk}/consents/").status_code == 404
    assert not AccessLog.objects.filter(person=other).exists()
