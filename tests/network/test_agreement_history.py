"""Agreement history: versions and annexes of the cooperation agreement, each partner's date of joining, through
the page and the API alike (the same services and upload rules); coordinators change it, members read it,
strangers get 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from network import services as network_services
from network.models import CooperationAgreement, NetworkMembership
from network.selectors import agreement_history

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
HOSTILE = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


def first_version(world: Any) -> CooperationAgreement:
    return network_services.agreement_add(
        actor=world.coordinator,
        network=world.network,
        data={
            "title": "Porozumienie o współpracy",
            "valid_from": datetime.date(2024, 1, 1),
            "procedures": "Skierowania przez system.",
            "funding_sources": ["municipal_budget"],
        },
    )


def test_it_keeps_versions_and_annexes_with_the_partners_dates_of_joining(world: Any) -> None:
    first = first_version(world)
    NetworkMembership.objects.filter(network=world.network, partner=world.receiving).update(
        since=datetime.date(2024, 2, 1)
    )
    NetworkMembership.objects.filter(network=world.network, partner=world.sending).update(
        since=datetime.date(2025, 6, 1)
    )
    annex = network_services.agreement_add(
        actor=world.coordinator,
        network=world.network,
        data={"title": "Aneks nr 1", "valid_from": datetime.date(2024, 9, 1), "changes": "Nowy partner: PUP."},
        amends=first,
    )
    second = network_services.agreement_add(
        actor=world.coordinator,
        network=world.network,
        data={"title": "Porozumienie — wersja 2", "valid_from": datetime.date(2025, 1, 1)},
    )
    first.refresh_from_db()
    assert first.valid_to == datetime.date(2024, 12, 31)  # the new version ended the one before it
    assert second.procedures == "Skierowania przez system."  # carried over
    history = agreement_history(world.network)
    assert [(v.number, v.agreement) for v in history.versions] == [(1, first), (2, second)]
    assert history.versions[0].annexes == [annex]
    versions = {row.membership.partner: row.version_number for row in history.partners}
    assert versions[world.receiving] == 1 and versions[world.sending] == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "Aneks", "valid_from": datetime.date(2023, 1, 1)}, "valid_from"),  # before the version
        (
            {"title": "Aneks", "valid_from": datetime.date(2024, 3, 1), "signed_on": datetime.date(2999, 1, 1)},
            "signed_on",
        ),
    ],
)
def test_it_refuses_an_annex_outside_its_version(world: Any, data: dict[str, Any], field: str) -> None:
    from django.core.exceptions import ValidationError

    first = first_version(world)
    with pytest.raises(ValidationError) as refused:
        network_services.agreement_add(actor=world.coordinator, network=world.network, data=data, amends=first)
    assert field in refused.value.message_dict
    assert CooperationAgreement.objects.count() == 1


def test_it_shows_the_history_page_and_lets_the_coordinator_add_an_annex(client: Any, world: Any) -> None:
    first = first_version(world)
    url = reverse("network-agreement-history", args=[world.network.pk])
    client.force_login(world.receiving_staff)
    page = client.get(url)
    assert page.status_code == 200 and "Wersja 1" in page.content.decode()
    assert "<form" not in page.content.decode().split("joined-heading")[1]  # members read, do not add
    assert client.post(url, {"title": "Aneks", "valid_from": "2024-05-01"}).status_code == 403
    client.force_login(world.coordinator)
    response = client.post(
        url,
        {
            "amends": str(first.pk),
            "title": "Aneks nr 1",
            "valid_from": "2024-05-01",
            "document": SimpleUploadedFile("aneks.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    annex = CooperationAgreement.objects.get(kind="annex")
    assert annex.amends == first and annex.document.name.endswith(".pdf")
    client.force_login(world.unrelated_staff)
    assert client.get(url).status_code == 404


def test_it_offers_the_same_through_the_api_with_the_safe_upload_rules(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    first = first_version(world)
    api = APIClient()
    api.force_authenticate(world.coordinator)
    response = api.post(
        f"/api/v1/networks/{world.network.pk}/agreements/",
        {"amends": str(first.pk), "title": "Aneks nr 1", "valid_from": "2024-05-01"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["kind"] == "annex"
    # A page behind a PDF header is refused, nothing stored.
    response = api.patch(
        f"/api/v1/agreements/{first.pk}/",
        {"document": SimpleUploadedFile("porozumienie.html", HOSTILE, content_type="text/html")},
        format="multipart",
    )
    assert response.status_code == 400
    assert not list(tmp_path.rglob("*.*"))
    response = api.patch(
        f"/api/v1/agreements/{first.pk}/",
        {"document": SimpleUploadedFile("porozumienie.html", PDF, content_type="text/html"), "title": "Porozumienie 1"},
        format="multipart",
    )
    assert (
        response.status_code == 200 and response.json()["has_document"] and response.json()["title"] == "Porozumienie 1"
    )
    # Members read the history and download the document as an attachment of the type its content is.
    api.force_authenticate(world.receiving_staff)
    history = api.get(f"/api/v1/networks/{world.network.pk}/agreements/").json()
    assert [v["number"] for v in history["versions"]] == [1] and len(history["versions"][0]["annexes"]) == 1
    document = api.get(f"/api/v1/agreements/{first.pk}/document/")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"].startswith("attachment")
    assert api.patch(f"/api/v1/agreements/{first.pk}/", {"title": "X"}, format="json").status_code == 403
    for user in (world.unrelated_staff, world.other_coordinator):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/networks/{world.network.pk}/agreements/").status_code == 404
        assert api.get(f"/api/v1/agreements/{first.pk}/document/").status_code == 404
        assert api.patch(f"/api/v1/agreements/{first.pk}/", {"title": "X"}, format="json").status_code == 404
    assert api.get("/api/v1/agreements/not-a-uuid/").status_code == 404
