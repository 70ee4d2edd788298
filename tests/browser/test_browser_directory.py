from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_login
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_the_coordinator_open_the_network_and_filter_services_by_free_places(page: Any, world: Any) -> None:
    ServiceFactory(partner=world.sending, name="Treningi umiejętności społecznych", capacity=10, load=4)
    browser_login(page, "koordynator")
    page.get_by_role("link", name="Lokalny system Piekary").click()
    assert page.get_by_role("heading", level=1, name="Lokalny system Piekary").is_visible()
    assert page.get_by_role("heading", name="Sprawy socjalne i bytowe").is_visible()
    assert page.get_by_role("link", name="MOPR Piekary").first.is_visible()

    page.get_by_role("link", name="Usługi tego systemu").click()
    results = page.locator("#results")
    assert results.get_by_text("Specjalistyczne usługi opiekuńcze").is_visible()
    # HTMX swaps the results in place when the checkbox changes; no full reload.
    page.get_by_label("Tylko z wolnymi miejscami w tej chwili").check()
    results.get_by_text("Specjalistyczne usługi opiekuńcze").wait_for(state="detached")
    assert results.get_by_text("Treningi umiejętności społecznych").is_visible()
    assert results.get_by_text("6 wolnych miejsc").is_visible()
    assert "free=on" in page.url
