"""The figures of the monitoring report, read from the database: people, sessions and hours by every
breakdown in one query, referrals in two, employment from ``employment.figures``.

Every figure is aggregated in PostgreSQL (COUNT with FILTER, GROUPING SETS, percentile_cont), so the number of
queries does not grow with the network; the rows that come back are bounded by the stages, partners, services
and groups, never by the people.

How figures are counted (the rules the report states on its page and in its exports):

- **A person supported** in a period has at least one recorded session (an Activity), attended at least one
  support-group meeting, or had a referral accepted by a partner in it (the receiving partner took them on,
  whether or not a session is recorded yet). Each person counts once in every total, however many services,
  partners or groups they used; a row of a breakdown counts the person once in that row (a referral in the row
  of its receiving partner and its service).
- **New and continuing**: a person supported in the period is new when nothing of the above happened to them
  before its first day, continuing otherwise; new and continuing add up to the people supported.
- **Funding**: the amounts in PLN a network's coordinator states for each source and calendar year; a period
  shows the amounts of every year it touches.
- **Sessions and hours**: every Activity is one session with its own minutes (individual or group form, as
  recorded); every support-group Meeting held is one session whose duration counts once, however many people
  attended — the way the good-practice card counts "49 meetings × 2 hours = 98 hours"; a cancelled meeting
  (entered by mistake) counts nowhere.
- **Age** is the age reached in the last year of the period (from the birth date or birth year); sex and gmina
  as registered. A service's category and funding source come from the service of the activity or of the group.
- **The period** is a range of calendar days, both ends included, in the deployment's time zone: an activity
  on 31 December and a referral sent at 23:30 that day belong to that year; 1 January belongs to the next.
- **Referrals**: sent = sent in the period; accepted / declined = answered in the period (declined by the
  coded reason); completed, withdrawn and discontinued = closed in the period that way; median time to answer =
  from sending to the answer, over the answers given in the period.
- **Employment** comes from ``employment.figures`` (distinct people reaching each step in the period).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, F, Q, Sum

from core.replica import replica_alias
from employment.figures import STEPS as EMPLOYMENT_ACTIONS
from employment.figures import employment_figures
from employment.models import ApplicationEvent
from partners.models import Partner, Service
from people.models import Activity, Attendance, Meeting, Person, SupportGroup
from referrals.choices import State
from referrals.models import Referral
from reporting.models import FundingAmount
from reporting.yearly.period import Period
from reporting.yearly.shared import Median

# Age groups of the report: (code, lowest age, highest age or None).
AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, None),
)
EMPLOYMENT_STEPS = ("proposed", "interviewed", "hired", "retained_1m", "retained_3m", "retained_6m")


def _age_case(ref: str) -> str:
    """SQL that puts a year of birth ("yob") into an age group, the age taken in the year ``ref``."""
    whens = []
    for code, low, high in AGE_GROUPS:
        if high is None:
            whens.append(f"WHEN {ref} - yob >= {low:d} THEN '{code}'")
        else:
            whens.append(f"WHEN {ref} - yob <= {high:d} THEN '{code}'")
    return "CASE WHEN person_id IS NULL THEN NULL WHEN yob IS NULL THEN 'unknown' " + " ".join(whens) + " END"


_DIMENSIONS = ("category", "form", "funding", "partner_id", "group_id", "sex", "age_group", "gmina_teryt")


def _sessions_sql(network_ids: Sequence[Any] | None) -> str:
    """One query for people, sessions and hours by every dimension of the report (GROUPING SETS).

    The rows: one per activity (its person, one session, its minutes); one per meeting held (no person, one
    session, its duration); one per attendance (its person, no session, no minutes). COUNT(DISTINCT person_id)
    then counts each person once per group of rows, and the empty grouping set gives the totals.
    Table names come from the models, never from input.
    """
    t = {
        "activity": Activity._meta.db_table,
        "attendance": Attendance._meta.db_table,
        "meeting": Meeting._meta.db_table,
        "group": SupportGroup._meta.db_table,
        "service": Service._meta.db_table,
        "person": Person._meta.db_table,
        "partner": Partner._meta.db_table,
        "referral": Referral._meta.db_table,
    }
    person_net = "AND p.network_id = ANY(%(networks)s)" if network_ids is not None else ""
    group_net = "AND g.network_id = ANY(%(networks)s)" if network_ids is not None else ""
    grouping = " ".join(f"WHEN GROUPING({d}) = 0 THEN '{d}'" for d in _DIMENSIONS)
    return f"""
WITH r AS (
    SELECT a.person_id, a.partner_id, COALESCE(s.category, '') AS category,
           COALESCE(s.funding_source, '') AS funding, a.kind AS form, NULL::uuid AS group_id,
           1 AS sessions, a.minutes AS minutes
    FROM {t["activity"]} a
    JOIN {t["person"]} p ON p.id = a.person_id
    LEFT JOIN {t["service"]} s ON s.id = a.service_id
    WHERE a.occurred_on BETWEEN %(start)s AND %(end)s {person_net}
  UNION ALL
    SELECT NULL::uuid, g.partner_id, COALESCE(s.category, ''), COALESCE(s.funding_source, ''),
           'support_group', g.id, 1, m.duration_minutes
    FROM {t["meeting"]} m
    JOIN {t["group"]} g ON g.id = m.group_id
    LEFT JOIN {t["service"]} s ON s.id = g.service_id
    WHERE m.held_on BETWEEN %(start)s AND %(end)s AND m.cancelled_at IS NULL {group_net}
  UNION ALL
    SELECT att.person_id, g.partner_id, COALESCE(s.category, ''), COALESCE(s.funding_source, ''),
           'support_group', g.id, 0, 0
    FROM {t["attendance"]} att
    JOIN {t["meeting"]} m ON m.id = att.meeting_id
    JOIN {t["group"]} g ON g.id = m.group_id
    LEFT JOIN {t["service"]} s ON s.id = g.service_id
    WHERE m.held_on BETWEEN %(start)s AND %(end)s AND m.cancelled_at IS NULL {group_net}
  UNION ALL
    SELECT rf.person_id, rf.to_partner_id, COALESCE(s.category, ''), COALESCE(s.funding_source, ''),
           NULL, NULL::uuid, 0, 0
    FROM {t["referral"]} rf
    JOIN {t["person"]} p ON p.id = rf.person_id
    LEFT JOIN {t["service"]} s ON s.id = rf.service_id
    WHERE rf.answered_at >= %(first)s AND rf.answered_at < %(after)s AND rf.state <> %(declined)s {person_net}
), x AS (
    SELECT r.*, COALESCE(NULLIF(pt.short_name, ''), pt.name) AS partner_name, sg.name AS group_name,
           p.sex, p.gmina_teryt, p.gmina_name,
           COALESCE(EXTRACT(YEAR FROM p.birth_date)::int, p.birth_year::int) AS yob
    FROM r
    LEFT JOIN {t["partner"]} pt ON pt.id = r.partner_id
    LEFT JOIN {t["group"]} sg ON sg.id = r.group_id
    LEFT JOIN {t["person"]} p ON p.id = r.person_id
), y AS (
    SELECT x.*, {_age_case("%(ref_year)s")} AS age_group FROM x
)
SELECT CASE {grouping} ELSE 'total' END AS dimension,
       category, form, funding, partner_id, partner_name, group_id, group_name, sex, age_group,
       gmina_teryt, gmina_name,
       COUNT(DISTINCT person_id) AS people, COALESCE(SUM(sessions), 0) AS sessions,
       COALESCE(SUM(minutes), 0) AS minutes
FROM y
GROUP BY GROUPING SETS (
    (category), (form), (funding), (partner_id, partner_name), (group_id, group_name), (sex), (age_group),
    (gmina_teryt, gmina_name), ()
)
"""  # noqa: S608 - table names from the models' meta, every value a parameter


def people_sessions(network_ids: Sequence[Any] | None, period: Period) -> dict[str, list[dict[str, Any]]]:
    first, after = period.bounds()
    params: dict[str, Any] = {
        "start": period.start,
        "end": period.end,
        "first": first,
        "after": after,
        "declined": State.DECLINED.value,
        "ref_year": period.end.year,
        "networks": list(network_ids) if network_ids is not None else None,
    }
    with connections[replica_alias()].cursor() as cursor:
        cursor.execute(_sessions_sql(network_ids), params)
        names = [c.name for c in cursor.description or []]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_dimension.setdefault(row["dimension"], []).append(row)
    return by_dimension


def referral_figures(network_ids: Sequence[Any] | None, period: Period) -> tuple[dict[str, Any], dict[str, int]]:
    first, after = period.bounds()
    referrals = Referral.objects.all() if network_ids is None else Referral.objects.filter(network_id__in=network_ids)

    def during(name: str) -> Q:
        return Q(**{f"{name}__gte": first, f"{name}__lt": after})

    totals = referrals.filter(during("sent_at") | during("answered_at") | during("closed_at")).aggregate(
        sent=Count("id", filter=during("sent_at")),
        accepted=Count("id", filter=during("answered_at") & ~Q(state=State.DECLINED)),
        declined=Count("id", filter=during("answered_at") & Q(state=State.DECLINED)),
        completed=Count("id", filter=during("closed_at") & Q(state=State.COMPLETED)),
        withdrawn=Count("id", filter=during("closed_at") & Q(state=State.WITHDRAWN)),
        discontinued=Count("id", filter=during("closed_at") & Q(state=State.DISCONTINUED)),
        median=Median(F("answered_at") - F("sent_at"), filter=during("answered_at")),
    )
    reasons = {
        row["reason_code"]: row["n"]
        for row in referrals.filter(during("answered_at"), state=State.DECLINED)
        .values("reason_code")
        .annotate(n=Count("id"))
        .order_by()
    }
    return totals, reasons


def employment_steps(network_ids: Sequence[Any] | None, period: Period) -> dict[str, int]:
    """People proposed, interviewed, hired and retained in the period.

    One network and a calendar year: ``employment.figures.employment_figures`` itself. Any other range or
    several networks: the same rule (distinct people with that step in the applications' timeline in the
    period, ``STEPS`` of that module) in one query, because that function takes one network and a year.
    """
    if network_ids is not None and len(network_ids) == 1 and period.is_calendar_year:
        figures = employment_figures(network_ids[0], year=period.start.year)
        return {step: int(getattr(figures, step)) for step in EMPLOYMENT_STEPS}
    first, after = period.bounds()
    events = ApplicationEvent.objects.filter(at__gte=first, at__lt=after)
    if network_ids is not None:
        events = events.filter(application__network_id__in=list(network_ids))
    steps = events.aggregate(
        **{
            step: Count("application__person_id", distinct=True, filter=Q(action=EMPLOYMENT_ACTIONS[step]))
            for step in EMPLOYMENT_STEPS
        }
    )
    return {step: int(steps[step] or 0) for step in EMPLOYMENT_STEPS}


def _events_cte(network_ids: Sequence[Any] | None) -> str:
    """``ev``: every day a person was supported (a session, an attended meeting, an accepted referral; the same
    as ``_sessions_sql``) up to the period's last day, for the people of the networks asked for."""
    t = {
        "activity": Activity._meta.db_table,
        "attendance": Attendance._meta.db_table,
        "meeting": Meeting._meta.db_table,
        "person": Person._meta.db_table,
        "referral": Referral._meta.db_table,
    }
    net = "AND p.network_id = ANY(%(networks)s)" if network_ids is not None else ""
    return f"""
ev AS (
    SELECT a.person_id, p.network_id, a.occurred_on AS day
    FROM {t["activity"]} a JOIN {t["person"]} p ON p.id = a.person_id
    WHERE a.occurred_on <= %(end0)s {net}
  UNION ALL
    SELECT att.person_id, p.network_id, m.held_on
    FROM {t["attendance"]} att JOIN {t["meeting"]} m ON m.id = att.meeting_id
    JOIN {t["person"]} p ON p.id = att.person_id
    WHERE m.held_on <= %(end0)s {net}
  UNION ALL
    SELECT rf.person_id, p.network_id, (rf.answered_at AT TIME ZONE %(tz)s)::date
    FROM {t["referral"]} rf JOIN {t["person"]} p ON p.id = rf.person_id
    WHERE rf.answered_at < %(after0)s AND rf.state <> %(declined)s {net}
)"""  # noqa: S608 - table names from the models' meta, every value a parameter


def _history_sql(network_ids: Sequence[Any] | None, offsets: int) -> str:
    """Who was supported in the period and in the same period of earlier years, by the person's network: one row
    per network and one for all (GROUPING SETS), with the people supported and the new ones in each period.
    "New" means nothing in ``ev`` before the period's first day."""
    flags = ", ".join(f"BOOL_OR(day BETWEEN %(start{i})s AND %(end{i})s) AS in{i}" for i in range(offsets))
    counts = ", ".join(
        f"COUNT(*) FILTER (WHERE in{i}) AS people{i}, "
        f"COUNT(*) FILTER (WHERE in{i} AND first_day >= %(start{i})s) AS new{i}"
        for i in range(offsets)
    )
    return f"""
WITH {_events_cte(network_ids)}, per AS (
    SELECT person_id, network_id, MIN(day) AS first_day, {flags}
    FROM ev GROUP BY person_id, network_id
)
SELECT GROUPING(network_id) = 1 AS is_total, network_id, {counts}
FROM per
GROUP BY GROUPING SETS ((network_id), ())
"""  # noqa: S608 - no value from input in the text, every value a parameter


def _history_params(network_ids: Sequence[Any] | None, periods: list[Period]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "networks": list(network_ids) if network_ids is not None else None,
        "tz": settings.TIME_ZONE,
        "declined": State.DECLINED.value,
        "after0": periods[0].bounds()[1],
    }
    for i, shifted in enumerate(periods):
        params[f"start{i}"], params[f"end{i}"] = shifted.start, shifted.end
    return params


def supported_people(network_ids: Sequence[Any] | None, period: Period) -> dict[Any, bool]:
    """``{person id: new in the period}`` for everyone supported in it: the people behind the report's figures."""
    sql = f"""
WITH {_events_cte(network_ids)}
SELECT person_id, MIN(day) >= %(start0)s AS is_new FROM ev
GROUP BY person_id HAVING BOOL_OR(day BETWEEN %(start0)s AND %(end0)s)
"""  # noqa: S608 - no value from input in the text, every value a parameter
    with connections[replica_alias()].cursor() as cursor:
        cursor.execute(sql, _history_params(network_ids, [period]))
        return {person_id: bool(is_new) for person_id, is_new in cursor.fetchall()}


def people_history(
    network_ids: Sequence[Any] | None, period: Period, *, years: int = 1
) -> dict[Any, list[tuple[int, int]]]:
    """``{network id or "total": [(people supported, new people) in the period, a year earlier, …]}``, in one
    query; ``years`` periods in all (the period itself first)."""
    periods = [period.shifted(i) for i in range(years)]
    params = _history_params(network_ids, periods)
    with connections[replica_alias()].cursor() as cursor:
        cursor.execute(_history_sql(network_ids, years), params)
        names = [c.name for c in cursor.description or []]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    history: dict[Any, list[tuple[int, int]]] = {"total": [(0, 0)] * years}
    for row in rows:
        key = "total" if row["is_total"] else row["network_id"]
        history[key] = [(int(row[f"people{i}"]), int(row[f"new{i}"])) for i in range(years)]
    return history


def funding_amounts(network_ids: Sequence[Any] | None, period: Period) -> dict[str, Decimal]:
    """The amounts stated for each funding source in the calendar years the period touches, summed."""
    amounts = FundingAmount.objects.filter(year__gte=period.start.year, year__lte=period.end.year)
    if network_ids is not None:
        amounts = amounts.filter(network_id__in=list(network_ids))
    return {row["source"]: row["total"] for row in amounts.values("source").annotate(total=Sum("amount")).order_by()}
