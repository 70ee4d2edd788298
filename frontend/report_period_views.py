"""Pages of the report's period work: the funding a network states (source and amount in PLN), closing a
period's report and reopening it with a reason, the PDF that was sent, the regional monitor's list of which
networks sent theirs, and the lists behind the dashboard's and the report's figures.

Who may do what: a network's coordinators do everything of their network; the regional monitor reads only the
list of submissions (aggregates, no person); everyone else gets 404. Every change goes through
``reporting.services``, which the API calls too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import performs
from core.errors import Conflict
from frontend.errors import as_messages, on_form
from frontend.report_views import coordinated_network, require_monitor
from frontend.types import AuthedRequest
from network.models import Network
from partners.choices import FundingSource
from people.audit import log_access_many
from people.models import AccessAction
from people.selectors import person_list
from referrals.choices import State
from referrals.selectors import referral_list, referral_rows
from reporting import exports as report_exports
from reporting import selectors as report_selectors
from reporting import services as report_services
from reporting import yearly as reports

PAGE_SIZE = 50


def period_or_400(params: Any) -> reports.Period:
    try:
        return reports.parse_period(params)
    except ValidationError as exc:
        raise BadPeriod(exc) from exc


class BadPeriod(Exception):
    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.error = error


def report_url(network: Network, period: reports.Period) -> str:
    return f"{reverse('report-monitoring', args=[network.pk])}?{urlencode(period.query())}"


# --- funding ---------------------------------------------------------------------------------------------


class FundingForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=gettext_lazy("Funding source"), choices=FundingSource.choices)
    amount = forms.CharField(label=gettext_lazy("Amount (PLN)"), max_length=20)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


@login_required
@require_http_methods(["GET", "POST"])
@performs(report_services.funding_set)
def funding(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    form = FundingForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            report_services.funding_set(actor=request.user, network=network, **form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The funding was saved."))
            return redirect("report-funding", network_id=network.pk)
    rows = list(report_selectors.funding_of(network))
    status = 400 if request.method == "POST" else 200
    context = {"network": network, "form": form, "rows": rows}
    return render(request, "reports/funding.html", context, status=status)


@login_required
@require_POST
@performs(report_services.funding_remove)
def funding_remove(request: AuthedRequest, network_id: UUID, funding_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    row = report_selectors.get_funding_for(network, funding_id)
    report_services.funding_remove(actor=request.user, funding=row)
    messages.success(request, _("The funding was removed."))
    return redirect("report-funding", network_id=network.pk)


# --- closing and reopening ----------------------------------------------------------------------------------


@login_required
@require_POST
@performs(report_services.report_close)
def report_close(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    try:
        period = period_or_400(request.POST)
    except BadPeriod as exc:
        for message in exc.error.messages:
            messages.error(request, message)
        return redirect("report-monitoring", network_id=network.pk)
    try:
        report_services.report_close(actor=request.user, network=network, period=period)
    except (ValidationError, Conflict) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The report for %(period)s is closed and sent.") % {"period": period.label()})
    return redirect(report_url(network, period))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What is being corrected"), max_length=report_services.REASON_MAX, widget=forms.Textarea
    )


@login_required
@require_POST
@performs(report_services.report_reopen)
def report_reopen(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    try:
        period = period_or_400(request.POST)
    except BadPeriod as exc:
        for message in exc.error.messages:
            messages.error(request, message)
        return redirect("report-monitoring", network_id=network.pk)
    closure = report_selectors.closure_of(network, period)
    if closure is None:
        raise Http404
    try:
        report_services.report_reopen(actor=request.user, closure=closure, reason=request.POST.get("reason", ""))
    except (ValidationError, Conflict) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The report for %(period)s is open for a correction.") % {"period": period.label()})
    return redirect(report_url(network, period))


@login_required
@require_GET
def report_closed_pdf(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    """The PDF exactly as it was sent when the period was closed (with the date and who closed it)."""
    network = coordinated_network(request, network_id)
    try:
        period = period_or_400(request.GET)
    except BadPeriod:
        raise Http404 from None
    closure = report_selectors.closure_of(network, period)
    if closure is None or not closure.is_closed:
        raise Http404
    report, _closure = report_selectors.network_report(network, period)
    response = HttpResponse(bytes(closure.pdf), content_type="application/pdf")
    response["Content-Disposition"] = report_exports.content_disposition(report_exports.filename(report, "pdf"))
    return response


# --- the regional monitor: which networks sent their report ------------------------------------------------


@login_required
@require_GET
def submissions(request: AuthedRequest) -> HttpResponse:
    require_monitor(request)
    errors: list[str] = []
    try:
        period = reports.parse_period(request.GET)
    except ValidationError as exc:
        period, errors = reports.Period.year(timezone.localdate().year), list(exc.messages)
    rows = report_selectors.submissions(period)
    context = {
        "period": period,
        "chosen": period.query(),
        "rows": rows,
        "errors": errors,
        "sent": sum(1 for row in rows if row.status == "closed"),
    }
    return render(request, "reports/submissions.html", context, status=400 if errors else 200)


# --- the lists behind the figures ------------------------------------------------------------------------

PEOPLE_FIGURES = {
    "people": gettext_lazy("People supported"),
    "new": gettext_lazy("People new in the period"),
    "continuing": gettext_lazy("People continuing from before"),
}
REFERRAL_FIGURES = {
    "referrals_sent": gettext_lazy("Referrals sent"),
    "referrals_accepted": gettext_lazy("Referrals accepted"),
    "referrals_declined": gettext_lazy("Referrals declined"),
}


@login_required
@require_GET
def figure_list(request: AuthedRequest, network_id: UUID, figure: str) -> HttpResponse:
    """Who or what stands behind one figure of the period: the people supported (new, continuing) or the
    referrals sent, accepted or declined — as far as the coordinator may see them."""
    network = coordinated_network(request, network_id)
    if figure not in PEOPLE_FIGURES and figure not in REFERRAL_FIGURES:
        raise Http404
    try:
        period = period_or_400(request.GET)
    except BadPeriod:
        raise Http404 from None
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {"network": network, "period": period, "query": query.urlencode()}
    if figure in PEOPLE_FIGURES:
        supported = reports.supported_people([network.pk], period)
        wanted = [pk for pk, is_new in supported.items() if figure == "people" or is_new == (figure == "new")]
        people = person_list(request.user, network=network.pk, with_open_cases=True).filter(pk__in=wanted)
        with transaction.atomic():
            page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
            rows = list(page)
            log_access_many(user=request.user, people=rows, action=AccessAction.VIEW, view="report-figure-list")
        context |= {"title": PEOPLE_FIGURES[figure], "page": page, "rows": rows, "counted": len(wanted)}
        return render(request, "reports/figure_people.html", context)
    first, after = period.bounds()
    field = "sent_at" if figure == "referrals_sent" else "answered_at"
    referrals = referral_list(request.user, network=network.pk).filter(
        **{f"{field}__gte": first, f"{field}__lt": after}
    )
    if figure == "referrals_accepted":
        referrals = referrals.exclude(state=State.DECLINED)
    elif figure == "referrals_declined":
        referrals = referrals.filter(state=State.DECLINED)
    referral_page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    referral_page.object_list = referral_rows(referral_page.object_list)
    context |= {"title": REFERRAL_FIGURES[figure], "page": referral_page}
    return render(request, "reports/figure_referrals.html", context)
