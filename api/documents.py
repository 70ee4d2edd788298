"""Printable documents under /api/v1/: the same PDFs as the pages, through the same ``reporting.documents`` calls
(and so the same access rules: 404 for what the reader may not open)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from people.audit import log_access_many
from people.models import AccessAction
from reporting import documents
from reporting.documents import Document
from reporting.worklist import worklist_data, worklist_for

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="An A4 PDF in Polish (application/pdf).")


class DocumentView(APIView):
    view_name = ""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # The answer is a file; refusals are JSON whatever the client accepts.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def printed(self, request: Request, make: Callable[[], Document]) -> HttpResponse:
        with transaction.atomic():
            document = make()
            log_access_many(
                user=actor(request),
                people=list(document.people),
                action=AccessAction.EXPORT,
                view=self.view_name,
                channel="api",
            )
        response = HttpResponse(document.content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, document.filename) or ""
        return response


class ConsentFormView(DocumentView):
    view_name = "api-document-consent"

    @extend_schema(
        summary="A person's consent form with the information clause (RODO art. 13), ready to sign",
        operation_id="persons_consent_form",
        parameters=[
            _path_id("The person's id."),
            OpenApiParameter("consent", OpenApiTypes.UUID, description="Fill in a recorded consent of the person."),
        ],
        responses={200: PDF, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        consent = request.query_params.get("consent") or None
        return self.printed(request, lambda: documents.consent_form_for(actor(request), pk, consent))


class BlankConsentFormView(DocumentView):
    view_name = "api-document-consent"

    @extend_schema(
        summary="A blank consent form of the network, for a person met at a partner's door",
        operation_id="networks_consent_form",
        parameters=[_path_id("The network's id.")],
        responses={200: PDF, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.printed(request, lambda: documents.blank_consent_form_for(actor(request), pk))


class SupportPlanView(DocumentView):
    view_name = "api-document-plan"

    @extend_schema(
        summary="The individual support plan (IPW) of the person's open case, with goals and signature lines",
        operation_id="persons_support_plan_pdf",
        parameters=[_path_id("The person's id.")],
        responses={200: PDF, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.printed(request, lambda: documents.support_plan_for(actor(request), pk))


class AttendanceListView(DocumentView):
    view_name = "api-document-attendance"

    @extend_schema(
        summary="A group meeting's attendance list to sign",
        operation_id="meetings_attendance_list",
        parameters=[_path_id("The meeting's id.")],
        responses={200: PDF, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.printed(request, lambda: documents.attendance_list_for(actor(request), pk))


class ReferralLetterView(DocumentView):
    view_name = "api-document-referral"

    @extend_schema(
        summary="The referral letter for the person to take along",
        operation_id="referrals_letter",
        parameters=[_path_id("The referral's id.")],
        responses={200: PDF, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return self.printed(request, lambda: documents.referral_letter_for(actor(request), pk))


class WorklistView(APIView):
    @extend_schema(
        summary="My work: referrals waiting for my answer (with time left), plan reviews due in my cases, consents "
        "expiring within 30 days, candidates to follow up",
        operation_id="me_worklist",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="referrals, reviews, consents, candidates"),
            **_errors(404),
        },
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        with transaction.atomic():
            work = worklist_for(user)
            log_access_many(
                user=user,
                people=work.people(),
                action=AccessAction.VIEW,
                view="api-worklist",
                channel="api",
            )
        return Response(worklist_data(work))
