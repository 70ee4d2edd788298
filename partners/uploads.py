"""Uploaded documents (signed consents, cooperation agreements): accepted as PDF, JPEG or PNG by their content,
stored under a generated name, served only as a download.

How deep the content is checked (issue 14): the name and the type the browser sent are never trusted. A document is
accepted only when

- it starts with the format's signature (``%PDF-`` and a version; the JPEG start-of-image marker; the PNG signature
  followed by its IHDR header), a PDF ends with ``%%EOF`` near its end, and a JPEG carries its end-of-image marker;
- nothing in its first bytes looks like HTML to a browser: the tags that the WHATWG MIME sniffing algorithm and
  older browsers look for (``<html``, ``<script``, ``<body``, ``<iframe``, ``<svg`` …) within the first
  ``SNIFF_WINDOW`` bytes are refused, so a page dressed up as a PDF (``%PDF-1.4`` then ``<script>``) never gets in.

Serving is the second wall, for files stored before these checks: the type is read again from the content, never
from the name, and every document goes out as ``attachment`` with ``nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# The first 1445 bytes are what the WHATWG "resource header" sniffs; older browsers looked at the first 1024 or 256.
SNIFF_WINDOW = 1445
# Acrobat looks for %%EOF within the last 1024 bytes, JPEG readers for the end-of-image marker; both allow a little
# trailing data, so do we.
TAIL = 2048
HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|frameset|object|embed|svg|style|title|meta|link|"
    rb"base|form|img|div|table|\?xml-stylesheet)[\s>/]",
    re.IGNORECASE,
)


def max_bytes() -> int:
    return int(settings.UPLOAD_MAX_SIZE)


def sniff_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def _read_all(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def detect_type(data: bytes) -> str | None:
    """The content type of a whole document, or None when it is not a well-formed PDF, JPEG or PNG, or when a
    browser could take it for a page."""
    content_type = sniff_type(data[:16])
    if content_type is None or HTML_MARKERS.search(data[:SNIFF_WINDOW]):
        return None
    return content_type if WELL_FORMED[content_type](data) else None


def _pdf(data: bytes) -> bool:
    return re.match(rb"%PDF-[12]\.\d", data) is not None and b"%%EOF" in data[-TAIL:]


def _png(data: bytes) -> bool:
    return data[12:16] == b"IHDR"


def _jpeg(data: bytes) -> bool:
    return b"\xff\xd9" in data[-TAIL:]


WELL_FORMED = {"application/pdf": _pdf, "image/png": _png, "image/jpeg": _jpeg}


def validate_document(upload: Any) -> str:
    """Return the content type; raise ValidationError in Polish/English for anything else."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {"document": _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError({"document": _("The file is empty.")}, code="empty")
    content_type = detect_type(_read_all(upload))
    if content_type is None:
        raise ValidationError(
            {"document": _("Only PDF, JPEG or PNG files are accepted.")},
            code="bad_type",
        )
    return content_type


def generated_name(content_type: str) -> str:
    """A new name for a stored document: random, with the extension of what the content is. The uploader's name
    may carry personal data or an ``.html`` ending; it is never kept."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS.get(content_type, 'bin')}"


def upload_path(directory: str, filename: str) -> str:
    """For ``upload_to``: the services have already renamed the file to ``generated_name``; its extension is kept
    only when it is one we produce, and the stem is generated again here so that no path reaches the disk from a
    client."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in EXTENSIONS.values():
        suffix = "bin"
    return f"{directory}/{uuid.uuid4().hex}.{suffix}"


def stored_type(field_file: Any) -> tuple[str, str]:
    """The content type and extension of a stored document, read from its content, never from its name:
    a file stored under an old ``.html`` name is served as what its content is (or as bytes to download)."""
    with field_file.open("rb") as handle:
        data = handle.read()
    content_type = detect_type(data) or "application/octet-stream"
    return content_type, EXTENSIONS.get(content_type, "bin")


def document_response(field_file: Any, *, stem: str) -> FileResponse:
    """A stored document as a download: its type from its content, ``attachment`` with a name we choose, never
    sniffed, never run as a page, never cached."""
    content_type, extension = stored_type(field_file)
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response
