"""The writes reporting owns, each in one transaction with its log row and its notification: the funding a
network states for a year, and closing a period's report (its figures frozen and sent to the region) or
reopening it for a correction, with the reason.

Only a network's coordinators do these; a closed period's report is read from its snapshot by every door
(``reporting.selectors.network_report``), so the page, the API and the CSV, XLSX and PDF files agree.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from core.scope import scope_for
from network.models import Network
from notifications.services import notify
from partners.choices import FundingSource
from partners.models import User
from reporting import exports
from reporting.models import ClosureAction, ClosureStatus, FundingAmount, ReportClosure, ReportClosureEvent
from reporting.yearly import MonitoringReport, Period, monitoring_report

REASON_MAX = 1000


def _require_coordinator(actor: User, network: Network) -> None:
    if not scope_for(actor).coordinates(network.pk):
        raise PermissionDenied


def _closed_by(actor: User) -> str:
    return actor.get_full_name() or actor.get_username()


# --- funding ---------------------------------------------------------------------------------------------


def _amount(raw: Any) -> Decimal:
    try:
        amount = Decimal(str(raw).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Give the amount in złoty, such as 12500.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Give the amount in złoty, such as 12500.00.")})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def funding_set(*, actor: User, network: Network, year: int, source: str, amount: Any, note: str = "") -> FundingAmount:
    """State (or correct) how much the network had from one source in one year; one row per year and source."""
    _require_coordinator(actor, network)
    if source not in FundingSource.values:
        raise ValidationError({"source": _("Choose a funding source from the list.")})
    if year in (None, ""):
        raise ValidationError({"year": _("Give the year.")})
    row = FundingAmount.objects.select_for_update().filter(network=network, year=year, source=source).first()
    if row is None:
        row = FundingAmount(network=network, year=year, source=source)
    row.amount = _amount(amount)
    row.note = (note or "").strip()
    row.recorded_by = actor
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def funding_remove(*, actor: User, funding: FundingAmount) -> None:
    _require_coordinator(actor, funding.network)
    funding.delete()


# --- closing a period's report ----------------------------------------------------------------------------

_TOLD_CLOSED = gettext_lazy("%(network)s sent its report for %(period)s.")
_TOLD_REOPENED = gettext_lazy("%(network)s reopened its report for %(period)s to correct it: %(reason)s")


def closure_details(closure: ReportClosure) -> dict[str, Any]:
    """Who closed the report and when, as the report itself states it (page, PDF, API)."""
    by = closure.closed_by
    return {
        "status": closure.status,
        "closed_at": closure.closed_at.isoformat(),
        "closed_at_display": formats.date_format(timezone.localtime(closure.closed_at), "DATETIME_FORMAT"),
        "closed_by": _closed_by(by) if by is not None else "",
    }


def _tell_monitors(closure: ReportClosure, text: Any, **values: Any) -> None:
    period = Period(closure.start, closure.end)
    notify(
        recipients=User.objects.filter(is_regional_monitor=True, is_active=True),
        kind=f"report.{closure.status}",
        text=lambda: str(text) % {"network": closure.network.name, "period": period.label(), **values},
        obj=closure,
        url="",
    )


@transaction.atomic
def report_close(*, actor: User, network: Network, period: Period) -> ReportClosure:
    """Freeze the period's figures as they are now, keep the PDF that states the date and who closed it, and
    let the regional monitors know. A period closed already is a conflict; a reopened one closes again with
    the corrected figures."""
    _require_coordinator(actor, network)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one close of a network at a time
    closure = ReportClosure.objects.filter(network=network, start=period.start, end=period.end).first()
    if closure is not None and closure.is_closed:
        raise Conflict(_("The report for this period is closed already."), code="report_closed")
    if period.start > timezone.localdate():
        raise ValidationError(_("A period that has not started cannot be closed."), code="period_future")
    now = timezone.now()
    if closure is None:
        closure = ReportClosure(network=network, start=period.start, end=period.end)
    closure.status = ClosureStatus.CLOSED
    closure.closed_at = now
    closure.closed_by = actor
    report = monitoring_report(network, period)
    closure.snapshot = report.snapshot()
    closure.pdf = exports.to_pdf(frozen(report, closure_details(closure)))
    closure.full_clean(exclude=["pdf", "snapshot"])
    closure.save()
    ReportClosureEvent.objects.create(closure=closure, action=ClosureAction.CLOSED, actor=actor)
    _tell_monitors(closure, _TOLD_CLOSED)
    return closure


@transaction.atomic
def report_reopen(*, actor: User, closure: ReportClosure, reason: str) -> ReportClosure:
    """Open a closed report for a correction; the reason is logged and told to the regional monitors. Until it
    is closed again the period's figures are live."""
    _require_coordinator(actor, closure.network)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is being corrected.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}})
    closure = ReportClosure.objects.select_for_update().get(pk=closure.pk)
    if not closure.is_closed:
        raise Conflict(_("The report for this period is not closed."), code="report_not_closed")
    closure.status = ClosureStatus.REOPENED
    closure.save(update_fields=["status", "updated_at"])
    ReportClosureEvent.objects.create(closure=closure, action=ClosureAction.REOPENED, actor=actor, reason=reason)
    _tell_monitors(closure, _TOLD_REOPENED, reason=reason)
    return closure


def frozen(report: MonitoringReport, closed: dict[str, Any]) -> MonitoringReport:
    return replace(report, closed=closed)
