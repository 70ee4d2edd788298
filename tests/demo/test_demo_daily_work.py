"""The demo has data for issue 15's screens: a waitlist with three people in priority order, a merged record shown
on the kept one, a day off of the network; and loading it twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from network.models import DayOff
from partners.models import Service, User
from people.models import AccessLog, Person, PersonMerge
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_waitlist_a_merged_record_and_a_day_off(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    service = Service.objects.get(name="Mieszkanie treningowe")
    waiting = list(Referral.objects.filter(service=service).waiting().in_waitlist_order())
    assert [r.priority for r in waiting] == ["ward_discharge", "urgent", "normal"]
    merge = PersonMerge.objects.get()
    assert Person.objects.get(pk=merge.merged_id).merged_into_id == merge.kept_id
    assert DayOff.objects.count() == 1
    client = Client()
    client.force_login(User.objects.get(username="mopr"))
    page = client.get(reverse("service-waitlist", args=[service.pk]))
    assert page.status_code == 200 and page.text.count('id="waiting-') == 3
    # The merge is logged on both records (the demo coordinator signs in with a second factor, so the record's page
    # itself is checked in tests/people/test_person_merge.py).
    assert AccessLog.objects.filter(view="person-merge", person_id__in=[merge.kept_id, merge.merged_id]).count() == 2
