"""Pages of the site itself (issue 16): the staff style guide, the error pages, the accessibility statement."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from frontend.templatetags import charts, ui
from referrals.choices import State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "frontend" / "templates"


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="operator", is_staff=True))
    return client


# --- the style guide ----------------------------------------------------------------------------------------------


def test_the_style_guide_is_for_staff_only_and_does_not_exist_for_anyone_else() -> None:
    address = reverse("styleguide")
    assert Client().get(address).status_code == 404
    client = Client()
    client.force_login(UserFactory(username="worker"))
    assert client.get(address).status_code == 404


def test_the_style_guide_shows_every_component(staff_client: Client) -> None:
    response = staff_client.get(reverse("styleguide"))
    assert response.status_code == 200
    html = response.content.decode()
    for tone in ui.TONES:
        assert f"badge--{tone}" in html
    for state in State.values:
        assert f'data-state="{state}"' in html
    for marker in (
        'class="breadcrumbs"',
        'class="page-header"',
        'class="card"',
        'class="summary-list"',
        "table--stack",
        "table-wrap--scroll",
        'class="pagination"',
        'class="empty-state"',
        'class="messages"',
        "toast--example",
        "data-toast-demo",  # the live example: a button that shows a toast through app.js
        'class="confirm-panel"',
        "data-error-summary",
        'class="required-mark"',
    ):
        assert marker in html, marker


def test_every_component_tag_is_on_the_style_guide() -> None:
    """A component added to ui.py and not to the style guide fails here."""
    source = (TEMPLATES / "site" / "styleguide.html").read_text()
    used = set(re.findall(r"{%\s*(\w+)", source))
    assert set(ui.register.tags) - used == set()
    assert set(charts.register.tags) - used == set()
    assert set(ui.register.tags) >= {"badge", "state_badge", "table", "confirm_panel", "error_summary"}


def test_every_component_partial_is_on_the_style_guide(staff_client: Client) -> None:
    """Every partial, whether a tag renders it or a page includes it, reaches the style guide."""
    response = staff_client.get(reverse("styleguide"))
    used = {t.name for t in response.templates if t.name}
    partials = {f"components/{p.name}" for p in (TEMPLATES / "components").glob("*.html")}
    assert partials - used == set()


def test_a_state_badge_of_a_bare_state_code_names_the_state_in_the_page_language() -> None:
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("pl"):
        html = Template("{% load ui %}{% state_badge state %}").render(Context({"state": State.SENT}))
    assert 'data-state="sent"' in html and ">wysłane<" in html.lower()


def test_the_demo_form_links_each_error_to_its_field(staff_client: Client) -> None:
    html = staff_client.get(reverse("styleguide")).content.decode()
    summary = html[html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))]
    for target in ("id_name", "id_email", "id_contact_by_0"):
        assert f'href="#{target}"' in summary
        assert f'id="{target}"' in html


# --- the error pages ----------------------------------------------------------------------------------------------


def test_an_unknown_address_is_a_polish_page_with_a_way_back(client: Client) -> None:
    response = client.get("/nie-ma-takiej-strony/", headers={"Referer": "http://testserver/deklaracja-dostepnosci/"})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="pl"' in html
    assert "Nie znaleziono strony" in html
    assert "koordynator" in html
    assert 'href="http://testserver/deklaracja-dostepnosci/"' in html
    assert f'href="{reverse("home")}"' in html
    assert "Not Found" not in html


def test_a_way_back_is_offered_only_to_our_own_pages(client: Client) -> None:
    html = client.get("/nie-ma/", headers={"Referer": "https://evil.example/phish"}).content.decode()
    assert "evil.example" not in html
    assert f'href="{reverse("home")}"' in html


def refusing_view(message: str) -> Any:
    def view(request: Any) -> Any:
        raise PermissionDenied(*([message] if message else []))

    return view


@pytest.fixture
def refusals(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.frontend.urls_refusals"


def test_a_refusal_shows_its_message_and_who_can(client: Client, refusals: None) -> None:
    response = client.get("/refused-with-reason/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Tylko koordynator systemu może zamknąć sprawę." in html
    assert "Brak uprawnień" in html
    assert "403 Forbidden" not in html and "Forbidden" not in html


def test_a_refusal_without_a_message_names_the_coordinator(client: Client, refusals: None) -> None:
    response = client.get("/refused/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "koordynator" in html
    assert f'href="{reverse("home")}"' in html


def test_a_server_error_page_needs_no_database(client: Client, refusals: None, django_assert_num_queries: Any) -> None:
    from frontend.site_views import server_error

    request = client.get("/refused/").wsgi_request
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Wystąpił błąd" in html
    assert 'href="/"' in html


def test_a_csrf_failure_is_a_polish_page(client: Client) -> None:
    checking = Client(enforce_csrf_checks=True)
    response = checking.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formularz wygasł" in html
    assert "CSRF verification failed" not in html


def test_the_api_still_answers_in_json(client: Client) -> None:
    response = client.get("/api/v1/nie-ma-takiego/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "detail" in response.json()


# --- the accessibility statement ----------------------------------------------------------------------------------


def test_the_accessibility_statement_is_public_and_shows_the_settings(client: Client, settings: Any) -> None:
    settings.ACCESSIBILITY_STATEMENT = {
        **settings.ACCESSIBILITY_STATEMENT,
        "operator": "Powiatowe Centrum Pomocy Rodzinie w Bytomiu",
        "site_url": "https://lsw.bytom.example",
        "contact_name": "Anna Nowak",
        "contact_email": "dostepnosc@bytom.example",
        "contact_phone": "+48 32 000 00 00",
        "published_on": "2026-01-15",
        "updated_on": "2026-11-30",
        "prepared_on": "2026-02-01",
        "non_accessible": ["Mapa dojazdu nie ma opisu tekstowego."],
        "exclusions": ["Filmy archiwalne."],
        "architecture": "Wejście od ul. Kolejowej ma podjazd.",
        "mobile_apps": "Brak aplikacji mobilnych.",
    }
    response = client.get(reverse("accessibility-statement"))
    assert response.status_code == 200
    html = response.content.decode()
    for key, value in settings.ACCESSIBILITY_STATEMENT.items():
        if key == "compliance":
            continue
        for item in value if isinstance(value, list) else [value]:
            assert str(item) in html, item
    assert "częściowo zgodna" in html
    assert "7 dni" in html and "2 miesiące" in html and "Rzecznika Praw Obywatelskich" in html
    for id_ in ("a11y-podmiot", "a11y-url", "a11y-data-publikacja", "a11y-data-aktualizacja", "a11y-status"):
        assert f'id="{id_}"' in html


def test_a_malformed_statement_date_stops_the_start_up(monkeypatch: Any) -> None:
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("ACCESSIBILITY_PUBLISHED_ON", "15.01.2026")
    with pytest.raises(ImproperlyConfigured, match="ACCESSIBILITY_PUBLISHED_ON"):
        importlib.reload(config.settings)
    monkeypatch.delenv("ACCESSIBILITY_PUBLISHED_ON")
    importlib.reload(config.settings)


# Whole documents that are not pages of the product: the API's documentation, a person's data as printed on paper.
NOT_LAYOUTS = {"api/swagger_ui.html", "people/export_print.html"}


def layouts() -> list[Path]:
    """Every template that writes a whole document (its own <html>): the layouts the pages extend."""
    return [
        p
        for p in sorted(TEMPLATES.rglob("*.html"))
        if "<html" in p.read_text() and str(p.relative_to(TEMPLATES)) not in NOT_LAYOUTS
    ]


@pytest.mark.parametrize("layout", layouts(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_layout_links_to_the_statement_in_its_footer(layout: Path) -> None:
    source = layout.read_text()
    assert '{% include "_site_footer.html" %}' in source or 'href="/deklaracja-dostepnosci/"' in source


def test_the_footer_of_each_layout_links_to_the_statement(client: Client) -> None:
    address = reverse("accessibility-statement")
    assert address == "/deklaracja-dostepnosci/"  # the 500 page writes it by hand
    for page in (reverse("login"), "/nie-ma/"):
        html = client.get(page).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert f'href="{address}"' in footer
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/moje/")
    request.user = AnonymousUser()
    own = render_to_string("own/base.html", request=request)
    assert f'href="{address}"' in own[own.index('<footer class="site-footer">') :]


def test_a_persons_own_account_reaches_the_statement_its_footer_links_to(world: Any) -> None:
    """A person account reaches only /moje/ and a few shared pages; the statement its footer links to is one."""
    from tests.own_fixtures import make_own_account
    from tests.referral_fixtures import consenting_person

    account = make_own_account(world, consenting_person(world))
    client = Client()
    client.force_login(account)
    home = client.get(reverse("own-home"))
    assert home.status_code == 200
    assert f'href="{reverse("accessibility-statement")}"' in home.content.decode()
    assert client.get(reverse("accessibility-statement")).status_code == 200
    assert client.get(reverse("styleguide")).status_code == 404
