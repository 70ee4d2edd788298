"""The monitoring report (issue 8): the tables a network's coordinator, or a regional monitor summing every
network, reads for a period. The figures come from ``figures.py`` and follow its rules; this module only lays
them out in rows, each breakdown in the order people expect to read it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.replica import reads_from_replica
from network.models import Network
from partners.choices import FundingSource, PathStage
from people.models import Sex
from referrals.choices import ReasonCode
from reporting.yearly.figures import (
    AGE_GROUPS,
    EMPLOYMENT_STEPS,
    employment_steps,
    funding_amounts,
    people_history,
    people_sessions,
    referral_figures,
)
from reporting.yearly.period import Period
from reporting.yearly.shared import FORM_LABELS, days_of, hours_of
from reporting.yearly.table import Column, MonitoringReport, Row, Table, Value

SEX_LABELS = {Sex.FEMALE.value: gettext_lazy("women"), Sex.MALE.value: gettext_lazy("men")}
# Whole phrases: "declined" alone is also a candidate's stage, and Polish gives the two different endings.
REFERRAL_LABELS = {
    "sent": gettext_lazy("referrals sent"),
    "accepted": gettext_lazy("referrals accepted"),
    "declined": gettext_lazy("referrals declined"),
    "completed": gettext_lazy("referrals completed"),
    "withdrawn": gettext_lazy("referrals withdrawn"),
    "discontinued": gettext_lazy("referrals discontinued"),
    "median_days_to_answer": gettext_lazy("median time to answer (days)"),
}
EMPLOYMENT_LABELS = {
    "proposed": gettext_lazy("people proposed to an employer"),
    "interviewed": gettext_lazy("people invited to an interview"),
    "hired": gettext_lazy("people hired"),
    "retained_1m": gettext_lazy("still employed after 1 month"),
    "retained_3m": gettext_lazy("still employed after 3 months"),
    "retained_6m": gettext_lazy("still employed after 6 months"),
}


COMPARED_YEARS = 3  # the regional comparison: the period and the same period of the two years before


@reads_from_replica
def monitoring_report(network: Network | None, period: Period) -> MonitoringReport:
    """The monitoring report of one network, or (``network=None``) summed over every network of the deployment.

    Seven queries for a network (people, sessions and hours by every dimension in one; new and continuing people
    in one; referrals in two; funding in one; employment) plus the employment module's own, whatever the size.
    Summed over every network it also compares each network and each county with the same period of earlier
    years (in the same query as new and continuing, and one for the networks' names).
    """
    network_ids = [network.pk] if network is not None else None
    dims = people_sessions(network_ids, period)
    history = people_history(network_ids, period, years=1 if network is not None else COMPARED_YEARS)
    totals, reasons = referral_figures(network_ids, period)
    employment = employment_steps(network_ids, period)
    amounts = funding_amounts(network_ids, period)
    all_networks = list(Network.objects.order_by("name", "id")) if network is None else [network]
    networks = len(all_networks)

    total_row = (dims.get("total") or [{"people": 0, "sessions": 0, "minutes": 0}])[0]
    people_total = int(total_row["people"])
    people_col = Column("people", _("people"), additive=True)
    person_cols = [
        Column("people", _("people")),
        Column("sessions", _("sessions"), True),
        Column("hours", _("hours"), True, 0.1),
    ]

    def pick(dimension: str, key: str) -> dict[Any, dict[str, Any]]:
        return {row[key]: row for row in dims.get(dimension, []) if row[key] is not None}

    def figures(row: dict[str, Any] | None, *, people_only: bool = False) -> dict[str, Value]:
        row = row or {}
        values: dict[str, Value] = {"people": int(row.get("people") or 0)}
        if not people_only:
            values |= {"sessions": int(row.get("sessions") or 0), "hours": hours_of(row.get("minutes"))}
        return values

    def total(label: str | None = None, *, people_only: bool = False) -> Row:
        return Row("total", label or _("total"), figures(total_row, people_only=people_only))

    # People by sex, age group and gmina: each person in exactly one row, so rows add up to the total.
    by_sex = pick("sex", "sex")
    sex_rows = [
        Row(code, str(SEX_LABELS.get(code, _("not given"))), figures(by_sex.get(code), people_only=True))
        for code in (Sex.FEMALE.value, Sex.MALE.value, Sex.UNKNOWN.value)
    ]
    by_age = pick("age_group", "age_group")
    age_rows = [
        Row(code, code.replace("-", "–"), figures(by_age.get(code), people_only=True)) for code, _l, _h in AGE_GROUPS
    ]
    age_rows.append(Row("unknown", _("not given"), figures(by_age.get("unknown"), people_only=True)))
    gmina_rows = sorted(
        (
            Row(
                row["gmina_teryt"] or "",
                row["gmina_name"] or row["gmina_teryt"] or _("not given"),
                figures(row, people_only=True),
            )
            for row in dims.get("gmina_teryt", [])
            if row["gmina_teryt"] is not None
        ),
        key=lambda r: (r.key == "", r.label),
    )

    by_form = pick("form", "form")
    form_rows = [Row(code, str(label), figures(by_form.get(code))) for code, label in FORM_LABELS.items()]

    by_category = pick("category", "category")
    category_rows = [
        Row(code, str(label), figures(by_category.get(code)))
        for code, label in [*PathStage.choices, ("", _("no service given"))]
        if code in by_category or code in PathStage.values
    ]

    partner_rows = sorted(
        (
            Row(str(row["partner_id"]), row["partner_name"] or "", figures(row))
            for row in dims.get("partner_id", [])
            if row["partner_id"] is not None
        ),
        key=lambda r: (r.label.lower(), r.key),
    )

    group_rows = sorted(
        (
            Row(
                str(row["group_id"]),
                row["group_name"] or "",
                {"people": int(row["people"]), "meetings": int(row["sessions"]), "hours": hours_of(row["minutes"])},
            )
            for row in dims.get("group_id", [])
            if row["group_id"] is not None
        ),
        key=lambda r: (r.label.lower(), r.key),
    )
    groups_total = by_form.get("support_group") or {}

    by_funding = pick("funding", "funding")
    funding_rows = [
        Row(code, str(label), figures(by_funding.get(code)) | {"amount": money(amounts.get(code))})
        for code, label in [*FundingSource.choices, ("", _("not given"))]
        if code in by_funding or code in amounts
    ]
    funding_cols = [*person_cols, Column("amount", _("amount (PLN)"), True, 0.01, suppress=False, decimals=2)]
    funding_total = Row("total", _("total"), figures(total_row) | {"amount": money(sum(amounts.values(), Decimal(0)))})

    people_new = history["total"][0][1]

    median = days_of(totals.pop("median"))
    referral_rows = [
        Row(key, str(REFERRAL_LABELS[key]), {"value": int(totals[key])})
        for key in ("sent", "accepted", "declined", "completed", "withdrawn", "discontinued")
    ]
    referral_rows.append(Row("median_days_to_answer", str(REFERRAL_LABELS["median_days_to_answer"]), {"value": median}))
    reason_rows = [Row(code, str(label), {"count": reasons.get(code, 0)}) for code, label in ReasonCode.choices]
    reason_rows += [
        Row(code or "none", code or _("not given"), {"count": n})
        for code, n in reasons.items()
        if code not in ReasonCode.values
    ]

    employment_rows = [
        Row(step, str(EMPLOYMENT_LABELS[step]), {"value": employment[step]}) for step in EMPLOYMENT_STEPS
    ]
    value_col = [Column("value", _("number"))]

    summary = [
        Row("people", _("people supported"), {"value": people_total}),
        Row("new", _("of whom new in the period"), {"value": people_new}),
        Row("continuing", _("of whom continuing"), {"value": people_total - people_new}),
        Row("sessions", _("sessions and meetings"), {"value": int(total_row["sessions"] or 0)}),
        Row("hours", _("hours of support"), {"value": hours_of(total_row["minutes"])}),
        Row("referrals_sent", _("referrals sent"), {"value": int(totals["sent"])}),
        Row("hired", _("people hired"), {"value": employment["hired"]}),
    ]

    tables = [
        Table("summary", _("In brief"), value_col, summary),
        Table("by_sex", _("People supported by sex"), [people_col], sex_rows, total(people_only=True), "people"),
        Table(
            "by_age_group",
            _("People supported by age group"),
            [people_col],
            age_rows,
            total(people_only=True),
            "people",
        ),
        Table(
            "by_gmina",
            _("People supported by municipality"),
            [people_col],
            gmina_rows,
            total(people_only=True),
            "people",
        ),
        Table("by_form", _("Forms of support"), person_cols, form_rows, total(), "hours"),
        Table("by_category", _("By service category"), person_cols, category_rows, total(), "people"),
        Table("by_partner", _("By partner"), person_cols, partner_rows, total(), "hours"),
        Table(
            "support_groups",
            _("Support groups"),
            [
                Column("people", _("people")),
                Column("meetings", _("meetings"), True),
                Column("hours", _("hours"), True, 0.1),
            ],
            group_rows,
            Row(
                "total",
                _("total"),
                {
                    "people": int(groups_total.get("people") or 0),
                    "meetings": int(groups_total.get("sessions") or 0),
                    "hours": hours_of(groups_total.get("minutes")),
                },
            ),
            "hours",
        ),
        Table("by_funding", _("By funding source"), funding_cols, funding_rows, funding_total, "hours"),
        Table("referrals", _("Referrals"), value_col, referral_rows, None, "value"),
        Table(
            "declined_by_reason",
            _("Referrals declined, by reason"),
            [Column("count", _("number"), additive=True)],
            reason_rows,
            Row("total", _("total"), {"count": int(totals["declined"])}),
            "count",
        ),
        Table(
            "employment",
            _("Supported employment"),
            value_col,
            employment_rows,
            None,
            "value",
        ),
    ]
    if network is None:
        tables += comparison_tables(period, all_networks, history)
    return MonitoringReport(
        title=_("Monitoring report"),
        scope=network.name if network is not None else _("all networks of the region"),
        network=network,
        networks=networks,
        period=period,
        tables=tables,
    )


def money(amount: Decimal | None) -> float:
    return float(round(amount or Decimal(0), 2))


def comparison_tables(
    period: Period, networks: list[Network], history: dict[Any, list[tuple[int, int]]]
) -> list[Table]:
    """People supported by network and by county (the TERYT's first four digits) in the period and the same period
    of the years before, with the new ones of the period: what the regional monitor compares."""
    periods = [period.shifted(i) for i in range(COMPARED_YEARS)]
    columns = [
        Column(f"people_{i}", _("people %(period)s") % {"period": p.label()}, additive=True)
        for i, p in enumerate(periods)
    ]
    columns.append(Column("new_0", _("new %(period)s") % {"period": period.label()}, additive=True))
    empty = [(0, 0)] * COMPARED_YEARS

    def values(counts: list[tuple[int, int]]) -> dict[str, Value]:
        shown: dict[str, Value] = {f"people_{i}": counts[i][0] for i in range(COMPARED_YEARS)}
        return shown | {"new_0": counts[0][1]}

    def added(rows: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
        return [(sum(r[i][0] for r in rows), sum(r[i][1] for r in rows)) for i in range(COMPARED_YEARS)]

    network_rows = [Row(str(n.pk), n.name, values(history.get(n.pk, empty))) for n in networks]
    counties: dict[str, list[Network]] = {}
    for n in networks:
        counties.setdefault(n.teryt[:4], []).append(n)
    county_rows = [
        Row(
            code,
            f"{code} — {', '.join(sorted({n.territory_name for n in members}))}",
            values(added([history.get(n.pk, empty) for n in members])),
        )
        for code, members in sorted(counties.items())
    ]
    total = Row("total", _("total"), values(history["total"]))
    return [
        Table(
            "by_network",
            _("People supported by network, compared with past years"),
            columns,
            network_rows,
            total,
            "people_0",
        ),
        Table(
            "by_county",
            _("People supported by county, compared with past years"),
            columns,
            county_rows,
            total,
            "people_0",
        ),
    ]
