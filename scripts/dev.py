"""`make run` and `make test` in one place: embedded PostgreSQL when DATABASE_URL is unset,
pre-flight checks that fail with one clear line, then the server or the test steps.

The server runs as the application role, which owns no table; migrations run as the owner role (docs/deploy.md,
"Two database roles"). When DATABASE_OWNER_URL is unset and DATABASE_URL (or the embedded server) is a superuser,
`run` creates both roles with fresh passwords and uses them; `roles` does only that and migrates (.ci/run).

Usage: python scripts/dev.py run | test [pytest args...] | roles
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000")) if os.environ.get("PORT", "8000").isdigit() else -1

OWNER_ROLE = "lsw_owner"
APP_ROLE = "lsw_app"

DEMO_LOGINS = [
    ("koordynator", "koordynator lokalnego systemu / network coordinator"),
    ("mopr", "pracownik MOPR / social-assistance centre staff"),
    ("sds", "pracownik ŚDS / self-help home staff"),
    ("pup", "pracownik PUP / labour office staff"),
    ("pracodawca", "pracodawca (Drukarnia Śląska) / employer"),
    ("trener", "trener pracy (ZAZ) / job coach"),
    ("szpital", "oddział psychiatryczny / psychiatric ward staff"),
    ("czp", "Centrum Zdrowia Psychicznego / mental-health centre staff"),
    ("pcpr", "pracownik PCPR / county family-support centre staff"),
    ("pfron", "pracownik PFRON / PFRON regional branch staff"),
    ("stowarzyszenie", "stowarzyszenie „Razem” / association of people after a crisis"),
    ("porady", "fundacja porad prawnych / legal-advice foundation"),
    ("szkolenia", "Centrum Szkoleń Zawodowych / training provider"),
    ("ogrodnik", "Zielony Ogród (pracodawca) / second employer"),
    ("monitor", "monitorujący (urząd wojewódzki) / regional monitor"),
    ("admin", "administrator systemu / superuser"),
    ("osoba", "osoba wspierana — własne konto, /moje/ / a person's own account"),
]


def fail(message: str, code: int = 2) -> None:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(code)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def embedded_postgres(name: str, dbname: str) -> object:
    """Start (or reuse) an embedded PostgreSQL in .data/<name>; it stops when this process exits."""
    try:
        import pgserver
    except ImportError:
        fail("the pgserver package is missing; run `make run` (it installs it) or set DATABASE_URL")
    pgdata = DATA / name
    pgdata.mkdir(parents=True, exist_ok=True)
    say(f"starting embedded PostgreSQL in {pgdata.relative_to(ROOT)}")
    try:
        server = pgserver.get_server(str(pgdata), cleanup_mode="stop")
    except Exception as exc:
        fail(f"embedded PostgreSQL did not start in {pgdata}: {exc}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")  # noqa: S608 - our constant
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{dbname}";')
    # Connect through the server's unix socket directory, which lies inside pgdata.
    os.environ["DATABASE_URL"] = f"postgres://postgres@{quote(str(pgdata), safe='')}/{dbname}"
    return server


def with_role(url: str, role: str, password: str) -> str:
    """The same database URL with another role and password (the host may be a quoted socket directory)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"))


def two_roles(*, required: bool) -> bool:
    """Create (or refresh) the owner and the application role with DATABASE_URL's superuser, then point
    DATABASE_OWNER_URL at the owner and DATABASE_URL at the application role. False when DATABASE_URL is not a
    superuser (and not required): the caller goes on with the one role it was given."""
    import secrets

    import psycopg

    sys.path.insert(0, str(ROOT))
    from core import db_roles

    admin_url = os.environ["DATABASE_URL"]
    passwords = {OWNER_ROLE: secrets.token_urlsafe(24), APP_ROLE: secrets.token_urlsafe(24)}
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn, conn.cursor() as cursor:
            db_roles.create_roles(
                cursor,
                owner=OWNER_ROLE,
                app=APP_ROLE,
                owner_password=passwords[OWNER_ROLE],
                app_password=passwords[APP_ROLE],
            )
    except PermissionError as exc:
        if required:
            fail(f"{exc}: DATABASE_URL must be a superuser to create the roles")
        say(f"one database role only ({exc}); set DATABASE_OWNER_URL for two (docs/deploy.md)")
        return False
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"cannot create the database roles with DATABASE_URL: {first}")
    os.environ["DATABASE_OWNER_URL"] = with_role(admin_url, OWNER_ROLE, passwords[OWNER_ROLE])
    os.environ["DATABASE_URL"] = with_role(admin_url, APP_ROLE, passwords[APP_ROLE])
    say(f"database roles: {OWNER_ROLE} owns the tables and migrates, {APP_ROLE} (owns nothing) runs the server")
    return True


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        fail(f"configuration: {exc}")


def check_database() -> None:
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"cannot connect to the database given by DATABASE_URL: {first}")
    finally:
        connection.close()


def check_connects(name: str) -> None:
    """The URL in ``name`` reaches PostgreSQL (before Django, which would only say so on first use)."""
    import psycopg

    try:
        psycopg.connect(os.environ[name], connect_timeout=10).close()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"cannot connect to the database given by {name}: {first}")


def check_redis() -> None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as exc:
        fail(f"REDIS_URL is set but Redis does not answer at {url}: {exc}")


def check_port() -> None:
    if PORT <= 0 or PORT > 65535:
        fail(f"PORT must be a number from 1 to 65535, got {os.environ.get('PORT')!r}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, PORT))
        except OSError:
            fail(f"port {PORT} on {HOST} is already in use: stop the other server or run `PORT=8001 make run`")


def manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def run() -> None:
    os.environ.setdefault("DEBUG", "1")
    # Webhooks to a receiver on this machine, so that they can be tried locally (docs/webhooks.md); production
    # allows only HTTPS to public addresses.
    os.environ.setdefault("WEBHOOKS_ALLOW_PRIVATE", "127.0.0.0/8,::1/128")
    os.environ.setdefault("WEBHOOKS_ALLOW_HTTP", "1")
    check_port()
    # Links in e-mails and invitations point at the server this command starts, unless SITE_URL says otherwise.
    os.environ.setdefault("SITE_URL", f"http://{HOST}:{PORT}")
    server = None
    if not os.environ.get("DATABASE_URL"):
        server = embedded_postgres("pg", "lsw")
    if not os.environ.get("DATABASE_OWNER_URL"):
        check_connects("DATABASE_URL")
        two_roles(required=False)
    django_setup()
    check_database()
    check_redis()
    say("migrating the database")
    manage("migrate", "--no-input", "-v", "0")
    say("loading the demo network")
    manage("load_demo")
    url = os.environ["SITE_URL"].rstrip("/") + "/"
    from demo.network import DEMO_TOTP_SECRET

    print()
    print(f"  LSW is running at {url}")
    print("  Demo logins (password: demo):")
    for login, role in DEMO_LOGINS:
        print(f"    {login:<15} {role}")
    print(f"  Second step for koordynator: an authenticator app with the secret {DEMO_TOTP_SECRET}")
    print(f"    (any TOTP app, or: oathtool --totp -b {DEMO_TOTP_SECRET}); the other logins have none.")
    print(f"  Passkeys need http://localhost:{PORT}/ (a browser offers them on localhost, not on an IP address).")
    layer = "Redis" if os.environ.get("REDIS_URL") else "in-memory"
    print(
        f"  Channel layer: {layer}. One background worker runs beside the server (failed jobs: /admin/procrastinate/)."
    )
    print("  Press Ctrl-C to stop (the worker and the embedded database stop too).")
    print(flush=True)
    import uvicorn

    # One worker (procrastinate: deadlines on the minute, e-mails, webhooks, periodic tasks) runs beside the
    # server and stops with it. It runs as the application role too: the owner's URL is not its to know.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_OWNER_URL"}
    jobs = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, str(ROOT / "manage.py"), "run_jobs", "--name", "make-run"], cwd=ROOT, env=env
    )
    try:
        uvicorn.run("config.asgi:application", host=HOST, port=PORT, log_level="info", lifespan="off")
    except KeyboardInterrupt:
        pass
    finally:
        jobs.terminate()
        try:
            jobs.wait(timeout=10)
        except subprocess.TimeoutExpired:
            jobs.kill()
        del server  # the embedded PostgreSQL stops with this process (cleanup_mode="stop")


def step(title: str, cmd: list[str]) -> bool:
    say(title)
    result = subprocess.run(cmd, cwd=ROOT, check=False)  # noqa: S603 - fixed commands of our own
    if result.returncode != 0:
        sys.stderr.write(f"FAILED: {title} (exit {result.returncode})\n")
        return False
    return True


def test(pytest_args: list[str]) -> None:
    # Tooling steps load settings without DEBUG; they need a key but no real secret.
    os.environ.setdefault("SECRET_KEY", "test-only-" + "k" * 50)
    server = None
    if not os.environ.get("DATABASE_URL"):
        if os.environ.get("REQUIRE_SERVICES"):
            fail("REQUIRE_SERVICES is set but DATABASE_URL is not")
        server = embedded_postgres("pg-test", "lsw")
    if os.environ.get("REQUIRE_SERVICES") and not os.environ.get("REDIS_URL"):
        fail("REQUIRE_SERVICES is set but REDIS_URL is not")
    py = sys.executable
    ok = True
    ok &= step("ruff check", [py, "-m", "ruff", "check", "."])
    ok &= step("ruff format --check", [py, "-m", "ruff", "format", "--check", "."])
    ok &= step("mypy", [py, "-m", "mypy", "."])
    ok &= step("import layers (lint-imports)", [os.path.join(os.path.dirname(py), "lint-imports")])
    ok &= step("makemigrations --check", [py, "manage.py", "makemigrations", "--check", "--dry-run"])
    ok &= step("Polish catalogue check", [py, "manage.py", "check_catalogue"])
    # Two workers on the two cores; parametrised ids must not depend on hash order across worker processes.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    # The whole suite also names its 30 slowest tests, so the next cut of its time starts from a measurement.
    workers = [] if pytest_args else ["-n", os.environ.get("PYTEST_WORKERS", "2"), "--durations=30"]
    ok &= step("pytest", [py, "-m", "pytest", *workers, *pytest_args])
    del server
    if not ok:
        sys.exit(1)


def roles() -> None:
    """CI: create both roles on DATABASE_URL's database (a superuser's URL), migrate it as the owner, and check
    that the application role owns nothing and cannot change the access log."""
    os.environ.setdefault("SECRET_KEY", "test-only-" + "k" * 50)
    if not os.environ.get("DATABASE_URL"):
        fail("roles needs DATABASE_URL: a superuser's URL of the database to set up")
    check_connects("DATABASE_URL")
    two_roles(required=True)
    py = sys.executable
    ok = step("migrate as the owner role", [py, "manage.py", "migrate", "--no-input", "-v", "1"])
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_OWNER_URL"}
    say("check the application role")
    ok = ok and subprocess.run([py, "manage.py", "db_roles", "--check"], cwd=ROOT, env=env, check=False).returncode == 0  # noqa: S603
    if not ok:
        sys.exit(1)


def quiet() -> None:
    """Keep the console to what a newcomer needs: pgserver's command log and known harmless warnings go."""
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    # WhiteNoise serves files with a sync iterator; under ASGI Django warns on every static file.
    warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")


def main() -> None:
    quiet()
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "roles"}:
        fail("usage: python scripts/dev.py run | test [pytest args...] | roles")
    if sys.argv[1] == "run":
        run()
    elif sys.argv[1] == "roles":
        roles()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()
