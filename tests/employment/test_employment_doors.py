"""The two front doors of supported employment offer and refuse the same: the propose page lists exactly the people
``application_propose`` accepts (both read ``employment.selectors.proposable_people``'s rules), the API is refused
by the same service, and the new placement form offers exactly the networks ``placement_create`` accepts."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import describe
from employment import applications, selectors
from employment import placements as placement_services
from employment.models import JobPlacement, PlacementApplication
from partners.choices import PartnerType, Sector, StaffRole
from partners.models import Partner, User
from people.models import Consent, Person
from referrals import services as referral_services
from tests.factories import MembershipFactory, PartnerFactory, make_staff
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_employment")]

OK = "accepted"


@dataclass
class Scene:
    world: Any
    pup: Partner
    pup_staff: User
    coach: User
    placement: JobPlacement
    people: dict[str, Person]


def _person(world: Any, name: str, **fields: Any) -> Person:
    return make_person(world, first_name="Osoba", last_name=name, pesel="", **fields)


def _for_employers(world: Any, person: Person) -> Person:
    make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    return person


def _refer(world: Any, person: Person, to: Partner, categories: list[str]) -> None:
    referral = referral_services.referral_create(
        actor=world.coordinator, person=person, to_partner=to, reason="Aktywizacja zawodowa", categories=categories
    )
    referral_services.referral_send(actor=world.coordinator, referral=referral)


@pytest.fixture
def scene(world: Any) -> Scene:
    pup = PartnerFactory(name="PUP Piekary", type=PartnerType.PUP, sector=Sector.LOCAL_GOVERNMENT)
    MembershipFactory(network=world.network, partner=pup, functions=["employment"])
    coach = make_staff(world.sending, StaffRole.JOB_COACH, username="trener", first_name="Tomasz", last_name="Trener")
    placement = placement_services.placement_create(
        actor=world.employer_staff,
        employer=world.employer,
        data={
            "title": "Pomocnik magazyniera",
            "workplace": "Magazyn",
            "hours_per_week": 20,
            "contract_form": "employment_contract",
            "positions": 5,
        },
    )
    people: dict[str, Person] = {}
    people["ready"] = _for_employers(world, _person(world, "Gotowa"))
    # A consent without the employment category, and one that ran out yesterday.
    people["no_consent"] = _person(world, "Bezzgody")
    make_consent(world, people["no_consent"], ["identity", "social"], partner_types=[PartnerType.EMPLOYER])
    people["expired"] = _person(world, "Wygasla")
    expired = make_consent(world, people["expired"], ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    today = timezone.localdate()
    Consent.objects.filter(pk=expired.pk).update(
        valid_from=today - datetime.timedelta(days=400), valid_until=today - datetime.timedelta(days=1)
    )
    people["proposed"] = _for_employers(world, _person(world, "Juzzgloszona"))
    applications.application_propose(actor=world.coordinator, placement=placement, person=people["proposed"])
    people["anonymised"] = _for_employers(world, _person(world, "Zanonimizowana"))
    Person.objects.filter(pk=people["anonymised"].pk).update(anonymised_at=timezone.now())
    people["elsewhere"] = _for_employers(world, _person(world, "Zbytomia", network=world.other_network))
    # The job coach manages two cases: one person shares employment with the coach's partner (by its type), the
    # other only with employers, so the coach cannot share what they do not see.
    people["coached"] = _person(world, "Podopieczna")
    make_case(world, people["coached"], manager=coach, partner=world.sending)
    make_consent(world, people["coached"], ["identity", "employment"], partner_types=["employer", "sds"])
    people["coached_unshared"] = _for_employers(world, _person(world, "Niewspoldzielona"))
    make_case(world, people["coached_unshared"], manager=coach, partner=world.sending)
    # The labour office reads what referrals gave it: identity only, or identity and employment.
    for name, categories in (("referred_identity", ["identity"]), ("referred_employment", ["identity", "employment"])):
        person = _for_employers(world, _person(world, name.replace("_", " ").title().replace(" ", "")))
        make_consent(world, person, ["identity", "employment"], partners=[pup])
        _refer(world, person, pup, categories)
        people[name] = person
    return Scene(
        world=world,
        pup=pup,
        pup_staff=make_staff(pup, username="pup"),
        coach=coach,
        placement=placement,
        people={name: Person.objects.get(pk=person.pk) for name, person in people.items()},
    )


# What the service answers each proposer for each person: accepted, or the refusal's code.
NOT_THEIRS = "invalid"  # 400 on "person": not a person of the network the user sees, or employment unreadable
EXPECTED = {
    "coordinator": {
        "ready": OK,
        "no_consent": "consent_missing",
        "expired": "consent_missing",
        "proposed": "duplicate",
        "anonymised": "anonymised",
        "elsewhere": NOT_THEIRS,
        "coached": OK,
        "coached_unshared": OK,
        "referred_identity": OK,
        "referred_employment": OK,
    },
    "pup": {
        "ready": NOT_THEIRS,
        "no_consent": NOT_THEIRS,
        "expired": NOT_THEIRS,
        "proposed": NOT_THEIRS,
        "anonymised": NOT_THEIRS,
        "elsewhere": NOT_THEIRS,
        "coached": NOT_THEIRS,
        "coached_unshared": NOT_THEIRS,
        "referred_identity": NOT_THEIRS,
        "referred_employment": OK,
    },
    "coach": {
        "ready": NOT_THEIRS,
        "no_consent": NOT_THEIRS,
        "expired": NOT_THEIRS,
        "proposed": NOT_THEIRS,
        "anonymised": NOT_THEIRS,
        "elsewhere": NOT_THEIRS,
        "coached": OK,
        "coached_unshared": NOT_THEIRS,
        "referred_identity": NOT_THEIRS,
        "referred_employment": NOT_THEIRS,
    },
}


def _proposers(scene: Scene) -> dict[str, User]:
    return {"coordinator": scene.world.coordinator, "pup": scene.pup_staff, "coach": scene.coach}


def fresh(user: User) -> User:
    """A user object of its own, as each request has (the access scope is cached on the object)."""
    return User.objects.get(pk=user.pk)


class _Undo(Exception):
    pass


def service_answer(user: User, placement: JobPlacement, person: Person) -> str:
    """What ``application_propose`` answers, leaving the database as it was."""
    try:
        with transaction.atomic():
            applications.application_propose(actor=fresh(user), placement=placement, person=person)
            raise _Undo
    except _Undo:
        return OK
    except Exception as exc:
        answer = describe(exc)
        assert answer is not None, exc
        if answer.code == "invalid":
            assert set(answer.fields) == {"person"}, answer
        return answer.code


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(fresh(user))
    return client


def offered_on_page(user: User, placement: JobPlacement) -> set[str]:
    response = web(user).get(f"/placements/{placement.pk}/propose/")
    assert response.status_code == 200
    return set(re.findall(r'<option value="([0-9a-f-]{36})"', response.content.decode()))


def test_it_offers_on_the_propose_page_exactly_the_people_the_service_accepts(scene: Scene) -> None:
    for who, user in _proposers(scene).items():
        answers = {name: service_answer(user, scene.placement, person) for name, person in scene.people.items()}
        assert answers == EXPECTED[who], who
        offered = offered_on_page(user, scene.placement)
        accepted = {str(scene.people[name].pk) for name, answer in answers.items() if answer == OK}
        assert offered == accepted, who
        selected = {
            str(pk) for pk in selectors.proposable_people(fresh(user), scene.placement).values_list("pk", flat=True)
        }
        assert selected == accepted, who


def test_it_refuses_through_the_page_and_the_api_everyone_the_page_does_not_offer(scene: Scene) -> None:
    before = PlacementApplication.objects.count()
    for who, user in _proposers(scene).items():
        for name, person in scene.people.items():
            if EXPECTED[who][name] == OK:
                continue
            page = web(user).post(f"/placements/{scene.placement.pk}/propose/", {"person": str(person.pk)})
            assert page.status_code == 400, (who, name)
            answer = api(user).post(
                f"/api/v1/placements/{scene.placement.pk}/applications/", {"person": str(person.pk)}, format="json"
            )
            # The API gives the reason the service gave; a person the user may not see at all is a 404 there.
            if EXPECTED[who][name] == NOT_THEIRS:
                assert answer.status_code in (400, 404), (who, name)
                assert "person" in answer.json() if answer.status_code == 400 else answer.json()["code"] == "not_found"
            else:
                assert answer.status_code == 409, (who, name)
                assert answer.json()["code"] == EXPECTED[who][name], (who, name, answer.json())
    assert PlacementApplication.objects.count() == before


def test_it_lets_both_doors_propose_whom_the_page_offers(scene: Scene) -> None:
    placement = scene.placement
    coordinator = scene.world.coordinator
    page = web(coordinator).post(f"/placements/{placement.pk}/propose/", {"person": str(scene.people["ready"].pk)})
    assert page.status_code == 302
    answer = api(scene.pup_staff).post(
        f"/api/v1/placements/{placement.pk}/applications/",
        {"person": str(scene.people["referred_employment"].pk)},
        format="json",
    )
    assert answer.status_code == 201
    # Once proposed, a person is no longer on offer, and the service says why.
    offered = offered_on_page(coordinator, placement)
    assert str(scene.people["ready"].pk) not in offered
    assert str(scene.people["referred_employment"].pk) not in offered
    assert service_answer(coordinator, placement, scene.people["ready"]) == "duplicate"


def test_it_shows_the_closed_placement_reason_on_the_page_and_in_the_api(scene: Scene) -> None:
    placement = scene.placement
    placement_services.placement_close(actor=scene.world.employer_staff, placement=placement)
    person = str(scene.people["ready"].pk)
    page = web(scene.world.coordinator).post(f"/placements/{placement.pk}/propose/", {"person": person})
    assert page.status_code == 400
    assert "Ta oferta jest zamknięta" in page.content.decode()
    answer = api(scene.world.coordinator).post(
        f"/api/v1/placements/{placement.pk}/applications/", {"person": person}, format="json"
    )
    assert answer.status_code == 409 and answer.json()["code"] == "placement_closed"


def test_it_offers_a_new_placement_in_exactly_the_networks_the_service_accepts(scene: Scene) -> None:
    world = scene.world
    MembershipFactory(network=world.other_network, partner=world.employer, functions=["employment"])
    offered = set(
        re.findall(
            r'<option value="([0-9a-f-]{36})"', web(world.employer_staff).get("/placements/new/").content.decode()
        )
    )
    networks = {str(pk) for pk in selectors.employer_networks([world.employer]).values_list("pk", flat=True)}
    assert networks == {str(world.network.pk), str(world.other_network.pk)}
    assert networks <= offered
    # A network the employer is not a member of: refused by the service, through the API as on the page.
    third = PartnerFactory(name="Inny pracodawca", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    MembershipFactory(network=world.other_network, partner=third, functions=["employment"])
    stranger = make_staff(third, username="inny")
    answer = api(stranger).post(
        "/api/v1/placements/",
        {
            "network": str(world.network.pk),
            "title": "Sprzedawca",
            "workplace": "Sklep",
            "hours_per_week": 20,
            "contract_form": "employment_contract",
            "positions": 1,
        },
        format="json",
    )
    assert answer.status_code == 400 and "network" in answer.json(), answer.json()
    assert not JobPlacement.objects.filter(employer=third).exists()
