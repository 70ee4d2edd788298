"""Bulk import of a network's partners and services under /api/v1/: the same file, rules and answer per row as
the import page (``network.importing.import_file``); the network's coordinators only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from network.access import get_network_for
from network.importing import MAX_BYTES, ImportKind, ImportResult, import_file


class ImportInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=f"CSV (UTF-8, ; or ,) or XLSX, at most {MAX_BYTES // (1024 * 1024)} MB.")
    kind = serializers.ChoiceField(
        [ImportKind.PARTNERS.value, ImportKind.SERVICES.value],
        default=ImportKind.PARTNERS.value,
        help_text="What a CSV holds; an XLSX workbook with sheets “partnerzy” and “usługi” is read whole.",
    )
    dry_run = serializers.BooleanField(default=False, help_text="Only check the file; nothing is imported.")


class ImportIssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    sheet = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True, help_text="The header as written in the file.")
    field = serializers.CharField(allow_null=True, help_text="The column's code.")


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    partners_created = serializers.IntegerField()
    partners_updated = serializers.IntegerField()
    partners_unchanged = serializers.IntegerField()
    memberships_added = serializers.IntegerField()
    services_created = serializers.IntegerField()
    services_updated = serializers.IntegerField()
    services_unchanged = serializers.IntegerField()
    summary = serializers.CharField()
    errors = ImportIssueSerializer(many=True)  # type: ignore[assignment]  # only describes the answer


def _result(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "partners_created": result.partners_created,
        "partners_updated": result.partners_updated,
        "partners_unchanged": result.partners_unchanged,
        "memberships_added": result.memberships_added,
        "services_created": result.services_created,
        "services_updated": result.services_updated,
        "services_unchanged": result.services_unchanged,
        "summary": result.summary(),
        "errors": [
            {
                "code": issue.code,
                "message": issue.text,
                "sheet": issue.sheet,
                "row": issue.row,
                "column": issue.column,
                "field": issue.field,
            }
            for issue in result.errors
        ],
    }


class NetworkImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import partners and services from a CSV or XLSX file (the network's coordinators)",
        description="The whole file is checked first; with any error nothing is imported and every problem is "
        "listed by sheet, row and column (400 ``invalid_file``). ``dry_run`` only checks. The columns are those "
        "of the import page.",
        operation_id="networks_import",
        parameters=[_path_id("The network's id.")],
        request={"multipart/form-data": ImportInSerializer},
        responses={
            200: ImportResultSerializer,
            **_errors(403, 404),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A file with errors, nothing imported: the fields of the result with ``detail`` and "
                "``code`` ``invalid_file``; or field errors as DRF gives them ({field: [messages]}).",
            ),
        },
    )
    @performs(import_file)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        # 404 for a network the user cannot see, 403 for one they see but do not coordinate — before the file.
        network = get_network_for(user, pk, coordinate=True)
        incoming = ImportInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        if upload.size > MAX_BYTES:
            raise serializers.ValidationError(
                {"file": [_("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)}]}
            )
        result = import_file(
            actor=user,
            network=network,
            upload=upload,
            kind=incoming.validated_data["kind"],
            dry_run=incoming.validated_data["dry_run"],
        )
        if not result.ok:
            return Response(
                {"detail": result.summary(), "code": "invalid_file", **_result(result)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(_result(result))
