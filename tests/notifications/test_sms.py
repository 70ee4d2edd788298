"""Text messages through the backend SMS_URL names (issue 18): the console and in-memory backends, and SMSAPI.pl's
own client with only its HTTP mocked, at the edge of the machine (requests' transport adapter)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from requests.models import Response

from notifications import sms


def _answer(status: int, body: str) -> Response:
    response = Response()
    response.status_code = status
    response._content = body.encode()
    response.headers["Content-Type"] = "application/json"
    return response


def test_it_writes_to_the_console(settings: Any, capsys: Any) -> None:
    settings.SMS_URL = "console://"
    assert sms.send_sms("600 100 200", "Przypomnienie: spotkanie jutro.")
    out = capsys.readouterr().out
    assert "48600100200" in out and "Przypomnienie: spotkanie jutro." in out


def test_it_keeps_messages_in_memory_for_tests(settings: Any) -> None:
    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    assert sms.send_sms("+48 600-100-200", "Tekst")
    assert sms.outbox == [sms.SmsMessage(to="48600100200", text="Tekst")]


def test_it_refuses_what_is_not_a_phone_number(settings: Any) -> None:
    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    assert not sms.send_sms("zadzwoń do mnie", "Tekst")
    assert sms.outbox == []


@pytest.mark.parametrize("url", ["smtp://x", "smsapi://api.smsapi.pl", "smsapi://token@", "nonsense"])
def test_a_bad_sms_url_stops_the_start(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SMS_URL"):
        sms.parse_sms_url(url)


def test_it_sends_through_smsapi_with_the_token_and_sender(settings: Any) -> None:
    settings.SMS_URL = "smsapi://sekretny-token@api.smsapi.pl?from=LSW"
    body = '{"count": 1, "list": [{"id": "1", "points": 0.16, "number": "48600100200", "status": "QUEUE"}]}'
    with mock.patch("requests.adapters.HTTPAdapter.send", return_value=_answer(200, body)) as send:
        assert sms.send_sms("600 100 200", "Dzień dobry. Przypomnienie: spotkanie 4.12 o 13:30.")
    request = send.call_args.args[0]
    assert request.method == "POST"
    assert request.url == "https://api.smsapi.pl/sms.do"
    assert request.headers["Authorization"] == "Bearer sekretny-token"
    from urllib.parse import parse_qs

    form = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())
    assert form["to"] == ["48600100200"]
    assert form["from"] == ["LSW"]
    assert form["message"] == ["Dzień dobry. Przypomnienie: spotkanie 4.12 o 13:30."]
    assert form["encoding"] == ["utf-8"]


def test_a_refusal_by_smsapi_is_logged_not_raised(settings: Any, caplog: Any) -> None:
    settings.SMS_URL = "smsapi://zly-token@api.smsapi.pl"
    body = '{"error": 101, "message": "Authorization failed"}'
    with mock.patch("requests.adapters.HTTPAdapter.send", return_value=_answer(200, body)):
        assert not sms.send_sms("600100200", "Tekst")
    assert "Authorization failed" in caplog.text


def test_an_unreachable_smsapi_is_logged_not_raised(settings: Any) -> None:
    import requests

    settings.SMS_URL = "smsapi://token@api.smsapi.pl?test=1"
    with mock.patch("requests.adapters.HTTPAdapter.send", side_effect=requests.ConnectionError("down")):
        assert not sms.send_sms("600100200", "Tekst")
