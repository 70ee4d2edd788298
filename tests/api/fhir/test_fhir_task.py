"""The Task a receiving partner's system moves over FHIR: the same transition services as the REST API and the
pages, the same state seen through all three doors, 409 for an illegal move and 404 for a stranger."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api.fhir import codes
from people.models import AccessLog
from referrals import services
from referrals.models import Referral
from tests.api.fhir.helpers import fhir, outcome, patch, put, valid
from tests.factories import ServiceFactory
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def rest_status(user: Any, referral: Referral) -> str:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200, response.content
    return str(response.json()["status"])


def page_shows(user: Any, referral: Referral, state: str) -> bool:
    client = Client()
    client.force_login(user)
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    return f'data-state="{state}"' in response.content.decode()  # the state badge of the design system


def status_of(task: dict[str, Any]) -> tuple[str, str]:
    """The Task's status and our own referral state (its businessStatus)."""
    return task["status"], task["businessStatus"]["coding"][0]["code"]


def reason(code: str, text: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"coding": [{"system": codes.system(codes.REASON), "code": code}]}
    if text:
        data["text"] = text
    return data


def outcome_output(code: str) -> list[dict[str, Any]]:
    return [
        {
            "type": {"text": "outcome"},
            "valueCodeableConcept": {"coding": [{"system": codes.system(codes.OUTCOME), "code": code}]},
        }
    ]


def test_it_walks_the_whole_life_cycle_with_the_api_and_the_page_agreeing_after_each_step(world: Any) -> None:
    service = ServiceFactory(partner=world.receiving, capacity=2, load=0)
    referral = sent_referral(world, service=service)
    receiver = fhir(world.receiving_staff)
    url = f"/fhir/Task/{referral.pk}"
    task = valid(receiver.get(url), kind="Task")
    assert status_of(task) == ("requested", "sent")
    assert task["focus"]["reference"] == f"ServiceRequest/{referral.pk}"
    assert task["owner"]["reference"] == f"Organization/{world.receiving.pk}"
    assert task["extension"][0]["valueCoding"]["code"] == "WYSTAWIONE"

    steps: list[tuple[str, dict[str, Any], tuple[str, str], str, str]] = [
        ("patch", {"status": "received"}, ("received", "sent"), "active", "U_REALIZATORA"),
        ("put", {"status": "accepted"}, ("accepted", "accepted"), "active", "U_REALIZATORA"),
        ("patch", {"status": "in-progress"}, ("in-progress", "in_progress"), "active", "U_REALIZATORA"),
        (
            "patch",
            {"status": "completed", "output": outcome_output("goal_achieved")},
            ("completed", "completed"),
            "completed",
            "ZREALIZOWANE",
        ),
    ]
    for how, change, expected, request_status, p1 in steps:
        if how == "put":
            answer = put(receiver, url, task | change)
        else:
            answer = patch(
                receiver,
                url,
                [{"op": "replace" if k in task else "add", "path": f"/{k}", "value": v} for k, v in change.items()],
            )
        task = valid(answer, kind="Task")
        assert status_of(task) == expected
        state = expected[1]
        assert status_of(valid(receiver.get(url))) == expected
        assert valid(receiver.get(f"/fhir/ServiceRequest/{referral.pk}"))["status"] == request_status
        assert rest_status(world.receiving_staff, referral) == state
        assert rest_status(world.coordinator, referral) == state
        assert page_shows(world.receiving_staff, referral, state)
        assert task["extension"][0]["valueCoding"]["code"] == p1
    assert task["output"][0]["valueCodeableConcept"]["coding"][0]["code"] == "goal_achieved"
    referral.refresh_from_db()
    assert referral.outcome_code == "goal_achieved" and referral.checked_in_at is not None
    # The same timeline a page's buttons write: one row per move, by the receiving partner's user.
    assert [e.action for e in referral.events.all()] == ["create", "send", "check_in", "accept", "start", "complete"]
    assert {e.actor_id for e in referral.events.all()[2:]} == {world.receiving_staff.pk}


def test_it_answers_409_for_an_illegal_move_and_changes_nothing(world: Any) -> None:
    referral = sent_referral(world)
    receiver = fhir(world.receiving_staff)
    url = f"/fhir/Task/{referral.pk}"
    answer = patch(
        receiver,
        url,
        [
            {"op": "replace", "path": "/status", "value": "completed"},
            {"op": "add", "path": "/output", "value": outcome_output("other")},
        ],
    )
    outcome(answer, 409, "illegal_transition")
    outcome(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "on-hold"}]), 409, "illegal_transition")
    outcome(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "draft"}]), 409, "illegal_transition")
    referral.refresh_from_db()
    assert referral.state == "sent"
    # Contact is confirmed once only: the second check-in is refused by the service itself.
    valid(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "received"}]))
    valid(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "accepted"}]))
    outcome(
        patch(receiver, url, [{"op": "replace", "path": "/status", "value": "received"}]), 409, "illegal_transition"
    )


def test_it_rejects_with_a_coded_reason_and_the_receiver_then_loses_the_referral(world: Any) -> None:
    referral = sent_referral(world)
    receiver = fhir(world.receiving_staff)
    url = f"/fhir/Task/{referral.pk}"
    missing = patch(receiver, url, [{"op": "replace", "path": "/status", "value": "rejected"}])
    assert outcome(missing, 422)["issue"][0]["expression"] == ["Task.statusReason"]
    system_only = patch(
        receiver,
        url,
        [
            {"op": "replace", "path": "/status", "value": "rejected"},
            {"op": "add", "path": "/statusReason", "value": reason("no_answer")},
        ],
    )
    outcome(system_only, 422)
    answer = patch(
        receiver,
        url,
        [
            {"op": "replace", "path": "/status", "value": "rejected"},
            {"op": "add", "path": "/statusReason", "value": reason("no_capacity", "Brak miejsc do marca")},
        ],
    )
    task = valid(answer, kind="Task")
    assert status_of(task) == ("rejected", "declined")
    assert task["statusReason"]["coding"][0]["code"] == "no_capacity"
    assert task["extension"][0]["valueCoding"]["code"] == "ANULOWANE"
    assert rest_status(world.coordinator, referral) == "declined"
    assert page_shows(world.coordinator, referral, "declined")
    outcome(receiver.get(url), 404, "not_found")
    referral.refresh_from_db()
    assert (referral.reason_code, referral.reason_origin, referral.reason_note) == (
        "no_capacity",
        "partner",
        "Brak miejsc do marca",
    )


def test_the_sender_cancels_and_the_receiver_fails_a_started_one(world: Any) -> None:
    first = sent_referral(world)
    coordinator = fhir(world.coordinator)
    task = valid(coordinator.get(f"/fhir/Task/{first.pk}"))
    cancel = task | {"status": "cancelled", "statusReason": reason("person_declined")}
    cancel["statusReason"]["extension"] = [
        {
            "url": codes.extension_url(codes.EXT_REASON_ORIGIN),
            "valueCoding": {"system": codes.system(codes.REASON_ORIGIN), "code": "person"},
        }
    ]
    cancelled = valid(put(coordinator, f"/fhir/Task/{first.pk}", cancel))
    assert status_of(cancelled) == ("cancelled", "withdrawn")
    first.refresh_from_db()
    assert first.reason_origin == "person"

    second = sent_referral(world, person=consenting_person(world, first_name="Ewa"))
    receiver = fhir(world.receiving_staff)
    url = f"/fhir/Task/{second.pk}"
    valid(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "accepted"}]))
    failed = patch(
        receiver,
        url,
        [
            {"op": "replace", "path": "/status", "value": "failed"},
            {"op": "add", "path": "/statusReason", "value": reason("person_unreachable")},
            {"op": "add", "path": "/output", "value": outcome_output("not_achieved")},
        ],
    )
    task = valid(failed)
    assert status_of(task) == ("failed", "discontinued")
    assert rest_status(world.receiving_staff, second) == "discontinued"
    assert page_shows(world.receiving_staff, second, "discontinued")


def test_a_stranger_gets_404_and_the_sender_403_for_a_move_that_is_not_theirs(world: Any) -> None:
    person = consenting_person(world)
    referral = services.referral_create(
        actor=world.sending_staff, person=person, to_partner=world.receiving, reason="Wsparcie", categories=["identity"]
    )
    referral = services.referral_send(actor=world.sending_staff, referral=referral)
    url = f"/fhir/Task/{referral.pk}"
    move = [{"op": "replace", "path": "/status", "value": "accepted"}]
    for stranger in (world.unrelated_staff, world.other_coordinator, world.employer_staff, world.monitor):
        outcome(patch(fhir(stranger), url, move), 404, "not_found")
        outcome(put(fhir(stranger), url, {"resourceType": "Task", "status": "accepted", "intent": "order"}), 404)
    outcome(patch(fhir(world.sending_staff), url, move), 403, "permission_denied")
    outcome(patch(fhir(), url, move), 401)
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_it_refuses_bad_patches_and_puts(world: Any) -> None:
    referral = sent_referral(world)
    receiver = fhir(world.receiving_staff)
    url = f"/fhir/Task/{referral.pk}"
    outcome(
        patch(receiver, url, [{"op": "replace", "path": "/owner", "value": {"reference": "Organization/x"}}]),
        422,
        "patch_not_allowed",
    )
    outcome(patch(receiver, url, [{"op": "move", "from": "/status", "path": "/status"}]), 422, "patch_operation")
    outcome(patch(receiver, url, [{"op": "test", "path": "/status", "value": "received"}]), 409, "patch_test_failed")
    outcome(patch(receiver, url, {"op": "replace"}), 400)
    outcome(patch(receiver, url, [{"op": "replace", "path": "/status", "value": "bogus"}]), 400)
    outcome(patch(receiver, url, [{"op": "remove", "path": "/status"}]), 400)
    plain = receiver.patch(url, '{"status": "accepted"}', content_type="application/json")
    outcome(plain, 415)
    task = valid(receiver.get(url))
    outcome(put(receiver, url, task | {"id": "00000000-0000-4000-8000-000000000000", "status": "accepted"}), 400)
    outcome(put(receiver, url, {"resourceType": "Patient"}), 400)
    outcome(put(receiver, url, task | {"status": "accepted", "bogus": 1}), 400)
    broken = receiver.put(url, "{not json", content_type="application/fhir+json")
    outcome(broken, 400)
    # A test that holds lets the move through, in one request.
    moved = patch(
        receiver,
        url,
        [
            {"op": "test", "path": "/status", "value": "requested"},
            {"op": "replace", "path": "/status", "value": "accepted"},
        ],
    )
    assert valid(moved)["status"] == "accepted"
    # The same status again is no move at all.
    assert valid(put(receiver, url, valid(receiver.get(url))))["status"] == "accepted"
    assert Referral.objects.get(pk=referral.pk).events.filter(action="accept").count() == 1


def test_reads_are_written_to_the_access_log(world: Any) -> None:
    referral = sent_referral(world)
    receiver = fhir(world.receiving_staff)
    valid(receiver.get(f"/fhir/Task/{referral.pk}"))
    valid(receiver.get(f"/fhir/ServiceRequest/{referral.pk}"))
    valid(receiver.get(f"/fhir/Task?focus=ServiceRequest/{referral.pk}"))
    rows = AccessLog.objects.filter(user=world.receiving_staff, person=referral.person, channel="fhir")
    assert sorted(rows.values_list("view", flat=True)) == ["fhir-servicerequest", "fhir-task", "fhir-task-search"]
