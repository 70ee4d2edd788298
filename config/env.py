"""Typed readers for environment variables.

Every setting comes from the environment. A malformed value stops start-up with
ImproperlyConfigured naming the variable, so an operator sees one clear line.
A secret may also come from a file: ``FOO_FILE=/run/secrets/foo`` is read when ``FOO`` is unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from exc
    return None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str = "DATABASE_URL") -> dict[str, Any]:
    """Parse a PostgreSQL URL; only PostgreSQL is supported (the product relies on its features)."""
    import dj_database_url

    value = _raw(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Use `make run` / `make test` (they start an embedded PostgreSQL), "
            f"or set {name}=postgres://user@host:5432/dbname"
        )
    try:
        config = dj_database_url.parse(value, conn_max_age=0)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is malformed ({exc}): expected postgres://user@host:port/db") from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL (postgres://…), got scheme of {value!r}")
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} has no database name: expected postgres://user@host:port/db")
    return dict(config)


def env_email(name: str = "EMAIL_URL", default: str = "console:") -> dict[str, Any]:
    import dj_email_url

    value = env_str(name, default)
    try:
        return dj_email_url.parse(value)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"{name} is malformed ({exc}): expected smtp://user:pass@host:587/?tls=True"
        ) from None


def env_redis(name: str = "REDIS_URL") -> str | None:
    from urllib.parse import urlsplit

    value = _raw(name)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {value!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port: {value!r}") from None
    return value
