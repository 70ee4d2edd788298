"""E-mail for those who are away: at once, a daily digest, or never; in the recipient's language."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.emails import send_notification_emails
from notifications.models import Notification
from notifications.services import notify
from partners.models import User

pytestmark = pytest.mark.django_db


def note(user: Any, text: str = "Nowe skierowanie dla A. K.") -> None:
    notify(recipients=[user], kind="referral.sent", text=lambda: text, url="/referrals/x/")


def test_it_sends_at_once_and_only_once(world: Any) -> None:
    note(world.receiving_staff)
    assert send_notification_emails() == 1
    assert send_notification_emails() == 0
    message = mail.outbox[0]
    assert message.to == [world.receiving_staff.email]
    assert "Nowe skierowanie dla A. K." in message.body
    assert Notification.objects.get().emailed_at is not None


def test_it_sends_nothing_to_someone_who_turned_it_off_or_read_it(world: Any) -> None:
    User.objects.filter(pk=world.receiving_staff.pk).update(email_notifications="off")
    note(world.receiving_staff)
    note(world.sending_staff)
    Notification.objects.filter(recipient=world.sending_staff).update(read_at=timezone.now())
    assert send_notification_emails() == 0
    assert mail.outbox == []


def test_it_gathers_a_daily_digest_after_seven(world: Any) -> None:
    User.objects.filter(pk=world.receiving_staff.pk).update(email_notifications="digest")
    note(world.receiving_staff, "pierwsze")
    note(world.receiving_staff, "drugie")
    early = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(6, 0)))
    assert send_notification_emails(early + datetime.timedelta(days=1)) == 0
    morning = early + datetime.timedelta(days=1, hours=2)
    assert send_notification_emails(morning) == 1
    assert "pierwsze" in mail.outbox[0].body and "drugie" in mail.outbox[0].body
    note(world.receiving_staff, "trzecie")
    assert send_notification_emails(morning + datetime.timedelta(hours=3)) == 0  # one digest a day


def test_it_writes_in_the_recipients_language(world: Any) -> None:
    User.objects.filter(pk=world.receiving_staff.pk).update(language="en")
    world.receiving_staff.refresh_from_db()
    note(world.receiving_staff)
    send_notification_emails()
    assert "while you were away" in mail.outbox[0].body


def test_it_runs_every_job_from_the_command(world: Any, capsys: Any) -> None:
    note(world.receiving_staff)
    call_command("run_jobs", "--once")
    assert "notification e-mails: 1" in capsys.readouterr().out


def test_it_sends_through_smtp_when_configured(world: Any, settings: Any, monkeypatch: Any) -> None:
    """The edge of the machine: an external SMTP server is the one thing mocked."""
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, **kwargs: Any) -> None:
            self.host, self.port = host, port

        def ehlo(self, *a: Any) -> None: ...
        def starttls(self, *a: Any, **k: Any) -> None: ...
        def login(self, *a: Any) -> None: ...
        def sendmail(self, from_addr: str, to: list[str], msg: bytes) -> dict[str, Any]:
            sent.append((self.host, to, msg))
            return {}

        def quit(self) -> None: ...
        def close(self) -> None: ...

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example.org", 587
    note(world.receiving_staff)
    assert send_notification_emails() == 1
    assert sent and sent[0][0] == "smtp.example.org" and sent[0][1] == [world.receiving_staff.email]


def test_a_notification_defers_one_email_job_per_recipient_who_wants_it_at_once(world: Any) -> None:
    from procrastinate.contrib.django.models import ProcrastinateJob

    User.objects.filter(pk=world.sending_staff.pk).update(email_notifications="digest")
    world.sending_staff.refresh_from_db()
    note(world.receiving_staff, "pierwsze")
    note(world.receiving_staff, "drugie")  # the job still waits: it will send both
    note(world.sending_staff)
    jobs = list(ProcrastinateJob.objects.filter(task_name="notifications.send_email", status="todo"))
    assert [job.args for job in jobs] == [{"user_id": str(world.receiving_staff.pk)}]
    from notifications.tasks import send_email

    assert send_email(str(world.receiving_staff.pk)) == 1
    assert "pierwsze" in mail.outbox[0].body and "drugie" in mail.outbox[0].body
    assert send_email(str(world.receiving_staff.pk)) == 0  # run twice (a retry): nothing twice


def test_a_failing_mail_server_leaves_the_rows_for_the_retry(world: Any, monkeypatch: Any) -> None:
    """The edge of the machine: the mail server refuses; the task raises, so procrastinate retries it."""
    import smtplib

    from core.jobs import RETRY
    from notifications.tasks import send_email

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("gone")

    note(world.receiving_staff)
    monkeypatch.setattr("notifications.emails.send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_email(str(world.receiving_staff.pk))
    assert Notification.objects.get().emailed_at is None
    assert send_email.retry_strategy is RETRY and RETRY.exponential_wait == 2
    monkeypatch.undo()
    assert send_email(str(world.receiving_staff.pk)) == 1


def test_the_digest_waits_for_its_local_hour(world: Any, settings: Any) -> None:
    from notifications.emails import send_digests

    settings.NOTIFICATIONS_DIGEST_HOUR = 9
    User.objects.filter(pk=world.receiving_staff.pk).update(email_notifications="digest")
    note(world.receiving_staff)
    day = timezone.localdate() + datetime.timedelta(days=1)
    eight = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
    assert send_digests(eight) == 0
    assert send_digests(eight + datetime.timedelta(hours=1)) == 1
