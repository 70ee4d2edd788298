"""The job seam (core.jobs) and the queue's admin: periodic registration, scheduling under a key, failed and
stalled jobs shown to the admin and retried from there."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from core import jobs

pytestmark = pytest.mark.django_db


def test_register_makes_a_periodic_task_that_runs_the_job_once_a_tick() -> None:
    calls: list[int] = []

    def first() -> int:
        calls.append(1)
        return 1

    def second() -> int:
        calls.append(2)
        return 2

    jobs.register("test job", first, cron="*/10 * * * *")
    jobs.register("test job", second, cron="*/10 * * * *")  # an app reload replaces it
    task = app.tasks["periodic.test-job"]
    periodic = app.periodic_registry.periodic_tasks[("periodic.test-job", "")]
    assert periodic.cron == "*/10 * * * *" and task.lock == task.queueing_lock == "periodic.test-job"
    assert task(timestamp=0) == 2 and calls == [2]
    assert jobs.run_all()["test job"] == 2


def test_every_job_of_ours_is_a_periodic_task_or_a_named_task() -> None:
    names = set(app.tasks)
    for name, _job in jobs.registered():
        assert f"periodic.{name.replace(' ', '-').lower()}" in names
    assert {
        "referrals.deadline_passed",
        "referrals.remind_half_time",
        "people.consent_starts",
        "people.consent_ends",
        "employment.remind_checkpoint",
        "notifications.send_email",
        "webhooks.send_delivery",
        "core.retry_stalled",
    } <= names


def test_schedule_replaces_the_waiting_job_of_its_key_and_unschedule_drops_it() -> None:
    at = timezone.now() + datetime.timedelta(hours=1)
    first = jobs.schedule("core.retry_stalled", at=at, key="test:key")
    second = jobs.schedule("core.retry_stalled", at=at + datetime.timedelta(hours=1), key="test:key")
    assert first and second and first != second
    waiting = ProcrastinateJob.objects.filter(queueing_lock="test:key", status="todo")
    assert [(job.id, job.scheduled_at, job.lock) for job in waiting] == [
        (second, at + datetime.timedelta(hours=1), "test:key")
    ]
    assert jobs.defer("core.retry_stalled", key="test:key") is None  # one waits already: no second
    assert jobs.unschedule("test:key") == 1
    assert not ProcrastinateJob.objects.filter(queueing_lock="test:key").exists()


def _job(status: str, worker: int | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id, attempts) "
            "VALUES ('default', 'referrals.deadline_passed', '{}', %s, %s, 1) RETURNING id",
            [status, worker],
        )
        return int(cursor.fetchone()[0])


def _worker(seconds_ago: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - make_interval(secs => %s)) RETURNING id",
            [seconds_ago],
        )
        return int(cursor.fetchone()[0])


def test_the_admin_shows_failed_and_stalled_jobs_and_retries_them(admin_client: Any) -> None:
    failed = _job("failed")
    dead = _job("doing", _worker(600))
    alive = _job("doing", _worker(0))
    done = _job("succeeded")
    page = admin_client.get("/admin/procrastinate/procrastinatejob/?trouble=any")
    assert page.status_code == 200
    shown = {job.pk for job in page.context["cl"].result_list}
    assert shown == {failed, dead} and alive not in shown and done not in shown
    answer = admin_client.post(
        "/admin/procrastinate/procrastinatejob/?trouble=any",
        {"action": "retry", "_selected_action": [failed, dead]},
    )
    assert answer.status_code == 302
    assert set(ProcrastinateJob.objects.filter(pk__in=[failed, dead]).values_list("status", flat=True)) == {"todo"}
    assert admin_client.get("/admin/procrastinate/procrastinateworker/").status_code == 200


def test_a_stranger_to_the_admin_sees_no_jobs(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    assert client.get("/admin/procrastinate/procrastinatejob/").status_code in (302, 403)
