"""The referral life cycle: transitions, consent gate, grants, capacity and waitlist, deadlines, pages."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import IllegalTransition, NoConsent, NoPlace
from network.calendar import add_working_days
from notifications.models import Notification
from partners.models import Service
from people.models import AccessLog, Consent, PersonGroupObjectPermission
from referrals import deadlines, services
from referrals.access import referrals_visible_to, sync_referral
from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission
from tests.factories import ServiceFactory
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def test_it_walks_the_happy_path_with_one_timeline_row_per_transition(world: Any) -> None:
    service = ServiceFactory(partner=world.receiving, capacity=3, load=1)
    referral = sent_referral(world, service=service)
    assert referral.state == "sent" and referral.due_by is not None and referral.due_by > timezone.now()
    services.referral_check_in(actor=world.receiving_staff, referral=referral)
    services.referral_accept(actor=world.receiving_staff, referral=referral)
    service.refresh_from_db()
    assert service.load == 2
    services.referral_start(actor=world.receiving_staff, referral=referral)
    services.referral_complete(actor=world.receiving_staff, referral=referral, outcome_code="goal_achieved")
    referral.refresh_from_db()
    service.refresh_from_db()
    assert referral.state == "completed" and service.load == 1
    actions = list(referral.events.values_list("action", flat=True))
    assert actions == ["create", "send", "check_in", "accept", "start", "complete"]
    # Closed loop: the coordinator who sent it was told of every answer.
    kinds = set(Notification.objects.filter(recipient=world.coordinator).values_list("kind", flat=True))
    assert {"referral.accepted", "referral.started", "referral.completed", "referral.check_in"} <= kinds


def test_it_refuses_an_illegal_move_with_the_reason(world: Any) -> None:
    referral = sent_referral(world)
    with pytest.raises(IllegalTransition) as error:
        services.referral_complete(actor=world.receiving_staff, referral=referral, outcome_code="goal_achieved")
    assert error.value.code == "illegal_transition"
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.events.count() == 2


def test_it_requires_a_coded_outcome_and_reason(world: Any) -> None:
    from django.core.exceptions import ValidationError

    referral = sent_referral(world)
    with pytest.raises(ValidationError):
        services.referral_decline(actor=world.receiving_staff, referral=referral, reason_code="because")
    referral.refresh_from_db()
    assert referral.state == "sent"


# --- consent gate ---------------------------------------------------------------------------------


def test_it_will_not_send_without_a_consent_covering_every_shared_category(world: Any) -> None:
    person = consenting_person(world, categories=["identity"])
    referral = services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        reason="x",
        categories=["identity", "health"],
    )
    with pytest.raises(NoConsent):
        services.referral_send(actor=world.coordinator, referral=referral)
    referral.refresh_from_db()
    assert referral.state == "draft"
    assert not PersonGroupObjectPermission.objects.filter(content_object=person).exists()


def test_it_lets_only_the_coordinator_send_on_a_recorded_legal_basis(world: Any) -> None:
    person = consenting_person(world, categories=["identity"])
    referral = services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        reason="x",
        categories=["identity", "health"],
    )
    services.referral_send(actor=world.coordinator, referral=referral, legal_basis="art. 46 ustawy o pomocy społecznej")
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.legal_basis.startswith("art. 46")
    assert AccessLog.objects.filter(person=person, detail__endswith=":legal-basis").count() == 1


# --- grants ---------------------------------------------------------------------------------------


def grants_of(referral: Referral) -> set[tuple[str, str]]:
    return {
        (g.group.name, g.permission.codename)
        for g in ReferralGroupObjectPermission.objects.filter(content_object=referral).select_related(
            "group", "permission"
        )
    }


def test_it_grants_the_receiving_partner_on_send_and_revokes_on_decline(client: Any, world: Any) -> None:
    referral = sent_referral(world, categories=["identity", "social"])
    receiving = world.receiving.group.name
    assert grants_of(referral) == {(receiving, "view_referral"), (receiving, "respond_referral")}
    client.force_login(world.receiving_staff)
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 200
    html = client.get(reverse("person-detail", args=[referral.person_id])).content.decode()
    assert "Mieszka sama" in html and "Schizofrenia" not in html  # social shared, health not
    services.referral_decline(
        actor=world.receiving_staff, referral=referral, reason_code="not_eligible", reason_origin="partner"
    )
    assert grants_of(referral) == set()
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("person-detail", args=[referral.person_id])).status_code == 404


def test_it_revokes_person_access_at_once_when_consent_is_withdrawn(client: Any, world: Any) -> None:
    referral = sent_referral(world, categories=["identity", "social"])
    client.force_login(world.receiving_staff)
    assert client.get(reverse("person-detail", args=[referral.person_id])).status_code == 200
    from people.services import consent_withdraw

    for consent in Consent.objects.filter(person=referral.person):
        consent_withdraw(actor=world.coordinator, consent=consent)
    assert client.get(reverse("person-detail", args=[referral.person_id])).status_code == 404
    assert not PersonGroupObjectPermission.objects.filter(content_object=referral.person).exists()


def test_it_keeps_grants_equal_to_what_domain_state_implies(world: Any) -> None:
    referral = sent_referral(world)
    services.referral_accept(actor=world.receiving_staff, referral=referral)
    assert sync_referral(referral, apply=False) == (set(), set())


def test_it_hides_referrals_from_unrelated_partners_and_monitors(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    for user in [world.unrelated_staff, world.other_coordinator, world.monitor, world.employer_staff]:
        assert not referrals_visible_to(user).filter(pk=referral.pk).exists()
        client.force_login(user)
        assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 404
        response = client.post(reverse("referral-action", args=[referral.pk, "accept"]))
        assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == "sent"


# --- capacity -------------------------------------------------------------------------------------


def test_it_puts_an_accept_on_the_waitlist_when_full_and_hands_over_the_freed_place(world: Any) -> None:
    service = ServiceFactory(partner=world.receiving, capacity=1, load=0, waitlist_enabled=True)
    first = sent_referral(world, service=service)
    second = sent_referral(world, service=service)
    services.referral_accept(actor=world.receiving_staff, referral=first)
    services.referral_accept(actor=world.receiving_staff, referral=second)
    second.refresh_from_db()
    assert second.state == "accepted" and second.waitlisted_at is not None
    with pytest.raises(NoPlace):
        services.referral_start(actor=world.receiving_staff, referral=second)
    services.referral_start(actor=world.receiving_staff, referral=first)
    services.referral_complete(actor=world.receiving_staff, referral=first, outcome_code="goal_achieved")
    second.refresh_from_db()
    service.refresh_from_db()
    assert second.waitlisted_at is None and second.holds_place and service.load == 1


def test_it_refuses_an_accept_when_full_without_a_waitlist(world: Any) -> None:
    service = ServiceFactory(partner=world.receiving, capacity=1, load=1, waitlist_enabled=False)
    referral = sent_referral(world, service=service)
    with pytest.raises(NoPlace):
        services.referral_accept(actor=world.receiving_staff, referral=referral)
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.events.count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_parallel_accepts_take_the_last_place(world: Any) -> None:
    service = ServiceFactory(partner=world.receiving, capacity=1, load=0, waitlist_enabled=False)
    first = sent_referral(world, service=service)
    second = sent_referral(world, service=service)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(referral: Referral) -> None:
        barrier.wait()
        try:
            services.referral_accept(actor=world.receiving_staff, referral=referral)
            outcomes.append("ok")
        except NoPlace:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["full", "ok"]
    assert Service.objects.get(pk=service.pk).load == 1
    assert Referral.objects.filter(state="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_parallel_accepts_of_the_same_referral_win(world: Any) -> None:
    referral = sent_referral(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        barrier.wait()
        try:
            services.referral_accept(actor=world.receiving_staff, referral=referral)
            outcomes.append("ok")
        except IllegalTransition:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1


# --- deadlines ------------------------------------------------------------------------------------


def test_it_alerts_the_coordinator_once_about_an_overdue_referral_and_lets_them_redirect(world: Any) -> None:
    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(hours=1))
    assert deadlines.alert_overdue() == 1
    assert deadlines.alert_overdue() == 0
    assert Notification.objects.filter(recipient=world.coordinator, kind="referral.overdue").count() == 1
    referral.refresh_from_db()
    new = services.referral_redirect(actor=world.coordinator, referral=referral, to_partner=world.sending)
    referral.refresh_from_db()
    assert referral.state == "withdrawn" and new.state == "sent" and new.redirected_from == referral


def test_it_resets_the_due_by_once_on_check_in(world: Any) -> None:
    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() + datetime.timedelta(hours=1))
    services.referral_check_in(actor=world.receiving_staff, referral=referral)
    referral.refresh_from_db()
    assert referral.due_by is not None and referral.due_by > timezone.now() + datetime.timedelta(days=6)
    with pytest.raises(IllegalTransition):
        services.referral_check_in(actor=world.receiving_staff, referral=referral)


def test_it_gives_urgent_referrals_one_working_day(world: Any) -> None:
    friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))
    assert add_working_days(world.network.pk, friday, 1).weekday() == 0  # Monday


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["other_network_partner", "foreign_service", "past_due", "no_category"])
def test_it_refuses_bad_input_and_creates_nothing(world: Any, case: str) -> None:
    from django.core.exceptions import ValidationError

    person = consenting_person(world)
    kwargs: dict[str, Any] = {"to_partner": world.receiving, "categories": ["identity"], "reason": "x"}
    if case == "other_network_partner":
        kwargs["to_partner"] = world.unrelated
    elif case == "foreign_service":
        kwargs["service"] = world.other_service
    elif case == "past_due":
        kwargs["due_by"] = timezone.now() - datetime.timedelta(days=1)
    else:
        kwargs["categories"] = []
    with pytest.raises(ValidationError):
        services.referral_create(actor=world.coordinator, person=person, **kwargs)
    assert not Referral.objects.exists()


# --- pages ----------------------------------------------------------------------------------------


def test_it_accepts_through_the_page_with_htmx(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    response = client.post(reverse("referral-action", args=[referral.pk, "accept"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and "Przyjęte" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == "accepted"


def test_it_answers_409_to_an_illegal_move_on_the_page(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    response = client.post(reverse("referral-action", args=[referral.pk, "start"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 409


def test_it_refers_from_the_person_page(client: Any, world: Any) -> None:
    person = consenting_person(world)
    service = ServiceFactory(partner=world.receiving, capacity=4, load=1, name="Asystent osobisty")
    client.force_login(world.coordinator)
    page = client.get(reverse("person-refer", args=[person.pk])).content.decode()
    assert "Asystent osobisty" in page and "3 wolne miejsca" in page
    response = client.post(
        reverse("person-refer", args=[person.pk]),
        {"service": service.pk, "reason": "Pomoc w domu", "categories": ["identity"], "priority": "normal"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.state == "sent" and referral.to_partner == world.receiving


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_the_inbox_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    person = consenting_person(world)
    for _ in range(rows):
        sent_referral(world, person=person)
    client.force_login(world.receiving_staff)
    # 1 session, 2 user, 3-5 scope (staff with groups, coordinatorships, member networks),
    # 6 the view permission id (cached per process after), 7 count, 8 the page with people and partners,
    # 9 the header's unread count.
    with django_assert_num_queries(9, exact=False):
        response = client.get(reverse("referral-inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('id="referral-') == rows


def test_it_reports_drift_and_repairs_it_with_access_check(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    referral = sent_referral(world)
    ReferralGroupObjectPermission.objects.filter(content_object=referral).delete()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("access_check", stdout=out)
    assert "missing referral" in out.getvalue() and "drift found: 2" in out.getvalue()
    call_command("access_check", "--fix", stdout=StringIO())
    out = StringIO()
    call_command("access_check", stdout=out)
    assert "drift found: 0" in out.getvalue()


def test_it_ends_access_when_a_consent_runs_out_by_date(world: Any) -> None:
    from people.models import PersonGroupObjectPermission as Grant
    from referrals.access import resync_consent_dates

    referral = sent_referral(world)
    assert Grant.objects.filter(content_object=referral.person).exists()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Consent.objects.filter(person=referral.person).update(
        valid_from=yesterday - datetime.timedelta(days=30), valid_until=yesterday
    )
    assert resync_consent_dates() > 0
    assert not Grant.objects.filter(content_object=referral.person).exists()
