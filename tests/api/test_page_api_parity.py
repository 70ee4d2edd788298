"""Every page action has an API operation that calls the same service (issue 15).

The routes are read from the URL resolver, not listed here: a page route whose view accepts POST, PUT, PATCH or
DELETE is state-changing. Its view names the services it calls with ``@performs`` (core/actions.py); some API
view under /api/v1/ must name each of them too, and both views' code must really reach that very function (the
test follows the names the code uses: module attributes, closures, the view's own helpers), so a mark cannot
claim a call the view does not make, and a second copy of a rule in the API has nothing to point at.

A page added later without an API operation fails here, and so does a read-only page that does not say so
(``@require_safe``): a function view without a method decorator accepts POST too. The allow-list below is for
routes where an API operation makes no sense, each with its reason.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from core.actions import performed_by

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Parts of the site that are not pages of the daily work: the API itself, the standard faces and Django's admin
# (the operator's tool, with its own permissions).
NOT_PAGES = ("api/", "fhir/", "admin/")

# Route name → why there is no API operation calling the same service.
NO_API_OPERATION = {
    "set_language": "the page language is a cookie of the browser; API clients send Accept-Language",
    "login": "signing in to the pages; the API signs in at POST /api/v1/auth/token/ (api/auth.py)",
    "logout": "signing out of the pages; the API signs out at POST /api/v1/auth/logout/ (api/auth.py)",
    "password_reset": "the e-mailed reset link is a page flow for someone who cannot sign in, so cannot call the API",
    "password_reset_confirm": "the page the e-mailed reset link opens (see password_reset)",
    "own-invitation": "the one-time link of a person's invitation opens a sign-up page for someone who has no "
    "account yet (like password_reset_confirm), so cannot call the API",
    "session-status": "keeps the browser session's idle timer alive; an API token has its own expiry",
    "mfa-verify": "the second step of the page sign-in; the API asks the factor at POST /api/v1/auth/token/",
    "mfa-enrol": "second-factor enrolment happens in the browser (authenticator app, passkey) and guards the pages",
    "mfa-totp": "second-factor enrolment (see mfa-enrol)",
    "mfa-recovery-codes": "second-factor enrolment (see mfa-enrol)",
    "mfa-code": "second-factor enrolment of a person account's code by SMS or e-mail (see mfa-enrol)",
    "mfa-passkey-registered": "second-factor enrolment (see mfa-enrol)",
    "mfa-remove": "second-factor enrolment (see mfa-enrol)",
    "credential-registration-begin": "the WebAuthn ceremony of a passkey runs in the browser",
    "credential-registration-complete": "the WebAuthn ceremony of a passkey runs in the browser",
    "credential-authentication-begin": "the WebAuthn ceremony of a passkey runs in the browser",
    "credential-authentication-complete": "the WebAuthn ceremony of a passkey runs in the browser",
}

# Route name → where its API operation is being built. Not an exemption: the test below fails as soon as the API
# calls the service, so the entry is removed when the two branches meet.
API_BUILT_ELSEWHERE: dict[str, str] = {}


# --- reading the resolver ---------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def accepted_methods(view: Any) -> set[str]:
    """What a view answers: a method decorator's list, a class-based view's handlers, else everything."""
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:
        return {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
    function: Any = view
    while function is not None:
        # require_http_methods (and require_POST, require_GET, require_safe) close over the list of methods.
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (list, tuple)) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return set(value)
        function = getattr(function, "__wrapped__", None)
    return {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def page_routes(urlconf: str | None = None) -> list[tuple[str, str, Any]]:
    """(name, route, view) of every page route whose view changes state."""
    routes = []
    for route, pattern in _walk(get_resolver(urlconf).url_patterns):
        if route.startswith(NOT_PAGES):
            continue
        if accepted_methods(pattern.callback) & STATE_CHANGING:
            routes.append((pattern.name or route, route, pattern.callback))
    return routes


def api_services(urlconf: str | None = None) -> dict[Any, list[str]]:
    """Each service some API view's handler is marked with (and whose code reaches it) → the routes."""
    found: dict[Any, list[str]] = {}
    for route, pattern in _walk(get_resolver(urlconf).url_patterns):
        if not route.startswith("api/v1/"):
            continue
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None:
            continue
        for name in dir(view_class):
            handler = getattr(view_class, name, None)
            if not callable(handler):
                continue
            for service in performed_by(handler):
                if reaches(handler, service, owner=view_class):
                    found.setdefault(service, []).append(f"{route} ({view_class.__name__}.{name})")
    return found


# --- following the code -----------------------------------------------------------------------------


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names) | set(code.co_freevars)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def _ours(obj: Any) -> bool:
    return (inspect.isfunction(obj) or inspect.ismethod(obj)) and (getattr(obj, "__module__", "") or "").startswith(
        ("frontend.", "api.")
    )


def reaches(function: Callable[..., Any], target: Any, *, owner: Any = None, depth: int = 3) -> bool:
    """Whether ``function``'s code names ``target`` itself: through a module it imported, a name it closes over,
    a method of its own class, or (``depth`` levels down) a helper of the front doors that does."""
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    names = _names(code)
    found: list[Any] = [function.__globals__[n] for n in names if n in function.__globals__]
    for cell in function.__closure__ or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:
            continue
    for module in [obj for obj in found if inspect.ismodule(obj)]:
        found += [getattr(module, n) for n in names if hasattr(module, n)]
    if owner is not None:
        found += [getattr(owner, n) for n in names if hasattr(owner, n)]
    if any(obj is target for obj in found):
        return True
    if depth == 0:
        return False
    return any(
        reaches(obj, target, owner=owner, depth=depth - 1)
        for obj in {id(o): o for o in found if _ours(inspect.unwrap(o)) and o is not function}.values()
    )


# --- the tests --------------------------------------------------------------------------------------


def test_it_finds_the_state_changing_pages() -> None:
    """The reading of the resolver sees what it must, so the checks below cannot pass by seeing nothing."""
    names = {name for name, _route, _view in page_routes()}
    assert {"person-case-open", "person-goal-review", "referral-action", "network-import", "login"} <= names
    assert "person-detail" not in names and "people-list" not in names  # read-only, and they say so


def parity_failures(urlconf: str | None = None) -> list[str]:
    api = api_services(urlconf)
    failures = []
    for name, route, view in page_routes(urlconf):
        if name in NO_API_OPERATION or name in API_BUILT_ELSEWHERE:
            continue
        services = performed_by(view)
        if not services:
            failures.append(
                f"{route} ({name}) accepts {sorted(accepted_methods(view) & STATE_CHANGING)} but names no service: "
                "mark it @performs(<service>) and give the API an operation calling the same service "
                "(or @require_safe if it only reads)"
            )
            continue
        for service in services:
            label = f"{service.__module__}.{service.__qualname__}"
            if not reaches(view, service):
                failures.append(f"{route} ({name}) is marked @performs({label}) but its code never reaches it")
            elif service not in api:
                failures.append(f"{route} ({name}) calls {label}: no API operation under /api/v1/ calls it")
    return failures


def test_it_has_an_api_operation_calling_the_same_service_for_every_page_action() -> None:
    failures = parity_failures()
    assert not failures, "\n".join(failures)


def test_it_fails_for_a_page_route_added_without_an_api_operation() -> None:
    """The site as it is, plus the pages a later change might add (tests/api/parity_urls.py): each is caught."""
    failures = "\n".join(parity_failures("tests.api.parity_urls"))
    assert "later/unmarked/ (later-unmarked) accepts ['POST'] but names no service" in failures
    assert "later/read-only/ (later-read-only) accepts ['DELETE', 'PATCH', 'POST', 'PUT']" in failures
    assert "later/pretends/ (later-pretends) is marked @performs(people.services.case_close) but its code" in failures
    assert "later/no-api/ (later-no-api) calls people.services.consents_expire: no API operation" in failures
    assert "later/fine/" not in failures
    assert len(failures.splitlines()) == 4, failures


def test_it_allows_only_routes_that_exist_and_change_state() -> None:
    """A stale entry in the allow-list would hide a new route of the same name."""
    names = {name for name, _route, _view in page_routes()}
    assert set(NO_API_OPERATION) <= names, set(NO_API_OPERATION) - names


def test_it_drops_a_route_built_elsewhere_once_its_api_exists() -> None:
    api = api_services()
    views = {name: view for name, _route, view in page_routes()}
    assert set(API_BUILT_ELSEWHERE) <= set(views), set(API_BUILT_ELSEWHERE) - set(views)
    done = [
        name for name in API_BUILT_ELSEWHERE if performed_by(views[name]) and set(performed_by(views[name])) <= set(api)
    ]
    assert not done, f"the API now calls their services: remove {done} from API_BUILT_ELSEWHERE"


def test_it_follows_the_code_and_is_not_fooled_by_a_mark() -> None:
    """The reach check is what keeps the marks honest: it sees a call through a module, a closure and a helper,
    and does not see a service the code never names."""
    from people import plans
    from people import services as people_services

    def page(request: Any) -> Any:
        return people_services.case_close(actor=request.user, case=None)

    def helper(request: Any) -> Any:
        return page(request)

    closed = people_services.case_open

    def closure(request: Any) -> Any:
        return closed(actor=request.user, person=None)

    assert reaches(page, people_services.case_close)
    assert not reaches(page, people_services.case_open)
    assert reaches(closure, people_services.case_open)
    assert not reaches(helper, plans.goal_add)
