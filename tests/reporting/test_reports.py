"""The coordinator's dashboard, a person's path and the monitoring report (issue 8).

The report fixture (``report_world``) is built so that every figure can be worked out by hand; the expected
numbers below are written out, not computed. Network A ("Piekary") in 2025:

    person  sex     born  gmina        sessions in 2025                                   group meetings attended
    P1      woman   1985  Piekary      care 60 (MOPR), legal 90 (MOPR), day 120 (ŚDS)    M1, M2
    P2      man     2003  Radzionków   care 30 (MOPR), no service 20 (ŚDS)                M2
    P3      woman   —     —            —                                                  M1, M2, M3 (31.12), M5 (2026)
    P4      man     1960  Piekary      care 60 on 31.12.2024 and on 1.01.2026 only        M0 (31.12.2024)
    P5      woman   1990  Piekary      legal 50, group form, on 31.12.2025                —

Services: care = community support, municipal budget; legal = legal and social matters, own funds; day (ŚDS) =
community support, PFRON; the support group "Razem Łatwiej" (MOPR) = community support, own funds.
Meetings in 2025: M1 120 min, M2 90, M3 120 (31.12), M4 60 (nobody came) = 390 min; M0 120 (2024), M5 90 (2026).
Network B has one more person (P6, woman, 1970) with one 45-minute session in 2025.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from employment.models import ApplicationEvent, JobPlacement, PlacementApplication
from partners.choices import FundingSource, PathStage
from partners.models import Partner, User
from people.assessments import default_instrument
from people.models import (
    AccessLog,
    Activity,
    ActivityKind,
    Assessment,
    Attendance,
    Case,
    CaseEvent,
    CaseEventKind,
    Meeting,
    Person,
    SupportGroup,
)
from referrals.choices import ReasonCode, State
from referrals.models import Referral
from reporting.exports import export
from reporting.yearly import (
    HIDDEN,
    SMALL,
    Column,
    MonitoringReport,
    Period,
    Row,
    Table,
    dashboard,
    monitoring_report,
    parse_period,
    suppress_small_cells,
)
from tests.factories import ServiceFactory, api_token

pytestmark = [pytest.mark.django_db]

WARSAW = ZoneInfo("Europe/Warsaw")
D = datetime.date


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def person(network: Any, first: str, sex: str, **fields: Any) -> Person:
    p = Person(network=network, first_name=first, last_name="Testowa" if sex == "female" else "Testowy", sex=sex)
    for name, value in fields.items():
        setattr(p, name, value)
    p.save()
    return p


def activity(p: Person, partner: Partner, day: datetime.date, minutes: int, service: Any = None, **extra: Any) -> Any:
    return Activity.objects.create(
        person=p,
        partner=partner,
        service=service,
        occurred_on=day,
        minutes=minutes,
        recorded_by=extra.pop("by"),
        **extra,
    )


def meeting(group: SupportGroup, day: datetime.date, minutes: int, *people: Person) -> Meeting:
    m = Meeting.objects.create(group=group, held_on=day, duration_minutes=minutes, topic="Spotkanie")
    Attendance.objects.bulk_create([Attendance(meeting=m, person=p) for p in people])
    return m


def referral(world: Any, p: Person, **fields: Any) -> Referral:
    return Referral.objects.create(
        network=p.network,
        person=p,
        created_by=world.coordinator,
        to_partner=fields.pop("to_partner", world.receiving),
        reason="Wsparcie",
        categories=["identity"],
        **fields,
    )


def application_events(app: PlacementApplication, *steps: tuple[str, datetime.datetime]) -> None:
    ApplicationEvent.objects.bulk_create(
        [ApplicationEvent(application=app, action=action, to_stage=action, at=when) for action, when in steps]
    )


def placement_for(world: Any, p: Person, stage: str, hired_on: datetime.date | None = None) -> PlacementApplication:
    placement = JobPlacement.objects.filter(network=world.network).first() or JobPlacement.objects.create(
        employer=world.employer,
        network=world.network,
        title="Pomocnik magazynu",
        workplace="magazyn",
        hours_per_week=20,
        contract_form="employment_contract",
        positions=3,
        created_by=world.employer_staff,
    )
    return PlacementApplication.objects.create(
        placement=placement,
        employer=world.employer,
        network=world.network,
        person=p,
        proposed_by=world.coordinator,
        stage=stage,
        hired_on=hired_on,
    )


@pytest.fixture
def report_world(world: Any) -> Any:
    w = world
    by = w.coordinator
    care = ServiceFactory(
        partner=w.receiving, name="Usługi opiekuńcze", category=PathStage.COMMUNITY_SUPPORT,
        funding_source=FundingSource.MUNICIPAL_BUDGET,
    )  # fmt: skip
    legal = ServiceFactory(
        partner=w.receiving, name="Poradnictwo prawne", category=PathStage.LEGAL_SOCIAL,
        funding_source=FundingSource.OWN_FUNDS,
    )  # fmt: skip
    day = ServiceFactory(
        partner=w.sending, name="Zajęcia w ŚDS", category=PathStage.COMMUNITY_SUPPORT,
        funding_source=FundingSource.PFRON,
    )  # fmt: skip
    group_service = ServiceFactory(
        partner=w.receiving, name="Grupa wsparcia", category=PathStage.COMMUNITY_SUPPORT,
        funding_source=FundingSource.OWN_FUNDS,
    )  # fmt: skip
    group = SupportGroup.objects.create(
        network=w.network, partner=w.receiving, service=group_service, name="Razem Łatwiej", weekday=2
    )
    piekary = {"gmina_teryt": "2462011", "gmina_name": "Piekary Śląskie"}
    p1 = person(w.network, "Anna", "female", birth_date=D(1985, 4, 12), **piekary)
    p2 = person(w.network, "Bartosz", "male", birth_year=2003, gmina_teryt="2413011", gmina_name="Radzionków")
    p3 = person(w.network, "Celina", "female")
    p4 = person(w.network, "Dariusz", "male", birth_year=1960, **piekary)
    p5 = person(w.network, "Ewa", "female", birth_date=D(1990, 1, 1), **piekary)
    p6 = person(w.other_network, "Felicja", "female", birth_year=1970, gmina_teryt="2462011", gmina_name="Bytom")

    activity(p1, w.receiving, D(2025, 3, 10), 60, care, by=by)
    activity(p1, w.receiving, D(2025, 6, 2), 90, legal, by=by)
    activity(p1, w.sending, D(2025, 9, 15), 120, day, by=by)
    activity(p2, w.receiving, D(2025, 4, 1), 30, care, by=by)
    activity(p2, w.sending, D(2025, 5, 5), 20, None, by=by)
    activity(p4, w.receiving, D(2024, 12, 31), 60, care, by=by)
    activity(p4, w.receiving, D(2026, 1, 1), 60, care, by=by)
    activity(p5, w.receiving, D(2025, 12, 31), 50, legal, kind=ActivityKind.GROUP, by=by)
    activity(p6, w.unrelated, D(2025, 8, 8), 45, w.other_service, by=w.other_coordinator)

    meeting(group, D(2024, 12, 31), 120, p4)
    meeting(group, D(2025, 1, 8), 120, p1, p3)
    meeting(group, D(2025, 6, 11), 90, p1, p2, p3)
    meeting(group, D(2025, 12, 31), 120, p3)
    meeting(group, D(2025, 7, 1), 60)
    meeting(group, D(2026, 1, 1), 90, p3)

    # Referrals with their times written out (the services would stamp "now").
    referral(w, p1, state=State.COMPLETED, sent_at=at(2025, 2, 1), answered_at=at(2025, 2, 3), closed_at=at(2025, 5, 1))
    referral(w, p2, state=State.DECLINED, sent_at=at(2025, 3, 1), answered_at=at(2025, 3, 2), closed_at=at(2025, 3, 2),
             reason_code=ReasonCode.NO_CAPACITY)  # fmt: skip
    referral(w, p3, state=State.ACCEPTED, sent_at=at(2025, 12, 31, 23, 30), answered_at=at(2026, 1, 2))
    referral(w, p4, state=State.DECLINED, sent_at=at(2024, 12, 31, 23, 30), answered_at=at(2025, 1, 1, 0, 30),
             closed_at=at(2025, 1, 1, 0, 30), reason_code=ReasonCode.NOT_ELIGIBLE)  # fmt: skip
    referral(w, p5, state=State.SENT, sent_at=at(2025, 6, 1), due_by=at(2025, 6, 8))
    referral(w, p1, state=State.WITHDRAWN, sent_at=at(2025, 7, 1), answered_at=at(2025, 7, 5), closed_at=at(2025, 8, 1))
    referral(w, p6, to_partner=w.unrelated, state=State.SENT, sent_at=at(2025, 4, 4))

    # Supported employment: P1 all the way to 6 months, P2 to an interview, P5 proposed in 2024.
    a1 = placement_for(w, p1, "retained_6m", hired_on=D(2025, 3, 1))
    application_events(
        a1, ("propose", at(2025, 2, 1)), ("interview", at(2025, 2, 10)), ("offered", at(2025, 2, 15)),
        ("hired", at(2025, 3, 1)), ("retained_1m", at(2025, 4, 1)), ("retained_3m", at(2025, 6, 1)),
        ("retained_6m", at(2025, 9, 1)),
    )  # fmt: skip
    application_events(placement_for(w, p2, "declined"), ("propose", at(2025, 5, 1)), ("interview", at(2025, 5, 10)))
    application_events(placement_for(w, p5, "interview"), ("propose", at(2024, 12, 20)), ("interview", at(2025, 1, 5)))

    w.people = {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "P6": p6}
    w.group = group
    return w


def values(report: MonitoringReport, table: str, column: str) -> dict[str, Any]:
    t = report.table(table)
    rows = {row.key: row.values[column] for row in t.rows}
    if t.total is not None:
        rows["total"] = t.total.values[column]
    return rows


# --- the monitoring report: figures by hand ------------------------------------------------------------


def test_it_counts_each_person_once_across_services_partners_and_groups(report_world: Any) -> None:
    report = monitoring_report(report_world.network, Period.year(2025))
    assert report.value("summary", "people") == 4  # P1, P2, P3, P5: P4 only around the year, P6 elsewhere
    assert values(report, "by_category", "people") == {
        **dict.fromkeys(PathStage.values, 0),
        "community_support": 3,  # P1 (care, ŚDS, group), P2 (care, group), P3 (group)
        "legal_social": 2,  # P1, P5
        "": 2,  # P2's session without a service; P1's referrals accepted by MOPR without one (issue 15)
        "total": 4,  # not 3 + 2 + 1: P1 and P2 are in two rows, counted once here
    }
    assert values(report, "by_partner", "people") == {
        str(report_world.receiving.pk): 4,
        str(report_world.sending.pk): 2,
        "total": 4,
    }
    assert values(report, "by_funding", "people") == {
        "municipal_budget": 2, "own_funds": 4, "pfron": 1, "": 2, "total": 4,
    }  # fmt: skip  # "": P2's session without a service, P1's referrals accepted without one


def test_it_adds_hours_of_group_meetings_once_and_of_every_session(report_world: Any) -> None:
    report = monitoring_report(report_world.network, Period.year(2025))
    # Sessions 60 + 90 + 120 + 30 + 20 + 50 = 370 min; meetings 120 + 90 + 120 + 60 = 390 min (M4 had nobody,
    # M2 had three people: its 90 minutes count once). 760 min = 12.7 h in 10 sessions.
    assert report.value("summary", "sessions") == 10
    assert report.value("summary", "hours") == 12.7
    assert values(report, "by_form", "sessions") == {"individual": 5, "group": 1, "support_group": 4, "total": 10}
    assert values(report, "by_form", "hours") == {"individual": 5.3, "group": 0.8, "support_group": 6.5, "total": 12.7}
    assert values(report, "by_form", "people") == {"individual": 2, "group": 1, "support_group": 3, "total": 4}
    assert values(report, "by_category", "hours")["community_support"] == 10.0  # 60 + 120 + 30 + 390 min
    assert values(report, "by_category", "sessions")["community_support"] == 7
    assert values(report, "by_partner", "hours") == {
        str(report_world.receiving.pk): 10.3,  # 60 + 90 + 30 + 50 + 390 = 620 min
        str(report_world.sending.pk): 2.3,  # 120 + 20 min
        "total": 12.7,
    }
    assert values(report, "by_funding", "hours") == {
        "municipal_budget": 1.5, "own_funds": 8.8, "pfron": 2.0, "": 0.3, "total": 12.7,
    }  # fmt: skip
    group = report.table("support_groups")
    assert [(r.label, r.values) for r in group.rows] == [("Razem Łatwiej", {"people": 3, "meetings": 4, "hours": 6.5})]
    assert group.total is not None and group.total.values == {"people": 3, "meetings": 4, "hours": 6.5}


def test_it_breaks_people_down_by_sex_age_and_gmina(report_world: Any) -> None:
    report = monitoring_report(report_world.network, Period.year(2025))
    assert values(report, "by_sex", "people") == {"female": 3, "male": 1, "unknown": 0, "total": 4}
    ages = values(report, "by_age_group", "people")
    assert {k: v for k, v in ages.items() if v} == {"18-24": 1, "35-44": 2, "unknown": 1, "total": 4}
    assert {r.label: r.values["people"] for r in report.table("by_gmina").rows} == {
        "Piekary Śląskie": 2,
        "Radzionków": 1,
        translation.gettext("not given"): 1,
    }


def test_it_counts_referrals_by_when_they_were_sent_answered_and_closed(report_world: Any) -> None:
    report = monitoring_report(report_world.network, Period.year(2025))
    assert values(report, "referrals", "value") == {
        "sent": 5,  # not the one sent at 23:30 on 31.12.2024, but the one sent at 23:30 on 31.12.2025
        "accepted": 2,  # answered in 2025: the completed one and the one withdrawn later
        "declined": 2,  # one sent in 2024 and declined at 00:30 on 1 January
        "completed": 1,
        "withdrawn": 1,
        "discontinued": 0,
        "median_days_to_answer": 1.5,  # of 1 h, 1 day, 2 days and 4 days
    }
    reasons = values(report, "declined_by_reason", "count")
    assert {k: v for k, v in reasons.items() if v} == {"no_capacity": 1, "not_eligible": 1, "total": 2}


def test_it_takes_employment_from_the_employment_module(report_world: Any) -> None:
    report = monitoring_report(report_world.network, Period.year(2025))
    assert values(report, "employment", "value") == {
        "proposed": 2, "interviewed": 3, "hired": 1, "retained_1m": 1, "retained_3m": 1, "retained_6m": 1,
    }  # fmt: skip
    quarter = monitoring_report(report_world.network, Period(D(2025, 1, 1), D(2025, 3, 31)))
    assert values(quarter, "employment", "value") == {
        "proposed": 1, "interviewed": 2, "hired": 1, "retained_1m": 0, "retained_3m": 0, "retained_6m": 0,
    }  # fmt: skip


def test_it_respects_the_year_boundary(report_world: Any) -> None:
    before = monitoring_report(report_world.network, Period.year(2024))
    assert before.value("summary", "people") == 1  # P4: a session and a meeting on 31 December 2024
    assert before.value("summary", "hours") == 3.0
    assert before.value("referrals", "sent") == 1
    after = monitoring_report(report_world.network, Period.year(2026))
    assert after.value("summary", "people") == 2  # P3 at M5 and P4's session, both on 1 January 2026
    assert after.value("summary", "hours") == 2.5
    assert after.value("referrals", "accepted") == 1
    around = monitoring_report(report_world.network, Period(D(2025, 12, 31), D(2026, 1, 1)))
    assert around.value("summary", "people") == 3  # P5 and P3 on the 31st, P3 and P4 on the 1st
    assert around.value("referrals", "sent") == 1


def test_it_sums_every_network_for_the_region(report_world: Any) -> None:
    report = monitoring_report(None, Period.year(2025))
    assert report.value("summary", "people") == 5
    assert report.value("summary", "hours") == 13.4  # 760 + 45 min
    assert values(report, "by_sex", "people")["female"] == 4


def test_it_reads_the_period_from_a_year_or_two_dates() -> None:
    today = D(2026, 5, 1)
    assert parse_period({}, today=today) == Period.year(2026)
    assert parse_period({"year": "2025"}, today=today) == Period.year(2025)
    assert parse_period({"year": "2025", "from": "2025-03-01", "to": "2025-03-31"}, today=today) == Period(
        D(2025, 3, 1), D(2025, 3, 31)
    )
    for bad in [{"year": "abc"}, {"year": "1999"}, {"from": "2025-01-01"}, {"from": "2025-02-01", "to": "2025-01-01"},
                {"from": "x", "to": "y"}, {"from": "2000-01-01", "to": "2025-01-01"}]:  # fmt: skip
        with pytest.raises(Exception) as caught:
            parse_period(bad, today=today)
        assert caught.type.__name__ == "ValidationError", bad


# --- small-cell suppression ----------------------------------------------------------------------------


def suppressed_column(cells: list[int], total: int) -> tuple[list[Any], Any]:
    table = Table(
        "by_sex",
        "by sex",
        [Column("people", "people", additive=True)],
        [Row(str(i), str(i), {"people": n}) for i, n in enumerate(cells)],
        Row("total", "total", {"people": total}),
    )
    shown = suppress_small_cells(MonitoringReport("t", "s", None, 7, Period.year(2025), [table])).table("by_sex")
    assert shown.total is not None
    return [r.values["people"] for r in shown.rows], shown.total.values["people"]


def test_it_hides_more_cells_when_the_total_would_reveal_a_small_one() -> None:
    # One "<5" next to a total: the smallest other cell goes too, so 52 - 40 = 12 tells only "<5" + "*".
    assert suppressed_column([3, 40, 9], 52) == ([SMALL, 40, HIDDEN], 52)
    # Two "<5" summing to 2 would both be 1: another cell is hidden.
    assert suppressed_column([1, 1, 10], 12) == ([SMALL, SMALL, HIDDEN], 12)
    # 1 and 5 hidden, total 12 with 6 shown: "<5" + "*" = 6 pins them at 1 and 5; the 6 goes too.
    assert suppressed_column([1, 5, 6], 12) == ([SMALL, HIDDEN, HIDDEN], 12)
    # Nothing left to hide: the total goes.
    assert suppressed_column([1, 5], 6) == ([SMALL, HIDDEN], HIDDEN)
    # Two "<5" summing to 5 could be 1 + 4 or 2 + 3: nothing more to hide.
    assert suppressed_column([2, 3, 30], 35) == ([SMALL, SMALL, 30], 35)
    assert suppressed_column([0, 7, 9], 16) == ([0, 7, 9], 16)
    # A column that does not add up (people across services) keeps its other cells; hours go by tenths.
    table = Table(
        "by_category",
        "c",
        [Column("people", "people"), Column("hours", "hours", additive=True, unit=0.1)],
        [Row("a", "a", {"people": 2, "hours": 1.5}), Row("b", "b", {"people": 7, "hours": 3.0}),
         Row("c", "c", {"people": 30, "hours": 80.0})],
        Row("total", "total", {"people": 39, "hours": 84.5}),
    )  # fmt: skip
    shown = suppress_small_cells(MonitoringReport("t", "s", None, 7, Period.year(2025), [table])).table("by_category")
    assert [(r.values["people"], r.values["hours"]) for r in shown.rows] == [(SMALL, SMALL), (7, SMALL), (30, 80.0)]


# --- the dashboard -------------------------------------------------------------------------------------


def dashboard_data(world: Any, *, people: int, offset: int = 0) -> None:
    """People at different stages with events this quarter, referrals in every situation, services, placements."""
    now = timezone.now()
    stages = [PathStage.INTAKE, PathStage.VOCATIONAL, PathStage.COMMUNITY_SUPPORT]
    service = ServiceFactory(partner=world.sending, category=PathStage.VOCATIONAL, capacity=4, load=1)
    for i in range(people):
        p = person(world.network, f"Osoba{offset + i}", "female" if i % 2 else "male", birth_year=1980 + i % 30)
        stage = stages[i % 3]
        case = Case.objects.create(
            person=p, network=world.network, stage=stage, case_manager=world.sending_staff if i % 4 else None
        )
        CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, actor=world.coordinator, to_stage="intake",
                                 at=now - datetime.timedelta(hours=2))  # fmt: skip
        if stage != "intake":
            CaseEvent.objects.create(
                case=case,
                kind=CaseEventKind.STAGE,
                actor=world.coordinator,
                from_stage="intake",
                to_stage=stage,
                at=now - datetime.timedelta(hours=1),
            )
        referral(
            world,
            p,
            state=State.SENT,
            sent_at=now - datetime.timedelta(days=20),
            due_by=now - datetime.timedelta(days=13),
        )
        referral(world, p, to_partner=world.sending, service=service, state=State.ACCEPTED,
                 sent_at=now - datetime.timedelta(days=3), answered_at=now - datetime.timedelta(days=1))  # fmt: skip
        referral(world, p, state=State.DECLINED, sent_at=now - datetime.timedelta(days=30),
                 answered_at=now - datetime.timedelta(days=28), reason_code=ReasonCode.NO_CAPACITY)  # fmt: skip
        activity(p, world.sending, timezone.localdate(), 30, service, by=world.coordinator)
    application_events(
        placement_for(world, p, "hired", hired_on=timezone.localdate()), ("propose", now), ("hired", now)
    )


def test_it_shows_the_network_at_a_glance(world: Any) -> None:
    dashboard_data(world, people=6)
    board = dashboard(world.network)
    by_stage = {row.code: row.people for row in board.stages}
    assert (by_stage["intake"], by_stage["vocational"], by_stage["community_support"]) == (2, 2, 2)
    assert board.people == 6
    assert board.unassigned == 2  # people 0 and 4 have no case manager
    assert (board.overdue, board.unanswered_long, board.referrals_open) == (6, 6, 12)
    mopr = next(p for p in board.partners if p.partner_id == world.receiving.pk)
    sds = next(p for p in board.partners if p.partner_id == world.sending.pk)
    assert (mopr.received, mopr.answered, mopr.declined, mopr.acceptance_rate, mopr.median_days) == (12, 6, 6, 0, 2.0)
    assert (sds.received, sds.accepted, sds.acceptance_rate, sds.median_days) == (6, 6, 100, 2.0)
    vocational = next(row for row in board.places if row.category == "vocational")
    assert (vocational.capacity, vocational.taken, vocational.free) == (4, 1, 3)
    this_quarter = board.quarters[-1]
    assert this_quarter.entered == {"intake": 6, "vocational": 2, "community_support": 2}
    assert (board.employment.proposed, board.employment.hired) == (1, 1)


def test_it_links_every_tile_to_its_filtered_list(client: Any, world: Any) -> None:
    dashboard_data(world, people=3)
    client.force_login(world.coordinator)
    html = client.get(reverse("report-dashboard", args=[world.network.pk])).content.decode()
    assert 'href="/referrals/?overdue=on"' in html
    assert f'href="/people/?network={world.network.pk}&amp;stage=vocational"' in html
    assert f'href="/people/?network={world.network.pk}&amp;unassigned=on"' in html
    assert f'href="/services/?network={world.network.pk}&amp;category=vocational&amp;free=on"' in html
    assert f'href="/partners/{world.receiving.pk}/"' in html
    assert 'hx-trigger="lsw:changed from:body"' in html
    assert f'hx-get="/networks/{world.network.pk}/dashboard/tiles/"' in html
    tiles = client.get(reverse("report-dashboard-tiles", args=[world.network.pk]))
    assert tiles.status_code == 200 and "<html" not in tiles.content.decode()
    assert 'id="overdue-link"' in tiles.content.decode()


def _dashboard_queries(client: Any, world: Any) -> list[str]:
    url = reverse("report-dashboard", args=[world.network.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_it_draws_the_dashboard_in_a_fixed_number_of_queries(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    dashboard_data(world, people=2)
    small = _dashboard_queries(client, world)
    dashboard_data(world, people=20, offset=100)
    large = _dashboard_queries(client, world)
    # 1 session, 2 user, 3-4 the coordinator's scope (staff memberships, coordinated networks), 5 the network;
    # 6 people by stage, 7 flow by quarter, 8 referrals needing action and partners, 9 free places,
    # 10-12 employment_figures (steps, first employer contact, caseload), 13 open placements;
    # the period's figures (issue 15, the current month): 14 whether it is closed, 15 people, sessions and hours,
    # 16 new and continuing, 17-18 referrals, 19 employment steps, 20 funding; 21 the header's unread count.
    assert len(small) == len(large) == 21, "\n".join(large)


def test_it_answers_404_to_everyone_but_the_networks_coordinators(client: Any, world: Any) -> None:
    urls = [
        reverse("report-dashboard", args=[world.network.pk]),
        reverse("report-dashboard-tiles", args=[world.network.pk]),
        reverse("report-monitoring", args=[world.network.pk]),
        f"/api/v1/networks/{world.network.pk}/reports/monitoring/",
    ]
    for name, user in world.personas().items():
        if user is None:
            continue
        client.force_login(user)
        for url in urls:
            expected = 200 if name == "coordinator" else 404
            assert client.get(url).status_code == expected, (name, url)
    api = APIClient()
    assert api.get(urls[-1]).status_code == 401
    assert api.get("/api/v1/reports/regional/").status_code == 401


# --- pages and API -------------------------------------------------------------------------------------


def test_it_shows_the_report_with_tables_charts_and_export_links(client: Any, report_world: Any) -> None:
    client.force_login(report_world.coordinator)
    url = reverse("report-monitoring", args=[report_world.network.pk])
    html = client.get(url, {"year": "2025"}).content.decode()
    assert "Razem Łatwiej" in html and "<svg" in html and "<rect" in html
    # The design system's chart (issue 16): SVG with the same numbers in a table after it; the old partial is gone.
    assert 'class="chart chart--bars" data-chart' in html and "chart__table" in html and 'class="chart-bar"' not in html
    for f in ("csv", "xlsx", "pdf"):
        assert f'href="?year=2025&amp;format={f}"' in html
    ranged = client.get(url, {"from": "2025-12-31", "to": "2026-01-01"})
    assert ranged.status_code == 200 and "31.12.2025 – 01.01.2026" in ranged.content.decode()
    assert client.get(url, {"from": "2025-12-31"}).status_code == 400


def test_it_answers_the_report_as_json_and_files_in_the_api(report_world: Any) -> None:
    api = api_for(report_world.coordinator)
    url = f"/api/v1/networks/{report_world.network.pk}/reports/monitoring/"
    body = api.get(url, {"year": 2025}).json()
    assert body["period"] == {"from": "2025-01-01", "to": "2025-12-31", "year": 2025, "kind": "year", "label": "2025"}
    first = body["tables"]["summary"]["rows"][0]
    assert (first["key"], first["value"]) == ("people", 4)
    assert body["suppressed"] is False
    ranged = api.get(url, {"year": 2025, "from": "2025-01-01", "to": "2025-03-31"}).json()
    assert ranged["period"]["year"] is None
    csv_file = api.get(url, {"year": 2025, "format": "csv"})
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file.content.startswith("\ufeff".encode())
    assert "Razem Łatwiej" in csv_file.content.decode("utf-8-sig")
    assert api.get(url, {"year": 2025, "format": "doc"}).json()["code"] == "format_invalid"
    bad = api.get(url, {"year": "20x5", "format": "pdf"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json" and bad.json()["code"] == "year_invalid"
    assert api.get("/api/v1/networks/not-a-uuid/reports/monitoring/").status_code == 404


def test_the_exports_open_with_polish_headings_intact(report_world: Any) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    with translation.override("pl"):
        report = monitoring_report(report_world.network, Period.year(2025))
        xlsx = export(report, "xlsx")
        pdf = export(report, "pdf")
        csv_file = export(report, "csv")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Grupy wsparcia" in cells and "Razem Łatwiej" in cells and 12.7 in cells
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    # Headings whose Polish translation is in the catalogue, and names with Polish letters from the data.
    for heading in [
        "Grupy wsparcia",
        "Skierowania",
        "osoby wspierane",
        "Razem Łatwiej",
        "Piekary Śląskie",
        "Radzionków",
    ]:
        assert heading in text, heading
    assert "Grupy wsparcia" in csv_file.content.decode("utf-8-sig")
    assert xlsx.filename.endswith(".xlsx") and pdf.content.startswith(b"%PDF")


# --- the regional monitor ------------------------------------------------------------------------------


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def small_numbers(value: Any) -> list[Any]:
    """Every number from the JSON that is above 0 and below 5."""
    found: list[Any] = []
    if isinstance(value, dict):
        for item in value.values():
            found += small_numbers(item)
    elif isinstance(value, list):
        for item in value:
            found += small_numbers(item)
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool) and 0 < value < 5:
        found.append(value)
    return found


NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")


def numbers_in(text: str) -> list[float]:
    return [float(n.replace(",", ".")) for n in NUMBER.findall(text)]


def test_it_never_shows_the_monitor_a_count_from_1_to_4(client: Any, report_world: Any) -> None:
    monitor = report_world.monitor
    # The JSON: every number anywhere in it.
    body = api_for(monitor).get("/api/v1/reports/regional/", {"year": 2025}).json()
    assert body["suppressed"] is True and body["network"] is None
    assert small_numbers(body) == []
    assert body["tables"]["by_sex"]["rows"][0]["people"] == SMALL  # four women: "<5"
    assert body["tables"]["summary"]["rows"][0]["value"] == 5
    # The page: every figure cell and every number drawn in a chart.
    client.force_login(monitor)
    html = client.get(reverse("report-regional"), {"year": "2025"}).content.decode()
    cells = re.findall(r'<td class="num"[^>]*>(?:<strong>)?([^<]*)', html)
    # The charts ({% bar_chart %}): the figure drawn beside each bar and the same figure in the chart's table.
    chart_values = re.findall(r'class="chart__value"[^>]*>([^<]*)<', html)
    chart_cells = re.findall(r'<td class="numeric chart__cell"[^>]*>([^<]*)<', html)
    assert cells and chart_values and chart_cells and SMALL.replace("<", "&lt;") in html
    assert "&lt;5" in chart_values
    for text in cells + chart_values + chart_cells:
        assert not [n for n in numbers_in(text) if 0 < n < 5], text
    # No bar is drawn for a hidden figure: its length would tell it.
    for bar in re.findall(r'<g class="chart__row">(.*?)</g>', html, flags=re.S):
        if re.search(r'class="chart__value"[^>]*>(&lt;5|\*)<', bar):
            assert "<rect" not in bar, bar
    # The files.
    for f in ("csv", "xlsx", "pdf"):
        response = client.get(reverse("report-regional"), {"year": "2025", "format": f})
        assert response.status_code == 200
        assert (
            api_for(monitor).get("/api/v1/reports/regional/", {"year": 2025, "format": f}).content[:4]
            == response.content[:4]
        )
        figures = exported_figures(f, response.content, body)
        assert figures, f
        assert not [n for n in figures if isinstance(n, int | float) and 0 < n < 5], f


def exported_figures(file_format: str, content: bytes, body: dict[str, Any]) -> list[Any]:
    """The figures of an export: number cells of the CSV and XLSX; the PDF's numbers outside labels."""
    labels = {body["title"], body["scope"], *body["rules"]}
    for table in body["tables"].values():
        labels |= {table["title"], *(c["label"] for c in table["columns"])}
        labels |= {row["label"] for row in [*table["rows"], table["total"] or {"label": ""}]}
    if file_format == "csv":
        import csv

        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))[4:]  # after the heading
        return [n for row in rows for cell in row[1:] if cell not in labels for n in numbers_in(cell)]
    if file_format == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        return [cell for row in sheet.iter_rows(min_row=5, values_only=True) for cell in row[1:] if cell is not None]
    from pypdf import PdfReader

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    for label in sorted(filter(None, labels), key=len, reverse=True):
        text = text.replace(" ".join(label.split()), " ")
    text = re.sub(r"\d{2}\.\d{2}\.\d{4}|\d{1,2} \w+ \d{4} \d{2}:\d{2}|20\d\d", " ", text)  # dates and the year
    return numbers_in(text)


def test_it_keeps_the_monitor_away_from_every_person(client: Any, report_world: Any) -> None:
    monitor = report_world.monitor
    p1 = report_world.people["P1"]
    r = Referral.objects.filter(person=p1).first()
    assert r is not None
    client.force_login(monitor)
    pages = [
        f"/people/{p1.pk}/", f"/people/{p1.pk}/path/", f"/people/{p1.pk}/edit/", f"/people/{p1.pk}/activities/",
        f"/people/{p1.pk}/assessments/", f"/people/{p1.pk}/export/", f"/people/{p1.pk}/export.json",
        f"/referrals/{r.pk}/", f"/networks/{report_world.network.pk}/dashboard/",
        f"/networks/{report_world.network.pk}/report/", f"/networks/{report_world.network.pk}/people/new/",
    ]  # fmt: skip
    for url in pages:
        assert client.get(url).status_code == 404, url
    api = api_for(monitor)
    for url in [f"/api/v1/persons/{p1.pk}/", f"/api/v1/referrals/{r.pk}/", f"/api/v1/persons/{p1.pk}/activities/",
                f"/api/v1/networks/{report_world.network.pk}/reports/monitoring/"]:  # fmt: skip
        assert api.get(url).status_code == 404, url
    assert client.get(reverse("report-regional")).status_code == 200
    for user in (report_world.coordinator, report_world.receiving_staff):
        client.force_login(user)
        assert client.get(reverse("report-regional")).status_code == 404
        assert api_for(user).get("/api/v1/reports/regional/").status_code == 404


def test_it_answers_404_to_the_monitor_on_the_lists_of_people(client: Any, report_world: Any) -> None:
    client.force_login(report_world.monitor)
    assert client.get("/people/").status_code == 404
    assert api_for(report_world.monitor).get("/api/v1/persons/").status_code == 404


# --- a person's path -----------------------------------------------------------------------------------


def path_world(world: Any) -> Person:
    """A person with a case moved through stages, a referral answered, sessions at two partners, a group,
    an assessment, a placement and a support plan."""
    from people import plans as plan_services
    from people import services as people_services
    from referrals import services
    from tests.referral_fixtures import consenting_person

    p = consenting_person(world, first_name="Halina", last_name="Ścieżka")
    case = Case.objects.get(person=p)
    CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, actor=world.coordinator, to_stage="intake")
    people_services.case_change_stage(actor=world.coordinator, case=case, stage=PathStage.COMMUNITY_SUPPORT)
    referral = services.referral_send(
        actor=world.coordinator,
        referral=services.referral_create(
            actor=world.coordinator, person=p, to_partner=world.receiving, reason="Usługi", categories=["identity"]
        ),
    )
    services.referral_accept(actor=world.receiving_staff, referral=referral)
    today = timezone.localdate()
    activity(p, world.receiving, today, 45, None, by=world.receiving_staff, topic="Wizyta domowa")
    activity(p, world.sending, today, 90, None, by=world.sending_staff, topic="Trening umiejętności")
    group = SupportGroup.objects.create(network=world.network, partner=world.sending, name="Klub Środa")
    meeting(group, today, 120, p)
    instrument = default_instrument()
    assert instrument is not None
    Assessment.objects.create(person=p, instrument=instrument, assessed_by=world.coordinator, partner=world.sending)
    application_events(placement_for(world, p, "interview"), ("propose", timezone.now()), ("interview", timezone.now()))
    plan_services.goal_add(actor=world.coordinator, case=case, domain="work_education", description="Znaleźć staż")
    return p


def test_it_shows_one_path_across_partners_with_the_plan_beside_it(client: Any, world: Any) -> None:
    p = path_world(world)
    client.force_login(world.coordinator)
    before = AccessLog.objects.filter(person=p, view="person-path").count()
    html = client.get(reverse("person-path", args=[p.pk])).content.decode()
    assert AccessLog.objects.filter(person=p, view="person-path").count() == before + 1
    for text in ["Wizyta domowa", "Trening umiejętności", "Klub Środa", "Pomocnik magazynu", "Znaleźć staż",
                 "MOPR Piekary", "ŚDS Piekary", 'class="path-assessment"', 'class="path-referral"',
                 'class="path-stage"']:  # fmt: skip
        assert text in html, text
    kinds = re.findall(r'<li class="path-(\w+)"', html)
    assert kinds.index("stage") < kinds.index("referral")  # oldest first


def test_it_shows_a_partner_only_its_own_part_of_the_path(client: Any, world: Any) -> None:
    p = path_world(world)
    client.force_login(world.receiving_staff)  # reads the person through the referral: identity only
    html = client.get(reverse("person-path", args=[p.pk])).content.decode()
    assert "Wizyta domowa" in html  # MOPR's own session
    for hidden in ["Trening umiejętności", "Klub Środa", 'class="path-assessment"', "Pomocnik magazynu"]:
        assert hidden not in html, hidden
    for user in (world.unrelated_staff, world.other_coordinator, world.employer_staff, world.monitor):
        client.force_login(user)
        assert client.get(reverse("person-path", args=[p.pk])).status_code == 404
    assert client.get("/people/00000000-0000-0000-0000-000000000000/path/").status_code == 404


def test_it_draws_the_path_in_a_fixed_number_of_queries(client: Any, world: Any) -> None:
    p = path_world(world)
    client.force_login(world.coordinator)
    url = reverse("person-path", args=[p.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    today = timezone.localdate()
    for i in range(10):
        activity(p, world.receiving, today - datetime.timedelta(days=i), 30, None, by=world.receiving_staff)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(first.captured_queries) == len(second.captured_queries)
