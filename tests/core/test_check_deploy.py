"""`manage.py check --deploy` with production settings: not one warning (issue 14). Run in a subprocess, so the
settings module is read as in production (no pytest in sys.modules: TESTING is off, secure defaults apply)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "Zq8wX2vB7nM4kL9pR3tY6uH1jG5fD0sA" * 2,
    "ALLOWED_HOSTS": "lsw.example.org",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what a production host would have: the database and the variables above (no DEBUG, no test key,
    # no flags a developer's shell may carry).
    keep = {"PATH", "HOME", "LANG", "DATABASE_URL", "PYTHONHASHSEED", "VIRTUAL_ENV"}
    base = {name: value for name, value in os.environ.items() if name in keep}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_it_passes_check_deploy_with_no_warning_at_all() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "INFO"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_it_would_notice_a_setting_unfit_for_production() -> None:
    """The same run with DEBUG on and a short key fails: the check above is not vacuous."""
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION, "DEBUG": "1", "SECRET_KEY": "short"},
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on
    assert "security.W009" in result.stderr + result.stdout  # a weak SECRET_KEY


def test_it_runs_production_with_the_headers_and_limits_of_issue_14() -> None:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'mw': s.MIDDLEWARE, "
        "'idle': s.SESSION_IDLE_TIMEOUT, 'age': s.SESSION_COOKIE_AGE, 'every': s.SESSION_SAVE_EVERY_REQUEST, "
        "'secure': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT], "
        "'hsts': s.SECURE_HSTS_SECONDS}))"
    )
    result = run(["-c", script], {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["csp"]["script-src"] == ["'self'"] and values["csp"]["frame-ancestors"] == ["'none'"]
    assert "csp.middleware.CSPMiddleware" in values["mw"]
    assert "core.headers.SecurityHeadersMiddleware" in values["mw"]
    assert "accounts.idle.IdleTimeoutMiddleware" in values["mw"]
    assert values["idle"] == 30 * 60 and values["age"] == 8 * 3600 and values["every"] is False
    assert values["secure"] == [True, True, True] and values["hsts"] >= 31536000
