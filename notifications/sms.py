"""Text messages (SMS) through a backend chosen by ``SMS_URL``, the way Django chooses an e-mail backend.

- ``console://`` — the message is written to standard output (development; the default with ``DEBUG``);
- ``locmem://`` — kept in ``notifications.sms.outbox`` (the tests' default, like ``django.core.mail.outbox``);
- ``smsapi://TOKEN@api.smsapi.pl?from=NAME`` — SMSAPI.pl, through its Python client (``smsapi-client``); ``TOKEN``
  is an OAuth token from the SMSAPI panel, ``from`` a sender name registered there (optional: SMSAPI's default
  otherwise), ``test=1`` asks SMSAPI to accept without sending. The host may be ``api.smsapi.com`` for the
  international service.

``send_sms`` never raises for a provider's refusal: it logs it and returns False, so a message that could not go
does not undo the work it was about (callers send after commit). A malformed ``SMS_URL`` fails at start-up
(``parse_sms_url`` from the settings), naming the variable.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

# What the tests read, like django.core.mail.outbox.
outbox: list[SmsMessage] = []

_PHONE = re.compile(r"^\+?\d{9,15}$")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> bool: ...


class ConsoleBackend:
    def send(self, message: SmsMessage) -> bool:
        sys.stdout.write(f"--- SMS to {message.to} ---\n{message.text}\n--- end of SMS ---\n")
        sys.stdout.flush()
        return True


class LocmemBackend:
    def send(self, message: SmsMessage) -> bool:
        outbox.append(message)
        return True


@dataclass
class SmsApiBackend:
    """SMSAPI.pl (or .com): ``POST /sms.do`` with a bearer token, through the provider's own client."""

    token: str
    host: str = "api.smsapi.pl"
    sender: str = ""
    test: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def send(self, message: SmsMessage) -> bool:
        from smsapi.client import Client
        from smsapi.exception import SmsApiException

        client = Client(f"https://{self.host}/", access_token=self.token)
        params: dict[str, object] = {"to": message.to, "message": message.text, "encoding": "utf-8"}
        if self.sender:
            params["from_"] = self.sender
        if self.test:
            params["test"] = 1
        try:
            client.sms.send(**params)
        except (SmsApiException, OSError) as exc:  # requests' errors are OSErrors
            log.warning("SMSAPI refused or could not be reached: %s", getattr(exc, "message", exc))
            return False
        return True


def parse_sms_url(url: str) -> SmsBackend:
    """The backend ``url`` names; ImproperlyConfigured (naming SMS_URL) for anything else."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleBackend()
    if parts.scheme == "locmem":
        return LocmemBackend()
    if parts.scheme == "smsapi":
        token = unquote(parts.username or "")
        if not token or not parts.hostname:
            raise ImproperlyConfigured("SMS_URL: smsapi:// needs a token and a host, as smsapi://TOKEN@api.smsapi.pl")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return SmsApiBackend(
            token=token,
            host=parts.hostname,
            sender=query.pop("from", ""),
            test=query.pop("test", "") in {"1", "true", "yes"},
            extra=query,
        )
    raise ImproperlyConfigured(f"SMS_URL: unknown scheme {parts.scheme!r} (console://, locmem:// or smsapi://)")


def normalise_phone(phone: str) -> str:
    """Digits with the country code (Polish 9-digit numbers get 48): '600 100 200' -> '48600100200'; '' if not a
    phone number."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if not _PHONE.match(digits):
        return ""
    digits = digits.lstrip("+")
    if len(digits) == 9:
        digits = "48" + digits
    return digits


def send_sms(to: str, text: str) -> bool:
    number = normalise_phone(to)
    if not number:
        log.warning("SMS not sent: %r is not a phone number", to)
        return False
    return parse_sms_url(settings.SMS_URL).send(SmsMessage(to=number, text=text))
