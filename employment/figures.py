"""Supported-employment figures of one network for the dashboard and reports, in three queries whatever the size:

- people proposed to an employer, invited to an interview, hired, and retained at 1, 3 and 6 months
  (distinct people with that step in the period, from the applications' timelines);
- days from the opening of a person's case to their first contact with an employer (the first proposal to a
  placement while the case was open): median and mean;
- the caseload of each job coach (people employed now), flagged above 20.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from employment.models import ApplicationEvent, PlacementApplication, Stage
from employment.placements import CoachLoad, caseload_by_coach

STEPS = {
    "proposed": "propose",
    "interviewed": Stage.INTERVIEW,
    "offered": Stage.OFFERED,
    "hired": Stage.HIRED,
    "retained_1m": Stage.RETAINED_1M,
    "retained_3m": Stage.RETAINED_3M,
    "retained_6m": Stage.RETAINED_6M,
}


@dataclass(frozen=True)
class EmploymentFigures:
    proposed: int = 0
    interviewed: int = 0
    offered: int = 0
    hired: int = 0
    retained_1m: int = 0
    retained_3m: int = 0
    retained_6m: int = 0
    people_with_employer_contact: int = 0
    days_to_first_employer_contact_median: float | None = None
    days_to_first_employer_contact_mean: float | None = None
    caseload: list[CoachLoad] = field(default_factory=list)

    def retention_rate(self, months: int) -> float | None:
        """Share of the people hired who were retained at the checkpoint, in per cent."""
        retained = {1: self.retained_1m, 3: self.retained_3m, 6: self.retained_6m}[months]
        return round(100 * retained / self.hired, 1) if self.hired else None

    @property
    def coaches_over_limit(self) -> list[CoachLoad]:
        return [load for load in self.caseload if load.over_limit]

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in STEPS},
            "retention_rate_1m": self.retention_rate(1),
            "retention_rate_3m": self.retention_rate(3),
            "retention_rate_6m": self.retention_rate(6),
            "people_with_employer_contact": self.people_with_employer_contact,
            "days_to_first_employer_contact_median": self.days_to_first_employer_contact_median,
            "days_to_first_employer_contact_mean": self.days_to_first_employer_contact_mean,
            "caseload": [
                {"coach": str(load.coach_id), "name": load.name, "people": load.people, "over_limit": load.over_limit}
                for load in self.caseload
            ],
        }


def employment_figures(network: Any, *, year: int | None = None) -> EmploymentFigures:
    network_id = getattr(network, "pk", network)
    # 1. Steps reached, by distinct people.
    events = ApplicationEvent.objects.filter(application__network_id=network_id)
    if year is not None:
        events = events.filter(at__year=year)
    steps = events.aggregate(
        **{
            name: Count("application__person_id", distinct=True, filter=Q(action=action))
            for name, action in STEPS.items()
        }
    )
    # 2. From the case opening to the first proposal to an employer while that case was open. Driven from the
    #    applications (few) rather than from every case of the network; one filter() so the conditions hold
    #    for the same case row.
    cases = (
        PlacementApplication.objects.filter(
            Q(person__cases__closed_on__isnull=True) | Q(created_at__date__lte=F("person__cases__closed_on")),
            network_id=network_id,
            person__cases__network_id=network_id,
            created_at__date__gte=F("person__cases__opened_on"),
        )
        .values("person__cases__id", "person__cases__opened_on")
        .annotate(first=Min("created_at"))
        .values_list("person__cases__opened_on", "first")
    )
    if year is not None:
        cases = cases.filter(first__year=year)
    days = [(timezone.localtime(first).date() - opened_on).days for opened_on, first in cases]
    # 3. Job coaches' caseloads.
    caseload = caseload_by_coach([network_id])
    return EmploymentFigures(
        **steps,
        people_with_employer_contact=len(days),
        days_to_first_employer_contact_median=float(statistics.median(days)) if days else None,
        days_to_first_employer_contact_mean=round(statistics.fmean(days), 1) if days else None,
        caseload=caseload,
    )
