"""Checks for uploaded documents: PDF, JPEG or PNG recognised from the content, at most 10 MB."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def validate_document(upload: Any) -> str:
    """Return the content type; raise ValidationError in Polish/English for anything else."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"document": _("The file is larger than 10 MB.")}, code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        raise ValidationError({"document": _("Only PDF, JPEG or PNG files are accepted.")}, code="bad_type")
    return content_type


def stored_type(field_file: Any) -> tuple[str, str]:
    """The content type and extension of a stored document, read from its first bytes, never from its name:
    a file stored under an old ``.html`` name is served as what its content is (or as bytes to download)."""
    with field_file.open("rb") as handle:
        head = handle.read(16)
    content_type = sniff_type(head) or "application/octet-stream"
    return content_type, EXTENSIONS.get(content_type, "bin")
