# ruff: noqa: F811 - ``report_world`` is a fixture imported from the report tests and used by name
"""The yearly report a region can use (issue 15): months and quarters, people counted from accepted referrals
too, new and continuing people, funding in PLN by source, the regional comparison with past years, Polish file
names; and sending the report to the region: close (frozen figures and a PDF), reopen with a reason, the
monitor's list of who sent. Figures are worked out by hand from ``report_world`` (tests/reporting/test_reports.py).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from notifications.models import Notification
from partners.choices import FundingSource
from people.models import Activity
from referrals.choices import State
from reporting import exports
from reporting import services as report_services
from reporting.models import ClosureStatus, FundingAmount, ReportClosure, ReportClosureEvent
from reporting.selectors import network_report, submissions
from reporting.yearly import Period, monitoring_report, parse_period, regional_report, supported_people
from tests.reporting.test_reports import (  # noqa: F401 - the fixture is used by name
    D,
    activity,
    api_for,
    at,
    person,
    referral,
    report_world,
)

pytestmark = [pytest.mark.django_db]


# --- periods -------------------------------------------------------------------------------------------------


def test_it_reads_a_month_a_quarter_and_a_year() -> None:
    today = D(2026, 6, 1)
    assert parse_period({"month": "2025-02"}, today=today) == Period(D(2025, 2, 1), D(2025, 2, 28))
    assert parse_period({"quarter": "2024-q1"}, today=today) == Period(D(2024, 1, 1), D(2024, 3, 31))
    assert parse_period({"year": "2025"}, today=today).kind == "year"
    assert Period.month(2024, 2).kind == "month" and Period.quarter(2025, 4).kind == "quarter"
    assert Period(D(2025, 1, 2), D(2025, 1, 31)).kind == "range"
    assert Period.quarter(2025, 4).label() in ("IV kwartał 2025", "IV quarter 2025")
    assert Period.month(2024, 2).shifted(1) == Period(D(2023, 2, 1), D(2023, 2, 28))
    for params, code in [
        ({"month": "2025-13"}, "month_invalid"),
        ({"month": "luty"}, "month_invalid"),
        ({"quarter": "2025-Q5"}, "quarter_invalid"),
        ({"month": "1999-01"}, "year_out_of_range"),
    ]:
        with pytest.raises(ValidationError) as caught:
            parse_period(params, today=today)
        assert caught.value.code == code


# --- who counts ------------------------------------------------------------------------------------------------


def test_it_counts_a_person_from_an_accepted_referral_and_tells_new_from_continuing(report_world: Any) -> None:
    w = report_world
    # 2025: P1, P2, P3, P5, all new (P4's 2024 session is before; P4 is not supported in 2025).
    report = monitoring_report(w.network, Period.year(2025))
    assert (report.value("summary", "people"), report.value("summary", "new")) == (4, 4)
    assert report.value("summary", "continuing") == 0
    # 2026: P3 (meeting 1.01 and a referral accepted 2.01) and P4 (session 1.01) come back from before;
    # P7 has nothing but a referral accepted in 2026: new. P8's referral was declined: not supported.
    p7 = person(w.network, "Genowefa", "female")
    p8 = person(w.network, "Henryk", "male")
    referral(w, p7, state=State.ACCEPTED, sent_at=at(2026, 2, 1), answered_at=at(2026, 2, 2))
    referral(w, p8, state=State.DECLINED, sent_at=at(2026, 2, 1), answered_at=at(2026, 2, 2))
    report = monitoring_report(w.network, Period.year(2026))
    assert report.value("summary", "people") == 3
    assert (report.value("summary", "new"), report.value("summary", "continuing")) == (1, 2)
    # The receiving partner's row counts P7 too; the referral has no service, so "no service given".
    assert {r.key: r.values["people"] for r in report.table("by_partner").rows}[str(w.receiving.pk)] == 3
    assert supported_people([w.network.pk], Period.year(2026)) == {
        w.people["P3"].pk: False,
        w.people["P4"].pk: False,
        p7.pk: True,
    }
    # A month: only February 2026, P7 alone, new.
    february = monitoring_report(w.network, Period.month(2026, 2))
    assert (february.value("summary", "people"), february.value("summary", "new")) == (1, 1)


# --- funding -----------------------------------------------------------------------------------------------------


def test_it_states_funding_in_pln_and_shows_it_by_source(report_world: Any) -> None:
    w = report_world
    report_services.funding_set(
        actor=w.coordinator, network=w.network, year=2025, source=FundingSource.PFRON, amount="12 500,50"
    )
    report_services.funding_set(
        actor=w.coordinator, network=w.network, year=2025, source=FundingSource.MUNICIPAL_BUDGET, amount="3"
    )
    # The same year and source again is a correction, not a second row.
    report_services.funding_set(
        actor=w.coordinator, network=w.network, year=2025, source=FundingSource.PFRON, amount=Decimal("12500.55")
    )
    report_services.funding_set(
        actor=w.coordinator, network=w.network, year=2024, source=FundingSource.PFRON, amount="999"
    )
    assert FundingAmount.objects.filter(network=w.network).count() == 3
    report = monitoring_report(w.network, Period.year(2025))
    amounts = {row.key: row.values["amount"] for row in report.table("by_funding").rows}
    assert amounts["pfron"] == 12500.55 and amounts["municipal_budget"] == 3.0
    funding_total = report.table("by_funding").total
    assert funding_total is not None and funding_total.values["amount"] == 12503.55
    # A quarter shows the amounts of its year.
    assert monitoring_report(w.network, Period.quarter(2025, 2)).value("by_funding", "pfron", "amount") == 12500.55
    # Money is no count of people: the monitor reads 3 zł as 3, not "<5".
    regional = regional_report(Period.year(2025))
    assert regional.value("by_funding", "municipal_budget", "amount") == 3.0
    # The page shows it with two decimals and grouped thousands.
    assert exports.display(12500.55, 2).replace("\xa0", " ") in ("12 500,55", "12,500.55")


def test_it_refuses_bad_funding_and_strangers(report_world: Any) -> None:
    w = report_world
    for amount in ("-5", "dużo", "NaN", "100000000000"):
        with pytest.raises(ValidationError):
            report_services.funding_set(
                actor=w.coordinator, network=w.network, year=2025, source=FundingSource.PFRON, amount=amount
            )
    with pytest.raises(ValidationError):
        report_services.funding_set(actor=w.coordinator, network=w.network, year=2025, source="gold", amount="1")
    for stranger in (w.other_coordinator, w.receiving_staff, w.monitor, w.employer_staff):
        with pytest.raises(PermissionDenied):
            report_services.funding_set(
                actor=stranger, network=w.network, year=2025, source=FundingSource.PFRON, amount="1"
            )
    assert not FundingAmount.objects.exists()


def test_funding_page_and_api_write_the_same_row(client: Any, report_world: Any) -> None:
    w = report_world
    client.force_login(w.coordinator)
    url = reverse("report-funding", args=[w.network.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": 2025, "source": "pfron", "amount": "1 000,00", "note": "dotacja"})
    assert response.status_code == 302
    bad = client.post(url, {"year": 2025, "source": "pfron", "amount": "-1"})
    assert bad.status_code == 400
    row = FundingAmount.objects.get()
    assert row.amount == Decimal("1000.00")
    api = api_for(w.coordinator)
    answer = api.post(f"/api/v1/networks/{w.network.pk}/funding/", {"year": 2025, "source": "pfron", "amount": "7"})
    assert answer.status_code == 200, answer.content
    assert FundingAmount.objects.get().amount == Decimal("7.00")
    assert (
        api.post(f"/api/v1/networks/{w.network.pk}/funding/", {"year": 2025, "source": "x", "amount": "7"}).status_code
        == 400
    )
    assert api.get(f"/api/v1/networks/{w.network.pk}/funding/").json()[0]["amount"] == "7.00"
    assert api.delete(f"/api/v1/networks/{w.network.pk}/funding/{row.pk}/").status_code == 204
    assert not FundingAmount.objects.exists()


# --- the regional comparison ------------------------------------------------------------------------------------


def test_the_monitor_compares_networks_and_counties_with_past_years(report_world: Any) -> None:
    w = report_world
    raw = monitoring_report(None, Period.year(2026))
    by_network = {row.key: row.values for row in raw.table("by_network").rows}
    # Network A: 2026 P3, P4 (both continuing); 2025: P1, P2, P3, P5; 2024: P4 (session and meeting on 31.12).
    assert by_network[str(w.network.pk)] == {"people_0": 2, "people_1": 4, "people_2": 1, "new_0": 0}
    # Network B: P6 in 2025 only.
    assert by_network[str(w.other_network.pk)] == {"people_0": 0, "people_1": 1, "people_2": 0, "new_0": 0}
    counties = raw.table("by_county")
    assert [row.key for row in counties.rows] == sorted({w.network.teryt[:4], w.other_network.teryt[:4]})
    assert counties.total is not None and counties.total.values["people_1"] == 5
    # The monitor reads it suppressed, like every other table.
    shown = regional_report(Period.year(2026)).table("by_network")
    assert {row.values["people_1"] for row in shown.rows} <= {"<5", "*"}


# --- file names ------------------------------------------------------------------------------------------------


def test_file_names_keep_the_polish_letters(client: Any, report_world: Any) -> None:
    w = report_world
    w.network.name = "Sieć Śląska — Łaziska"
    w.network.save(update_fields=["name"])
    report = monitoring_report(w.network, Period.month(2025, 3))
    name = exports.filename(report, "pdf")
    assert "śląska" in name and "łaziska" in name and name.endswith(".pdf")
    header = exports.content_disposition(name)
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''" in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == name
    assert header.split('"')[1].isascii()
    client.force_login(w.coordinator)
    for file_format in ("csv", "xlsx", "pdf"):
        page = client.get(
            reverse("report-monitoring", args=[w.network.pk]), {"month": "2025-03", "format": file_format}
        )
        api = api_for(w.coordinator).get(
            f"/api/v1/networks/{w.network.pk}/reports/monitoring/", {"month": "2025-03", "format": file_format}
        )
        assert (
            page["Content-Disposition"]
            == api["Content-Disposition"]
            == exports.content_disposition(exports.filename(report, file_format))
        )


def test_the_page_the_api_and_every_file_give_the_same_figures(client: Any, report_world: Any) -> None:
    w = report_world
    client.force_login(w.coordinator)
    url = reverse("report-monitoring", args=[w.network.pk])
    body = api_for(w.coordinator).get(f"/api/v1/networks/{w.network.pk}/reports/monitoring/", {"quarter": "2025-Q2"})
    summary = {row["key"]: row["value"] for row in body.json()["tables"]["summary"]["rows"]}
    # Q2 2025: P1 (legal 2.06, meeting 11.06; before: meeting 8.01, referral accepted 3.02, care 10.03), P2 (care
    # 1.04, 5.05, meeting 11.06; before: only a declined referral), P3 (meeting 11.06; before: meeting 8.01).
    assert (summary["people"], summary["new"], summary["continuing"]) == (3, 1, 2)
    assert body.json()["period"]["kind"] == "quarter"
    csv_text = client.get(url, {"quarter": "2025-Q2", "format": "csv"}).content.decode("utf-8-sig")
    from openpyxl import load_workbook
    from pypdf import PdfReader

    sheet = load_workbook(io.BytesIO(client.get(url, {"quarter": "2025-Q2", "format": "xlsx"}).content)).active
    assert sheet is not None
    xlsx_rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    pdf = client.get(url, {"quarter": "2025-Q2", "format": "pdf"}).content
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    labels = {row["key"]: row["label"] for row in body.json()["tables"]["summary"]["rows"]}
    for key in ("people", "new", "continuing"):
        assert f"{labels[key]};{summary[key]}" in csv_text
        assert xlsx_rows[labels[key]] == summary[key]
        assert f"{labels[key]} {summary[key]}" in " ".join(pdf_text.split())
    page = client.get(url, {"quarter": "2025-Q2"}).content.decode()
    # Each figure of the summary links to the list behind it.
    people_list = reverse("report-figure-list", args=[w.network.pk, "new"]) + "?quarter=2025-Q2"
    assert f'href="{people_list}">{summary["new"]}<' in page


# --- closing and reopening -----------------------------------------------------------------------------------


def test_closing_freezes_the_figures_and_reopening_needs_a_reason(report_world: Any) -> None:
    w = report_world
    period = Period.year(2025)
    closure = report_services.report_close(actor=w.coordinator, network=w.network, period=period)
    assert closure.status == ClosureStatus.CLOSED and closure.closed_by == w.coordinator
    assert bytes(closure.pdf).startswith(b"%PDF")
    from pypdf import PdfReader

    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(closure.pdf))).pages).split())
    assert w.coordinator.get_full_name() in pdf_text
    # A session recorded later does not change what was sent.
    activity(w.people["P4"], w.receiving, D(2025, 5, 5), 30, None, by=w.coordinator)
    frozen, _ = network_report(w.network, period)
    assert frozen.value("summary", "people") == 4 and frozen.closed is not None
    assert monitoring_report(w.network, period).value("summary", "people") == 5
    with pytest.raises(Conflict):
        report_services.report_close(actor=w.coordinator, network=w.network, period=period)
    with pytest.raises(ValidationError):
        report_services.report_reopen(actor=w.coordinator, closure=closure, reason="  ")
    for stranger in (w.other_coordinator, w.monitor, w.receiving_staff):
        with pytest.raises(PermissionDenied):
            report_services.report_reopen(actor=stranger, closure=closure, reason="błąd")
    report_services.report_reopen(actor=w.coordinator, closure=closure, reason="Brakowało sesji P4 z maja.")
    live, _ = network_report(w.network, period)
    assert live.value("summary", "people") == 5 and live.closed is None
    with pytest.raises(Conflict):
        report_services.report_reopen(actor=w.coordinator, closure=closure, reason="again")
    again = report_services.report_close(actor=w.coordinator, network=w.network, period=period)
    assert again.pk == closure.pk and again.snapshot["tables"][0]["rows"][0]["values"]["value"] == 5
    events = list(ReportClosureEvent.objects.filter(closure=closure).values_list("action", "reason"))
    assert events == [("closed", ""), ("reopened", "Brakowało sesji P4 z maja."), ("closed", "")]
    # The regional monitor was told each time, with one full stop.
    texts = list(Notification.objects.filter(recipient=w.monitor).values_list("text", flat=True))
    assert len(texts) == 3 and all(not t.endswith("..") for t in texts)
    # A period that has not started cannot be closed.
    with pytest.raises(ValidationError):
        report_services.report_close(
            actor=w.coordinator, network=w.network, period=Period.year(datetime.date.today().year + 1)
        )


def test_close_and_reopen_through_the_page_and_the_api(client: Any, report_world: Any) -> None:
    w = report_world
    client.force_login(w.coordinator)
    response = client.post(reverse("report-close", args=[w.network.pk]), {"quarter": "2025-Q1"})
    assert response.status_code == 302
    closure = ReportClosure.objects.get()
    assert (closure.start, closure.end) == (D(2025, 1, 1), D(2025, 3, 31))
    page = client.get(response["Location"]).content.decode()
    assert 'id="reopen-button"' in page and 'id="closed-pdf"' in page
    pdf = client.get(reverse("report-closed-pdf", args=[w.network.pk]), {"quarter": "2025-Q1"})
    assert pdf.status_code == 200 and pdf.content == bytes(closure.pdf)
    # Closing twice: a message, nothing changed.
    client.post(reverse("report-close", args=[w.network.pk]), {"quarter": "2025-Q1"})
    assert ReportClosureEvent.objects.count() == 1
    # Reopen without a reason: refused; with one: reopened.
    client.post(reverse("report-reopen", args=[w.network.pk]), {"quarter": "2025-Q1", "reason": ""})
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.CLOSED
    client.post(reverse("report-reopen", args=[w.network.pk]), {"quarter": "2025-Q1", "reason": "korekta"})
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.REOPENED
    # The API: the same services.
    api = api_for(w.coordinator)
    base = f"/api/v1/networks/{w.network.pk}/reports"
    answer = api.post(f"{base}/close/", {"quarter": "2025-Q1"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "closed" and answer.json()["period"]["kind"] == "quarter"
    assert api.post(f"{base}/close/", {"quarter": "2025-Q1"}, format="json").json()["code"] == "report_closed"
    assert api.post(f"{base}/close/", {}, format="json").status_code == 400
    assert api.post(f"{base}/close/", {"month": "2025-13"}, format="json").status_code == 400
    assert api.post(f"{base}/reopen/", {"quarter": "2025-Q1"}, format="json").status_code == 400
    assert api.post(f"{base}/reopen/", {"quarter": "2025-Q3", "reason": "x"}, format="json").status_code == 404
    reopened = api.post(f"{base}/reopen/", {"quarter": "2025-Q1", "reason": "korekta 2"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["events"][-1]["reason"] == "korekta 2"
    assert api.get(f"{base}/sent-pdf/", {"quarter": "2025-Q1"}).status_code == 404  # reopened: nothing sent now
    api.post(f"{base}/close/", {"quarter": "2025-Q1"}, format="json")
    sent = api.get(f"{base}/sent-pdf/", {"quarter": "2025-Q1"})
    assert sent.status_code == 200 and sent.content.startswith(b"%PDF")
    json_report = api.get(f"{base}/monitoring/", {"quarter": "2025-Q1"}).json()
    assert json_report["closed"]["closed_by"] == w.coordinator.get_full_name()


def test_the_monitor_sees_who_sent_and_nothing_more(client: Any, report_world: Any) -> None:
    w = report_world
    report_services.report_close(actor=w.coordinator, network=w.network, period=Period.year(2025))
    rows = {row.network.pk: row.status for row in submissions(Period.year(2025))}
    assert rows == {w.network.pk: "closed", w.other_network.pk: "open"}
    client.force_login(w.monitor)
    page = client.get(reverse("report-submissions"), {"year": "2025"})
    assert page.status_code == 200
    text = page.content.decode()
    assert w.network.name in text and w.other_network.name in text
    body = api_for(w.monitor).get("/api/v1/reports/submissions/", {"year": 2025}).json()
    assert {row["network"]["name"]: row["status"] for row in body} == {
        w.network.name: "closed",
        w.other_network.name: "open",
    }
    assert client.get(reverse("report-submissions"), {"month": "zły"}).status_code == 400
    # Everything of one network stays its coordinators'.
    for url in (
        reverse("report-closed-pdf", args=[w.network.pk]) + "?year=2025",
        reverse("report-funding", args=[w.network.pk]),
        reverse("report-figure-list", args=[w.network.pk, "people"]) + "?year=2025",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("report-close", args=[w.network.pk]), {"year": "2024"}).status_code == 404
    api = api_for(w.monitor)
    assert api.post(f"/api/v1/networks/{w.network.pk}/reports/close/", {"year": 2024}).status_code == 404
    assert api.get(f"/api/v1/networks/{w.network.pk}/funding/").status_code == 404


PAGES = ["report-funding", "report-closed-pdf", "report-figure-list"]


@pytest.mark.parametrize("who", ["other_coordinator", "receiving_staff", "employer_staff", "unrelated_staff"])
def test_strangers_get_404_everywhere(client: Any, report_world: Any, who: str) -> None:
    w = report_world
    user = getattr(w, who)
    report_services.report_close(actor=w.coordinator, network=w.network, period=Period.year(2025))
    client.force_login(user)
    net = w.network.pk
    for url in (
        reverse("report-funding", args=[net]),
        reverse("report-closed-pdf", args=[net]) + "?year=2025",
        reverse("report-figure-list", args=[net, "people"]) + "?year=2025",
        reverse("report-figure-list", args=[net, "referrals_sent"]) + "?year=2025",
        reverse("report-submissions"),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("report-close", "report-reopen"):
        assert client.post(reverse(name, args=[net]), {"year": "2025", "reason": "x"}).status_code == 404
    api = api_for(user)
    for method, url, data in (
        ("get", f"/api/v1/networks/{net}/funding/", None),
        ("post", f"/api/v1/networks/{net}/funding/", {"year": 2025, "source": "pfron", "amount": "1"}),
        ("post", f"/api/v1/networks/{net}/reports/close/", {"year": 2024}),
        ("post", f"/api/v1/networks/{net}/reports/reopen/", {"year": 2025, "reason": "x"}),
        ("get", f"/api/v1/networks/{net}/reports/sent-pdf/?year=2025", None),
        ("get", "/api/v1/reports/submissions/", None),
    ):
        assert getattr(api, method)(url, data).status_code == 404, url
    assert ReportClosure.objects.get().status == ClosureStatus.CLOSED
    assert not FundingAmount.objects.exists()


def test_the_list_behind_a_figure_names_only_whom_the_coordinator_may_see(client: Any, report_world: Any) -> None:
    w = report_world
    client.force_login(w.coordinator)
    page = client.get(reverse("report-figure-list", args=[w.network.pk, "people"]), {"year": "2025"})
    assert page.status_code == 200
    text = page.content.decode()
    for key in ("P1", "P2", "P3", "P5"):
        assert w.people[key].first_name in text
    assert w.people["P4"].first_name not in text and w.people["P6"].first_name not in text
    assert client.get(reverse("report-figure-list", args=[w.network.pk, "bogus"]), {"year": "2025"}).status_code == 404
    referrals = client.get(reverse("report-figure-list", args=[w.network.pk, "referrals_sent"]), {"year": "2025"})
    assert referrals.status_code == 200
    # No health data on either list: no diagnosis, no reason for the referral.
    assert "Wsparcie" not in referrals.content.decode()
    assert Activity.objects.exists()


def test_the_dashboard_offers_a_month_a_quarter_and_a_year(client: Any, report_world: Any) -> None:
    w = report_world
    client.force_login(w.coordinator)
    url = reverse("report-dashboard", args=[w.network.pk])
    page = client.get(url, {"quarter": "2025-Q2"}).content.decode()
    assert 'name="month"' in page and 'name="quarter"' in page and 'name="year"' in page
    # The year's list has the years to choose from (it was empty on the dashboard: the view did not pass them).
    this_year = timezone.localdate().year
    assert f'<option value="{this_year}">{this_year}</option>' in page
    assert '<option value="2025">2025</option>' in page
    figure = reverse("report-figure-list", args=[w.network.pk, "people"]) + "?quarter=2025-Q2"
    assert f'href="{figure}">3<' in page
    assert client.get(url, {"month": "2025-13"}).status_code == 200  # a message, and the current month


def test_the_list_of_submissions_takes_two_queries_however_many_networks(
    world: Any, django_assert_num_queries: Any
) -> None:
    from tests.factories import NetworkFactory

    def read() -> list[dict[str, Any]]:
        with django_assert_num_queries(2):  # 1 the closed reports of the period, 2 the networks
            return [row.as_dict() for row in submissions(Period.year(2025))]

    report_services.report_close(actor=world.coordinator, network=world.network, period=Period.year(2025))
    assert len(read()) == 2
    for _ in range(5):
        NetworkFactory()
    rows = read()
    assert len(rows) == 7 and sum(1 for row in rows if row["status"] == "closed") == 1
