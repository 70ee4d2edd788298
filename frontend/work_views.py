"""My work: the worklist page (the API's ``/api/v1/me/worklist/`` reads the same ``reporting.worklist``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.scope import scope_for
from frontend.types import AuthedRequest
from people.audit import log_access_many
from people.models import AccessAction
from reporting.worklist import worklist_for


@login_required
@require_GET
def worklist(request: AuthedRequest) -> HttpResponse:
    with transaction.atomic():
        work = worklist_for(request.user)
        log_access_many(user=request.user, people=work.people(), action=AccessAction.VIEW, view="worklist")
    scope = scope_for(request.user)
    doors = sorted(scope.member_network_ids - scope.coordinated_network_ids) if scope.staff_partner_ids else []
    return render(request, "work/worklist.html", {"work": work, "door_network": doors[0] if doors else None})
