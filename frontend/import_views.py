"""Bulk import page: a network's coordinators upload partners and services as CSV or XLSX.

The rules and the file format live in ``network/importing/``; this page shows them and reports per row.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from core.actions import performs
from core.request_limits import upload_limit_for
from network.access import get_network_for
from network.importing import COLUMNS, MAX_BYTES, ImportKind, ImportResult, import_file
from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, Sector

MAX_MB = MAX_BYTES // (1024 * 1024)


class SizeLimitedUpload(FileUploadHandler):
    """Stops reading an upload once it passes the limit, so an oversized file never reaches the disk."""

    def __init__(self, request: HttpRequest | None = None, limit: int = MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The file contains"),
        choices=[(ImportKind.PARTNERS.value, _("partners")), (ImportKind.SERVICES.value, _("services"))],
        initial=ImportKind.PARTNERS.value,
        widget=forms.RadioSelect,
        help_text=_("An XLSX workbook with sheets named “partnerzy” and “usługi” is read whole; then this is ignored."),
    )
    # Not required at field level: a file stopped for its size must say so, not "this field is required".
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, do not import anything"), required=False)

    def __init__(self, *args: Any, upload_too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields["file"].help_text = gettext("At most %(limit)s MB.") % {"limit": MAX_MB}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.upload_too_large or (upload is not None and upload.size > MAX_BYTES):
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."), code="too_large", params={"limit": MAX_MB}
            )
        if not upload:
            raise forms.ValidationError(_("Choose a file to import."), code="required")
        return upload


def _documentation() -> dict[str, Any]:
    """The column lists and the codes of every choice, for the instructions on the page."""

    def columns(kind: ImportKind) -> list[dict[str, Any]]:
        return [
            {
                "code": column.code,
                "label": column.label,
                "polish": column.aliases[0] if column.aliases else column.code,
                "required": column.required,
                "help": column.help,
            }
            for column in COLUMNS[kind]
        ]

    return {
        "partner_columns": columns(ImportKind.PARTNERS),
        "service_columns": columns(ImportKind.SERVICES),
        "partner_header": ";".join(column.code for column in COLUMNS[ImportKind.PARTNERS]),
        "service_header": ";".join(column.code for column in COLUMNS[ImportKind.SERVICES]),
        "choice_lists": [
            # The column's name in the file is an identifier, shown as code beside the heading.
            (format_html("{} (<code>type</code>)", _("Partner types")), PartnerType.choices),
            (format_html("{} (<code>sector</code>)", _("Sectors")), Sector.choices),
            (format_html("{} (<code>functions</code>)", _("Functions in the local system")), PartnerFunction.choices),
            (format_html("{} (<code>category</code>)", _("Path stages")), PathStage.choices),
            (format_html("{} (<code>funding_source</code>)", _("Funding sources")), FundingSource.choices),
        ],
        "max_mb": MAX_MB,
    }


@upload_limit_for(MAX_BYTES)  # its own, lower limit, said on its own page; the middleware leaves the body to it
@login_required
@csrf_exempt  # CSRF is checked in _import_page, after the size limit is set: the check itself reads the body.
@require_http_methods(["GET", "POST"])
@performs(import_file)
def network_import(request: HttpRequest, network_id: UUID) -> HttpResponse:
    # 404 for a network the user cannot see, 403 for one they see but do not coordinate — before any upload.
    network = get_network_for(request.user, network_id, coordinate=True)
    limiter = SizeLimitedUpload(request)
    request.upload_handlers = [limiter, *request.upload_handlers]
    return _import_page(request, network, limiter)


@csrf_protect
def _import_page(request: HttpRequest, network: Any, limiter: SizeLimitedUpload) -> HttpResponse:
    result: ImportResult | None = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, upload_too_large=limiter.exceeded)
        if form.is_valid():
            result = import_file(
                actor=request.user,  # type: ignore[arg-type]  # login_required: never anonymous here
                network=network,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                dry_run=form.cleaned_data["dry_run"],
            )
            if result.ok and not result.dry_run:
                messages.success(request, result.summary())
                return redirect("network-import", network_id=network.pk)
        if result is None or not result.ok:
            status = 400
    else:
        form = ImportForm()
    context = {
        "network": network,
        "form": form,
        "result": result,
        "title": gettext("Import partners and services"),
        **_documentation(),
    }
    return render(request, "network/import.html", context, status=status)
