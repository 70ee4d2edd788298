"""A county can try the demo end to end: every demo partner has a staff login that `make run` prints, links in
e-mails and invitations point at SITE_URL, and notification texts end with one full stop."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from network.models import Network
from notifications.emails import send_notification_emails
from notifications.models import Notification
from notifications.services import notify, one_full_stop
from partners.models import Partner, StaffMembership, User
from partners.services import send_invitation_email

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def dev_script() -> Any:
    spec = importlib.util.spec_from_file_location("lsw_dev_script", ROOT / "scripts" / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_gives_every_demo_partner_a_staff_login_that_make_run_lists(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    network = Network.objects.get()
    partners = Partner.objects.filter(network_memberships__network=network)
    assert partners.count() == 13
    printed = {login for login, _role in dev_script().DEMO_LOGINS}
    for partner in partners:
        logins = set(
            StaffMembership.objects.filter(partner=partner, status="active").values_list("user__username", flat=True)
        )
        assert logins, f"{partner.name} has no staff login"
        assert logins & printed, f"none of {sorted(logins)} of {partner.name} is printed by make run"
    for login in printed:
        assert User.objects.get(username=login).check_password("demo")


def test_make_run_points_links_at_the_port_it_serves(monkeypatch: Any) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    module = dev_script()
    assert module.PORT == 8123
    source = (ROOT / "scripts" / "dev.py").read_text()
    # run() sets SITE_URL from HOST and PORT before Django reads its settings (and keeps one given explicitly).
    assert 'os.environ.setdefault("SITE_URL", f"http://{HOST}:{PORT}")' in source
    assert source.index('setdefault("SITE_URL"') < source.index("django_setup()\n    check_database()")


def test_e_mail_links_use_site_url(settings: Any, world: Any) -> None:
    settings.SITE_URL = "http://127.0.0.1:8123"
    notify(recipients=[world.receiving_staff], kind="referral.sent", text=lambda: "Nowe.", url="/referrals/x/")
    assert send_notification_emails() == 1
    assert "http://127.0.0.1:8123/referrals/x/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body
    send_invitation_email(world.receiving_staff)
    assert "http://127.0.0.1:8123/" in mail.outbox[1].body
    assert ":8000" not in mail.outbox[1].body


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Nowe skierowanie dla K. J..", "Nowe skierowanie dla K. J."),
        ("Nowe skierowanie dla K. J.", "Nowe skierowanie dla K. J."),
        ("Drukarnia Śląska Sp. z o.o..", "Drukarnia Śląska Sp. z o.o."),
        ("Czekamy...", "Czekamy..."),
        ("Bez kropki", "Bez kropki"),
    ],
)
def test_a_text_ends_with_one_full_stop(text: str, shown: str) -> None:
    assert one_full_stop(text) == shown


def test_no_demo_notification_ends_with_two_full_stops(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    texts = list(Notification.objects.values_list("text", flat=True))
    assert texts
    assert not [t for t in texts if t.endswith("..") and not t.endswith("...")]
