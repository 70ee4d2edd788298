"""Configuration: bad values stop start-up with one clear line; production values pass check --deploy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_stops_with_one_line_on_a_malformed_database_url() -> None:
    result = run(["manage.py", "check"], {"DATABASE_URL": "mysql://nope", "DEBUG": "1"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]


def test_it_stops_with_one_line_on_a_malformed_boolean() -> None:
    result = run(["manage.py", "check"], {"DEBUG": "maybe"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DEBUG must be a boolean (1/0, true/false, yes/no), got 'maybe'"
    ]


def test_it_refuses_to_start_in_production_without_a_secret_key() -> None:
    result = run(["manage.py", "check"], {"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_passes_check_deploy_with_production_values() -> None:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
        "ALLOWED_HOSTS": "lsw.example.org",
        "BEHIND_TLS_PROXY": "1",
    }
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_says_in_one_line_that_redis_is_unreachable() -> None:
    env = {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "PORT": str(free_port())}
    result = run(["scripts/dev.py", "run"], env)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("error: REDIS_URL is set but Redis does not answer")


def test_it_says_in_one_line_that_the_port_is_taken() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["scripts/dev.py", "run"], {"PORT": str(port)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use: stop the other server or run `PORT=8001 make run`"
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REDIS_URL", "http://x", "REDIS_URL must be a redis:// URL"),
        ("EMAIL_URL", "smtp://host:notaport", "EMAIL_URL"),
        ("SESSION_COOKIE_AGE", "ten", "SESSION_COOKIE_AGE must be a whole number"),
    ],
)
def test_it_names_the_variable_that_is_malformed(name: str, value: str, message: str) -> None:
    result = run(["manage.py", "check"], {"DEBUG": "1", name: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
