"""Load the demo network of DESIGN §10. Refused when DEBUG is off: demo passwords must never reach production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.network import load_demo


class Command(BaseCommand):
    help = "Create the demo network and the demo logins (password 'demo'); only with DEBUG on."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo is refused when DEBUG is off: demo logins have the password 'demo'.")
        summary = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {summary}"))
