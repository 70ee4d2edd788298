"""Two database roles: the owner, which owns every table and runs the migrations, and the application role,
which reads and writes rows and owns nothing (docs/deploy.md, "Two database roles").

The application connects with ``DATABASE_URL`` as the application role. ``manage.py migrate`` connects as the owner
when ``DATABASE_OWNER_URL`` is set (``core/management/commands/migrate.py``) and then calls ``grant_app``, so every
table a migration created is readable and writable by the application at once. An app registers its append-only
tables at start-up (``PeopleConfig.ready``: the access log): the application role gets SELECT and INSERT on them,
never UPDATE, DELETE or TRUNCATE. Owning no table, it can neither disable their triggers nor drop them, and not
being a superuser it cannot ``SET session_replication_role = replica`` to get round them.

``create_roles`` is the one-time step for a superuser: create both roles (or tighten existing ones), hand the
database, its ``public`` schema and every object in it to the owner (the upgrade of a deployment that ran as
``postgres``), and take the right to create objects in ``public`` from everyone else. ``make run`` and ``.ci/run``
call it through ``scripts/dev.py``; an operator runs ``manage.py db_roles --create`` or the SQL in docs/deploy.md.

Every function takes a DB-API cursor (Django's or psycopg's), so ``scripts/dev.py`` can use them before Django
is set up. All of them are idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Settings of every session the application opens (``ALTER ROLE … SET``: they hold behind PgBouncer too, where a
# per-session SET would not). No parallel query: the application's reads are pages of 50 rows from an index, for
# which starting workers on a small server costs more than the read; with it the largest partner's inbox took twice
# as long (docs/performance.md). Reports read more, but one worker per report is what a shared server can give.
APP_ROLE_SETTINGS = {"max_parallel_workers_per_gather": "0"}

_append_only: set[str] = set()
# Append-only tables whose old rows the application removes after their retention (the table's trigger refuses a
# younger row): the application role keeps DELETE on them, never UPDATE or TRUNCATE.
_purged: set[str] = set()


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


def register_append_only(table: str, *, purge: bool = False) -> None:
    """A table whose rows are never changed or removed by the application (called from an app's ``ready``);
    with ``purge``, the application may delete the rows its trigger lets go (those past their retention)."""
    _append_only.add(table)
    if purge:
        _purged.add(table)


def refused(table: str) -> tuple[str, ...]:
    """The privileges the application role must not hold on an append-only table."""
    return ("UPDATE", "TRUNCATE") if table in _purged else ("UPDATE", "DELETE", "TRUNCATE")


def append_only() -> list[str]:
    return sorted(_append_only)


def identifier(name: str) -> str:
    """A role or database name as a quoted SQL identifier; role names are plain lower-case words."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A string as an SQL literal, for the statements that take no parameters (CREATE/ALTER ROLE … PASSWORD)."""
    return "'" + value.replace("'", "''") + "'"


def check_role_name(name: str, what: str) -> None:
    if not ROLE_NAME.match(name):
        raise ValueError(f"{what} role name {name!r}: use lower-case letters, digits and _ (at most 63)")


def current_user(cursor: Cursor) -> str:
    cursor.execute("SELECT current_user")
    return str(cursor.fetchone()[0])


def create_roles(
    cursor: Cursor,
    *,
    owner: str,
    app: str,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> None:
    """As a superuser, connected to the application's database: both roles exist with only the attributes they
    need, the owner owns the database, ``public`` and every table, sequence, view and function in it, and nobody
    else may create objects in ``public``. Passwords are set when given (``None`` leaves them as they are)."""
    check_role_name(owner, "owner")
    check_role_name(app, "application")
    if owner == app:
        raise ValueError("the owner and the application role must be two different roles")
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        raise PermissionError(f"creating the roles needs a superuser; {current_user(cursor)} is not one")
    for role, password in ((owner, owner_password), (app, app_password)):
        exists = f"SELECT 1 FROM pg_roles WHERE rolname = {literal(role)}"  # noqa: S608 - a checked role name
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS ({exists}) THEN CREATE ROLE {identifier(role)} LOGIN; END IF; END $$"
        )
        cursor.execute(
            f"ALTER ROLE {identifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        )
        if password is not None:
            cursor.execute(f"ALTER ROLE {identifier(role)} PASSWORD {literal(password)}")
    for setting, value in APP_ROLE_SETTINGS.items():
        cursor.execute(f"ALTER ROLE {identifier(app)} SET {setting} = {value}")
    # The application must not act as the owner through a membership either way.
    for member, of in ((app, owner), (owner, app)):
        cursor.execute(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
            "WHERE r.rolname = %s AND u.rolname = %s",
            [of, member],
        )
        if cursor.fetchone():
            cursor.execute(f"REVOKE {identifier(of)} FROM {identifier(member)}")
    cursor.execute("SELECT current_database()")
    database = str(cursor.fetchone()[0])
    cursor.execute(f"ALTER DATABASE {identifier(database)} OWNER TO {identifier(owner)}")
    cursor.execute(f"ALTER SCHEMA public OWNER TO {identifier(owner)}")
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {identifier(app)}")
    cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {identifier(database)} TO {identifier(app)}")
    _hand_objects_to(cursor, owner)


def _hand_objects_to(cursor: Cursor, owner: str) -> None:
    """Every table, view and standalone sequence (a column's sequence follows its table) and every function in
    ``public`` owned by someone else now belongs to the owner: the upgrade of a database migrated as a superuser."""
    cursor.execute(
        """
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
               quote_ident(c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> %s
          AND NOT EXISTS (
              SELECT 1 FROM pg_depend d
              WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          )
        ORDER BY 2
        """,
        [owner],
    )
    statements = [f"ALTER {kind} public.{name} OWNER TO {identifier(owner)}" for kind, name in cursor.fetchall()]
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        """,
        [owner],
    )
    statements += [f"ALTER FUNCTION {signature} OWNER TO {identifier(owner)}" for (signature,) in cursor.fetchall()]
    for statement in statements:
        cursor.execute(statement)


def grant_app(cursor: Cursor, *, app: str, owner: str | None = None) -> None:
    """As the owner (or a superuser): the application role may read and write the rows of every table and use
    every sequence, now and for the tables the owner (by default the connected role) creates later, and only read
    and add to the append-only tables."""
    check_role_name(app, "application")
    owner = owner or current_user(cursor)
    if owner == app:
        raise ValueError(f"{app} would grant to itself: connect as the owner role (DATABASE_OWNER_URL)")
    role = identifier(app)
    creator = f"FOR ROLE {identifier(owner)}"
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app])
    if not cursor.fetchone():
        raise LookupError(f"the application role {app} does not exist (docs/deploy.md: create it first)")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    cursor.execute(f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES {creator} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
    )
    cursor.execute(f"ALTER DEFAULT PRIVILEGES {creator} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")
    for table in append_only():
        cursor.execute(f"REVOKE {', '.join(refused(table))} ON public.{identifier(table)} FROM {role}, PUBLIC")


def problems(cursor: Cursor, *, app: str) -> list[str]:
    """What would let the application role change the append-only tables or act as an owner; empty when none."""
    found: list[str] = []
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = %s",
        [app],
    )
    row = cursor.fetchone()
    if row is None:
        return [f"the application role {app} does not exist"]
    for flag, name in zip(row, ("SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS", "REPLICATION"), strict=True):
        if flag:
            found.append(f"{app} has {name}")
    cursor.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND pg_has_role(%s, c.relowner, 'USAGE') ORDER BY 1""",
        [app],
    )
    owned = [name for (name,) in cursor.fetchall()]
    if owned:
        found.append(f"{app} owns (or acts as the owner of) {len(owned)} objects, e.g. {', '.join(owned[:3])}")
    cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [app])
    if cursor.fetchone()[0]:
        found.append(f"{app} may create objects in the public schema")
    cursor.execute("SHOW server_version_num")
    if int(cursor.fetchone()[0]) >= 150000:
        cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [app])
        if cursor.fetchone()[0]:
            found.append(f"{app} may set session_replication_role")
    for table in append_only():
        for privilege in refused(table):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, f"public.{identifier(table)}", privilege])
            if cursor.fetchone()[0]:
                found.append(f"{app} has {privilege} on the append-only table {table}")
    return found


@contextmanager
def connected_as_owner(connection: Any) -> Iterator[str | None]:
    """Within the block, ``connection`` reaches its database as the owner role when ``DATABASE_OWNER_URL`` names
    that database; it yields the application role (``DATABASE_URL``'s user) to grant to afterwards, or ``None``
    when nothing was switched (no owner URL, one role for both, or a test database of another name)."""
    from django.conf import settings

    owner = getattr(settings, "DATABASE_OWNER", None)
    current = connection.settings_dict
    if not owner or owner["NAME"] != current["NAME"] or owner.get("USER") == current.get("USER"):
        yield None
        return
    keys = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    saved = {key: current.get(key) for key in keys}
    app = str(saved["USER"])
    connection.close()
    current.update({key: owner.get(key, "" if key != "OPTIONS" else {}) for key in keys})
    try:
        yield app
    finally:
        connection.close()
        current.update(saved)
