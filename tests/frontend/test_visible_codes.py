"""No raw codes on screen (issue 15): every page of the demo, as each demo login, shows codes by their Polish
labels and dates as DD.MM.RRRR. The pages are found the way the permission matrix finds them
(``page_routes``: every named page of the site); each argument of a route is filled with demo objects of its
kind, and only what a person reads is checked — the text nodes, without tags, attributes, scripts or styles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from tests.frontend.test_page_permissions import page_routes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # loads the whole demo and walks ~1,000 pages

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTHS = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
LONG_DATE = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b")  # "3 grudnia 2026": a date, but not DD.MM.RRRR
# The demo logins of `make run` (scripts/dev.py), one per kind of user.
PERSONAS = ["koordynator", "mopr", "sds", "pup", "szpital", "pracodawca", "trener", "monitor", "admin"]
# Pages that are files or fragments of another page, not pages a person reads as such.
NOT_HTML = {"person-export-json", "placement-candidates-csv", "report-closed-pdf", "network-agreement-document"}
# Pages that may show dates otherwise, and why.
DATES_AS_REQUIRED = {
    # The official template of the accessibility statement writes its dates (a11y-data-*) as RRRR-MM-DD for the
    # ministry's monitoring, and cites the act by its title, "ustawa z dnia 4 kwietnia 2019 r.".
    "accessibility-statement",
}
# How many objects of a kind each page is tried with (the demo has more; these differ in state).
PER_KIND = 2


class VisibleText(HTMLParser):
    """The text a person reads: text nodes outside <script>, <style> and <template>, no attributes. Text in
    <code> is an identifier shown on purpose, as code (an import file's column, a webhook's event name for an
    integrator's system, a recovery code), and is left out too."""

    HIDDEN = {"script", "style", "template", "noscript", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# Words that are codes and Polish words or demo logins at once: "partner" reads the same in Polish.
NOT_CODES = {"partner"}


def coded_words() -> set[str]:
    """Every one-word code of a choice field whose label is not the code itself (``create``, ``page``, ``sent``),
    but for the words above and the demo's logins (a notification names a user by their login)."""
    codes: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value.isascii() and value.isalpha() and value.islower():  # noqa: SIM102
                    if len(value) >= 4 and str(label) != value:
                        codes.add(value)
    from demo.network import LOGINS

    return codes - NOT_CODES - set(LOGINS)


def candidates() -> dict[str, list[Any]]:
    """Demo objects for each argument name of the routes, a few of each kind in different states."""
    from employment.models import JobPlacement, PlacementApplication
    from network.models import CooperationAgreement, Network
    from notifications.models import Notification
    from partners.models import Partner, Service, StaffMembership
    from people.models import Case, Consent, Goal, GroupMembership, Person, SupportGroup
    from referrals.models import Referral
    from reporting.models import FundingAmount
    from webhooks.models import Subscription

    def pick(queryset: Any, *order: str) -> list[Any]:
        return [row.pk for row in queryset.order_by(*order)[:PER_KIND]]

    people = list(Person.objects.filter(cases__isnull=False).distinct().order_by("last_name")[:PER_KIND])
    people += list(Person.objects.filter(referrals__isnull=False).distinct().order_by("-last_name")[:PER_KIND])
    referrals = []
    for state in Referral.objects.values_list("state", flat=True).distinct():
        referrals += pick(Referral.objects.filter(state=state), "created_at")[:1]
    return {
        "network_id": pick(Network.objects.all(), "name"),
        "partner_id": pick(Partner.objects.all(), "name") + pick(Partner.objects.all(), "-name"),
        "person_id": list(dict.fromkeys(p.pk for p in people)),
        "referral_id": referrals,
        "service_id": pick(Service.objects.all(), "name"),
        "group_id": pick(SupportGroup.objects.all(), "name"),
        "placement_id": pick(JobPlacement.objects.all(), "title"),
        "application_id": pick(PlacementApplication.objects.all(), "stage"),
        "agreement_id": pick(CooperationAgreement.objects.all(), "valid_from"),
        "membership_id": pick(StaffMembership.objects.all(), "created_at"),
        "consent_id": pick(Consent.objects.all(), "created_at"),
        "case_id": pick(Case.objects.all(), "opened_on"),
        "goal_id": pick(Goal.objects.all(), "created_at"),
        "notification_id": pick(Notification.objects.all(), "created_at"),
        "webhook_id": pick(Subscription.objects.all(), "created_at"),
        "funding_id": pick(FundingAmount.objects.all(), "year"),
        "figure": ["people", "new", "referrals_sent"],
        "action": [],
        "_group_membership": pick(GroupMembership.objects.all(), "joined_on"),
    }


def addresses(route: str, converters: dict[str, str], objects: dict[str, list[Any]]) -> list[str]:
    """The route with each argument filled in by every candidate (one argument varies, the others take their
    first candidate)."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not names:
        return ["/" + route]
    found = []
    for varying in names:
        for value in objects.get(varying, []):
            values = {name: (value if name == varying else next(iter(objects.get(name, [])), None)) for name in names}
            if any(v is None for v in values.values()):
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m[1]]), route)
            found.append("/" + path)
    return list(dict.fromkeys(found))


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    # The walk is about what pages show, not about signing in: the coordinator's second factor stays aside.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()


def test_no_page_of_the_demo_shows_a_raw_code_or_an_iso_date(demo: None) -> None:
    from partners.models import User

    objects = candidates()
    assert objects["person_id"] and objects["referral_id"] and objects["network_id"]
    words = coded_words()
    assert {"create", "page"} <= words  # the access log's action and channel that the person page showed
    problems: list[str] = []
    visited = 0
    routes = [(route, name, conv) for route, name, conv in page_routes() if name not in NOT_HTML]
    for login in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=login))
        for route, name, converters in routes:
            for address in addresses(route, converters, objects):
                response = client.get(address)
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                visited += 1
                text = visible_text(response.content.decode())
                snake = sorted(set(SNAKE.findall(text)))
                iso = sorted(set(ISO_DATE.findall(text)) | set(LONG_DATE.findall(text)))
                if name in DATES_AS_REQUIRED:
                    iso = []
                bare = sorted({w for w in re.findall(r"\b[a-z]+\b", text) if w in words})
                if snake or iso or bare:
                    problems.append(f"{login} {name} {address}: {snake + iso + bare}")
    assert visited > 100, visited
    assert not problems, "\n".join(problems)


def test_the_visible_text_leaves_out_tags_attributes_and_scripts() -> None:
    html = (
        '<p class="state_sent" data-x="2025-01-31">Wysłane <b>12.03.2025</b></p>'
        "<script>var a_b = '2025-01-01';</script><style>.a_b{}</style>"
    )
    assert visible_text(html) == "Wysłane 12.03.2025"
    assert visible_text("<p>Kolumna <code>partner_name</code></p>") == "Kolumna"
    assert SNAKE.findall("kod in_progress i data") == ["in_progress"]
    assert ISO_DATE.findall("od 2025-01-31") == ["2025-01-31"]
    assert LONG_DATE.findall("od 3 grudnia 2026 r.") == ["3 grudnia 2026"]
