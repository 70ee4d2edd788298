"""The cooperation agreement under /api/v1/: its history (versions, annexes, each partner's date of joining), a new
version or annex, an edit of one with its signed document, and the document itself — the same services and upload
rules as the pages (``network.services.agreement_add`` / ``agreement_save``, ``partners.uploads``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from network import services as network_services
from network.access import get_network_for
from network.models import CooperationAgreement
from network.selectors import agreement_history, agreement_of
from partners.choices import FundingSource
from partners.uploads import document_response


def agreement_data(agreement: CooperationAgreement, number: int | None = None) -> dict[str, Any]:
    return {
        "id": str(agreement.pk),
        "kind": agreement.kind,
        "number": number,
        "amends": str(agreement.amends_id) if agreement.amends_id else None,
        "title": agreement.title,
        "signed_on": agreement.signed_on,
        "valid_from": agreement.valid_from,
        "valid_to": agreement.valid_to,
        "changes": agreement.changes,
        "procedures": agreement.procedures,
        "communication_means": agreement.communication_means,
        "contact_persons": agreement.contact_persons,
        "funding_sources": agreement.funding_sources,
        "has_document": bool(agreement.document),
    }


class AgreementInSerializer(serializers.Serializer):
    amends = serializers.UUIDField(required=False, allow_null=True, help_text="For an annex: the version it amends.")
    title = serializers.CharField(max_length=255)
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    changes = serializers.CharField(required=False, allow_blank=True)
    procedures = serializers.CharField(required=False, allow_blank=True)
    communication_means = serializers.CharField(required=False, allow_blank=True)
    contact_persons = serializers.CharField(required=False, allow_blank=True)
    funding_sources = serializers.ListField(child=serializers.ChoiceField(FundingSource.choices), required=False)
    document = serializers.FileField(required=False, allow_null=True, help_text="PDF, JPEG or PNG, up to 10 MB.")


class AgreementPatchSerializer(AgreementInSerializer):
    title = serializers.CharField(max_length=255, required=False)
    valid_from = serializers.DateField(required=False)


HISTORY = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="versions (each with its annexes and the partners who joined under it) and "
    "partners (date of joining, leaving, version in force that day).",
)
AGREEMENT = OpenApiResponse(OpenApiTypes.OBJECT, description="A version or an annex of the agreement.")


def _agreement_for(user: Any, pk: str) -> CooperationAgreement:
    try:
        network_id = CooperationAgreement.objects.values_list("network_id", flat=True).get(pk=pk)
    except (CooperationAgreement.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    return agreement_of(get_network_for(user, network_id), pk)


class NetworkAgreementsView(APIView):
    @extend_schema(
        summary="The history of the network's cooperation agreement: versions, annexes, partners' dates of joining",
        operation_id="networks_agreements_list",
        parameters=[_path_id("The network's id.")],
        responses={200: HISTORY, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        network = get_network_for(actor(request), pk)
        history = agreement_history(network)
        return Response(
            {
                "versions": [
                    {
                        **agreement_data(version.agreement, version.number),
                        "annexes": [agreement_data(annex) for annex in version.annexes],
                        "joined": [
                            {"partner": str(m.partner_id), "name": m.partner.name, "since": m.since}
                            for m in version.joined
                        ],
                    }
                    for version in history.versions
                ],
                "partners": [
                    {
                        "partner": str(row.membership.partner_id),
                        "name": row.membership.partner.name,
                        "since": row.membership.since,
                        "until": row.membership.until,
                        "version": row.version_number,
                    }
                    for row in history.partners
                ],
            }
        )

    @extend_schema(
        summary="Add a version of the cooperation agreement, or an annex to one (the network's coordinators); "
        "multipart with the signed document",
        operation_id="networks_agreements_create",
        parameters=[_path_id("The network's id.")],
        request={"multipart/form-data": AgreementInSerializer, "application/json": AgreementInSerializer},
        responses={201: AGREEMENT, **_errors(400, 403, 404)},
    )
    @performs(network_services.agreement_add)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        network = get_network_for(user, pk)
        incoming = AgreementInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        amends_id = data.pop("amends", None)
        document = data.pop("document", None)
        amends = agreement_of(network, amends_id) if amends_id else None
        data = {k: v for k, v in data.items() if v is not None}
        agreement = network_services.agreement_add(
            actor=user, network=network, data=data, amends=amends, document=document
        )
        return Response(agreement_data(agreement), status=status.HTTP_201_CREATED)


class AgreementDetailView(APIView):
    @extend_schema(
        summary="A version or an annex of a cooperation agreement",
        operation_id="agreements_retrieve",
        parameters=[_path_id("The agreement's id.")],
        responses={200: AGREEMENT, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(agreement_data(_agreement_for(actor(request), pk)))

    @extend_schema(
        summary="Change a version or an annex, and attach its signed document (the network's coordinators)",
        operation_id="agreements_partial_update",
        parameters=[_path_id("The agreement's id.")],
        request={"multipart/form-data": AgreementPatchSerializer, "application/json": AgreementPatchSerializer},
        responses={200: AGREEMENT, **_errors(400, 403, 404)},
    )
    @performs(network_services.agreement_save)
    def patch(self, request: Request, pk: str) -> Response:
        user = actor(request)
        agreement = _agreement_for(user, pk)
        incoming = AgreementPatchSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.pop("amends", None)
        document = data.pop("document", None)
        saved = network_services.agreement_save(
            actor=user, network=agreement.network, data=data, agreement=agreement, document=document
        )
        return Response(agreement_data(saved))


class AgreementDocumentView(APIView):
    @extend_schema(
        summary="The signed document of a version or an annex (always a download; its type from its content)",
        operation_id="agreements_document",
        parameters=[_path_id("The agreement's id.")],
        responses={200: OpenApiResponse(OpenApiTypes.BINARY), **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> FileResponse:
        agreement = _agreement_for(actor(request), pk)
        if not agreement.document:
            raise Http404
        return document_response(agreement.document, stem=f"porozumienie-{agreement.pk}")
