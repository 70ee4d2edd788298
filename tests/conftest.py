"""Shared fixtures: personas, service requirements (Redis, Chromium), the browser harness."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REQUIRE_SERVICES = bool(os.environ.get("REQUIRE_SERVICES"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def need(condition: bool, what: str) -> None:
    """Skip when a service is missing on a developer machine; fail in CI (REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    need(bool(url), "Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        need(False, f"Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def in_memory_channel_layer(settings: Any) -> Iterator[None]:
    """Every test starts on an in-memory channel layer of its own; a test of the Redis path asks for
    ``redis_channel_layer``. A Redis layer left from the environment (REDIS_URL) outlived its test: a refused socket's
    pending receive on it, cancelled when the test's event loop closed, hung that worker until the timeout killed it."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def redis_channel_layer(settings: Any, redis_url: str) -> Iterator[Any]:
    """Switch the channel layer to real Redis for one test, with a prefix of its own."""
    import uuid

    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-{uuid.uuid4().hex[:8]}"},
        }
    }
    channel_layers.backends.clear()
    yield channel_layers["default"]
    channel_layers.backends.clear()


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    need(path is not None, "Chromium (/usr/bin/chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Every page of a browser test reports a Content-Security-Policy violation twice: the browser's own console error
# ("Refused to … because it violates the following Content Security Policy directive") and this listener's, which
# names the directive and what was blocked even where a browser words its console message differently.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
});
"""


def watch_csp(context: Any) -> list[str]:
    """Collect every CSP violation any page of ``context`` reports; the fixture fails the test if there is one."""
    violations: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation:"):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.add_init_script(CSP_LISTENER)
    context.on("console", on_console)
    return violations


def fail_on_csp(violations: list[str]) -> None:
    if violations:
        pytest.fail("Content-Security-Policy violations in the browser:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def page(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="pl-PL")
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    fail_on_csp(violations)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Let the test database's owner empty the access log: pytest-django flushes (TRUNCATEs) every table after
    each transactional test, and the access log's trigger refuses TRUNCATE unless the owner asks for it
    (``people/migrations/0002``). The setting belongs to the test database only; the application never sets it,
    and its role has no TRUNCATE privilege on the log anyway (``core.db_roles``)."""
    from django.db import connection

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET lsw.access_log_truncate = 'on'")
        connection.close()
        connection.close_pool()  # the next session starts with the setting (a pooled one would not)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main thread
    for the whole session, which async (websocket) tests must not share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def world(db: Any) -> Any:
    from tests.personas import build_world

    return build_world()


def browser_login(page: Any, username: str, password: str = "secret-pass-123") -> None:  # noqa: S107 - test persona
    """Sign in through the real login form, as a person would."""
    page.goto("/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/")


@pytest.fixture
def asgi_live_server(transactional_db: Any, redis_channel_layer: Any) -> Iterator[str]:
    """The real ASGI application (HTTP and websockets) served by uvicorn in a thread, on the Redis layer."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config("config.asgi:application", host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def asgi_browser_context(browser: Any, asgi_live_server: str) -> Iterator[Any]:
    """A factory of browser pages against the ASGI server; each call is a separate person (context)."""
    contexts: list[Any] = []
    context_violations: list[list[str]] = []

    def new_page() -> Any:
        context = browser.new_context(base_url=asgi_live_server, locale="pl-PL")
        context.set_default_timeout(15_000)
        contexts.append(context)
        context_violations.append(watch_csp(context))
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()
    fail_on_csp([item for found in context_violations for item in found])
