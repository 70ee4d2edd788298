"""Issue 14, item 6: uploaded documents (signed consents, cooperation agreements).

- accepted as PDF, JPEG or PNG by their content only: an HTML page renamed ``.pdf``, or dressed up behind a
  ``%PDF-`` header, is refused on the page and in the API;
- stored under a generated name whose extension is that of the detected type, never the uploader's;
- served as a download with the type read from the content, never inline, never ``text/html``;
- a body above the limit is refused with 413 before it is read (a 40 MB Content-Length with a small body: nothing
  reads it, nothing is written), and a body that streams past the limit is stopped there, under WSGI (the upload
  handler) and under ASGI (the wrapper in config/asgi.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.request_limits import BodySizeLimit, LimitedUploadHandler
from network.models import CooperationAgreement
from partners.uploads import detect_type
from people.models import Consent
from tests.factories import AgreementFactory
from tests.people_fixtures import make_consent, make_person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
HTML = b"<!doctype html><html><body><script>fetch('/api/v1/persons/')</script></body></html>"
# A page behind a PDF header: it passed the old magic-byte check and was served text/html, inline.
POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
MB = 1024 * 1024
UUID_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def post_consent(client: Any, person: Any, world: Any, document: Any, **extra: Any) -> Any:
    payload = {
        "consent-purpose": "Skierowanie do MOPR",
        "consent-given_by": "person",
        "consent-categories": ["identity"],
        "consent-partners": [world.receiving.pk],
        "consent-document": document,
    }
    return client.post(reverse("person-consent-add", args=[person.pk]), payload, **extra)


def post_agreement(client: Any, world: Any, document: Any) -> Any:
    return client.post(
        reverse("network-agreement-edit", args=[world.network.pk]),
        {"title": "Porozumienie", "valid_from": "2026-01-01", "document": document},
    )


# --- by content only ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (HTML, None),
        (POLYGLOT, None),
        (b"%PDF-1.4\n<svg onload=alert(1)>\n%%EOF", None),
        (b"%PDF-1.4\n1 0 obj\n", None),  # no %%EOF: not a PDF a reader opens
        (b"%PDF-x\n%%EOF", None),  # no version
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, None),  # no IHDR header
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, None),  # no end of image
        (b"MZ\x90\x00" + b"\x00" * 64, None),
        (b"", None),
    ],
)
def test_it_knows_a_document_by_its_content_only(content: bytes, expected: str | None) -> None:
    assert detect_type(content) == expected


@pytest.mark.parametrize("content", [HTML, POLYGLOT], ids=["html-renamed-pdf", "html-behind-pdf-header"])
def test_the_consent_page_refuses_a_page_renamed_pdf_and_saves_nothing(
    client: Any, world: Any, media: Path, content: bytes
) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = post_consent(client, person, world, SimpleUploadedFile("zgoda.pdf", content, "application/pdf"))
    assert response.status_code == 400
    assert "Akceptujemy tylko pliki PDF, JPEG lub PNG." in response.content.decode()
    assert not Consent.objects.filter(person=person).exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("content", [HTML, POLYGLOT], ids=["html-renamed-pdf", "html-behind-pdf-header"])
def test_the_agreement_page_refuses_a_page_renamed_pdf(client: Any, world: Any, media: Path, content: bytes) -> None:
    client.force_login(world.coordinator)
    response = post_agreement(client, world, SimpleUploadedFile("porozumienie.pdf", content, "application/pdf"))
    assert response.status_code == 400
    assert "Akceptujemy tylko pliki PDF, JPEG lub PNG." in response.content.decode()
    assert not CooperationAgreement.objects.filter(network=world.network).exists()
    assert stored_files(media) == []


def test_the_api_refuses_a_page_renamed_pdf_with_a_json_400(world: Any, media: Path) -> None:
    person = make_person(world)
    client = APIClient()
    client.force_authenticate(world.coordinator)
    response = client.post(
        f"/api/v1/persons/{person.pk}/consents/",
        {
            "categories": ["identity"],
            "purpose": "Skierowanie",
            "partners": [str(world.receiving.pk)],
            "document": SimpleUploadedFile("zgoda.pdf", POLYGLOT, "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "document" in json.dumps(response.json())
    assert not Consent.objects.filter(person=person).exists()


# --- generated names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "content", "extension"),
    [
        ("Jan Kowalski 85010112345.pdf", PDF, "pdf"),
        ("skan.html", PNG, "png"),  # the name lies: the content decides
        ("zdjęcie.pdf", JPEG, "jpg"),
        ("..%2F..%2Fsettings.py", PDF, "pdf"),
    ],
)
def test_a_consent_document_is_stored_under_a_generated_name_with_the_detected_extension(
    client: Any, world: Any, media: Path, client_name: str, content: bytes, extension: str
) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = post_consent(client, person, world, SimpleUploadedFile(client_name, content, "text/html"))
    assert response.status_code == 302, response.content.decode()
    consent = Consent.objects.get(person=person)
    directory, name = consent.document.name.rsplit("/", 1)
    assert directory == f"consents/{person.pk}"
    assert UUID_NAME.match(name) and name.endswith(f".{extension}")
    assert [p.name for p in stored_files(media)] == [name]


def test_an_agreement_document_is_stored_under_a_generated_name_with_the_detected_extension(
    client: Any, world: Any, media: Path
) -> None:
    client.force_login(world.coordinator)
    response = post_agreement(client, world, SimpleUploadedFile("porozumienie.html", PNG, "text/html"))
    assert response.status_code == 302, response.content.decode()
    agreement = CooperationAgreement.objects.get(network=world.network)
    directory, name = agreement.document.name.rsplit("/", 1)
    assert directory == f"agreements/{world.network.pk}"
    assert UUID_NAME.match(name) and name.endswith(".png")


# --- served as a download, by content ----------------------------------------------------------------------


def consent_download(client: Any, consent: Any) -> Any:
    return client.get(reverse("person-consent-document", args=[consent.person_id, consent.pk]))


def agreement_download(client: Any, agreement: Any) -> Any:
    return client.get(
        reverse("network-agreement-document", kwargs={"network_id": agreement.network_id, "agreement_id": agreement.pk})
    )


def assert_served_as_download(response: Any, content_type: str, extension: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "html" not in response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_a_consent_document_is_served_as_the_type_its_content_is(client: Any, world: Any, media: Path) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    post_consent(client, person, world, SimpleUploadedFile("skan.pdf", PNG, "application/pdf"))
    consent = Consent.objects.get(person=person)
    response = consent_download(client, consent)
    assert_served_as_download(response, "image/png", "png")
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("content", [HTML, POLYGLOT], ids=["html", "html-behind-pdf-header"])
def test_a_page_stored_before_these_checks_is_never_served_inline_or_as_html(
    client: Any, world: Any, media: Path, content: bytes
) -> None:
    """Documents stored by an older version (under their client's name, with a recorded type that lies)."""
    person = make_person(world)
    consent = make_consent(world, person, ["identity"], partners=[world.receiving])
    consent.document.save("zgoda.html", ContentFile(content), save=False)
    consent.document_type = "application/pdf"
    consent.save()
    agreement = AgreementFactory(network=world.network)
    agreement.document.save("porozumienie.html", ContentFile(content))
    client.force_login(world.coordinator)
    assert_served_as_download(consent_download(client, consent), "application/octet-stream", "bin")
    assert_served_as_download(agreement_download(client, agreement), "application/octet-stream", "bin")


def test_documents_are_served_only_to_those_who_may_read_them(client: Any, world: Any, media: Path) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    post_consent(client, person, world, SimpleUploadedFile("zgoda.pdf", PDF, "application/pdf"))
    consent = Consent.objects.get(person=person)
    agreement = AgreementFactory(network=world.network)
    agreement.document.save("porozumienie.pdf", ContentFile(PDF))
    client.force_login(world.unrelated_staff)
    assert consent_download(client, consent).status_code == 404
    assert agreement_download(client, agreement).status_code == 404
    client.logout()
    assert consent_download(client, consent).status_code == 302  # to the sign-in page
    assert agreement_download(client, agreement).status_code == 302


# --- the size limit, before the body is read ---------------------------------------------------------------


def test_a_40_mb_body_is_refused_with_413_without_being_read(client: Any, world: Any, media: Path) -> None:
    """The Content-Length says 40 MB and the body is a few bytes: the test client's input raises if anything tries
    to read past what it holds, so a 413 here means nothing read the body."""
    person = make_person(world)
    client.force_login(world.coordinator)
    body = b'--x\r\nContent-Disposition: form-data; name="consent-purpose"\r\n\r\nA\r\n--x--\r\n'
    response = client.generic(
        "POST",
        reverse("person-consent-add", args=[person.pk]),
        body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(40 * MB),
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Plik jest za duży" in page and "10 MB" in page
    assert not Consent.objects.filter(person=person).exists()
    assert stored_files(media) == []


def test_the_api_answers_413_with_a_code(world: Any, media: Path) -> None:
    person = make_person(world)
    client = APIClient()
    client.force_authenticate(world.coordinator)
    response = client.generic(
        "POST",
        f"/api/v1/persons/{person.pk}/consents/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(40 * MB),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "10 MB" in response.json()["detail"]


def test_a_body_streaming_past_the_limit_is_stopped_there_and_nothing_is_saved(
    client: Any, world: Any, media: Path, settings: Any
) -> None:
    """The length is honest and under the body's limit, but the file is over the document limit: the handler stops
    it as it streams, and the request is refused instead of going on without its document."""
    settings.UPLOAD_MAX_SIZE = 1 * MB
    person = make_person(world)
    client.force_login(world.coordinator)
    big = SimpleUploadedFile("zgoda.pdf", b"%PDF-1.4\n" + b"0" * (MB + 10) + b"\n%%EOF\n", "application/pdf")
    response = post_consent(client, person, world, big)
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert not Consent.objects.filter(person=person).exists()
    assert stored_files(media) == []


def test_the_handler_counts_every_file_of_a_request(settings: Any) -> None:
    settings.UPLOAD_MAX_SIZE = 1 * MB

    class Request:
        upload_too_large = False

    request: Any = Request()
    handler = LimitedUploadHandler(request)
    handler.new_file("document", "a.pdf", "application/pdf", 0)
    assert handler.receive_data_chunk(b"0" * (MB // 2), 0)
    handler.new_file("other", "b.pdf", "application/pdf", 0)
    from django.core.files.uploadhandler import StopUpload

    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"0" * (MB // 2 + 1), 0)
    assert stopped.value.connection_reset  # the rest of the body is not read
    assert request.upload_too_large


def test_a_document_within_the_limit_still_goes_through(client: Any, world: Any, media: Path, settings: Any) -> None:
    settings.UPLOAD_MAX_SIZE = 1 * MB
    person = make_person(world)
    client.force_login(world.coordinator)
    fits = SimpleUploadedFile("zgoda.pdf", b"%PDF-1.4\n" + b"0" * (MB - 100) + b"\n%%EOF\n", "application/pdf")
    assert post_consent(client, person, world, fits).status_code == 302
    assert Consent.objects.get(person=person).document


# --- under ASGI (uvicorn): before Django's handler spools the body -----------------------------------------


class Recorder:
    """A stand-in for Django's ASGI application: reads the body as Django does and notes what it saw."""

    def __init__(self) -> None:
        self.called = False
        self.read = 0
        self.disconnected = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                return
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run_asgi(headers: list[tuple[bytes, bytes]], chunks: list[bytes], path: str = "/people/x/consents/new/") -> Any:
    app = Recorder()
    sent: list[dict[str, Any]] = []
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > len(chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    asyncio.run(BodySizeLimit(app)(scope, receive, send))
    return app, sent, pulled


def test_asgi_refuses_a_40_mb_content_length_without_receiving_anything() -> None:
    app, sent, pulled = run_asgi([(b"content-length", str(40 * MB).encode())], [b"x" * 1024])
    assert pulled == 0 and not app.called
    assert sent[0]["status"] == 413
    assert "Plik jest za duży".encode() in sent[1]["body"]


def test_asgi_answers_the_api_in_json() -> None:
    _app, sent, _pulled = run_asgi(
        [(b"content-length", str(40 * MB).encode()), (b"cookie", b"django_language=en")],
        [b"{}"],
        path="/api/v1/persons/x/consents/",
    )
    assert sent[0]["status"] == 413
    body = json.loads(sent[1]["body"])
    assert body["code"] == "too_large" and "too large" in body["detail"]


def test_asgi_cuts_a_chunked_body_off_at_the_limit(settings: Any) -> None:
    settings.UPLOAD_MAX_SIZE = 1 * MB
    chunk = b"x" * (256 * 1024)
    app, sent, pulled = run_asgi([(b"transfer-encoding", b"chunked")], [chunk] * 40)  # 10 MB, no length
    assert app.disconnected  # Django drops what it spooled and answers nothing of its own
    assert pulled <= 7  # 1 MB + the form's 256 kB, then it stops pulling
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]


def test_asgi_lets_a_body_within_the_limit_through() -> None:
    app, sent, _pulled = run_asgi([(b"content-length", b"2048")], [b"x" * 1024, b"x" * 1024])
    assert app.read == 2048 and not app.disconnected
    assert sent[0]["status"] == 200
