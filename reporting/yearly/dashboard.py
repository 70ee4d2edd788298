"""The coordinator's dashboard: a network at a glance, now — people by stage and the flow between stages,
referrals waiting for an answer and how each partner answers, free places, and employment this year.

A selector: no writes, a fixed number of queries whatever the network's size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from core.replica import reads_from_replica
from employment.figures import employment_figures
from employment.models import JobPlacement
from network.models import Network, NetworkMembership
from partners.models import Service
from people.models import Case, CaseEvent, CaseEventKind
from referrals.choices import OPEN_STATES, State
from referrals.models import Referral
from reporting.yearly.shared import Median, Percentile90, days_of, page_url, stage_labels

UNANSWERED_LONG_DAYS = 14  # a sent referral without an answer for this long needs the coordinator
RESPONSIVENESS_DAYS = 365  # partner responsiveness is measured over referrals sent in this window
FLOW_QUARTERS = 4  # the dashboard's flow between stages: this quarter and the three before it


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
    from_stage: str = ""  # empty for a case opened at ``to``'s stage


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
    p90_days: float | None = None  # nine in ten answers came within this many days

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
    def transitions(self) -> list[Move]:
        """The moves from one stage to another (not the openings), most frequent first."""
        return [move for move in self.moves if move.from_stage]

    @property
    def answer_times(self) -> list[PartnerResponse]:
        """The partners that answered at least once in the window, slowest (by the median) first."""
        answered = [p for p in self.partners if p.median_days is not None]
        return sorted(answered, key=lambda p: (-(p.median_days or 0), -(p.p90_days or 0), p.name))

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


@reads_from_replica
def dashboard(network: Network, *, now: datetime.datetime | None = None) -> Dashboard:
    """Everything on the coordinator's dashboard, in eight queries whatever the network's size:

    1 people by stage with the unassigned; 2 the flow between stages by quarter; 3 referrals needing action and
    partner responsiveness; 4 free places by category; 5-7 employment (``employment_figures``); 8 open placements.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    labels = stage_labels(network)
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
            url=page_url("people-list", query=f"{query}&stage={code}"),
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
                from_stage=source,
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
            p90=Percentile90(F("answered_at") - F("sent_at"), filter=recent),
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
                median_days=days_of(row["median"]),
                p90_days=days_of(row["p90"]),
                url=page_url("partner-detail", row["to_partner_id"]),
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
            url=page_url("service-directory", query=f"{query}&category={row['category']}&free=on"),
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
            "people": page_url("people-list", query=query),
            "unassigned": page_url("people-list", query=f"{query}&unassigned=on"),
            "overdue": page_url("referral-inbox", query="overdue=on"),
            "unanswered": page_url("referral-inbox", query="status=sent"),
            "waitlisted": page_url("referral-inbox", query="status=accepted"),
            "referrals": page_url("referral-inbox"),
            "services": page_url("service-directory", query=f"{query}&free=on"),
            "report": page_url("report-monitoring", network.pk),
        },
    )


def _employment_tile(network: Network, year: int) -> EmploymentTile:
    """Employment figures of the year from ``employment.figures`` (three queries) and the open placements (one)."""
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
        url=page_url("placement-list"),
    )
