"""The site's URLs plus pages a later change might add, for tests/api/test_page_api_parity.py: the guard must
catch each kind of mistake (and accept the right way)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from config.urls import urlpatterns as site
from core.actions import performs
from people import services as people_services


@require_POST
def unmarked(request: Any) -> HttpResponse:
    people_services.case_close(actor=request.user, case=None)
    return HttpResponse()


def read_only(request: Any) -> HttpResponse:  # no method decorator: it answers POST too
    return HttpResponse()


@require_POST
@performs(people_services.case_close)
def pretends(request: Any) -> HttpResponse:
    people_services.case_open(actor=request.user, person=None)
    return HttpResponse()


@require_POST
@performs(people_services.consents_expire)
def no_api(request: Any) -> HttpResponse:
    people_services.consents_expire()
    return HttpResponse()


@require_POST
@performs(people_services.case_close)
def fine(request: Any) -> HttpResponse:
    people_services.case_close(actor=request.user, case=None)
    return HttpResponse()


@require_safe
def safe(request: Any) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    *site,
    path("later/unmarked/", unmarked, name="later-unmarked"),
    path("later/read-only/", read_only, name="later-read-only"),
    path("later/pretends/", pretends, name="later-pretends"),
    path("later/no-api/", no_api, name="later-no-api"),
    path("later/fine/", fine, name="later-fine"),
    path("later/safe/", safe, name="later-safe"),
]
