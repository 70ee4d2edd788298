"""The main navigation, by role. Items appear as the capabilities behind them exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from core.types import AuthUser


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str


def navigation_for(user: AuthUser) -> list[NavItem]:
    from core.scope import scope_for

    scope = scope_for(user)
    items = [NavItem(_("Start"), reverse("home"), "home")]
    if scope.reads_people and (scope.is_coordinator or scope.staff_partner_ids):
        items.append(NavItem(_("My work"), reverse("worklist"), "worklist"))
    if scope.is_coordinator or scope.staff_partner_ids:
        items.append(NavItem(_("People"), reverse("people-list"), "people-list"))
        items.append(NavItem(_("Referrals"), reverse("referral-inbox"), "referral-inbox"))
        items.append(NavItem(_("Supported job placements"), reverse("placement-list"), "placement-list"))
    if scope.is_coordinator or scope.job_coach_partner_ids:
        items.append(NavItem(_("Job coaches' caseload"), reverse("coach-caseload"), "coach-caseload"))
    items.append(NavItem(_("Service directory"), reverse("service-directory"), "service-directory"))
    for network_id in sorted(scope.coordinated_network_ids)[:1]:
        items.append(NavItem(_("Dashboard"), reverse("report-dashboard", args=[network_id]), "report-dashboard"))
        items.append(NavItem(_("My network"), reverse("network-overview", args=[network_id]), "network-overview"))
    if scope.is_monitor:
        items.append(NavItem(_("Regional report"), reverse("report-regional"), "report-regional"))
    for partner_id in sorted(scope.staff_partner_ids)[:1]:
        items.append(NavItem(_("My institution"), reverse("partner-detail", args=[partner_id]), "partner-detail"))
    if user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    return items
