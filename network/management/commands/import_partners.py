"""Import a network's partners or services from CSV or XLSX, all or nothing (format: network/importing/).

    manage.py import_partners --network <uuid> --as <username> [--services] [--dry-run] FILE

Errors go to stderr, one per row and column, and the command exits with status 1; nothing is imported then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import PermissionDenied
from network.importing import ImportKind, import_file
from network.models import Network
from partners.models import User


class Command(BaseCommand):
    help = (
        "Import partners (or with --services, services) into a network from a CSV or XLSX file. Every row is "
        "checked first; with any error nothing is imported and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (UTF-8, ';' or ',') or XLSX file")
        parser.add_argument("--network", required=True, help="id (UUID) of the network")
        parser.add_argument(
            "--as", dest="username", required=True, help="username of a coordinator of that network; acts as them"
        )
        parser.add_argument(
            "--services",
            action="store_true",
            help="the CSV (or a workbook without named sheets) holds services rather than partners",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file only; write nothing")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="language of the report (default: %(default)s)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user “%(username)s”.") % {"username": options["username"]})
        try:
            network = Network.objects.filter(pk=options["network"]).first()
        except ValidationError:
            network = None
        if network is None:
            raise CommandError(_("There is no network with the id %(id)s.") % {"id": options["network"]})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        kind = ImportKind.SERVICES if options["services"] else ImportKind.PARTNERS
        try:
            with path.open("rb") as upload:
                result = import_file(actor=user, network=network, upload=upload, kind=kind, dry_run=options["dry_run"])
        except PermissionDenied:
            raise CommandError(
                _("%(user)s does not coordinate the network %(network)s.") % {"user": user, "network": network}
            ) from None
        if not result.ok:
            for line in result.error_lines():
                self.stderr.write(line)
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
