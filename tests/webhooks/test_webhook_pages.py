"""The webhook pages: add one (the secret shown once), the delivery log with status, attempts and last error,
turning off and on, rotating the secret; in Polish, without inline scripts or styles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.referral_fixtures import sent_referral
from webhooks import sending
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_a_webhook_and_sees_its_secret_only_once(world: Any) -> None:
    client = signed_in(world.receiving_admin)
    address = reverse("partner-webhooks", args=[world.receiving.pk])
    page = client.get(address)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "referral.accepted" in html
    assert "consent.withdrawn" not in html  # the network's events only
    created = client.post(
        address, {"url": "https://93.184.216.34/his", "events": ["referral.*", "placement.published"]}
    )
    assert created.status_code == 201
    subscription = Subscription.objects.get()
    assert subscription.events == ["referral.*", "placement.published"]
    assert subscription.secret in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    detail = client.get(reverse("webhook-detail", args=[subscription.pk]))
    assert subscription.secret not in detail.content.decode()
    assert subscription.secret not in client.get(address).content.decode()
    # A new secret is shown on the page that answers the rotation, once.
    rotated = client.post(reverse("webhook-rotate", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.secret in rotated.content.decode()


def test_a_private_address_is_refused_on_the_form(world: Any) -> None:
    client = signed_in(world.coordinator)
    response = client.post(
        reverse("network-webhooks", args=[world.network.pk]), {"url": "https://10.0.0.7/", "events": ["consent.*"]}
    )
    assert response.status_code == 400
    assert "10.0.0.7" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_delivery_log_shows_status_attempts_and_the_last_error(
    world: Any, receiver: Any, local_webhooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from webhooks import services

    subscription = services.subscription_create(
        actor=world.receiving_admin, url=receiver.url, events=["referral.sent"], partner=world.receiving
    )
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world)
    sending.send_due()
    client = signed_in(world.receiving_admin)
    html = client.get(reverse("webhook-detail", args=[subscription.pk])).content.decode()
    assert "referral.sent" in html
    assert "nieudane, ponowimy" in html  # failed, will retry
    assert "HTTP 500" in html
    row = re.search(r"<tr>\s*<td[^>]*><code>referral\.sent.*?</tr>", html, re.S)
    assert row is not None and re.search(r"<td[^>]*>1</td>", row.group(0))
    # Only failed ones, by the filter.
    detail = reverse("webhook-detail", args=[subscription.pk])
    assert "HTTP 500" in client.get(detail + "?status=failed").content.decode()
    assert "Jeszcze nic nie wysłano." in client.get(detail + "?status=delivered").content.decode()
    # Turned off, then on again, from the page.
    client.post(reverse("webhook-disable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.active
    assert "wyłączony przez właściciela" in client.get(detail).content.decode()
    client.post(reverse("webhook-enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active
    # A test event from the page reaches the receiver.
    response = client.post(reverse("webhook-test", args=[subscription.pk]), follow=True)
    assert "Zdarzenie testowe zostało doręczone" in response.content.decode()
    assert receiver.received[-1].headers["webhook-id"].startswith("msg_")


def test_the_pages_carry_no_inline_script_or_style(world: Any) -> None:
    subscription = Subscription.objects.create(
        partner=world.receiving, url="https://93.184.216.34/x", events=["referral.*"], secret="whsec_c2VjcmV0"
    )
    client = signed_in(world.receiving_admin)
    for address in (
        reverse("partner-webhooks", args=[world.receiving.pk]),
        reverse("webhook-detail", args=[subscription.pk]),
    ):
        html = client.get(address).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), address
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)
