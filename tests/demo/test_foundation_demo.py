from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from partners.models import User

pytestmark = pytest.mark.django_db


def test_it_refuses_the_demo_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not User.objects.filter(username="koordynator").exists()


def test_it_creates_the_demo_logins_once(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    for login in ["koordynator", "mopr", "sds", "pup", "pracodawca", "monitor", "admin"]:
        user = User.objects.get(username=login)
        assert user.check_password("demo")
    assert User.objects.get(username="monitor").is_regional_monitor
    assert User.objects.get(username="admin").is_superuser


def test_only_the_demo_coordinator_has_the_published_app_secret(settings: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    device = TOTPDevice.objects.get(confirmed=True)
    assert device.user.username == "koordynator"
    # JBSWY3DPEHPK3PXP in base32 is these bytes; django-otp keeps the key in hex.
    assert device.key == b"Hello!\xde\xad\xbe\xef".hex()
    assert totp(device.bin_key) == totp(bytes.fromhex("48656c6c6f21deadbeef"))


def test_it_builds_the_demo_network_of_the_design(settings: Any) -> None:
    from network.models import Network
    from partners.choices import PathStage
    from partners.models import Partner
    from people.models import Case, Meeting, Person, SupportGroup

    settings.DEBUG = True
    call_command("load_demo")
    network = Network.objects.get()
    assert network.memberships.count() == 13
    assert Partner.objects.filter(type="employer").count() == 2
    assert Person.objects.filter(network=network).count() >= 40
    assert set(Case.objects.open().values_list("stage", flat=True)) == set(PathStage.values)
    group = SupportGroup.objects.get(name="Razem Łatwiej!")
    assert Meeting.objects.filter(group=group).count() >= 50
    assert network.coordinators.filter(user__username="koordynator").exists()


def test_it_has_demo_referrals_in_every_state(settings: Any) -> None:
    from referrals.choices import State
    from referrals.models import Referral

    settings.DEBUG = True
    call_command("load_demo")
    assert set(Referral.objects.values_list("state", flat=True)) == set(State.values)
    assert Referral.objects.overdue().exists()
