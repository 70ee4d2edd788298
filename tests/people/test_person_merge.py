"""Merging two records of one person: everything moves to the kept record, the append-only access log stays as
written and is read with the kept record, grants follow, the merge is logged and shown; page and API alike."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Conflict, PermissionDenied
from people.access import access_to_person, persons_visible_to
from people.merging import person_merge
from people.models import AccessLog, Activity, Case, Consent, Person, PersonMerge
from people.selectors import access_log_of
from people.services import consent_withdraw
from referrals.models import Referral
from tests.people_fixtures import make_consent, make_person
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def _duplicate(world: Any) -> tuple[Person, Person]:
    """Anna registered twice: once with a case and a referral to MOPR, once by the ward with a referral of its own,
    an activity and rows in the access log."""
    kept = consenting_person(world)
    sent_referral(world, person=kept)
    other = make_person(world, pesel="", phone="600100200")
    make_consent(world, other, ["identity", "social"], partners=[world.receiving])
    sent_referral(world, person=other)
    Activity.objects.create(
        person=other,
        partner=world.receiving,
        minutes=30,
        occurred_on=datetime.date(2026, 1, 5),
        recorded_by=world.coordinator,
    )
    AccessLog.objects.create(user=world.receiving_staff, person=other, action="view", view="person-detail")
    return kept, other


def test_a_merge_moves_everything_and_keeps_the_log_as_written(world: Any) -> None:
    kept, other = _duplicate(world)
    other_log = set(AccessLog.objects.filter(person=other).values_list("id", flat=True))
    merge = person_merge(actor=world.coordinator, kept=kept, merged=other, reason="Zarejestrowana dwa razy")
    assert Referral.objects.filter(person=kept).count() == 2 and not Referral.objects.filter(person=other).exists()
    assert Consent.objects.filter(person=kept).count() == 2 and Activity.objects.filter(person=kept).count() == 1
    assert merge.moved["referrals"] == 1 and merge.moved["consents"] == 1 and merge.moved["activities"] == 1
    # The log rows of the merged record were not rewritten: they stay on it, and the kept record reads them.
    assert other_log <= set(AccessLog.objects.filter(person=other).values_list("id", flat=True))
    shown = {e.id for e in access_log_of(kept, limit=100)}
    assert other_log <= shown
    assert AccessLog.objects.filter(person=kept, view="person-merge", detail=f"merge:kept:{other.pk}").exists()
    other.refresh_from_db()
    assert other.merged_into_id == kept.pk and other not in persons_visible_to(world.coordinator)
    # The receiving partner reads the kept record through the moved referral's grants.
    access = access_to_person(world.receiving_staff, kept)
    assert access is not None


def test_a_withdrawn_consent_after_the_merge_stops_the_moved_shares(world: Any) -> None:
    kept, other = _duplicate(world)
    person_merge(actor=world.coordinator, kept=kept, merged=other, reason="Duplikat")
    for consent in Consent.objects.filter(person=kept):
        consent_withdraw(actor=world.coordinator, consent=consent)
    assert access_to_person(world.receiving_staff, kept) is None


def test_it_refuses_two_open_cases_and_bad_input(world: Any) -> None:
    kept = consenting_person(world)
    other = consenting_person(world, first_name="Anna")
    with pytest.raises(Conflict) as error:
        person_merge(actor=world.coordinator, kept=kept, merged=other, reason="Duplikat")
    assert error.value.code == "both_open_cases"
    with pytest.raises(ValidationError):
        person_merge(actor=world.coordinator, kept=kept, merged=other, reason="  ")
    with pytest.raises(ValidationError):
        person_merge(actor=world.coordinator, kept=kept, merged=kept, reason="x")
    stranger = make_person(world, network=world.other_network)
    with pytest.raises(ValidationError):
        person_merge(actor=world.coordinator, kept=kept, merged=stranger, reason="x")
    assert not PersonMerge.objects.exists() and Case.objects.filter(person=other).exists()


def test_it_refuses_a_second_merge_of_the_same_record(world: Any) -> None:
    kept, other = _duplicate(world)
    person_merge(actor=world.coordinator, kept=kept, merged=other, reason="Duplikat")
    third = make_person(world)
    with pytest.raises(Conflict):
        person_merge(actor=world.coordinator, kept=third, merged=other, reason="Duplikat")


@pytest.mark.parametrize("persona", ["receiving_staff", "sending_staff", "employer", "other_coordinator", "monitor"])
def test_only_the_networks_coordinator_merges(world: Any, persona: str) -> None:
    kept, other = _duplicate(world)
    with pytest.raises(PermissionDenied):
        person_merge(actor=world.personas()[persona], kept=kept, merged=other, reason="x")
    assert Person.objects.get(pk=other.pk).merged_into_id is None


def test_the_api_merges_and_lists_the_merges(world: Any) -> None:
    kept, other = _duplicate(world)
    client = APIClient()
    client.force_authenticate(world.coordinator)
    url = reverse("api-person-merges", args=[kept.pk])
    assert client.post(url, {"merged": str(other.pk), "reason": ""}, format="json").status_code == 400
    answer = client.post(url, {"merged": str(other.pk), "reason": "Duplikat"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["moved"]["referrals"] == 1
    assert [m["reason"] for m in client.get(url).json()] == ["Duplikat"]
    again = client.post(url, {"merged": str(other.pk), "reason": "Duplikat"}, format="json")
    assert again.status_code == 404  # the merged record is hidden now


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_coordinator", 404), ("unrelated_staff", 404), ("employer", 404), ("receiving_staff", 403)],
)
def test_the_merge_api_refuses_others(world: Any, persona: str, status: int) -> None:
    kept, other = _duplicate(world)
    client = APIClient()
    client.force_authenticate(world.personas()[persona])
    url = reverse("api-person-merges", args=[kept.pk])
    answer = client.post(url, {"merged": str(other.pk), "reason": "x"}, format="json")
    assert answer.status_code == status and "health_notes" not in answer.text
    assert client.get(url).status_code == status
    assert Person.objects.get(pk=other.pk).merged_into_id is None


def test_the_page_shows_both_records_side_by_side_then_merges(world: Any) -> None:
    kept, other = _duplicate(world)
    client = Client()
    client.force_login(world.coordinator)
    choose = client.get(reverse("person-merge", args=[kept.pk]))
    assert choose.status_code == 200 and reverse("person-merge-confirm", args=[kept.pk, other.pk]) in choose.text
    url = reverse("person-merge-confirm", args=[kept.pk, other.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "600100200" in confirm.text
    assert Person.objects.get(pk=other.pk).merged_into_id is None
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Zarejestrowana dwa razy"}).status_code == 302
    page = client.get(reverse("person-detail", args=[kept.pk]))
    assert "Zarejestrowana dwa razy" in page.text
    assert client.get(reverse("person-detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("other_coordinator", 404), ("receiving_staff", 403), ("employer", 404)]
)
def test_the_merge_pages_refuse_others(world: Any, persona: str, status: int) -> None:
    kept, other = _duplicate(world)
    client = Client()
    client.force_login(world.personas()[persona])
    assert client.get(reverse("person-merge", args=[kept.pk])).status_code == status
    answer = client.post(reverse("person-merge-confirm", args=[kept.pk, other.pk]), {"reason": "x"})
    assert answer.status_code == status and "Schizofrenia" not in answer.text
    assert Person.objects.get(pk=other.pk).merged_into_id is None
