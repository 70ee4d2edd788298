"""Reads for the coordinator's dashboard, a person's path and the monitoring report (issue 8).

Everything here is a selector: no writes, and every figure is aggregated in PostgreSQL (COUNT with FILTER,
GROUPING SETS, percentile_cont), so the number of queries does not grow with the network. Python only walks
the grouped rows, whose number is bounded by the stages, partners, services and groups, never by the people.

How figures are counted (the rules the report states on its page and in its exports):

- **A person supported** in a period has at least one recorded session (an Activity) or attended at least one
  support-group meeting in it. Each person counts once in every total, however many services, partners or
  groups they used; a row of a breakdown counts the person once in that row.
- **Sessions and hours**: every Activity is one session with its own minutes (individual or group form, as
  recorded); every support-group Meeting held is one session whose duration counts once, however many people
  attended — the way the good-practice card counts "49 meetings × 2 hours = 98 hours".
- **Age** is the age reached in the last year of the period (from the birth date or birth year); sex and gmina
  as registered. A service's category and funding source come from the service of the activity or of the group.
- **The period** is a range of calendar days, both ends included, in the deployment's time zone: an activity
  on 31 December and a referral sent at 23:30 that day belong to that year; 1 January belongs to the next.
- **Referrals**: sent = sent in the period; accepted / declined = answered in the period (declined by the
  coded reason); completed, withdrawn and discontinued = closed in the period that way; median time to answer =
  from sending to the answer, over the answers given in the period.
- **Employment** comes from ``referrals.employment_figures`` (distinct people reaching each step in the period).

Small-cell suppression (the regional monitor; ``suppress_small_cells``):

1. Every figure greater than 0 and less than 5 is shown as "<5" — counts of people, and also sessions, hours,
   medians and the number of networks, so that nothing below five is ever shown exactly ("<5" stays true).
2. Where the rows of a column add up to a total that is shown (people by sex, age group and gmina; declined
   referrals by reason; sessions and hours by form, category, partner, group and funding source), a hidden
   cell could be worked out from the total and the other rows. So other figures of that column are hidden as
   "*", the smallest first, until none of its "<5" cells can be worked out exactly: a reader who knows the
   total, the shown rows and these rules knows the sum of the hidden cells, that each "<5" is from 1 to 4
   (0.1 to 4.9 for hours) and each "*" is at least 5; cells are hidden until that sum leaves every "<5" cell at
   least two possible values. A lone "<5" always takes a "*" with it; two or more "<5" cells need one only when
   their sum gives them away (all 1, or all 4). If no figure is left to hide, the column's total is hidden.
3. People in the rows of category, partner, form, group and funding tables do not add up (a person counts once
   in each row they appear in), so no cell follows from their total; rule 2 does not apply to them. The rules
   protect against exact disclosure, not against narrowing a "<5" to a smaller range.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, Sum
from django.db.models.functions import TruncQuarter
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.models import Network, NetworkMembership
from partners.choices import FundingSource, PathStage
from partners.models import Partner, Service
from people.access import PersonAccess
from people.models import (
    Activity,
    Assessment,
    Attendance,
    Case,
    CaseEvent,
    CaseEventKind,
    Meeting,
    Person,
    Sex,
    SupportGroup,
)
from referrals.choices import OPEN_STATES, ReasonCode, State
from referrals.models import Referral, ReferralEvent

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
UNANSWERED_LONG_DAYS = 14  # a sent referral without an answer for this long needs the coordinator
RESPONSIVENESS_DAYS = 365  # partner responsiveness is measured over referrals sent in this window
FLOW_QUARTERS = 4  # the dashboard's flow between stages: this quarter and the three before it
EMPLOYMENT_STEPS = ("proposed", "interviewed", "hired", "retained_1m", "retained_3m", "retained_6m")

SMALL = "<5"  # a figure from 1 to 4 (or any figure above 0 and below 5), for the regional monitor
HIDDEN = "*"  # a figure hidden so that a "<5" next to it cannot be worked out from the total
SMALL_LIMIT = 5

Value = int | float | str | None


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of an expression (NULLs ignored)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


# --- the period ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Calendar days from ``start`` to ``end``, both included, in the deployment's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        )

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first midnight, the midnight after the last day): for timestamps."""
        first = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        after = timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))
        return first, after

    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


MAX_PERIOD_DAYS = 5 * 366  # a longer range is a mistake more often than a wish, and a heavy query


def parse_period(params: Mapping[str, Any], *, today: datetime.date | None = None) -> Period:
    """The period asked for: ``from`` and ``to`` (ISO dates) when given, else ``year``, else the current year.

    Bad input is a ValidationError with a message for people and a stable code.
    """
    today = today or timezone.localdate()
    start_raw, end_raw = str(params.get("from") or "").strip(), str(params.get("to") or "").strip()
    if start_raw or end_raw:
        if not (start_raw and end_raw):
            raise ValidationError(_("Give both the first and the last day of the period."), code="period_incomplete")
        try:
            start, end = datetime.date.fromisoformat(start_raw), datetime.date.fromisoformat(end_raw)
        except ValueError:
            raise ValidationError(_("Dates look like 2025-01-31."), code="period_invalid") from None
        if start > end:
            raise ValidationError(_("The period cannot end before it starts."), code="period_reversed")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(_("The period can be at most five years long."), code="period_too_long")
        return Period(start, end)
    year_raw = str(params.get("year") or "").strip()
    if not year_raw:
        return Period.year(today.year)
    try:
        year = int(year_raw)
    except ValueError:
        raise ValidationError(_("The year is a number such as 2025."), code="year_invalid") from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationError(
            _("Choose a year from 2000 to %(last)s.") % {"last": today.year + 1}, code="year_out_of_range"
        )
    return Period.year(year)


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


def _days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86_400, 1)


def _link(name: str, *args: Any, query: str = "") -> str | None:
    """A page's address, or None while the page is not routed in this configuration."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


# --- the coordinator's dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    code: str
    label: str
    people: int
    unassigned: int
    url: str | None


@dataclass(frozen=True)
class QuarterFlow:
    start: datetime.date
    label: str
    entered: dict[str, int]  # stage code -> cases that entered it (opened there or moved there)
    closed: int


@dataclass(frozen=True)
class Move:
    from_label: str
    to_label: str
    counts: list[int]  # per quarter, oldest first
    total: int


@dataclass(frozen=True)
class PartnerResponse:
    partner_id: Any
    name: str
    received: int
    answered: int
    accepted: int
    declined: int
    open: int
    overdue: int
    median_days: float | None
    url: str | None

    @property
    def acceptance_rate(self) -> int | None:
        """Accepted answers as a share of all answers, in per cent."""
        return round(100 * self.accepted / self.answered) if self.answered else None


@dataclass(frozen=True)
class PlacesRow:
    category: str
    label: str
    services: int
    capacity: int
    taken: int
    full: int
    unlimited: int
    url: str | None

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class EmploymentTile:
    year: int
    proposed: int = 0
    interviewed: int = 0
    hired: int = 0
    retained_1m: int = 0
    retained_3m: int = 0
    retained_6m: int = 0
    open_placements: int = 0
    positions: int = 0
    employed_now: int = 0
    coaches_over_limit: int = 0
    days_to_first_employer_contact: float | None = None
    available: bool = True  # False when the employment module is missing (the figures are zeros)
    url: str | None = None

    def retention_rate(self, months: int) -> int | None:
        retained = {1: self.retained_1m, 3: self.retained_3m, 6: self.retained_6m}[months]
        return round(100 * retained / self.hired) if self.hired else None


@dataclass(frozen=True)
class Dashboard:
    network: Network
    stages: list[StageRow]
    quarters: list[QuarterFlow]
    moves: list[Move]
    referrals_open: int
    overdue: int
    unanswered_long: int
    waitlisted: int
    partners: list[PartnerResponse]
    places: list[PlacesRow]
    employment: EmploymentTile
    links: dict[str, str | None]

    @property
    def people(self) -> int:
        return sum(row.people for row in self.stages)

    @property
    def unassigned(self) -> int:
        return sum(row.unassigned for row in self.stages)

    @property
    def free_places(self) -> int:
        return sum(row.free for row in self.places)

    @property
    def full_services(self) -> int:
        return sum(row.full for row in self.places)

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.partners)

    @property
    def acceptance_rate(self) -> int | None:
        answered = self.answered
        return round(100 * sum(row.accepted for row in self.partners) / answered) if answered else None


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _previous_quarter(day: datetime.date) -> datetime.date:
    return datetime.date(day.year - 1, 10, 1) if day.month == 1 else datetime.date(day.year, day.month - 3, 1)


def _stage_labels(network: Network) -> dict[str, str]:
    labels = dict(network.stage_choices())
    for code, label in PathStage.choices:
        labels.setdefault(code, str(label))
    return labels


def dashboard(network: Network, *, now: datetime.datetime | None = None) -> Dashboard:
    """Everything on the coordinator's dashboard, in eight queries whatever the network's size:

    1 people by stage with the unassigned; 2 the flow between stages by quarter; 3 referrals needing action and
    partner responsiveness; 4 free places by category; 5-7 employment (``employment_figures``); 8 open placements.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    labels = _stage_labels(network)
    query = f"network={network.pk}"

    # 1. Open cases by stage; a case without a case manager is "unassigned".
    by_stage = {
        row["stage"]: row
        for row in Case.objects.open()
        .filter(network=network)
        .values("stage")
        .annotate(people=Count("person_id", distinct=True), unassigned=Count("id", filter=Q(case_manager__isnull=True)))
        .order_by()
    }
    codes = [code for code, _label in network.stage_choices()]
    codes += sorted(set(by_stage) - set(codes))
    stages = [
        StageRow(
            code=code,
            label=labels.get(code, code),
            people=by_stage.get(code, {}).get("people", 0),
            unassigned=by_stage.get(code, {}).get("unassigned", 0),
            url=_link("people-list", query=f"{query}&stage={code}"),
        )
        for code in codes
    ]

    # 2. The flow: cases that entered each stage (opened there or moved there) and cases closed, by quarter.
    starts = [_quarter_start(today)]
    while len(starts) < FLOW_QUARTERS:
        starts.insert(0, _previous_quarter(starts[0]))
    first = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time.min))
    flow_rows = (
        CaseEvent.objects.filter(
            case__network=network,
            kind__in=[CaseEventKind.OPENED, CaseEventKind.STAGE, CaseEventKind.CLOSED],
            at__gte=first,
        )
        .annotate(quarter=TruncQuarter("at"))
        .values("quarter", "kind", "from_stage", "to_stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    entered: dict[datetime.date, dict[str, int]] = {start: {} for start in starts}
    closed: dict[datetime.date, int] = dict.fromkeys(starts, 0)
    moves: dict[tuple[str, str], list[int]] = {}
    for row in flow_rows:
        quarter = timezone.localtime(row["quarter"]).date() if row["quarter"].tzinfo else row["quarter"].date()
        if quarter not in entered:
            continue
        if row["kind"] == CaseEventKind.CLOSED:
            closed[quarter] += row["n"]
            continue
        stage = row["to_stage"]
        entered[quarter][stage] = entered[quarter].get(stage, 0) + row["n"]
        source = row["from_stage"] if row["kind"] == CaseEventKind.STAGE else ""
        counts = moves.setdefault((source, stage), [0] * len(starts))
        counts[starts.index(quarter)] += row["n"]
    quarters = [
        QuarterFlow(
            start=start,
            label=_("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year},
            entered=entered[start],
            closed=closed[start],
        )
        for start in starts
    ]
    move_rows = sorted(
        (
            Move(
                from_label=labels.get(source, source) if source else _("new case"),
                to_label=labels.get(target, target),
                counts=counts,
                total=sum(counts),
            )
            for (source, target), counts in moves.items()
        ),
        key=lambda move: (-move.total, move.from_label, move.to_label),
    )

    # 3. Referrals: what needs the coordinator now (open ones, any age) and how each partner answers (sent in
    #    the last year), one row per receiving partner; the network's totals are the sums of those rows.
    window = now - datetime.timedelta(days=RESPONSIVENESS_DAYS)
    long_ago = now - datetime.timedelta(days=UNANSWERED_LONG_DAYS)
    recent = Q(sent_at__gte=window)
    referral_rows = list(
        Referral.objects.filter(network=network)
        .filter(recent | Q(state__in=OPEN_STATES))
        .values("to_partner_id", "to_partner__name", "to_partner__short_name")
        .annotate(
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            overdue=Count("id", filter=Q(state=State.SENT, due_by__lt=now)),
            unanswered_long=Count("id", filter=Q(state=State.SENT, sent_at__lt=long_ago)),
            waitlisted=Count("id", filter=Q(state=State.ACCEPTED, waitlisted_at__isnull=False)),
            received=Count("id", filter=recent),
            answered=Count("id", filter=recent & Q(answered_at__isnull=False)),
            declined=Count("id", filter=recent & Q(state=State.DECLINED)),
            median=Median(F("answered_at") - F("sent_at"), filter=recent),
        )
        .order_by()
    )
    partners = sorted(
        (
            PartnerResponse(
                partner_id=row["to_partner_id"],
                name=row["to_partner__short_name"] or row["to_partner__name"],
                received=row["received"],
                answered=row["answered"],
                accepted=row["answered"] - row["declined"],
                declined=row["declined"],
                open=row["open"],
                overdue=row["overdue"],
                median_days=_days(row["median"]),
                url=_link("partner-detail", row["to_partner_id"]),
            )
            for row in referral_rows
        ),
        key=lambda p: (-p.overdue, -(p.median_days or 0), p.name),
    )

    # 4. Places in the services of the network's current partners, by category (path stage).
    members = NetworkMembership.objects.current().filter(network=network).values("partner_id")
    limited = Q(capacity__isnull=False)
    places = [
        PlacesRow(
            category=row["category"],
            label=labels.get(row["category"], row["category"]),
            services=row["services"],
            capacity=row["places"] or 0,
            taken=row["taken"] or 0,
            full=row["full"],
            unlimited=row["unlimited"],
            url=_link("service-directory", query=f"{query}&category={row['category']}&free=on"),
        )
        for row in Service.objects.filter(is_active=True, partner_id__in=members)
        .values("category")
        .annotate(
            services=Count("id"),
            places=Sum("capacity", filter=limited),
            taken=Sum("load", filter=limited),
            full=Count("id", filter=limited & Q(load__gte=F("capacity"))),
            unlimited=Count("id", filter=Q(capacity__isnull=True)),
        )
        .order_by()
    ]
    order = {code: i for i, code in enumerate(codes)}
    places.sort(key=lambda row: (order.get(row.category, len(order)), row.category))

    return Dashboard(
        network=network,
        stages=stages,
        quarters=quarters,
        moves=move_rows,
        referrals_open=sum(row["open"] for row in referral_rows),
        overdue=sum(row["overdue"] for row in referral_rows),
        unanswered_long=sum(row["unanswered_long"] for row in referral_rows),
        waitlisted=sum(row["waitlisted"] for row in referral_rows),
        partners=partners,
        places=places,
        employment=_employment_tile(network, today.year),
        links={
            "people": _link("people-list", query=query),
            "unassigned": _link("people-list", query=f"{query}&unassigned=on"),
            "overdue": _link("referral-inbox", query="overdue=on"),
            "unanswered": _link("referral-inbox", query="status=sent"),
            "waitlisted": _link("referral-inbox", query="status=accepted"),
            "referrals": _link("referral-inbox"),
            "services": _link("service-directory", query=f"{query}&free=on"),
            "report": _link("report-monitoring", network.pk),
        },
    )


def _employment_tile(network: Network, year: int) -> EmploymentTile:
    """Employment figures of the year from ``referrals.employment_figures`` (three queries) and the open
    placements (one query). Without the employment module the tile reads zeros and says so."""
    try:
        from employment.figures import employment_figures
        from employment.models import JobPlacement
    except ImportError:
        return EmploymentTile(year=year, available=False)
    figures = employment_figures(network, year=year)
    placements = (
        JobPlacement.objects.open()
        .filter(network=network)
        .aggregate(placements=Count("id"), positions=Sum("positions"), employed=Sum("hired_count"))
    )
    return EmploymentTile(
        year=year,
        proposed=figures.proposed,
        interviewed=figures.interviewed,
        hired=figures.hired,
        retained_1m=figures.retained_1m,
        retained_3m=figures.retained_3m,
        retained_6m=figures.retained_6m,
        open_placements=placements["placements"] or 0,
        positions=placements["positions"] or 0,
        employed_now=placements["employed"] or 0,
        coaches_over_limit=len(figures.coaches_over_limit),
        days_to_first_employer_contact=figures.days_to_first_employer_contact_median,
        url=_link("placement-list"),
    )


# --- the monitoring report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    additive: bool = False  # the rows add up to the total row: a partition (see the module's rule 2)
    unit: float = 1  # the smallest step of the figures: 1 for counts, 0.1 for hours (rounded to one decimal)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: dict[str, Value]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    chart: str | None = None  # the column drawn as bars on the page

    def as_dict(self) -> dict[str, Any]:
        def row(r: Row) -> dict[str, Any]:
            return {"key": r.key, "label": r.label, **{c.key: r.values.get(c.key) for c in self.columns}}

        return {
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [row(r) for r in self.rows],
            "total": row(self.total) if self.total is not None else None,
        }


@dataclass(frozen=True)
class MonitoringReport:
    title: str
    scope: str  # the network's name, or "all networks"
    network: Network | None
    networks: int
    period: Period
    tables: list[Table]
    suppressed: bool = False
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def value(self, table: str, row: str, column: str = "value") -> Value:
        t = self.table(table)
        if row == "total" and t.total is not None:
            return t.total.values.get(column)
        return next(r.values.get(column) for r in t.rows if r.key == row)

    @property
    def networks_shown(self) -> Value:
        """How many networks are summed; a suppressed report keeps even this below five as "<5"."""
        return SMALL if self.suppressed and _is_small(self.networks) else self.networks

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "scope": self.scope,
            "network": {"id": str(self.network.pk), "name": self.network.name} if self.network else None,
            "networks": self.networks_shown,
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "year": self.period.start.year if self.period.is_calendar_year else None,
            },
            "suppressed": self.suppressed,
            "generated_at": self.generated_at.isoformat(),
            "rules": rules_text(self.suppressed),
            "tables": {t.key: t.as_dict() for t in self.tables},
        }


def rules_text(suppressed: bool) -> list[str]:
    rules = [
        _(
            "A person counts as supported when at least one session or support-group meeting is recorded for "
            "them in the period; each person counts once in every total."
        ),
        _(
            "Hours: the minutes of each recorded session, and the duration of each support-group meeting counted "
            "once, however many people attended."
        ),
        _("Age is the age reached in the last year of the period."),
    ]
    if suppressed:
        rules.append(
            _(
                'Figures from 1 to 4 (and any figure above 0 and below 5) are shown as "<5". Where rows add up '
                'to a total, other figures are hidden too ("*") so that no "<5" can be worked out from it.'
            )
        )
    return rules


SEX_LABELS = {Sex.FEMALE.value: gettext_lazy("women"), Sex.MALE.value: gettext_lazy("men")}
FORM_LABELS = {
    "individual": gettext_lazy("individual sessions"),
    "group": gettext_lazy("group sessions"),
    "support_group": gettext_lazy("support group meetings"),
}
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
    WHERE m.held_on BETWEEN %(start)s AND %(end)s {group_net}
  UNION ALL
    SELECT att.person_id, g.partner_id, COALESCE(s.category, ''), COALESCE(s.funding_source, ''),
           'support_group', g.id, 0, 0
    FROM {t["attendance"]} att
    JOIN {t["meeting"]} m ON m.id = att.meeting_id
    JOIN {t["group"]} g ON g.id = m.group_id
    LEFT JOIN {t["service"]} s ON s.id = g.service_id
    WHERE m.held_on BETWEEN %(start)s AND %(end)s {group_net}
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


def _people_sessions(network_ids: Sequence[Any] | None, period: Period) -> dict[str, list[dict[str, Any]]]:
    params: dict[str, Any] = {
        "start": period.start,
        "end": period.end,
        "ref_year": period.end.year,
        "networks": list(network_ids) if network_ids is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_sessions_sql(network_ids), params)
        names = [c.name for c in cursor.description or []]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_dimension.setdefault(row["dimension"], []).append(row)
    return by_dimension


def _referral_figures(network_ids: Sequence[Any] | None, period: Period) -> tuple[dict[str, Any], dict[str, int]]:
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


def employment_steps(network_ids: Sequence[Any] | None, period: Period) -> tuple[dict[str, int], bool]:
    """People proposed, interviewed, hired and retained in the period: ``(figures, available)``.

    One network and a calendar year: ``referrals.employment_figures.employment_figures`` itself. Any other
    range or several networks: the same rule (distinct people with that step in the applications' timeline in
    the period, ``STEPS`` of that module) in one query, because the module takes one network and a year.
    Without the employment module: zeros, and ``available`` is False.
    """
    try:
        from employment import figures as module
        from employment.models import ApplicationEvent
    except ImportError:
        return dict.fromkeys(EMPLOYMENT_STEPS, 0), False
    if network_ids is not None and len(network_ids) == 1 and period.is_calendar_year:
        figures = module.employment_figures(network_ids[0], year=period.start.year)
        return {step: int(getattr(figures, step)) for step in EMPLOYMENT_STEPS}, True
    first, after = period.bounds()
    events = ApplicationEvent.objects.filter(at__gte=first, at__lt=after)
    if network_ids is not None:
        events = events.filter(application__network_id__in=list(network_ids))
    steps = events.aggregate(
        **{
            step: Count("application__person_id", distinct=True, filter=Q(action=module.STEPS[step]))
            for step in EMPLOYMENT_STEPS
        }
    )
    return {step: int(steps[step] or 0) for step in EMPLOYMENT_STEPS}, True


def monitoring_report(network: Network | None, period: Period) -> MonitoringReport:
    """The monitoring report of one network, or (``network=None``) summed over every network of the deployment.

    Five queries for a network (people, sessions and hours by every dimension in one; referrals in two;
    employment) plus the employment module's own, whatever the size.
    """
    network_ids = [network.pk] if network is not None else None
    dims = _people_sessions(network_ids, period)
    totals, reasons = _referral_figures(network_ids, period)
    employment, employment_available = employment_steps(network_ids, period)
    networks = 1 if network is not None else Network.objects.count()

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
            values |= {"sessions": int(row.get("sessions") or 0), "hours": _hours(row.get("minutes"))}
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
                {"people": int(row["people"]), "meetings": int(row["sessions"]), "hours": _hours(row["minutes"])},
            )
            for row in dims.get("group_id", [])
            if row["group_id"] is not None
        ),
        key=lambda r: (r.label.lower(), r.key),
    )
    groups_total = by_form.get("support_group") or {}

    by_funding = pick("funding", "funding")
    funding_rows = [
        Row(code, str(label), figures(by_funding.get(code)))
        for code, label in [*FundingSource.choices, ("", _("not given"))]
        if code in by_funding
    ]

    median = _days(totals.pop("median"))
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
        Row("sessions", _("sessions and meetings"), {"value": int(total_row["sessions"] or 0)}),
        Row("hours", _("hours of support"), {"value": _hours(total_row["minutes"])}),
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
                    "hours": _hours(groups_total.get("minutes")),
                },
            ),
            "hours",
        ),
        Table("by_funding", _("By funding source"), person_cols, funding_rows, total(), "hours"),
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
            _("Supported employment") if employment_available else _("Supported employment (module not installed)"),
            value_col,
            employment_rows,
            None,
            "value",
        ),
    ]
    return MonitoringReport(
        title=_("Monitoring report"),
        scope=network.name if network is not None else _("all networks of the region"),
        network=network,
        networks=networks,
        period=period,
        tables=tables,
    )


def regional_report(period: Period) -> MonitoringReport:
    """The same figures summed over every network, with small cells suppressed: what a regional monitor reads."""
    return suppress_small_cells(monitoring_report(None, period))


# --- small-cell suppression -------------------------------------------------------------------------


def _is_small(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < SMALL_LIMIT


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _exposed(small: list[float], starred: list[float], unit: float) -> bool:
    """Whether a reader who knows the total, the shown cells and these rules could work out a hidden small cell.

    They know the sum S of the hidden cells, that each "<5" lies in [unit, 5 - unit] and each "*" is at least 5.
    With a "*" among them, a small cell is pinned only when every hidden cell sits at its floor (S - floors below
    one unit). Without one, only when every small cell is at the floor or every one at the ceiling (one small
    cell alone is always pinned: the total minus the others).
    """
    total = sum(small) + sum(starred)
    eps = unit / 10
    if starred:
        floors = len(small) * unit + len(starred) * SMALL_LIMIT
        return total - floors < unit - eps
    k = len(small)
    return k == 1 or abs(total - k * unit) < eps or abs(total - k * (SMALL_LIMIT - unit)) < eps


def _suppress_table(table: Table) -> Table:
    def primary(row: Row) -> Row:
        return replace(row, values={k: SMALL if _is_small(v) else v for k, v in row.values.items()})

    rows = [primary(row) for row in table.rows]
    total = primary(table.total) if table.total is not None else None
    for column in table.columns:
        key = column.key
        if not column.additive or total is None or _number(total.values.get(key)) is None:
            continue
        original = [_number(row.values.get(key)) for row in table.rows]
        small = [v for v in original if v is not None and 0 < v < SMALL_LIMIT]
        if not small:
            continue
        # Complementary cells: the smallest shown ones first, until no small cell can be worked out.
        candidates = sorted(
            (value, index) for index, value in enumerate(original) if value is not None and value >= SMALL_LIMIT
        )
        starred: list[float] = []
        while _exposed(small, starred, column.unit) and candidates:
            value, index = candidates.pop(0)
            starred.append(value)
            rows[index] = replace(rows[index], values={**rows[index].values, key: HIDDEN})
        if _exposed(small, starred, column.unit):
            # Nothing left to hide in the rows: the total goes instead.
            total = replace(total, values={**total.values, key: HIDDEN})
    return replace(table, rows=rows, total=total)


def suppress_small_cells(report: MonitoringReport) -> MonitoringReport:
    """The report as a regional monitor may read it (rules in this module's docstring)."""
    return replace(report, tables=[_suppress_table(t) for t in report.tables], suppressed=True)


# --- a person's path ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathEntry:
    at: datetime.datetime
    kind: str  # stage | referral | activity | group | assessment | placement
    kind_label: str
    title: str
    partner: str = ""
    detail: str = ""
    url: str | None = None

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.at).date()


def _at(day: datetime.date) -> datetime.datetime:
    # A date-only record sorts at noon, after that morning's stage change and before the evening's answer.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _minutes_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


KIND_LABELS = {
    "stage": gettext_lazy("path"),
    "referral": gettext_lazy("referral"),
    "activity": gettext_lazy("session"),
    "group": gettext_lazy("support group"),
    "assessment": gettext_lazy("assessment"),
    "placement": gettext_lazy("work"),
}


def _entry(at: datetime.datetime, kind: str, title: str, **extra: Any) -> PathEntry:
    return PathEntry(at=at, kind=kind, kind_label=str(KIND_LABELS[kind]), title=title, **extra)


def person_path(access: PersonAccess, user: Any) -> list[PathEntry]:
    """One timeline across partners, oldest first, of what this reader may see of the person.

    Stage changes for everyone who sees the person (as on the person page); referrals the reader sees, with
    their answers; sessions and group attendance of every partner for those who run the path (coordinator,
    case manager), else of the reader's own partners only (which institutions a person goes to tells about
    their health); assessments with the health category; placements with the employment category.
    A fixed number of queries (at most eight), whatever the length of the path.
    """
    from core.scope import scope_for
    from referrals.selectors import referral_list
    from referrals.services import ACTION_LABELS

    person = access.person
    entries: list[PathEntry] = []
    labels = _stage_labels(person.network)
    own_partners = None if access.can_change_path else frozenset(scope_for(user).staff_partner_ids)

    for event in CaseEvent.objects.filter(case__person=person).select_related("to_partner").order_by("at", "id"):
        if event.kind == CaseEventKind.OPENED:
            title = _("Case opened at the stage: %(stage)s") % {"stage": labels.get(event.to_stage, event.to_stage)}
        elif event.kind == CaseEventKind.STAGE:
            title = _("Stage: %(from)s → %(to)s") % {
                "from": labels.get(event.from_stage, event.from_stage),
                "to": labels.get(event.to_stage, event.to_stage),
            }
        elif event.kind == CaseEventKind.TRANSFER:
            title = _("Case transferred")
        else:
            title = _("Case closed")
        partner = str(event.to_partner) if event.to_partner_id else ""
        entries.append(_entry(event.at, "stage", title, partner=partner, detail=event.note))

    visible = referral_list(user, person=person.pk).order_by()
    events = (
        ReferralEvent.objects.filter(referral__in=visible.values("pk"))
        .exclude(action__in=["overdue", "place"])
        .select_related("referral__to_partner", "referral__service")
        .order_by("at", "id")
    )
    reasons = dict(ReasonCode.choices)
    for ref_event in events:
        referral = ref_event.referral
        action = str(ACTION_LABELS.get(ref_event.action, ref_event.action))
        target = referral.service.name if referral.service is not None else str(referral.to_partner)
        title = _("Referral to %(target)s: %(action)s") % {"target": target, "action": action}
        detail = str(reasons.get(ref_event.reason_code, "")) if ref_event.reason_code else ""
        entries.append(
            _entry(
                ref_event.at,
                "referral",
                title,
                partner=str(referral.to_partner),
                detail=detail,
                url=_link("referral-detail", referral.pk),
            )
        )

    activities = Activity.objects.filter(person=person).select_related("partner", "service")
    if own_partners is not None:
        activities = activities.filter(partner_id__in=own_partners)
    for activity in activities.order_by("occurred_on", "created_at"):
        title = activity.service.name if activity.service is not None else str(FORM_LABELS[activity.kind])
        detail = " — ".join(part for part in [_minutes_label(activity.minutes), activity.topic] if part)
        entries.append(
            _entry(_at(activity.occurred_on), "activity", title, partner=str(activity.partner), detail=detail)
        )

    attendance = Attendance.objects.filter(person=person).select_related("meeting__group__partner")
    if own_partners is not None:
        attendance = attendance.filter(meeting__group__partner_id__in=own_partners)
    for present in attendance.order_by("meeting__held_on", "id"):
        meeting = present.meeting
        detail = " — ".join(part for part in [_minutes_label(meeting.duration_minutes), meeting.topic] if part)
        entries.append(
            _entry(
                _at(meeting.held_on),
                "group",
                meeting.group.name,
                partner=str(meeting.group.partner),
                detail=detail,
                url=_link("group-detail", meeting.group_id),
            )
        )

    if access.can_read("health"):
        language = (translation.get_language() or "pl")[:2]
        for assessment in Assessment.objects.filter(person=person).select_related("instrument", "partner"):
            name = assessment.instrument.name_en if language == "en" else assessment.instrument.name_pl
            entries.append(
                _entry(
                    _at(assessment.assessed_on),
                    "assessment",
                    name,
                    partner=str(assessment.partner) if assessment.partner_id else "",
                    url=_link("person-assessments", person.pk),
                )
            )

    if access.can_read("employment"):
        entries += _placement_entries(person, user)

    entries.sort(key=lambda e: e.at)
    return entries


def _placement_entries(person: Person, user: Any) -> list[PathEntry]:
    try:
        from employment.applications import STAGE_LABELS, applications_visible_to
        from employment.models import ApplicationEvent
    except ImportError:
        return []
    visible = applications_visible_to(user).filter(person=person)
    entries = []
    for event in (
        ApplicationEvent.objects.filter(application__in=visible.values("pk"))
        .select_related("application__placement", "application__employer")
        .order_by("at", "id")
    ):
        application = event.application
        stage = STAGE_LABELS.get(event.to_stage, event.to_stage)
        title = _("%(placement)s: %(stage)s") % {"placement": application.placement.title, "stage": stage}
        entries.append(
            _entry(
                event.at,
                "placement",
                title,
                partner=str(application.employer),
                url=_link("application-detail", application.pk),
            )
        )
    return entries


def current_plan(person: Person) -> dict[str, Any]:
    """The open case and its current support plan with goals (four queries)."""
    from people.plans import plan_context

    cases = Case.objects.open().filter(person=person)
    case = cases.select_related("case_manager", "managing_partner", "network").first()
    return {"case": case, **plan_context(case)}
