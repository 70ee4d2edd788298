"""The security log: append-only (its trigger refuses changes), kept 12 months, readable by the administrator."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import SecurityEventKind
from accounts.log import purge_security_log, record
from accounts.models import SecurityEvent
from core import db_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_row_cannot_be_changed() -> None:
    event = record(SecurityEventKind.LOGIN_FAILED, username="ktoś")
    with pytest.raises((InternalError, ProgrammingError), match="append-only"), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).update(username="ktoś inny")
    event.refresh_from_db()
    assert event.username == "ktoś"


def test_a_young_row_cannot_be_deleted() -> None:
    event = record(SecurityEventKind.LOGIN_FAILED, username="ktoś")
    with pytest.raises((InternalError, ProgrammingError), match="append-only"), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_retention_removes_only_rows_past_twelve_months(settings: Any) -> None:
    old = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, at=timezone.now() - timedelta(days=400))
    kept = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, at=timezone.now() - timedelta(days=300))
    assert purge_security_log() == 1
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()
    # A longer retention keeps more; a shorter one than the trigger's floor cannot let younger rows go.
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    assert purge_security_log() == 0
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()


def test_the_application_role_may_not_update_or_truncate_but_may_purge() -> None:
    table = SecurityEvent._meta.db_table
    assert table in db_roles.append_only()
    assert db_roles.refused(table) == ("UPDATE", "TRUNCATE")


def test_truncate_is_refused_without_the_owner_setting() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lsw.access_log_truncate")
        assert cursor.fetchone()[0] == "on"  # the test database's owner setting (tests/conftest.py)
        with pytest.raises((InternalError, ProgrammingError), match="TRUNCATE refused"), transaction.atomic():
            cursor.execute("SET LOCAL lsw.access_log_truncate = 'off'")
            cursor.execute(f"TRUNCATE {SecurityEvent._meta.db_table}")


def test_signed_in_404_on_an_object_address_is_logged(world: Any) -> None:
    client = Client()
    client.force_login(world.receiving_staff)
    missing = uuid.uuid4()
    assert client.get(f"/people/{missing}/").status_code == 404
    assert client.get(f"/api/v1/persons/{missing}/").status_code == 404
    rows = list(SecurityEvent.objects.filter(kind=SecurityEventKind.NOT_FOUND, user=world.receiving_staff))
    assert sorted(row.detail for row in rows) == sorted([f"/people/{missing}/", f"/api/v1/persons/{missing}/"])
    assert {row.channel for row in rows} == {"page", "api"}


def test_anonymous_404_and_list_404_are_not_logged(world: Any) -> None:
    assert Client().get(f"/api/v1/persons/{uuid.uuid4()}/").status_code in (401, 403, 404)
    client = Client()
    client.force_login(world.receiving_staff)
    assert client.get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.NOT_FOUND).exists()


def test_the_administrator_reads_and_filters_but_cannot_change() -> None:
    record(SecurityEventKind.LOGIN_FAILED, username="nieznany")
    record(SecurityEventKind.LOGIN, username="ktoś")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:accounts_securityevent_changelist")
    page = client.get(url, {"kind__exact": "login_failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "nieznany" in text and ">ktoś<" not in text
    event = SecurityEvent.objects.get(username="nieznany")
    delete = reverse("admin:accounts_securityevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_end_everything_ends_sessions_tokens_but_spares_the_current(world: Any) -> None:
    from knox.models import AuthToken

    from accounts.models import UserSession
    from accounts.sessions import end_everything

    user = world.receiving_staff
    phone, desk = Client(), Client()
    phone.force_login(user)
    desk.force_login(user)
    assert UserSession.objects.filter(user=user).count() == 2
    AuthToken.objects.create(user=user)
    kept = desk.session.session_key
    assert end_everything(user, reason="test", keep_session_key=kept) == 2
    assert phone.get("/").status_code == 302  # back to the login page
    assert desk.get("/").status_code == 200
    assert not AuthToken.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSIONS_ENDED, user=user, detail="test").exists()
    desk.logout()
    assert not UserSession.objects.filter(user=user).exists()
