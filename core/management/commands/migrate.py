"""Django's ``migrate``, run as the owner role when ``DATABASE_OWNER_URL`` is set, then granting the application
role its privileges on what the migrations created (``core.db_roles``, docs/deploy.md "Two database roles")."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate
from django.db import connections

from core import db_roles


class Command(migrate.Command):
    help = (
        "Updates database schema. With DATABASE_OWNER_URL set it connects as the owner role and afterwards grants "
        "the application role (the user of DATABASE_URL) its privileges; the access log stays append-only for it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        with db_roles.connected_as_owner(connection) as app:
            super().handle(*args, **options)
            if app is None:
                return
            with connection.cursor() as cursor:
                db_roles.grant_app(cursor, app=app)
                found = db_roles.problems(cursor, app=app)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Privileges of the application role {app} granted (core.db_roles).")
            for problem in found:
                self.stderr.write(f"warning: {problem}")
