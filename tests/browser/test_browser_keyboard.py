"""Issue 16 with the keyboard only: a coordinator registers a person, records their consent and refers them, by Tab,
the arrow keys, Space and Enter, and at every step the element in focus shows that it is (an outline or a ring).

Nothing is clicked or filled by the test harness: it only presses keys, as a person without a mouse would, and
reads where the focus went. (The address of the first page is typed as a person would type it in the address bar.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from people.models import Consent, Person
from referrals.models import Referral
from tests.conftest import browser_login
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What is in focus, and whether it shows it: a visible box and a focus indicator of the design system (outline or
# box-shadow ring; the ring is drawn by :focus-visible, which keyboard focus turns on).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  const label = (el.labels && el.labels[0] ? el.labels[0].innerText : el.innerText || el.value || "").trim();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", value: el.value || "",
    label: label.replace(/\\s+/g, " ").slice(0, 80), shown: box.width > 0 && box.height > 0,
    indicated: Boolean(outline || ring), focusVisible: el.matches(":focus-visible"),
  };
}"""


# Whether the focus is on the page's last Tab stop (a visible, enabled, tabbable element).
IS_LAST = """() => {
  const stops = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")]
    .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length
      && getComputedStyle(e).visibility !== "hidden");
  return stops.length > 0 && stops[stops.length - 1] === document.activeElement;
}"""


class Keyboard:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.steps = 0

    def focused(self) -> dict[str, Any]:
        info = self.page.evaluate(FOCUSED)
        assert info is not None, "the focus fell back to the page's body"
        assert info["shown"] and info["indicated"], f"focus is not visible on {info}"
        return dict(info)

    def tab_to(self, wanted: Any, limit: int = 80) -> dict[str, Any]:
        """Tab forward until ``wanted(focused)`` holds, checking at every stop that the focus is visible."""
        seen = []
        wrapped = False
        for _ in range(limit):
            was_last = self.page.evaluate(IS_LAST)
            self.page.keyboard.press("Tab")
            self.steps += 1
            if was_last and not wrapped and self.page.evaluate("() => document.activeElement === document.body"):
                # Past the page's last stop the focus goes to the browser's own controls, then to the page's start.
                wrapped = True
                continue
            info = self.focused()
            if wanted(info):
                return info
            seen.append(f"{info['tag']}[{info['name']}] {info['label'][:30]}")
        raise AssertionError(f"not reached by Tab within {limit} stops: {seen}")

    def type_into(self, name: str, text: str) -> None:
        self.tab_to(lambda f: f["name"] == name)
        self.page.keyboard.type(text)

    def tick(self, name: str, value: str) -> None:
        """A checkbox of a group: Tab stops at each box; Space ticks it."""
        self.tab_to(lambda f: f["name"] == name and f["value"] == value)
        self.page.keyboard.press("Space")

    def choose_radio(self, name: str, label: str) -> None:
        """A radio group is one Tab stop; the arrow keys move (and choose) within it."""
        self.tab_to(lambda f: f["name"] == name)
        for _ in range(30):
            if label in self.focused()["label"]:
                self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"no radio labelled {label!r} in {name}")

    def press_button(self, label: str) -> None:
        self.tab_to(lambda f: f["tag"] in ("button", "a") and f["label"] == label)
        self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()


def test_a_coordinator_registers_consents_and_refers_with_the_keyboard_only(page: Any, world: Any) -> None:
    ServiceFactory(partner=world.receiving, name="Asystent osobisty", capacity=3, load=0)
    browser_login(page, "koordynator")
    page.goto("/people/")
    keys = Keyboard(page)

    # The people list's primary action, then the registration form.
    keys.press_button("Zarejestruj osobę")
    page.wait_for_url("**/people/new/")
    keys.type_into("first_name", "Klara")
    keys.type_into("last_name", "Klawiaturowa")
    keys.press_button("Zarejestruj")
    page.wait_for_url(re.compile(r".*/people/[0-9a-f-]{36}/$"))  # the new person's page, not the form again
    person = Person.objects.get(last_name="Klawiaturowa")

    # The consent, in the person page's consent section: categories, the partner, the purpose, record.
    for category in ["identity", "social", "health"]:
        keys.tick("consent-categories", category)
    keys.tick("consent-partners", str(world.receiving.pk))
    keys.type_into("consent-purpose", "Wsparcie po wypisie ze szpitala")
    with page.expect_navigation():  # back to the same person's page, so its address alone would not tell
        keys.press_button("Zapisz zgodę")
    page.wait_for_url(f"**/people/{person.pk}/**")
    assert Consent.objects.filter(person=person).count() == 1

    # The referral: the page's primary action, the service, the reason, send.
    page.keyboard.press("Home")
    keys.press_button("Skieruj do partnera")
    page.wait_for_url(f"**/people/{person.pk}/refer/")
    keys.choose_radio("service", "Asystent osobisty")
    keys.type_into("reason", "Pomoc w codziennych sprawach")
    keys.press_button("Wyślij skierowanie")
    page.wait_for_url("**/referrals/*/")
    referral = Referral.objects.get(person=person)
    assert referral.to_partner_id == world.receiving.pk and referral.state == "sent"
    assert keys.steps > 10
