"""Issue 14 (found while closing 13): the cooperation agreement's document is served as what its content is, as a
download, never as a page — a file named ``porozumienie.html`` that starts with ``%PDF-1.4`` was stored with its
``.html`` name and served ``text/html`` inline to every member of the network (stored XSS)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from network import services as network_services
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

HOSTILE = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def fetch(user: Any, agreement: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(
        reverse("network-agreement-document", kwargs={"network_id": agreement.network_id, "agreement_id": agreement.pk})
    )


def test_an_upload_named_html_with_a_pdf_header_is_refused(world: Any, settings: Any, tmp_path: Any) -> None:
    """A page behind a ``%PDF-1.4`` header is no PDF: refused (tests/core/test_uploads.py has the rest)."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("porozumienie.html", HOSTILE, content_type="text/html")
    with pytest.raises(ValidationError):
        network_services.agreement_save(
            actor=world.coordinator,
            network=world.network,
            data={"title": "Porozumienie o współpracy", "valid_from": datetime.date(2026, 1, 1)},
            document=upload,
        )
    assert not list(tmp_path.rglob("*.*"))


def test_a_pdf_named_html_is_stored_and_served_as_the_pdf_it_is(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("porozumienie.html", PDF, content_type="text/html")
    agreement = network_services.agreement_save(
        actor=world.coordinator,
        network=world.network,
        data={"title": "Porozumienie o współpracy", "valid_from": datetime.date(2026, 1, 1)},
        document=upload,
    )
    assert agreement.document.name.endswith(".pdf")
    for reader in (world.coordinator, world.employer_staff, world.monitor):
        response = fetch(reader, agreement)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Disposition"].endswith('.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_a_document_stored_earlier_under_an_html_name_is_never_served_as_a_page(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    agreement = AgreementFactory(network=world.network)
    agreement.document.save("stare.html", ContentFile(b"<html><script>alert(1)</script></html>"))
    response = fetch(world.coordinator, agreement)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".html" not in response["Content-Disposition"]
