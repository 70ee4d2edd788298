"""The directory part of API v1: me, networks and memberships, partners and staff, services.

Who may do what is in test_api_permissions.py; this file checks what the endpoints do and what they cost.
Requests carry a real API token, so each one reads the user (and their access scope) afresh, as in production.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from network.models import NetworkCoordinator, NetworkMembership
from partners.choices import PartnerType, StaffRole
from partners.models import Partner, Service, StaffMembership, User
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    NetworkFactory,
    PartnerFactory,
    ServiceFactory,
    UserFactory,
    api_token,
    make_coordinator,
    make_staff,
)

pytestmark = pytest.mark.django_db

VALID_REGON = "123456785"
VALID_NIP = "1234563218"


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def names(response: Any) -> list[str]:
    return [row["name"] for row in results(response)]


# --- me -------------------------------------------------------------------------------------------


def test_it_tells_a_coordinator_their_network_and_role(world: Any) -> None:
    body = api_for(world.coordinator).get("/api/v1/me/").json()
    assert body["username"] == "koordynator"
    assert (body["first_name"], body["last_name"], body["language"]) == ("Katarzyna", "Nowak", "pl")
    assert body["roles"] == ["coordinator"]
    assert body["partners"] == []
    assert body["networks"] == [{"id": str(world.network.pk), "name": "Lokalny system Piekary", "coordinator": True}]


def test_it_tells_partner_staff_their_partner_role_and_network(world: Any) -> None:
    body = api_for(world.receiving_admin).get("/api/v1/me/").json()
    assert body["roles"] == ["admin"]
    assert body["partners"] == [{"id": str(world.receiving.pk), "name": "MOPR Piekary", "type": "ops", "role": "admin"}]
    assert body["networks"] == [{"id": str(world.network.pk), "name": "Lokalny system Piekary", "coordinator": False}]


def test_it_calls_an_employers_staff_employer_and_a_monitor_monitor(world: Any) -> None:
    assert api_for(world.employer_staff).get("/api/v1/me/").json()["roles"] == ["staff", "employer"]
    monitor = api_for(world.monitor).get("/api/v1/me/").json()
    assert (monitor["roles"], monitor["partners"], monitor["networks"]) == (["monitor"], [], [])


def test_it_leaves_out_a_partner_the_user_no_longer_works_for(world: Any) -> None:
    StaffMembership.objects.filter(user=world.receiving_staff).update(is_active=False, status="ended")
    body = api_for(world.receiving_staff).get("/api/v1/me/").json()
    assert (body["roles"], body["partners"], body["networks"]) == ([], [], [])


def test_it_answers_me_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    user = world.receiving_admin
    api = api_for(user)

    def me() -> dict[str, Any]:
        with django_assert_num_queries(6):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. scope: the networks their partners are members of
            # 5. the staff memberships with their partners, for "partners"
            # 6. the names of the user's networks
            return api.get("/api/v1/me/").json()

    assert len(me()["partners"]) == 1
    for n in range(5):
        partner = PartnerFactory(name=f"Partner {n}")
        MembershipFactory(network=NetworkFactory(), partner=partner)
        StaffMembership.objects.create(user=user, partner=partner, role=StaffRole.STAFF)
    NetworkCoordinator.objects.create(network=NetworkFactory(), user=user)
    body = me()
    assert (len(body["partners"]), len(body["networks"])) == (6, 7)
    assert body["roles"] == ["coordinator", "staff", "admin"]


# --- networks -------------------------------------------------------------------------------------


def test_it_lists_networks_with_their_stage_labels_and_coordinating_partner(world: Any) -> None:
    world.network.coordinating_partner = world.receiving
    world.network.stages = [{"code": "intake", "name": ""}, {"code": "club", "name": "Klub pracy"}]
    world.network.save()
    [network] = results(api_for(world.coordinator).get("/api/v1/networks/"))
    assert network["name"] == "Lokalny system Piekary"
    assert network["teryt"] == "2462011"
    assert network["coordinating_partner"]["name"] == "MOPR Piekary"
    assert network["stages"] == [
        {"code": "intake", "name": "zgłoszenie i diagnoza możliwości"},
        {"code": "club", "name": "Klub pracy"},
    ]


def test_it_filters_networks_by_name_or_territory(world: Any) -> None:
    api = api_for(world.monitor)
    assert names(api.get("/api/v1/networks/", {"q": "bytom"})) == ["Lokalny system Bytom"]
    assert len(names(api.get("/api/v1/networks/", {"q": "piekary śląskie"}))) == 2


def test_it_shows_a_networks_current_members_and_the_agreement_in_force(world: Any) -> None:
    today = datetime.date.today()
    membership = world.receiving.network_memberships.get()
    membership.coordinating_person = world.receiving_admin
    membership.contact_phone = "32 111 22 33"
    membership.save()
    NetworkMembership.objects.filter(partner=world.employer).update(until=today - datetime.timedelta(days=1))
    AgreementFactory(network=world.network, title="Stare", valid_to=datetime.date(2025, 6, 30))
    current = AgreementFactory(network=world.network, title="Obecne", valid_from=datetime.date(2025, 7, 1))
    AgreementFactory(network=world.network, title="Przyszłe", valid_from=today + datetime.timedelta(days=30))

    body = api_for(world.sending_staff).get(f"/api/v1/networks/{world.network.pk}/").json()

    assert [m["partner"]["name"] for m in body["memberships"]] == ["MOPR Piekary", "ŚDS Piekary"]
    mopr = body["memberships"][0]
    assert mopr["functions"] == [
        {"code": "social_matters", "label": "sprawy socjalne i bytowe"},
        {"code": "care_services", "label": "usługi opiekuńcze"},
    ]
    assert mopr["coordinating_person"] == {
        "id": str(world.receiving_admin.pk),
        "name": "Jan " + world.receiving_admin.last_name,
    }
    assert (mopr["contact_phone"], mopr["since"], mopr["until"]) == ("32 111 22 33", "2025-01-01", None)
    agreement = body["agreement"]
    assert agreement["id"] == str(current.pk)
    assert agreement["funding_sources"][1] == {"code": "pfron", "label": "PFRON"}
    assert agreement["document_url"] is None


def test_it_links_the_signed_agreement_without_serving_it(world: Any) -> None:
    agreement = AgreementFactory(network=world.network, document="agreements/x/signed.pdf")
    body = api_for(world.coordinator).get(f"/api/v1/networks/{world.network.pk}/").json()
    url = reverse("network-agreement-document", kwargs={"network_id": world.network.pk, "agreement_id": agreement.pk})
    assert body["agreement"]["document_url"] == f"http://testserver{url}"
    assert "signed.pdf" not in str(body)


def test_it_lets_a_coordinator_change_the_network(world: Any) -> None:
    response = api_for(world.coordinator).patch(
        f"/api/v1/networks/{world.network.pk}/",
        {
            "description": "Wsparcie osób po kryzysie psychicznym.",
            "coordinating_partner": str(world.receiving.pk),
            "stages": [{"code": "intake"}, {"code": "club", "name": "Klub pracy"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["coordinating_partner"]["id"] == str(world.receiving.pk)
    assert [s["name"] for s in response.json()["stages"]] == ["zgłoszenie i diagnoza możliwości", "Klub pracy"]
    world.network.refresh_from_db()
    assert world.network.description == "Wsparcie osób po kryzysie psychicznym."
    assert world.network.stages == [{"code": "intake", "name": ""}, {"code": "club", "name": "Klub pracy"}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"teryt": "24-62"}, "teryt"),
        ({"stages": [{"code": "intake"}, {"code": "intake"}]}, "stages"),
        ({"stages": [{"code": "club"}]}, "stages"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_a_bad_network_change_by_field(world: Any, body: dict[str, Any], field: str) -> None:
    response = api_for(world.coordinator).patch(f"/api/v1/networks/{world.network.pk}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    world.network.refresh_from_db()
    assert world.network.teryt == "2462011"


def test_it_refuses_a_coordinating_partner_from_outside_the_network(world: Any) -> None:
    response = api_for(world.coordinator).patch(
        f"/api/v1/networks/{world.network.pk}/", {"coordinating_partner": str(world.unrelated.pk)}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["coordinating_partner"]


# --- memberships ----------------------------------------------------------------------------------


def test_it_lists_every_membership_of_a_network_to_its_coordinator(world: Any) -> None:
    NetworkMembership.objects.filter(partner=world.employer).update(until=datetime.date(2025, 6, 30))
    rows = results(api_for(world.coordinator).get(f"/api/v1/networks/{world.network.pk}/memberships/"))
    assert [(r["partner"]["name"], r["until"]) for r in rows] == [
        ("Drukarnia Sp. z o.o.", "2025-06-30"),
        ("MOPR Piekary", None),
        ("ŚDS Piekary", None),
    ]


def test_it_adds_a_former_member_back_to_the_network(world: Any) -> None:
    former = PartnerFactory(name="Fundacja Pomocna Dłoń")
    MembershipFactory(network=world.network, partner=former, until=datetime.date(2025, 3, 31))
    response = api_for(world.coordinator).post(
        f"/api/v1/networks/{world.network.pk}/memberships/",
        {"partner": str(former.pk), "functions": ["legal_advice"], "contact_name": "Ewa Lis"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["partner"]["name"], body["until"], body["contact_name"]) == ("Fundacja Pomocna Dłoń", None, "Ewa Lis")
    assert body["since"] == datetime.date.today().isoformat()
    assert body["functions"] == [{"code": "legal_advice", "label": "porady prawne"}]


@pytest.mark.parametrize("which", ["other network's", "unknown", "malformed"])
def test_it_refuses_to_add_a_partner_it_cannot_see(world: Any, which: str) -> None:
    partner_id = {
        "other network's": str(world.unrelated.pk),
        "unknown": "6b0d7c6a-1b9e-4d0e-9a53-3f2b8d1c0a11",
        "malformed": "to-nie-uuid",
    }[which]
    response = api_for(world.coordinator).post(
        f"/api/v1/networks/{world.network.pk}/memberships/",
        {"partner": partner_id, "functions": ["legal_advice"]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["partner"]
    if which != "malformed":
        assert "POST /api/v1/partners/" in response.json()["partner"][0]
    assert not NetworkMembership.objects.filter(network=world.network, partner=world.unrelated).exists()


def test_it_answers_409_for_a_partner_already_in_the_network(world: Any) -> None:
    response = api_for(world.coordinator).post(
        f"/api/v1/networks/{world.network.pk}/memberships/",
        {"partner": str(world.sending.pk), "functions": ["therapy"]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert response.json()["detail"].startswith("ŚDS Piekary ")


def test_it_changes_a_membership_and_its_coordinating_person(world: Any) -> None:
    membership = world.receiving.network_memberships.get()
    api = api_for(world.coordinator)
    response = api.patch(
        f"/api/v1/memberships/{membership.pk}/",
        {"functions": ["care_services", "diagnosis"], "coordinating_person": str(world.receiving_staff.pk)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [f["code"] for f in response.json()["functions"]] == ["diagnosis", "care_services"]
    assert response.json()["coordinating_person"]["id"] == str(world.receiving_staff.pk)

    elsewhere = api.patch(
        f"/api/v1/memberships/{membership.pk}/", {"coordinating_person": str(world.sending_staff.pk)}, format="json"
    )
    assert elsewhere.status_code == 400
    assert list(elsewhere.json()) == ["coordinating_person"]
    membership.refresh_from_db()
    assert membership.coordinating_person == world.receiving_staff


def test_it_refuses_a_membership_ending_before_it_began(world: Any) -> None:
    membership = world.receiving.network_memberships.get()
    response = api_for(world.coordinator).patch(
        f"/api/v1/memberships/{membership.pk}/", {"until": "2024-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    membership.refresh_from_db()
    assert membership.until is None


# --- partners -------------------------------------------------------------------------------------


def test_it_filters_partners_by_network_type_and_name(world: Any) -> None:
    api = api_for(world.monitor)
    assert names(api.get("/api/v1/partners/", {"network": str(world.network.pk)})) == [
        "Drukarnia Sp. z o.o.",
        "MOPR Piekary",
        "ŚDS Piekary",
    ]
    assert names(api.get("/api/v1/partners/", {"type": "ngo"})) == ["Stowarzyszenie Bytom"]
    assert names(api.get("/api/v1/partners/", {"q": "PIEKARY"})) == ["MOPR Piekary", "ŚDS Piekary"]
    assert names(api.get("/api/v1/partners/", {"q": "piekary", "type": "sds"})) == ["ŚDS Piekary"]


def test_it_keeps_a_filter_within_what_the_user_sees(world: Any) -> None:
    response = api_for(world.coordinator).get("/api/v1/partners/", {"network": str(world.other_network.pk)})
    assert names(response) == []


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/partners/", {"network": "nie-uuid"}),
        ("/api/v1/partners/", {"type": "bank"}),
        ("/api/v1/services/", {"partner": "123"}),
        ("/api/v1/services/", {"category": "everything"}),
    ],
)
def test_it_answers_a_bad_filter_with_400_detail_and_code(world: Any, url: str, params: dict[str, str]) -> None:
    response = api_for(world.coordinator).get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "invalid_filter"
    assert body["detail"].startswith(f"{next(iter(params))}: ")


def test_it_creates_a_partner_in_the_coordinators_network(world: Any) -> None:
    response = api_for(world.coordinator).post(
        "/api/v1/partners/",
        {
            "name": "Spółdzielnia Socjalna Razem",
            "type": "social_cooperative",
            "sector": "social",
            "regon": VALID_REGON,
            "nip": "123-456-32-18",
            "postal_code": "41-940",
            "network": str(world.network.pk),
            "functions": ["employment", "vocational_training"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["type_label"], body["nip"]) == ("spółdzielnia socjalna / przedsiębiorstwo społeczne", VALID_NIP)
    membership = NetworkMembership.objects.get(partner_id=body["id"])
    assert (membership.network, membership.functions) == (world.network, ["vocational_training", "employment"])
    assert "Spółdzielnia Socjalna Razem" in names(api_for(world.receiving_staff).get("/api/v1/partners/"))


def test_it_returns_polish_field_errors_for_bad_identifiers_and_saves_nothing(world: Any) -> None:
    before = (Partner.objects.count(), Group.objects.count(), NetworkMembership.objects.count())
    response = api_for(world.coordinator).post(
        "/api/v1/partners/",
        {
            "name": "Fundacja",
            "type": "ngo",
            "sector": "social",
            "regon": "123456789",
            "nip": "1234567890",
            "postal_code": "41940",
            "network": str(world.network.pk),
            "functions": ["legal_advice"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "regon": ["Błędna suma kontrolna numeru REGON."],
        "nip": ["Błędna suma kontrolna numeru NIP."],
        "postal_code": ["Wpisz kod pocztowy w formacie XX-XXX."],
    }
    assert (Partner.objects.count(), Group.objects.count(), NetworkMembership.objects.count()) == before


def test_it_saves_no_partner_when_its_membership_is_refused(world: Any) -> None:
    before = (Partner.objects.count(), Group.objects.count())
    response = api_for(world.coordinator).post(
        "/api/v1/partners/",
        {"name": "Fundacja", "type": "ngo", "sector": "social", "network": str(world.network.pk)},
        format="json",
    )
    # The model wants at least one function; the error comes from the membership, after the partner was built.
    assert response.status_code == 400
    assert list(response.json()) == ["functions"]
    assert (Partner.objects.count(), Group.objects.count()) == before


def test_it_wants_a_network_for_a_new_partner_unless_the_operator_creates_it(world: Any) -> None:
    body = {"name": "Fundacja", "type": "ngo", "sector": "social"}
    refused = api_for(world.coordinator).post("/api/v1/partners/", body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["network"]
    operator = UserFactory(username="operator", is_superuser=True)
    assert api_for(operator).post("/api/v1/partners/", body, format="json").status_code == 201


def test_it_refuses_a_regon_another_partner_has(world: Any) -> None:
    Partner.objects.filter(pk=world.sending.pk).update(regon=VALID_REGON)
    response = api_for(world.receiving_admin).patch(
        f"/api/v1/partners/{world.receiving.pk}/", {"regon": VALID_REGON}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["regon"]


def test_it_lets_a_partner_admin_change_the_profile(world: Any) -> None:
    Partner.objects.filter(pk=world.receiving.pk).update(regon=VALID_REGON)
    response = api_for(world.receiving_admin).patch(
        f"/api/v1/partners/{world.receiving.pk}/",
        {
            "regon": VALID_REGON,
            "nip": "123-45-63-218",
            "phone": " 32 288 00 00 ",
            "website": "https://mopr.example.org",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.receiving.refresh_from_db()
    assert (world.receiving.nip, world.receiving.phone) == (VALID_NIP, "32 288 00 00")
    assert response.json()["name"] == "MOPR Piekary"


# --- staff ----------------------------------------------------------------------------------------


def test_it_lists_a_partners_staff_by_name(world: Any) -> None:
    rows = results(api_for(world.receiving_staff).get(f"/api/v1/partners/{world.receiving.pk}/staff/"))
    assert [(r["user"]["username"], r["role"], r["role_label"]) for r in rows] == [
        ("mopr", "staff", "pracownik partnera"),
        ("mopr-admin", "admin", "administrator partnera"),
    ]


def test_it_adds_a_new_account_to_the_staff_and_invites_it(
    world: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(world.receiving_admin).post(
            f"/api/v1/partners/{world.receiving.pk}/staff/",
            {
                "username": "asystent",
                "email": "asystent@mopr.example.org",
                "last_name": "Zielińska",
                "role": "job_coach",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert (response.json()["role"], response.json()["user"]["last_name"]) == ("job_coach", "Zielińska")
    user = User.objects.get(username="asystent")
    assert not user.has_usable_password()
    assert world.receiving.group in user.groups.all()
    assert [m.to for m in mailoutbox] == [["asystent@mopr.example.org"]]


def test_it_answers_409_for_someone_already_on_the_staff(world: Any) -> None:
    response = api_for(world.receiving_admin).post(
        f"/api/v1/partners/{world.receiving.pk}/staff/", {"username": "mopr"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_staff"


def test_it_refuses_an_unknown_role(world: Any) -> None:
    response = api_for(world.receiving_admin).post(
        f"/api/v1/partners/{world.receiving.pk}/staff/", {"username": "nowy", "role": "boss"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["role"]
    assert not User.objects.filter(username="nowy").exists()


def test_it_changes_a_role_and_ends_someones_work(world: Any) -> None:
    membership = world.receiving_staff.staff_memberships.get()
    api = api_for(world.receiving_admin)
    promoted = api.patch(f"/api/v1/staff/{membership.pk}/", {"role": "admin"}, format="json")
    assert (promoted.status_code, promoted.json()["role"]) == (200, "admin")
    ended = api.patch(f"/api/v1/staff/{membership.pk}/", {"is_active": False}, format="json")
    assert (ended.status_code, ended.json()["is_active"]) == (200, False)
    assert world.receiving.group not in world.receiving_staff.groups.all()
    # They are gone from their partner's directory entries at once.
    assert api_for(world.receiving_staff).get(f"/api/v1/partners/{world.receiving.pk}/staff/").status_code == 404


def test_it_keeps_a_partners_last_admin(world: Any) -> None:
    membership = world.receiving_admin.staff_memberships.get()
    response = api_for(world.receiving_admin).patch(f"/api/v1/staff/{membership.pk}/", {"role": "staff"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    membership.refresh_from_db()
    assert membership.role == StaffRole.ADMIN


# --- services -------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(world: Any) -> dict[str, Any]:
    return {
        "club": ServiceFactory(
            partner=world.sending, name="Klub samopomocy", category="community_support", capacity=10, load=3
        ),
        "training": ServiceFactory(
            partner=world.employer,
            name="Staż z trenerem pracy",
            category="supported_employment",
            description="Praca w drukarni",
            capacity=2,
            load=2,
        ),
    }


def test_it_filters_services(world: Any, catalogue: dict[str, Any]) -> None:
    api = api_for(world.monitor)
    listed = lambda **params: names(api.get("/api/v1/services/", params))  # noqa: E731
    assert listed(network=str(world.network.pk)) == [
        "Klub samopomocy",
        "Specjalistyczne usługi opiekuńcze",
        "Staż z trenerem pracy",
    ]
    assert listed(partner=str(world.unrelated.pk)) == ["Porady prawne"]
    assert listed(type="employer") == ["Staż z trenerem pracy"]
    assert listed(category="supported_employment") == ["Staż z trenerem pracy"]
    assert listed(q="drukarni") == ["Staż z trenerem pracy"]
    assert listed(free="true") == ["Klub samopomocy", "Porady prawne"]
    assert listed(free="false") == ["Specjalistyczne usługi opiekuńcze", "Staż z trenerem pracy"]
    assert listed(free="true", network=str(world.network.pk)) == ["Klub samopomocy"]


def test_it_shows_free_places_and_null_for_no_limit(world: Any, catalogue: dict[str, Any]) -> None:
    rows = {r["name"]: r for r in results(api_for(world.monitor).get("/api/v1/services/"))}
    assert (rows["Klub samopomocy"]["capacity"], rows["Klub samopomocy"]["free_places"]) == (10, 7)
    assert rows["Specjalistyczne usługi opiekuńcze"]["free_places"] == 0
    assert (rows["Porady prawne"]["capacity"], rows["Porady prawne"]["free_places"]) == (None, None)
    assert rows["Klub samopomocy"]["partner"]["name"] == "ŚDS Piekary"


def test_it_adds_a_service_to_a_partners_catalogue(world: Any) -> None:
    response = api_for(world.receiving_admin).post(
        "/api/v1/services/",
        {
            "partner": str(world.receiving.pk),
            "name": "Asystent osobisty",
            "category": "independence",
            "capacity": 4,
            "waitlist_enabled": False,
            "funding_source": "solidarity_fund",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["free_places"], body["waitlist_enabled"]) == (4, False)
    assert (body["funding_source"], body["funding_source_label"]) == ("solidarity_fund", "Fundusz Solidarnościowy")
    assert Service.objects.get(pk=body["id"]).partner == world.receiving


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"postal_code": "41940"}, {"postal_code": ["Wpisz kod pocztowy w formacie XX-XXX."]}),
        ({"capacity": 2, "load": 3}, None),
        ({"category": "everything"}, None),
    ],
)
def test_it_refuses_a_bad_service_and_saves_nothing(
    world: Any, body: dict[str, Any], errors: dict[str, Any] | None
) -> None:
    response = api_for(world.receiving_admin).post(
        "/api/v1/services/",
        {"partner": str(world.receiving.pk), "name": "Nowa usługa", "category": "therapy", **body},
        format="json",
    )
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    assert not Service.objects.filter(name="Nowa usługa").exists()


def test_it_changes_the_places_of_a_service(world: Any) -> None:
    api = api_for(world.receiving_admin)
    response = api.patch(f"/api/v1/services/{world.service.pk}/", {"capacity": 8}, format="json")
    assert (response.status_code, response.json()["free_places"]) == (200, 3)
    below_load = api.patch(f"/api/v1/services/{world.service.pk}/", {"capacity": 4}, format="json")
    assert below_load.status_code == 400
    assert list(below_load.json()) == ["non_field_errors"]
    world.service.refresh_from_db()
    assert world.service.capacity == 8


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/networks/{bad}/",
        "/api/v1/networks/{bad}/memberships/",
        "/api/v1/partners/{bad}/",
        "/api/v1/partners/{bad}/staff/",
        "/api/v1/services/{bad}/",
    ],
)
@pytest.mark.parametrize("bad", ["nie-uuid", "1.2", "6b0d7c6a-1b9e-4d0e-9a53-3f2b8d1c0a11"])
def test_it_answers_a_malformed_or_unknown_id_with_a_json_404(world: Any, url: str, bad: str) -> None:
    response = api_for(world.coordinator).get(url.format(bad=bad))
    assert response.status_code == 404
    assert response.json() == {"detail": "Nie znaleziono.", "code": "not_found"}


@pytest.mark.parametrize("url", ["/api/v1/memberships/{bad}/", "/api/v1/staff/{bad}/", "/api/v1/services/{bad}/"])
def test_it_answers_a_change_to_a_malformed_id_with_a_json_404(world: Any, url: str) -> None:
    response = api_for(world.coordinator).patch(url.format(bad="x.y"), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- queries --------------------------------------------------------------------------------------


def grow_partners(network: Any, count: int) -> None:
    for _ in range(count):
        MembershipFactory(network=network, partner=PartnerFactory(type=PartnerType.NGO))


def test_it_lists_networks_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    api = api_for(world.monitor)

    def count() -> int:
        with django_assert_num_queries(5):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. the count for pagination
            # 5. the page of networks, with their coordinating partners joined
            return api.get("/api/v1/networks/").json()["count"]

    assert count() == 2
    for _ in range(18):
        NetworkFactory(coordinating_partner=world.receiving)
    assert count() == 20


def test_it_shows_a_network_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    network = NetworkFactory(coordinating_partner=world.receiving)
    grow_partners(network, 2)
    AgreementFactory(network=network)
    coordinator = make_coordinator(network, username="koordynator-2")
    api = api_for(coordinator)

    def members() -> int:
        with django_assert_num_queries(7):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. the network (access check)
            # 5. its coordinating partner
            # 6. its current memberships, with partners and coordinating persons joined
            # 7. the agreement in force
            return len(api.get(f"/api/v1/networks/{network.pk}/").json()["memberships"])

    assert members() == 2
    grow_partners(network, 18)
    assert members() == 20


def test_it_lists_memberships_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    network = NetworkFactory()
    grow_partners(network, 2)
    api = api_for(make_coordinator(network, username="koordynator-2"))

    def count() -> int:
        with django_assert_num_queries(6):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. the network (access check)
            # 5. the count for pagination
            # 6. the page of memberships, with partners and coordinating persons joined
            return api.get(f"/api/v1/networks/{network.pk}/memberships/").json()["count"]

    assert count() == 2
    grow_partners(network, 18)
    assert count() == 20


def test_it_lists_partners_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    network = NetworkFactory()
    grow_partners(network, 2)
    api = api_for(make_coordinator(network, username="koordynator-2"))

    def count() -> int:
        with django_assert_num_queries(5):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. the count for pagination
            # 5. the page of partners
            return api.get("/api/v1/partners/", {"type": "ngo"}).json()["count"]

    assert count() == 2
    grow_partners(network, 18)
    assert count() == 20


def test_it_lists_services_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    api = api_for(world.receiving_staff)

    def count() -> int:
        with django_assert_num_queries(6):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. scope: the networks the user's partners are members of
            # 5. the count for pagination
            # 6. the page of services, with their partners joined
            return api.get("/api/v1/services/", {"free": "true"}).json()["count"]

    ServiceFactory(partner=world.sending)
    ServiceFactory(partner=world.employer, capacity=None)
    assert count() == 2
    for n in range(18):
        ServiceFactory(partner=[world.receiving, world.sending, world.employer][n % 3])
    assert count() == 20


def test_it_lists_staff_in_fixed_queries(world: Any, django_assert_num_queries: Any) -> None:
    api = api_for(world.coordinator)

    def count() -> int:
        with django_assert_num_queries(7):
            # 1. the token and its user
            # 2. scope: the user's active staff memberships
            # 3. scope: the networks the user coordinates
            # 4. the partner (access check)
            # 5. whether the partner is in a network the user coordinates (who sees staff)
            # 6. the count for pagination
            # 7. the page of staff, with their users joined
            return api.get(f"/api/v1/partners/{world.sending.pk}/staff/").json()["count"]

    make_staff(world.sending, username="sds-2")
    assert count() == 2
    for n in range(18):
        make_staff(world.sending, username=f"sds-{n + 3}")
    assert count() == 20


# --- schema ---------------------------------------------------------------------------------------


def test_it_generates_a_valid_schema_without_warnings(tmp_path: Path) -> None:
    # --fail-on-warn turns every drf-spectacular warning (an undocumented field or parameter) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ["/api/v1/networks/{id}/memberships/", "/api/v1/partners/{id}/staff/", "/api/v1/staff/{id}/"]:
        assert f"  {path}:" in schema
