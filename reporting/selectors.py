"""Reads of what reporting keeps: a network's report for a period — frozen when its coordinator closed it, live
otherwise — the funding a network stated, and which networks sent their report for a period (the regional
monitor's view). Every door reads a network's report through ``network_report``: one place decides which
figures a period has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from network.models import Network
from reporting.models import FundingAmount, ReportClosure, ReportClosureEvent
from reporting.services import closure_details
from reporting.yearly import MonitoringReport, Period, monitoring_report


def closure_of(network: Network, period: Period) -> ReportClosure | None:
    return (
        ReportClosure.objects.filter(network=network, start=period.start, end=period.end)
        .select_related("closed_by")
        .prefetch_related(Prefetch("events", queryset=ReportClosureEvent.objects.select_related("actor")))
        .first()
    )


def network_report(network: Network, period: Period) -> tuple[MonitoringReport, ReportClosure | None]:
    """The report the page, the API and the files show: the snapshot of a closed period, else live figures."""
    closure = closure_of(network, period)
    if closure is not None and closure.is_closed:
        report = MonitoringReport.from_snapshot(closure.snapshot, network=network, closed=closure_details(closure))
        return report, closure
    return monitoring_report(network, period), closure


def funding_of(network: Network) -> QuerySet[FundingAmount]:
    return FundingAmount.objects.filter(network=network).select_related("recorded_by").order_by("-year", "source")


def get_funding_for(network: Network, funding_id: Any) -> FundingAmount:
    """A funding row of this network; 404 for another network's or a missing one (the caller checked the
    network)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(FundingAmount.objects.select_related("network"), network=network, pk=funding_id)


@dataclass(frozen=True)
class Submission:
    network: Network
    closure: ReportClosure | None

    @property
    def status(self) -> str:
        return self.closure.status if self.closure is not None else "open"

    def as_dict(self) -> dict[str, Any]:
        details = closure_details(self.closure) if self.closure is not None else None
        return {
            "network": {"id": str(self.network.pk), "name": self.network.name, "teryt": self.network.teryt},
            "status": self.status,
            "closed_at": details["closed_at"] if details and self.closure and self.closure.is_closed else None,
            "closed_by": details["closed_by"] if details and self.closure and self.closure.is_closed else None,
        }


def submissions(period: Period) -> list[Submission]:
    """Every network and whether it sent its report for the period: two queries, whatever the number."""
    closures = {
        c.network_id: c
        for c in ReportClosure.objects.filter(start=period.start, end=period.end).select_related("closed_by")
    }
    return [Submission(n, closures.get(n.pk)) for n in Network.objects.order_by("name", "id")]
