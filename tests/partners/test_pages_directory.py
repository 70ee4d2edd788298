"""Pages of the network directory: who reaches what, what they can change, and at what query cost."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from network.models import CooperationAgreement
from partners.models import Service, StaffMembership, User
from tests.factories import AgreementFactory, MembershipFactory, PartnerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def status_for(client: Any, user: Any, method: str, url: str, data: dict[str, Any] | None = None) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url) if method == "get" else client.post(url, data or {})
    if user is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
        return 302
    return response.status_code


# (page, method, {persona: expected status}); personas not listed expect 404.
def page_matrix(world: Any) -> list[tuple[str, str, dict[str, int]]]:
    n, p, s = world.network.pk, world.receiving.pk, world.service.pk
    members_of_n = {
        "coordinator": 200,
        "receiving_staff": 200,
        "receiving_admin": 200,
        "sending_staff": 200,
        "employer": 200,
        "monitor": 200,
    }
    coordinator_only = {
        "coordinator": 200,
        "receiving_staff": 403,
        "receiving_admin": 403,
        "sending_staff": 403,
        "employer": 403,
        "monitor": 403,
    }
    return [
        (reverse("network-overview", args=[n]), "get", members_of_n),
        (reverse("network-members", args=[n]), "get", coordinator_only),
        (reverse("network-agreement-edit", args=[n]), "get", coordinator_only),
        (reverse("partner-detail", args=[p]), "get", members_of_n),
        (reverse("partner-edit", args=[p]), "get", {**coordinator_only, "receiving_admin": 200}),
        (reverse("partner-staff", args=[p]), "get", {**coordinator_only, "receiving_admin": 200, "coordinator": 403}),
        (reverse("service-create", args=[p]), "get", {**coordinator_only, "receiving_admin": 200}),
        (reverse("service-edit", args=[s]), "get", {**coordinator_only, "receiving_admin": 200}),
    ]


def test_it_answers_every_directory_page_per_persona(client: Any, world: Any) -> None:
    failures = []
    for url, method, expected in page_matrix(world):
        for persona, user in world.personas().items():
            want = 302 if user is None else expected.get(persona, 404)
            got = status_for(client, user, method, url)
            if got != want:
                failures.append(f"{persona} {method.upper()} {url}: {got}, expected {want}")
    assert not failures, "\n".join(failures)


def test_it_hides_another_networks_pages_from_a_coordinator(client: Any, world: Any) -> None:
    client.force_login(world.other_coordinator)
    for url in [
        reverse("network-overview", args=[world.network.pk]),
        reverse("partner-detail", args=[world.receiving.pk]),
        reverse("service-edit", args=[world.service.pk]),
        reverse("partner-staff", args=[world.receiving.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_it_shows_the_network_grouped_by_function_with_the_agreement(client: Any, world: Any) -> None:
    AgreementFactory(network=world.network)
    client.force_login(world.receiving_staff)
    html = client.get(reverse("network-overview", args=[world.network.pk])).content.decode()
    assert "Sprawy socjalne i bytowe" in html and "Usługi opiekuńcze" in html and "Zatrudnienie" in html
    assert "MOPR Piekary" in html and "Stowarzyszenie Bytom" not in html
    assert "Porozumienie o współpracy" in html and "budżet gminy" in html
    # Management links only for the coordinator.
    assert reverse("network-members", args=[world.network.pk]) not in html


def test_it_filters_the_directory_by_free_places(client: Any, world: Any) -> None:
    ServiceFactory(partner=world.sending, name="Treningi umiejętności", capacity=10, load=3)
    client.force_login(world.coordinator)
    url = reverse("service-directory")
    html = client.get(url).content.decode()
    assert "Specjalistyczne usługi opiekuńcze" in html and "Treningi umiejętności" in html
    assert "Porady prawne" not in html  # another network's service
    html = client.get(url, {"free": "on"}).content.decode()
    assert "Specjalistyczne usługi opiekuńcze" not in html  # full: 5 of 5 taken
    assert "Treningi umiejętności" in html and "7 wolnych miejsc" in html


def test_it_returns_only_the_results_to_an_htmx_request(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get(reverse("service-directory"), {"q": "opiekuńcze"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Specjalistyczne usługi opiekuńcze" in html


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_the_directory_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        ServiceFactory(partner=world.sending, name=f"Usługa {i:02}")
    client.force_login(world.coordinator)
    # 1 session, 2 user, 3-4 scope (staff memberships, coordinatorships; no member networks without staff),
    # 5 count, 6 the page of services with partners.
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(7):
        response = client.get(reverse("service-directory"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_the_network_overview_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        MembershipFactory(network=world.network, partner=PartnerFactory(name=f"Partner {i:02}"), functions=["therapy"])
    AgreementFactory(network=world.network)
    client.force_login(world.coordinator)
    # 1 session, 2 user, 3-4 scope, 5 network, 6 memberships with partners and persons, 7 agreement.
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(8):
        response = client.get(reverse("network-overview", args=[world.network.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_a_partner_page_with_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        ServiceFactory(partner=world.receiving, name=f"Usługa {i:02}")
    client.force_login(world.receiving_admin)
    # 1 session, 2 user, 3-5 scope (staff, coordinatorships, member networks), 6 partner,
    # 7 memberships with networks, 8 services, 9 staff with users (an admin needs no can-edit query).
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(10):
        response = client.get(reverse("partner-detail", args=[world.receiving.pk]))
    assert response.status_code == 200


def test_it_lets_a_partner_admin_add_a_new_staff_member_who_gets_an_invitation(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.receiving_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partner-staff", args=[world.receiving.pk]),
            {
                "username": "nowa",
                "first_name": "Nowa",
                "last_name": "Osoba",
                "email": "nowa@example.org",
                "role": "staff",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="nowa")
    assert not user.has_usable_password()
    assert user.groups.filter(pk=world.receiving.group.pk).exists()
    assert len(mail.outbox) == 1 and "nowa" in mail.outbox[0].body


def test_it_refuses_staff_management_to_plain_staff(client: Any, world: Any) -> None:
    client.force_login(world.receiving_staff)
    response = client.post(reverse("partner-staff", args=[world.receiving.pk]), {"username": "x", "role": "staff"})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_it_keeps_the_group_in_step_when_a_staff_member_is_deactivated(client: Any, world: Any) -> None:
    membership = StaffMembership.objects.get(user=world.receiving_staff)
    client.force_login(world.receiving_admin)
    url = reverse("partner-staff-change", args=[world.receiving.pk, membership.pk])
    assert client.post(url, {"role": "staff"}).status_code == 302
    assert not world.receiving_staff.groups.filter(pk=world.receiving.group.pk).exists()
    client.force_login(world.receiving_staff)
    assert client.get(reverse("network-overview", args=[world.network.pk])).status_code == 404


def test_it_refuses_a_negative_capacity_in_polish_and_saves_nothing(client: Any, world: Any) -> None:
    client.force_login(world.receiving_admin)
    before = Service.objects.count()
    response = client.post(
        reverse("service-create", args=[world.receiving.pk]),
        {"name": "Nowa usługa", "category": "therapy", "capacity": "-3", "load": "0"},
    )
    assert response.status_code == 400
    assert "Upewnij się, że ta wartość jest większa lub równa 0." in response.content.decode()
    assert Service.objects.count() == before


def test_it_refuses_capacity_below_the_places_taken(client: Any, world: Any) -> None:
    client.force_login(world.receiving_admin)
    response = client.post(
        reverse("service-edit", args=[world.service.pk]),
        {
            "name": world.service.name,
            "category": "therapy",
            "capacity": "2",
            "load": "5",
            "waitlist_enabled": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "Liczba miejsc nie może być mniejsza niż liczba zajętych miejsc." in response.content.decode()
    world.service.refresh_from_db()
    assert world.service.capacity == 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("regon", "123456789", "Błędna suma kontrolna numeru REGON."),
        ("nip", "123-456-78-90", "Błędna suma kontrolna numeru NIP."),
        ("postal_code", "41940", "Wpisz kod pocztowy w formacie XX-XXX."),
    ],
)
def test_it_refuses_invalid_polish_identifiers_in_polish(
    client: Any, world: Any, field: str, value: str, message: str
) -> None:
    client.force_login(world.receiving_admin)
    data = {"name": "MOPR Piekary", "type": "ops", "sector": "local_government", field: value}
    response = client.post(reverse("partner-edit", args=[world.receiving.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    world.receiving.refresh_from_db()
    assert getattr(world.receiving, field) != value


def test_it_lets_the_coordinator_add_a_partner_with_functions(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    response = client.post(
        reverse("network-members", args=[world.network.pk]),
        {
            "name": "Warsztat Terapii Zajęciowej",
            "type": "wtz",
            "sector": "social",
            "postal_code": "41-940",
            "regon": "208682889",
            "functions": ["vocational_training", "community_support"],
        },
    )
    assert response.status_code == 302
    membership = world.network.memberships.get(partner__name="Warsztat Terapii Zajęciowej")
    assert membership.functions == ["community_support", "vocational_training"]


def test_it_stores_the_signed_agreement_and_serves_it_only_to_the_network(
    client: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.coordinator)
    pdf = SimpleUploadedFile(
        "porozumienie.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n%%EOF\n", content_type="application/pdf"
    )
    response = client.post(
        reverse("network-agreement-edit", args=[world.network.pk]),
        {"title": "Porozumienie", "valid_from": "2025-01-01", "funding_sources": ["pfron"], "document": pdf},
    )
    assert response.status_code == 302, response.content.decode()
    agreement = CooperationAgreement.objects.get(network=world.network)
    assert "porozumienie" not in agreement.document.name  # the uploaded name is not kept
    url = reverse("network-agreement-document", args=[world.network.pk, agreement.pk])
    client.force_login(world.receiving_staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(world.unrelated_staff)
    assert client.get(url).status_code == 404


def test_it_refuses_an_executable_renamed_to_pdf(client: Any, world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.coordinator)
    fake = SimpleUploadedFile("porozumienie.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, content_type="application/pdf")
    response = client.post(
        reverse("network-agreement-edit", args=[world.network.pk]),
        {"title": "Porozumienie", "valid_from": "2025-01-01", "document": fake},
    )
    assert response.status_code == 400
    assert "Akceptujemy tylko pliki PDF, JPEG lub PNG." in response.content.decode()
    assert not CooperationAgreement.objects.filter(network=world.network).exists()
