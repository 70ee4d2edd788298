"""Issue 18: a person's own account signs in each time with a one-time code sent to their phone or e-mail
(django-otp's side-channel device, with its cooldown and throttling), and under MFA_REQUIRED it must have a factor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts import mfa
from accounts.code_message import code_text
from accounts.models import CodeDevice
from notifications import sms
from tests.own_fixtures import OWN_PASSWORD, make_own_account
from tests.people.test_own_account import _assert_clean
from tests.referral_fixtures import consenting_person

pytestmark = pytest.mark.django_db


def _code(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def _signed_in(world: Any, **fields: Any) -> tuple[Client, Any]:
    user = make_own_account(world, consenting_person(world), username="osoba", **fields)
    client = Client()
    assert client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD}).status_code == 302
    return client, user


def _enrol(client: Client, channel: str, last_text: Any) -> None:
    response = client.post("/account/second-factor/code/", {"action": "start", "channel": channel})
    assert response.status_code == 302, response.content.decode()
    response = client.post("/account/second-factor/code/", {"action": "confirm", "code": _code(last_text())})
    assert response.status_code == 302 and response["Location"] == "/moje/", response.content.decode()


def test_a_code_by_email_is_sent_at_each_sign_in_and_works_once(world: Any) -> None:
    client, user = _signed_in(world)
    mail.outbox.clear()
    _enrol(client, "email", lambda: mail.outbox[-1].body)
    device = CodeDevice.objects.get(user=user)
    assert device.confirmed and device.channel == "email" and mail.outbox[0].to == ["osoba@example.org"]
    assert mfa.has_factor(user)

    client.post("/logout/")
    mail.outbox.clear()
    response = client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD})
    assert response["Location"] == "/login/second-step/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "o***@example.org" in page.content.decode()
    assert len(mail.outbox) == 1
    code = _code(mail.outbox[0].body)
    signed = client.post(response["Location"], {"code": code})
    assert signed.status_code == 302
    assert client.get("/moje/").status_code == 200

    # The same code a second time is refused: it was used up.
    client.post("/logout/")
    again = Client()
    assert again.post("/login/", {"username": "osoba", "password": OWN_PASSWORD})["Location"] == "/login/second-step/"
    with pytest.raises(mfa.MfaError):
        mfa.second_step_verify(user=user, code=code, request=_request(again))


def _request(client: Client) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.session = client.session
    return request


def test_a_code_by_sms_goes_to_the_persons_phone(world: Any) -> None:
    client, user = _signed_in(world, phone="+48 600 100 200")
    sms.outbox.clear()
    _enrol(client, "sms", lambda: sms.outbox[-1].text)
    assert CodeDevice.objects.get(user=user).channel == "sms"
    client.post("/logout/")
    sms.outbox.clear()
    location = client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD})["Location"]
    client.get(location)
    assert [m.to for m in sms.outbox] == ["48600100200"]
    assert client.post(location, {"code": _code(sms.outbox[0].text)}).status_code == 302
    assert client.get("/moje/").status_code == 200


def test_a_wrong_code_is_refused_and_then_throttled(world: Any) -> None:
    client, user = _signed_in(world)
    _enrol(client, "email", lambda: mail.outbox[-1].body)
    client.post("/logout/")
    mail.outbox.clear()
    location = client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD})["Location"]
    client.get(location)
    code = _code(mail.outbox[0].body)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(location, {"code": wrong})
    assert refused.status_code == 400
    # django-otp's back-off: right after a wrong code even the right one waits.
    assert not CodeDevice.objects.get(user=user).verify_is_allowed()[0]
    throttled = client.post(location, {"code": code})
    assert throttled.status_code == 400
    assert client.get("/moje/").status_code == 302  # still not signed in


def test_a_new_code_waits_for_the_cooldown(world: Any) -> None:
    client, user = _signed_in(world)
    _enrol(client, "email", lambda: mail.outbox[-1].body)
    mail.outbox.clear()
    device = CodeDevice.objects.get(user=user)
    assert device.generate_challenge() == "sent"
    assert device.generate_challenge() == "cooldown"
    assert len(mail.outbox) == 1


def test_staff_cannot_choose_a_code_by_sms_or_email(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert client.get("/account/second-factor/code/").status_code == 404
    with pytest.raises(mfa.MfaError):
        mfa.code_enrol_begin(user=world.coordinator, channel="email", address="k@example.org")


def test_a_person_account_without_a_factor_is_sent_to_choose_one_under_mfa_required(world: Any, settings: Any) -> None:
    settings.MFA_REQUIRED = True
    make_own_account(world, consenting_person(world), username="osoba")
    client = Client()
    response = client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/second-factor/"
    assert "/account/second-factor/code/" in response.content.decode()
    assert client.get("/moje/")["Location"].startswith("/account/second-factor/")
    assert client.get("/account/second-factor/code/").status_code == 200


def test_a_person_account_with_a_code_passes_mfa_required(world: Any, settings: Any) -> None:
    client, _user = _signed_in(world)
    _enrol(client, "email", lambda: mail.outbox[-1].body)
    settings.MFA_REQUIRED = True
    assert client.get("/moje/").status_code == 200


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_code_message_has_no_health_word(language: str) -> None:
    from django.utils import translation

    with translation.override(language):
        _assert_clean(code_text("123456"))


def test_the_token_door_sends_the_code_and_takes_it_as_otp(world: Any) -> None:
    client, _user = _signed_in(world)
    _enrol(client, "email", lambda: mail.outbox[-1].body)
    mail.outbox.clear()
    api = Client()
    asked = api.post(
        "/api/v1/auth/token/", {"username": "osoba", "password": OWN_PASSWORD}, content_type="application/json"
    )
    assert asked.status_code in (400, 401, 403) and asked.json()["code"] == "mfa_required", asked.content
    assert len(mail.outbox) == 1
    answer = api.post(
        "/api/v1/auth/token/",
        {"username": "osoba", "password": OWN_PASSWORD, "otp": _code(mail.outbox[0].body)},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["token"]
