"""The people list: the primary action, filters shown as removable chips, sorting, pagination and a search that
finds a name in either word order and a phone number by its digits."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from tests.people_fixtures import make_case, make_person


def names(response: Any) -> list[str]:
    return re.findall(r'<a href="/people/[0-9a-f-]+/">([^<]+)</a>', response.content.decode())


def test_it_offers_registering_a_person_as_the_primary_action(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    page = client.get(reverse("people-list")).content.decode()
    assert reverse("person-register", args=[world.network.pk]) in page
    assert 'class="page-header' in page and "Zarejestruj osobę" in page


def test_it_finds_a_person_by_name_in_either_word_order_and_by_phone(client: Any, world: Any) -> None:
    make_person(world, first_name="Adam", last_name="Kozieł", phone="+48 601-234-567")
    make_person(world, first_name="Adam", last_name="Nowak")
    client.force_login(world.coordinator)
    for q in ("Adam Kozieł", "Kozieł Adam", "koziel adam", "601234567", "601 234 567"):
        assert names(client.get(reverse("people-list"), {"q": q})) == ["Kozieł Adam"], q
    assert names(client.get(reverse("people-list"), {"q": "Adam Kowal"})) == []


def test_it_narrows_by_stage_case_manager_municipality_and_unassigned(client: Any, world: Any) -> None:
    a = make_person(world, first_name="Anna", last_name="Alfa", gmina_name="Bytom")
    b = make_person(world, first_name="Beata", last_name="Beta", gmina_name="Piekary Śląskie")
    c = make_person(world, first_name="Celina", last_name="Gamma")
    make_case(world, a, manager=world.receiving_staff, stage="therapy")
    make_case(world, b, stage="intake")
    make_case(world, c, manager=world.coordinator, stage="intake")
    client.force_login(world.coordinator)
    url = reverse("people-list")
    assert names(client.get(url, {"stage": "therapy"})) == ["Alfa Anna"]
    assert names(client.get(url, {"case_manager": str(world.receiving_staff.pk)})) == ["Alfa Anna"]
    assert names(client.get(url, {"gmina": "Piekary Śląskie"})) == ["Beta Beata"]
    assert names(client.get(url, {"unassigned": "on"})) == ["Beta Beata"]
    page = client.get(url, {"stage": "intake", "gmina": "Piekary Śląskie"}).content.decode()
    # Each active filter is a chip whose link removes it and keeps the other; "clear all" removes both.
    assert 'href="?gmina=Piekary+%C5%9Al%C4%85skie"' in page and 'href="?stage=intake"' in page
    assert "Wyczyść wszystkie filtry" in page


def test_it_offers_only_the_choices_of_people_the_user_may_see(client: Any, world: Any) -> None:
    make_person(world, gmina_name="Tarnowskie Góry")
    client.force_login(world.other_coordinator)
    assert "Tarnowskie Góry" not in client.get(reverse("people-list")).content.decode()


def test_it_sorts_by_a_column_and_says_so_with_aria_sort(client: Any, world: Any) -> None:
    a = make_person(world, first_name="Anna", last_name="Alfa")
    b = make_person(world, first_name="Beata", last_name="Beta")
    make_case(world, a, stage="vocational")
    make_case(world, b, stage="intake")
    client.force_login(world.coordinator)
    url = reverse("people-list")
    assert names(client.get(url)) == ["Alfa Anna", "Beta Beata"]
    assert names(client.get(url, {"sort": "-name"})) == ["Beta Beata", "Alfa Anna"]
    assert names(client.get(url, {"sort": "stage"})) == ["Beta Beata", "Alfa Anna"]
    assert names(client.get(url, {"sort": "-registered"})) == ["Beta Beata", "Alfa Anna"]
    page = client.get(url, {"sort": "stage"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-stage"' in page
    assert 'aria-sort="none"><a href="?sort=name"' in page


def test_it_paginates_keeping_the_filters(client: Any, world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("frontend.people_views.PAGE_SIZE", 2)
    for i in range(5):
        make_person(world, first_name="Adam", last_name=f"Osoba{i}")
    client.force_login(world.coordinator)
    page = client.get(reverse("people-list"), {"q": "adam"}).content.decode()
    assert 'class="pagination"' in page and "?q=adam&amp;page=2" in page


def test_it_names_the_next_step_when_nothing_matches(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    page = client.get(reverse("people-list"), {"q": "nikt"}).content.decode()
    assert 'class="empty-state"' in page
