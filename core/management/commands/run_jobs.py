from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.jobs import run_all


class Command(BaseCommand):
    help = "Run the background jobs (overdue alerts, e-mails, reminders) once or every --every seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--every", type=int, default=60, help="seconds between runs")

    def handle(self, *args: Any, once: bool = False, every: int = 60, **options: Any) -> None:
        while True:
            results = run_all()
            if once or options.get("verbosity", 1) > 1:
                self.stdout.write(", ".join(f"{name}: {count}" for name, count in results.items()))
            if once:
                return
            time.sleep(max(every, 5))
            close_old_connections()  # a long-running loop must not keep a broken or stale connection
