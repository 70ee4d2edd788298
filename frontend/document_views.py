"""Printable documents (PDF): the pages fetch them through ``reporting.documents``, the same calls as the API's."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from frontend.types import AuthedRequest
from people.audit import log_access_many
from people.models import AccessAction
from reporting import documents
from reporting.documents import Document


def pdf_response(document: Document) -> HttpResponse:
    """Inline, so that the browser opens it; the file name keeps its Polish letters (RFC 6266 filename*)."""
    response = HttpResponse(document.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, document.filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _printed(request: AuthedRequest, view: str, make: Callable[[], Document], channel: str = "page") -> HttpResponse:
    with transaction.atomic():
        document = make()
        log_access_many(
            user=request.user, people=list(document.people), action=AccessAction.EXPORT, view=view, channel=channel
        )
    return pdf_response(document)


@login_required
@require_GET
def consent_form(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    consent_id = request.GET.get("consent") or None
    return _printed(
        request, "document-consent", lambda: documents.consent_form_for(request.user, person_id, consent_id)
    )


@login_required
@require_GET
def blank_consent_form(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    return _printed(request, "document-consent", lambda: documents.blank_consent_form_for(request.user, network_id))


@login_required
@require_GET
def support_plan(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    return _printed(request, "document-plan", lambda: documents.support_plan_for(request.user, person_id))


@login_required
@require_GET
def attendance_list(request: AuthedRequest, meeting_id: UUID) -> HttpResponse:
    return _printed(request, "document-attendance", lambda: documents.attendance_list_for(request.user, meeting_id))


@login_required
@require_GET
def referral_letter(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    return _printed(request, "document-referral", lambda: documents.referral_letter_for(request.user, referral_id))
