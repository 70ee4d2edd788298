from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from core.jobs import run_all


class Command(BaseCommand):
    help = (
        "Run a background worker (procrastinate): scheduled, on-demand and periodic tasks, until SIGINT/SIGTERM. "
        "With --once, run every periodic sweep once in this process and stop."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run every periodic sweep once, then stop")
        parser.add_argument("--name", default=None, help="the worker's name in the logs and the admin")
        parser.add_argument("--concurrency", type=int, default=None, help="tasks at once (JOBS_CONCURRENCY)")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        if once:
            results = run_all()
            self.stdout.write(", ".join(f"{name}: {count}" for name, count in results.items()))
            return
        from procrastinate.contrib.django import app

        # Each job started and ended, with its result: what an operator reads (docs/deploy.md, "Workers").
        logging.getLogger("procrastinate.worker").setLevel(logging.INFO)

        worker: dict[str, Any] = {}
        if options.get("name"):
            worker["name"] = options["name"]
        if options.get("concurrency"):
            worker["concurrency"] = options["concurrency"]
        # Django's own connection is per thread and has no LISTEN; the worker gets a psycopg connector to the same
        # database as the same (application) role, with what DATABASE_URL gives.
        with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
            app.run_worker(**worker)
