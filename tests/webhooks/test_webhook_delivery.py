"""A referral's events reach a local receiver signed as Standard Webhooks says; failures are retried with backoff
for 24 hours, then given up; a receiver that keeps failing, or answers 410, is turned off and its owner told."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from notifications.models import Notification
from referrals import services as referral_services
from tests.referral_fixtures import sent_referral
from webhooks import sending, services
from webhooks.choices import DeliveryStatus, DisabledReason
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def subscribe(world: Any, url: str, events: list[str], **owner: Any) -> Subscription:
    owner = owner or {"partner": world.receiving}
    actor = world.coordinator if "network" in owner else world.receiving_admin
    return services.subscription_create(actor=actor, url=url, events=events, **owner)


def test_it_delivers_a_signed_event_that_standardwebhooks_verifies(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(world, receiver.url, ["referral.sent", "referral.accepted"])
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
    assert sending.send_due() == 1

    [got] = receiver.received
    assert got.path == "/hooks/lsw"
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["content-type"] == "application/json"
    payload = Webhook(subscription.secret).verify(got.body, got.headers)
    assert payload == {
        "type": "referral.sent",
        "timestamp": payload["timestamp"],
        "data": {
            "object": "referral",
            "id": str(referral.pk),
            "state": "sent",
            "url": f"http://127.0.0.1:8000/api/v1/referrals/{referral.pk}/",
            "fhir_url": f"http://127.0.0.1:8000/fhir/ServiceRequest/{referral.pk}",
        },
    }
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert got.headers["webhook-id"] == delivery.message_id
    # Nothing more is due, and a second run sends nothing twice.
    assert sending.send_due() == 0
    assert not sending.send_delivery(delivery.pk)
    assert len(receiver.received) == 1


def test_it_verifies_by_hand_with_hmac_as_docs_show(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import base64
    import hashlib
    import hmac

    subscription = subscribe(world, receiver.url, ["referral.*"])
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    sending.send_due()
    [got] = receiver.received
    key = base64.b64decode(subscription.secret.removeprefix("whsec_"))
    signed = f"{got.headers['webhook-id']}.{got.headers['webhook-timestamp']}.".encode() + got.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert f"v1,{expected}" in got.headers["webhook-signature"].split(" ")


def test_it_retries_after_a_500_and_delivers_on_the_next_attempt(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world, receiver.url, ["referral.sent"])
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    now = timezone.now()
    assert sending.send_due(now) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at - now == datetime.timedelta(seconds=30)
    assert Subscription.objects.get().failing_since is not None
    # Not due yet: nothing is sent.
    assert sending.send_due(now + datetime.timedelta(seconds=10)) == 0
    assert sending.send_due(now + datetime.timedelta(seconds=31)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.DELIVERED, 2, "")
    assert len(receiver.received) == 2
    # The same message id in both attempts: the receiver can drop a repeat.
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert Subscription.objects.get().failing_since is None


def test_it_backs_off_for_24_hours_then_gives_up_and_turns_the_webhook_off(
    world: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A port nothing listens on: every attempt fails to connect.
    subscription = subscribe(world, "http://127.0.0.1:9/none", ["referral.sent"], network=world.network)
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    delivery = Delivery.objects.get()
    start = delivery.created_at
    moment = start
    pauses = []
    while True:
        assert sending.send_delivery(delivery.pk, now=moment)
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.GAVE_UP:
            break
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.last_error
        assert delivery.next_attempt_at is not None
        pauses.append(delivery.next_attempt_at - moment)
        moment = delivery.next_attempt_at
    assert [p.total_seconds() for p in pauses] == [30, 120, 600, 3600, 10800, 21600, 21600, 21600]
    assert moment - start < datetime.timedelta(hours=24)
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_reason == DisabledReason.FAILING
    note = Notification.objects.get(kind="webhook.disabled")
    assert note.recipient == world.coordinator
    assert "127.0.0.1:9/none" in note.text


def test_a_410_gone_turns_the_webhook_off_at_once(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(world, receiver.url, ["referral.sent", "referral.withdrawn"])
    receiver.answers = [410]
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
        referral_services.referral_withdraw(actor=world.coordinator, referral=referral, reason_code="person_declined")
    assert sending.send_due() == 1
    subscription.refresh_from_db()
    assert (subscription.active, subscription.disabled_reason) == (False, DisabledReason.GONE)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.GAVE_UP}
    assert Notification.objects.filter(kind="webhook.disabled", recipient=world.receiving_admin).exists()
    assert not Notification.objects.filter(kind="webhook.disabled", recipient=world.receiving_staff).exists()


def test_a_redirect_is_not_followed(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world, receiver.url, ["referral.sent"])
    receiver.answers = [302]
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    sending.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "redirect" in delivery.last_error
    assert len(receiver.received) == 1


def test_an_address_that_became_private_is_refused_at_delivery_time(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world, receiver.url, ["referral.sent"])
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    local_webhooks.WEBHOOKS_ALLOW_PRIVATE = []
    sending.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "127.0.0.1" in delivery.last_error
    assert receiver.received == []


def test_the_payload_carries_no_health_data_nor_a_name(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(world, receiver.url, ["referral.*"], network=world.network)
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
        referral_services.referral_decline(
            actor=world.receiving_staff, referral=referral, reason_code="no_capacity", note="Brak miejsc w grupie"
        )
    sending.send_due()
    assert len(receiver.received) == 2
    for got in receiver.received:
        text = got.body.decode()
        data = json.loads(text)["data"]
        assert set(data) == {"object", "id", "state", "url", "fhir_url"}
        for secret in (
            "Anna",
            "Kowalska",
            "Schizofrenia",
            "02-P",
            "Wsparcie w codziennym",
            "Brak miejsc",
            "no_capacity",
            "identity",
            str(referral.person_id),
        ):
            assert secret not in text


def test_it_connects_to_the_address_it_checked_and_names_the_host(
    world: Any, receiver: Any, local_webhooks: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import socket

    port = int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])
    answers = {"receiver.test": "127.0.0.1"}
    real = socket.getaddrinfo

    def fake_dns(host: str, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    subscribe(world, f"http://receiver.test:{port}/in?source=lsw", ["referral.*"])
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
    sending.send_due()
    [got] = receiver.received
    assert got.path == "/in?source=lsw"
    assert got.headers["host"] == f"receiver.test:{port}"
    # The name now points inside, at an address not allowed (DNS rebinding): refused, nothing sent.
    answers["receiver.test"] = "10.0.0.5"
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_accept(actor=world.receiving_staff, referral=referral)
    sending.send_due()
    assert len(receiver.received) == 1
    refused = Delivery.objects.get(event_type="referral.accepted")
    assert refused.status == DeliveryStatus.FAILED
    assert "10.0.0.5" in refused.last_error


def test_the_sending_runs_as_a_registered_job() -> None:
    from core import jobs

    assert dict(jobs.registered())["webhook deliveries"] is sending.send_due


def test_each_attempt_is_a_job_at_its_moment(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The delivery's first attempt is a job written with it; a failed attempt writes the job of the next one, at
    the delivery's own backoff; the job is the same function as the sweep's, so a repeat sends nothing twice."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from webhooks.tasks import deliver

    subscribe(world, receiver.url, ["referral.sent"])
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    delivery = Delivery.objects.get()
    key = f"webhook-delivery:{delivery.pk}"
    job = ProcrastinateJob.objects.get(queueing_lock=key, status="todo")
    assert (job.task_name, job.args, job.scheduled_at) == (
        sending.DELIVERY_TASK,
        {"delivery_id": str(delivery.pk)},
        delivery.next_attempt_at,
    )
    assert deliver(str(delivery.pk)) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    retry = ProcrastinateJob.objects.get(queueing_lock=key, status="todo")
    assert retry.scheduled_at == delivery.next_attempt_at
    assert deliver(str(delivery.pk)) is False  # not due yet: a repeated job sends nothing
    assert len(receiver.received) == 1


def test_the_delivery_log_keeps_90_days_of_finished_deliveries(world: Any) -> None:
    import uuid

    subscription = subscribe(world, "https://93.184.216.34/x", ["referral.*"])
    now = timezone.now()

    def delivery(status: str, days_ago: int) -> Delivery:
        row = Delivery.objects.create(
            subscription=subscription, event_id=uuid.uuid4(), event_type="referral.sent", payload={}, status=status
        )
        Delivery.objects.filter(pk=row.pk).update(created_at=now - datetime.timedelta(days=days_ago))
        return row

    old_done, old_given_up = delivery(DeliveryStatus.DELIVERED, 91), delivery(DeliveryStatus.GAVE_UP, 120)
    recent, retrying = delivery(DeliveryStatus.DELIVERED, 10), delivery(DeliveryStatus.FAILED, 91)
    assert sending.purge_delivery_log(now) == 2
    assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, retrying.pk}
    assert not Delivery.objects.filter(pk__in=[old_done.pk, old_given_up.pk]).exists()
