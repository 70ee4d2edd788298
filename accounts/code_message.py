"""The text of a sign-in code (issue 18): the same words for SMS and e-mail, in the account's language. It says
only that this is a code to sign in, never the service's kind nor anything about health: whoever reads the phone
learns nothing else (tests/people/test_own_account.py's forbidden terms hold it to that)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.sms import send_sms


def code_text(code: str) -> str:
    return _("Your code to sign in: %(code)s. It works for 10 minutes. Do not give it to anyone.") % {"code": code}


def deliver_code(channel: str, address: str, code: str, *, language: str = "pl") -> bool:
    """Send the code now (the person waits for it on the sign-in page); a refusal is logged by the SMS backend."""
    with translation.override(language or "pl"):
        text = code_text(code)
        subject = _("Your code to sign in")
    if channel == "sms":
        return send_sms(address, text)
    return bool(send_mail(subject, text, None, [address], fail_silently=True))
