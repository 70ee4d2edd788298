"""A referral's deadline on the job queue: the half-time reminder and the at-deadline reminder to the receiving
partner, the coordinator's overdue alert at the due-by (within 5 s, with a real worker), and the jobs moved or
dropped when the referral moves (check-in, accept, decline, withdrawal)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from notifications.models import Notification
from referrals import deadlines, services
from referrals.models import Referral
from tests import workers
from tests.referral_fixtures import sent_referral


def waiting(referral: Referral) -> dict[str, datetime.datetime]:
    """The referral's jobs still waiting, by task name, with their moment."""
    keys = services.deadline_keys(referral.pk)
    return {
        job.task_name: job.scheduled_at
        for job in ProcrastinateJob.objects.filter(queueing_lock__in=keys, status="todo")
    }


def kinds_of(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True))


@pytest.mark.django_db
class TestPlanning:
    def test_it_plans_the_half_time_reminder_and_the_deadline_when_the_referral_is_sent(self, world: Any) -> None:
        referral = sent_referral(world)
        jobs = waiting(referral)
        assert jobs == {
            services.HALF_TIME_TASK: services.half_time(referral),
            services.DEADLINE_TASK: referral.due_by,
        }
        assert referral.sent_at is not None and referral.due_by is not None
        assert jobs[services.HALF_TIME_TASK] == referral.sent_at + (referral.due_by - referral.sent_at) / 2

    def test_it_moves_both_jobs_when_the_check_in_moves_the_due_by(self, world: Any) -> None:
        referral = sent_referral(world)
        Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() + datetime.timedelta(hours=2))
        referral = services.referral_check_in(actor=world.receiving_staff, referral=referral)
        jobs = waiting(referral)
        assert referral.due_by is not None and referral.due_by > timezone.now() + datetime.timedelta(days=1)
        assert jobs[services.DEADLINE_TASK] == referral.due_by
        assert jobs[services.HALF_TIME_TASK] == services.half_time(referral)
        # One job per key: the old ones are gone, not left to run.
        keys = services.deadline_keys(referral.pk)
        assert ProcrastinateJob.objects.filter(queueing_lock__in=keys).count() == 2

    @pytest.mark.parametrize("move", ["accept", "decline", "withdraw"])
    def test_it_drops_both_jobs_when_the_referral_is_answered_or_withdrawn(self, world: Any, move: str) -> None:
        referral = sent_referral(world)
        if move == "accept":
            services.referral_accept(actor=world.receiving_staff, referral=referral)
        elif move == "decline":
            services.referral_decline(actor=world.receiving_staff, referral=referral, reason_code="no_capacity")
        else:
            services.referral_withdraw(actor=world.coordinator, referral=referral, reason_code="person_declined")
        assert waiting(referral) == {}

    def test_a_rolled_back_move_leaves_the_jobs_as_they_were(self, world: Any) -> None:
        from django.db import transaction

        referral = sent_referral(world)
        before = waiting(referral)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.referral_accept(actor=world.receiving_staff, referral=referral)
            raise RuntimeError
        assert waiting(referral) == before


@pytest.mark.django_db
class TestTasks:
    def test_the_deadline_alerts_the_coordinator_and_reminds_the_receiving_partner_once(self, world: Any) -> None:
        referral = sent_referral(world)
        Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(seconds=1))
        assert deadlines.deadline_passed(referral.pk) is True
        assert deadlines.deadline_passed(referral.pk) is False
        assert kinds_of(world.coordinator).count("referral.overdue") == 1
        assert kinds_of(world.receiving_staff).count("referral.reminder_deadline") == 1
        text = Notification.objects.get(recipient=world.receiving_staff, kind="referral.reminder_deadline").text
        assert timezone.localtime(Referral.objects.get(pk=referral.pk).due_by).strftime("%d.%m.%Y") in text
        assert referral.person.last_name not in text
        assert list(referral.events.values_list("action", flat=True))[-1] == "overdue"

    def test_a_deadline_job_that_finds_the_due_by_moved_waits_for_the_new_one(self, world: Any) -> None:
        referral = sent_referral(world)
        ProcrastinateJob.objects.filter(queueing_lock__in=services.deadline_keys(referral.pk)).delete()
        assert deadlines.deadline_passed(referral.pk) is False
        assert waiting(referral) == {services.DEADLINE_TASK: referral.due_by}
        assert "referral.overdue" not in kinds_of(world.coordinator)

    def test_the_deadline_of_an_accepted_referral_does_nothing(self, world: Any) -> None:
        referral = sent_referral(world)
        services.referral_accept(actor=world.receiving_staff, referral=referral)
        Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(seconds=1))
        assert deadlines.deadline_passed(referral.pk) is False
        assert deadlines.alert_overdue() == 0

    def test_the_half_time_reminder_goes_once_to_the_receiving_partner_and_again_after_a_check_in(
        self, world: Any
    ) -> None:
        referral = sent_referral(world)
        assert referral.due_by is not None and referral.sent_at is not None
        early = services.half_time(referral) - datetime.timedelta(hours=1)  # type: ignore[operator]
        assert deadlines.remind_half_time(referral.pk, now=early) is False
        half = services.half_time(referral) + datetime.timedelta(seconds=1)  # type: ignore[operator]
        assert deadlines.remind_half_time(referral.pk, now=half) is True
        assert deadlines.remind_half_time(referral.pk, now=half) is False
        assert kinds_of(world.receiving_staff).count("referral.reminder_half_time") == 1
        assert "referral.reminder_half_time" not in kinds_of(world.coordinator)
        # The check-in restarts the answer time, and with it the reminder.
        referral = services.referral_check_in(actor=world.receiving_staff, referral=referral)
        assert referral.half_time_reminded_at is None and services.HALF_TIME_TASK in waiting(referral)
        later = services.half_time(referral) + datetime.timedelta(seconds=1)  # type: ignore[operator]
        assert deadlines.remind_half_time(referral.pk, now=later) is True
        assert kinds_of(world.receiving_staff).count("referral.reminder_half_time") == 2

    def test_the_half_time_sweep_catches_a_missed_job_and_skips_the_rest(self, world: Any) -> None:
        due = sent_referral(world)
        not_yet = sent_referral(world)
        now = timezone.now()
        Referral.objects.filter(pk=due.pk).update(
            sent_at=now - datetime.timedelta(days=4), due_by=now + datetime.timedelta(days=3)
        )
        assert deadlines.remind_half_time_due() == 1
        assert deadlines.remind_half_time_due() == 0
        assert Notification.objects.filter(kind="referral.reminder_half_time", object_id=str(not_yet.pk)).count() == 0


# --- with a real worker process -----------------------------------------------------------------------------


@pytest.fixture
def worker(transactional_db: Any) -> Any:
    """One worker (``manage.py run_jobs``) on the test database, as a role with only the application's rights."""
    workers.empty_queue()
    with workers.app_role() as role:
        process = workers.start_worker("worker-deadline", workers.database_url(role))
        try:
            workers.wait_for("the worker to start", lambda: workers.workers_alive() >= 1, 60, [process])
            yield process
        finally:
            process.stop()
    workers.empty_queue()


@pytest.mark.slow
def test_a_real_worker_reminds_at_half_time_and_alerts_the_coordinator_within_5_s_of_the_deadline(
    world: Any, worker: Any
) -> None:
    referral = sent_referral(world)
    withdrawn = sent_referral(world)
    due_by = workers.due_in([referral, withdrawn], 8)
    start = due_by - datetime.timedelta(seconds=8)
    services.referral_withdraw(actor=world.coordinator, referral=withdrawn, reason_code="person_declined")

    half = workers.wait_for(
        "the half-time reminder",
        lambda: Notification.objects.filter(
            recipient=world.receiving_staff, kind="referral.reminder_half_time", object_id=str(referral.pk)
        ).first(),
        20,
        [worker],
    )
    assert start + datetime.timedelta(seconds=4) <= half.created_at < due_by

    alert = workers.wait_for(
        "the overdue alert",
        lambda: Notification.objects.filter(
            recipient=world.coordinator, kind="referral.overdue", object_id=str(referral.pk)
        ).first(),
        20,
        [worker],
    )
    assert due_by <= alert.created_at < due_by + datetime.timedelta(seconds=5)
    reminder = workers.wait_for(
        "the at-deadline reminder",
        lambda: Notification.objects.filter(
            recipient=world.receiving_staff, kind="referral.reminder_deadline", object_id=str(referral.pk)
        ).first(),
        5,
        [worker],
    )
    assert reminder.created_at < due_by + datetime.timedelta(seconds=5)
    # The withdrawn referral's jobs were dropped with the withdrawal: nobody hears of its deadline.
    assert not Notification.objects.filter(object_id=str(withdrawn.pk), kind__startswith="referral.reminder").exists()
    assert not Notification.objects.filter(object_id=str(withdrawn.pk), kind="referral.overdue").exists()
    assert Referral.objects.get(pk=referral.pk).overdue_alerted_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_deadline_job_that_finds_the_referral_locked_is_retried_not_dropped(world: Any) -> None:
    import threading

    from django.db import connection, transaction

    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(seconds=1))
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Referral.objects.select_for_update().get(pk=referral.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with pytest.raises(deadlines.Busy):
            deadlines.deadline_passed(referral.pk)
        assert deadlines.alert_overdue() == 0  # the sweep passes over it
    finally:
        release.set()
        holder.join(10)
    assert deadlines.deadline_passed(referral.pk) is True  # the retry
