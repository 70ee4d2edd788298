"""Set up, re-grant or check the two database roles (``core.db_roles``; docs/deploy.md "Two database roles")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import db_roles


class Command(BaseCommand):
    help = (
        "Without options: as the owner (DATABASE_OWNER_URL), grant the application role (the user of DATABASE_URL) "
        "its privileges, then check them. --check only checks. --create OWNER APP, run with a superuser's "
        "DATABASE_URL: create both roles and hand the database and every table to the owner (the upgrade of a "
        "deployment that ran as a superuser). Exit 1 when the application role could change the access log."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="only report what the application role may do")
        parser.add_argument("--create", nargs=2, metavar=("OWNER", "APP"), help="create the roles (as a superuser)")

    def handle(self, *args: Any, check: bool = False, create: list[str] | None = None, **options: Any) -> None:
        if create:
            owner, app = create
            try:
                with connection.cursor() as cursor:
                    db_roles.create_roles(cursor, owner=owner, app=app)
                    db_roles.grant_app(cursor, app=app, owner=owner)
            except (ValueError, PermissionError, LookupError) as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Roles ready: {owner} owns the database and its tables, {app} owns nothing.")
            self._report(app)
            return
        app = str(settings.DATABASES["default"]["USER"])
        if not check:
            if not getattr(settings, "DATABASE_OWNER", None):
                raise CommandError("DATABASE_OWNER_URL is not set: granting needs the owner role (or use --check)")
            with db_roles.connected_as_owner(connection) as switched:
                if switched is None:
                    raise CommandError("DATABASE_OWNER_URL and DATABASE_URL name the same role: use two roles")
                try:
                    with connection.cursor() as cursor:
                        db_roles.grant_app(cursor, app=app)
                except (ValueError, LookupError) as exc:
                    raise CommandError(str(exc)) from None
            self.stdout.write(f"Privileges of the application role {app} granted.")
        self._report(app)

    def _report(self, app: str) -> None:
        with connection.cursor() as cursor:
            found = db_roles.problems(cursor, app=app)
        for problem in found:
            self.stdout.write(f"problem: {problem}")
        if found:
            raise SystemExit(1)
        self.stdout.write(
            f"{app}: owns nothing, cannot change the append-only tables ({', '.join(db_roles.append_only())})."
        )
