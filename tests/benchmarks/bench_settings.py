"""The settings the benchmarks give the server: production (DEBUG off), TLS and the second factor off, as behind a
proxy for users without factors, and the static files collected as a deployment has them. Shared by
bench_http.py (its server processes) and bench_cpu.py (in-process); imports no Django."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(ROOT / ".data" / "bench-static")))
SERVER_SETTINGS = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "MFA_REQUIRED": "0",
    "STATIC_ROOT": str(STATIC_ROOT),
    "LOG_LEVEL": "WARNING",
}
