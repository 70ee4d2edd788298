"""The demo's person account (issue 18): ``osoba`` / ``demo``, no second factor, for a demo person with consents,
a path, two past openings of the record by partners and an upcoming meeting."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from partners.models import User
from people import own

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_person_account_with_something_to_see(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    user = User.objects.get(username="osoba")
    assert user.is_person_account and user.check_password("demo")
    assert not user.staff_memberships.exists() and not user.coordinatorships.exists()
    person = own.own_account(user).person
    assert person.consents.exists()
    path = own.own_path(person)
    assert path.case is not None and path.meetings
    partners_seen = {
        row.institution for row in own.own_access_log(person) if row.role and "koordynator" not in row.role
    }
    assert len(partners_seen) >= 2

    client = Client()
    response = client.post("/login/", {"username": "osoba", "password": "demo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/moje/"  # no second step in the demo
    assert client.get("/people/").status_code == 404
