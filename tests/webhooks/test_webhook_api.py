"""The webhook API: the secret once, addresses refused with production settings, the delivery log, a ping."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "http://93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
        "https://user:password@93.184.216.34/hook",
        "not a url",
    ],
)
def test_with_production_settings_it_refuses_what_is_not_https_to_a_public_address(world: Any, url: str) -> None:
    response = client_for(world.receiving_admin).post(
        "/api/v1/webhooks/", {"url": url, "events": ["referral.*"]}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "url_not_allowed"
    assert set(response.json()) == {"detail", "code"}
    assert not Subscription.objects.exists()


def test_it_shows_the_secret_once_in_the_create_answer(world: Any) -> None:
    api = client_for(world.receiving_admin)
    created = api.post(
        "/api/v1/webhooks/",
        {"url": "https://93.184.216.34/hook", "events": ["referral.sent", "placement.*"], "description": "HIS"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert "no-store" in created["Cache-Control"]
    body = created.json()
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # the specification's form: the package accepts it as it is
    assert body["owner"] == {"type": "partner", "id": str(world.receiving.pk), "name": str(world.receiving)}
    assert body["events"] == ["referral.sent", "placement.*"]
    subscription = Subscription.objects.get()
    assert subscription.created_by == world.receiving_admin
    assert subscription.secret == body["secret"]
    # Never again: neither the detail nor the list carries it.
    detail = api.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in detail
    assert body["secret"] not in api.get("/api/v1/webhooks/").content.decode()
    # A rotation answers a new one, once, and the old one stops.
    rotated = api.post(f"/api/v1/webhooks/{body['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]
    subscription.refresh_from_db()
    assert subscription.secret == rotated["secret"]


def test_it_refuses_unknown_events_and_consent_events_for_a_partner(world: Any) -> None:
    api = client_for(world.receiving_admin)
    for events in (["referral.eaten"], [], ["consent.withdrawn"], ["*"]):
        response = api.post("/api/v1/webhooks/", {"url": "https://93.184.216.34/h", "events": events}, format="json")
        assert response.status_code == 400, events
        assert "events" in response.json()
    ok = client_for(world.coordinator).post(
        "/api/v1/webhooks/", {"url": "https://93.184.216.34/h", "events": ["consent.*"]}, format="json"
    )
    assert ok.status_code == 201
    assert ok.json()["owner"]["type"] == "network"


def test_a_partners_staff_who_is_not_its_admin_may_not_subscribe(world: Any) -> None:
    response = client_for(world.receiving_staff).post(
        "/api/v1/webhooks/", {"url": "https://93.184.216.34/h", "events": ["referral.*"]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_delivery_log_and_a_ping_through_the_api(world: Any, receiver: Any, local_webhooks: Any) -> None:
    api = client_for(world.coordinator)
    created = api.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["referral.*"]}, format="json").json()
    receiver.answers = [503]
    ping = api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert ping.status_code == 200
    assert ping.json()["status"] == "failed"
    assert ping.json()["last_status_code"] == 503
    assert ping.json()["last_error"] == "HTTP 503"
    again = api.post(f"/api/v1/webhooks/{created['id']}/test/").json()
    assert again["status"] == "delivered"
    [got_first, got_second] = receiver.received
    payload = Webhook(created["secret"]).verify(got_second.body, got_second.headers)
    assert payload["type"] == "webhook.ping"
    assert payload["data"] == {"object": "webhook", "id": created["id"], "state": "active"}
    log = api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()
    assert log["count"] == 2
    assert [row["status"] for row in log["results"]] == ["delivered", "failed"]
    assert log["results"][1]["attempts"] == 1
    assert log["results"][1]["webhook_id"] == got_first.headers["webhook-id"]
    failed = api.get(f"/api/v1/webhooks/{created['id']}/deliveries/?status=failed").json()
    assert failed["count"] == 1
    assert api.get(f"/api/v1/webhooks/{created['id']}/deliveries/?status=eaten").status_code == 400


def test_turning_off_and_on_through_patch_and_the_enable_action(world: Any, receiver: Any, local_webhooks: Any) -> None:
    api = client_for(world.receiving_admin)
    created = api.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["referral.*"]}, format="json").json()
    off = api.patch(f"/api/v1/webhooks/{created['id']}/", {"active": False}, format="json").json()
    assert (off["active"], off["disabled_reason"]) == (False, "by_owner")
    assert api.post(f"/api/v1/webhooks/{created['id']}/test/").json()["code"] == "disabled"
    on = api.post(f"/api/v1/webhooks/{created['id']}/enable/")
    assert on.status_code == 200
    assert on.json()["active"] is True
    assert api.post(f"/api/v1/webhooks/{created['id']}/enable/").json()["code"] == "already_enabled"
    changed = api.patch(f"/api/v1/webhooks/{created['id']}/", {"events": ["referral.accepted"]}, format="json")
    assert changed.json()["events"] == ["referral.accepted"]
    local_webhooks.WEBHOOKS_ALLOW_PRIVATE = []
    changed = api.patch(f"/api/v1/webhooks/{created['id']}/", {"url": "https://10.0.0.1/"}, format="json")
    assert changed.status_code == 400
    assert changed.json()["code"] == "url_not_allowed"
    assert api.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 204
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()


def test_every_webhook_operation_is_in_the_schema_with_its_error_answers() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert set(paths["/api/v1/webhooks/"]["post"]["responses"]) >= {"201", "400", "401", "403", "409"}
    assert set(paths["/api/v1/webhooks/{id}/"]) >= {"get", "patch", "delete"}
    for action in ("rotate-secret", "enable", "disable", "test"):
        responses = paths[f"/api/v1/webhooks/{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "401", "404"} <= set(responses), action
    assert "404" in paths["/api/v1/webhooks/{id}/deliveries/"]["get"]["responses"]
    created = paths["/api/v1/webhooks/"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("WebhookWithSecret")
