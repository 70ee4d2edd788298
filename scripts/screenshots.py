"""`make screenshots`: the README's pictures, made from the demo so that they show the product as it is.

Starts `make run`'s server (scripts/dev.py run) on a free port over a database of its own (``<db>_screenshots``
beside DATABASE_URL's, made afresh; without DATABASE_URL an embedded PostgreSQL in .data/pg-screenshots), signs in
through the login form as the demo's people would (the coordinator with the demo's authenticator secret), and
saves each picture under docs/screenshots/. Chromium is Debian's (CHROMIUM_PATH, default /usr/bin/chromium).

Usage: python scripts/screenshots.py [--only NAME]
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
DEMO_PASSWORD = "demo"  # noqa: S105 - the published demo password, refused when DEBUG is off


@dataclass(frozen=True)
class Shot:
    name: str
    login: str
    path: str  # a URL name, or a path when it starts with "/"
    viewport: ViewportSize
    what: str
    args: tuple[str, ...] = ()


def shots() -> list[Shot]:
    return [
        Shot(
            "dashboard-desktop", "koordynator", "report-dashboard", DESKTOP, "the coordinator's dashboard", ("network",)
        ),
        Shot("person-phone", "mopr", "person-detail", PHONE, "a person's page on a phone", ("person",)),
        Shot("inbox-phone", "sds", "referral-inbox", PHONE, "the ŚDS's referral inbox on a phone"),
        Shot("people-desktop", "koordynator", "people-list", DESKTOP, "the people list with its filters"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(url: str) -> str:
    """DATABASE_URL's server, a database named after its own with ``_screenshots``, dropped and made again."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "lsw") + "_screenshots"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"error: the server stopped (exit {server.returncode}) before it answered")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(1)
    sys.exit(f"error: the server did not answer at {url} within {seconds:.0f} s")


def totp_now(secret_base32: str) -> str:
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret_base32)):06d}"


def sign_in(page: Any, login: str) -> None:
    from demo.network import DEMO_TOTP_SECRET

    page.goto("/login/")
    page.get_by_label("Nazwa użytkownika").fill(login)
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_load_state()
    if "/login/second-step/" in page.url:
        page.get_by_label("Kod").fill(totp_now(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Potwierdź").click()
        page.wait_for_load_state()


def address_of(shot: Shot) -> str:
    """The shot's path, its arguments filled with demo objects (a person with a case and a referral)."""
    from django.urls import reverse

    if shot.path.startswith("/"):
        return shot.path
    args = []
    for kind in shot.args:
        if kind == "person":
            from people.models import Person

            person = (
                Person.objects.filter(cases__isnull=False, referrals__isnull=False)
                .distinct()
                .order_by("last_name", "first_name")
                .first()
            )
            if person is None:
                sys.exit("error: the demo has no person with a case and a referral")
            args.append(str(person.pk))
        elif kind == "network":
            from network.models import Network

            network = Network.objects.order_by("name").first()
            if network is None:
                sys.exit("error: the demo has no network")
            args.append(str(network.pk))
    return reverse(shot.path, args=args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="make only the pictures whose name contains this text")
    options = parser.parse_args()
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        sys.exit("error: Chromium is needed (apt-get install chromium, or set CHROMIUM_PATH)")
    os.environ.setdefault("SECRET_KEY", "screenshots-only-" + "k" * 50)
    os.environ["DEBUG"] = "1"
    embedded = None
    if not os.environ.get("DATABASE_URL"):
        from dev import embedded_postgres  # scripts/ is this script's own directory, first on sys.path

        embedded = embedded_postgres("pg-screenshots", "lsw")
    os.environ["DATABASE_URL"] = fresh_database(os.environ["DATABASE_URL"])
    os.environ.pop("DATABASE_OWNER_URL", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", SITE_URL=url.rstrip("/"))
    print(f"==> starting the demo at {url}", flush=True)
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "scripts" / "dev.py"), "run"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_for(url, server)
        # The demo's objects are read by the ORM in this process, as the server's application role sees them.
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        # Addresses first: Playwright's sync API runs an event loop, in which the ORM refuses to run.
        take(chromium, url, [(s, address_of(s)) for s in shots() if options.only in s.name])
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        del embedded


def take(chromium: str, url: str, chosen: list[tuple[Shot, str]]) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for shot, address in chosen:
            context = browser.new_context(
                base_url=url,
                locale="pl-PL",
                viewport=shot.viewport,
                is_mobile=shot.viewport["width"] < 500,
                device_scale_factor=1,
            )
            page = context.new_page()
            sign_in(page, shot.login)
            page.goto(address, wait_until="load")
            target = OUT / f"{shot.name}.png"
            page.screenshot(path=str(target), full_page=False)
            print(f"  {target.relative_to(ROOT)}: {shot.what} ({shot.login}, {shot.viewport['width']} px)")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
