"""A coordinator registers a person, records consent, opens the case, adds an assessment and sees the chart."""

from __future__ import annotations

from typing import Any

import pytest

from people.models import Assessment, Case, Consent, Person
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def instrument(transactional_db: Any) -> None:
    """Transactional tests flush the database, data migrations included: put the default instrument back."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from people.assessments import default_instrument

    if default_instrument() is None:
        # The data migration runs against the models as they stood then (the instrument lived in network).
        state = MigrationLoader(connection).project_state(("network", "0005_default_instrument")).apps
        importlib.import_module("network.migrations.0005_default_instrument").create_instrument(state, None)


def test_it_registers_a_person_through_to_the_progress_chart(page: Any, world: Any, instrument: None) -> None:
    browser_login(page, "koordynator")
    page.goto(f"/networks/{world.network.pk}/people/new/")
    page.locator("#id_first_name").fill("Zofia")
    page.locator("#id_last_name").fill("Testowa-Przeglądarka")
    page.locator("#id_birth_date").fill("1984-03-15")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/people/*/")
    person = Person.objects.get(last_name="Testowa-Przeglądarka")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Zofia")

    # Consent for MOPR: identity, social and health (the form is in plain view in its section).
    for category in ["identity", "social", "health"]:
        page.locator(f"input[name='consent-categories'][value='{category}']").check()
    page.locator(f"input[name='consent-partners'][value='{world.receiving.pk}']").check()
    page.locator("#id_consent-purpose").fill("Wsparcie po wypisie ze szpitala")
    page.locator("#consents form button[type=submit]").last.click()
    page.wait_for_url(f"**/people/{person.pk}/#consents")
    assert Consent.objects.filter(person=person).count() == 1

    # Open the case with MOPR as the managing partner.
    page.locator("#id_open-managing_partner").select_option(str(world.receiving.pk))
    page.locator("#case form button[type=submit]").click()
    page.wait_for_url(f"**/people/{person.pk}/#case")
    assert Case.objects.open().filter(person=person).exists()

    # Two assessments on different dates, then the chart.
    for date, level in [("2026-01-10", "2"), ("2026-06-10", "4")]:
        page.goto(f"/people/{person.pk}/assessments/new/")
        date_input = page.locator("input[type=date]").first
        date_input.fill(date)
        for fieldset in page.locator("main form fieldset").all():
            fieldset.locator(f"input[type=radio][value='{level}']").check()
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
    assert Assessment.objects.filter(person=person).count() == 2
    page.goto(f"/people/{person.pk}/")
    chart = page.locator("svg[role='img']").first
    chart.wait_for()
    assert chart.locator("title").count() >= 1
    assert page.locator("svg[role='img'] circle").count() >= 2
