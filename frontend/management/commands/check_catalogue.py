"""Keep the Polish catalogue complete: extract messages, fail on untranslated or fuzzy entries, compile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORE = [".venv/*", ".data/*", "tests/*", "docs/*", "scripts/*", "node_modules/*"]


class Command(BaseCommand):
    help = "Update the Polish catalogue from the sources, fail on untranslated/fuzzy messages, compile it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--compile-only", action="store_true", help="only compile the .po files to .mo")

    def handle(self, *args: Any, compile_only: bool = False, **options: Any) -> None:
        import polib

        locale_dir = Path(settings.LOCALE_PATHS[0])
        po_path = locale_dir / "pl" / "LC_MESSAGES" / "django.po"
        if not compile_only:
            call_command(
                "makemessages",
                locale=["pl"],
                no_location=True,
                no_obsolete=True,
                ignore_patterns=IGNORE,
                verbosity=0,
            )
        if not po_path.exists():
            raise CommandError(f"{po_path} does not exist")
        catalogue = polib.pofile(str(po_path))
        problems = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
        problems += [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        if problems and not compile_only:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} message(s) in the Polish catalogue need a translation ({po_path})")
        self.stdout.write(f"Polish catalogue complete: {len(catalogue.translated_entries())} messages")
