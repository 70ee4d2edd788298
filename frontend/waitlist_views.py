"""Pages of waitlists: the services whose waitlist the user keeps or watches, and one service's waitlist in the
order places are given. Reads only: a place is handed on by the referral's own transitions."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from frontend.types import AuthedRequest
from referrals.selectors import get_waitlist_service_for, service_waitlist, waitlist_services


@login_required
@require_safe
def waitlists(request: AuthedRequest) -> HttpResponse:
    services = [s for s in waitlist_services(request.user) if s.waitlist_enabled or bool(getattr(s, "waiting", 0))]
    return render(request, "referrals/waitlists.html", {"services": services})


@login_required
@require_safe
def waitlist(request: AuthedRequest, service_id: UUID) -> HttpResponse:
    service = get_waitlist_service_for(request.user, service_id)
    today = timezone.localdate()
    rows = [
        (position, referral, (today - timezone.localdate(referral.waitlisted_at)).days)
        for position, referral in enumerate(service_waitlist(request.user, service), start=1)
    ]
    return render(request, "referrals/waitlist.html", {"service": service, "rows": rows})
