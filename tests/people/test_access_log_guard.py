"""The access log cannot be changed or emptied: not by the application role, which owns no table, and not by TRUNCATE.

The suite itself runs as the test database's owner (pytest-django creates and empties it). These tests connect
a second time, with psycopg, as a throw-away application role granted exactly what ``core.db_roles.grant_app``
grants after ``migrate``, and try every way round the log's triggers that the issue found open.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from core import db_roles
from people.models import AccessLog, Person
from tests.people_fixtures import make_person

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


class Role:
    def __init__(self, name: str, password: str) -> None:
        self.name = name
        self.password = password

    def connect(self) -> psycopg.Connection[Any]:
        db = connection.settings_dict
        return psycopg.connect(
            dbname=db["NAME"],
            user=self.name,
            password=self.password,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            autocommit=True,
        )


def _create_role(prefix: str) -> Role:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    role = Role(f"{prefix}_{worker}_{os.getpid()}", secrets.token_urlsafe(16))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {db_roles.identifier(role.name)}")
        cursor.execute(f"CREATE ROLE {db_roles.identifier(role.name)} LOGIN PASSWORD {db_roles.literal(role.password)}")
    return role


def _drop_role(role: Role) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {db_roles.identifier(role.name)}")
        cursor.execute(f"DROP ROLE {db_roles.identifier(role.name)}")


@pytest.fixture
def app_role() -> Iterator[Role]:
    """A role of the test database with the application's privileges, as ``migrate`` leaves them."""
    role = _create_role("lsw_test_app")
    try:
        with connection.cursor() as cursor:
            # As `create_roles` does for a real database: nobody but the owner creates objects in `public`.
            cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            db_roles.grant_app(cursor, app=role.name)
        yield role
    finally:
        _drop_role(role)


def log_row(person: Person, user_id: int) -> dict[str, Any]:
    return {"user_id": user_id, "person_id": person.pk, "action": "view", "channel": "command", "view": "guard"}


def test_the_application_role_adds_to_the_access_log_and_cannot_change_empty_or_get_round_it(
    world: Any, app_role: Role
) -> None:
    person = make_person(world)
    with app_role.connect() as app:
        row = app.execute(
            """INSERT INTO network_accesslog (at, user_id, person_id, action, channel, view, detail)
               VALUES (now(), %(user_id)s, %(person_id)s, %(action)s, %(channel)s, %(view)s, '') RETURNING id""",
            log_row(person, world.coordinator.pk),
        ).fetchone()
        assert row is not None
        logged = row[0]
        assert app.execute("SELECT count(*) FROM network_accesslog WHERE id = %s", [logged]).fetchone() == (1,)

        # Refused by the role's privileges, before the triggers (which stop the owner) are even reached.
        denied = "permission denied for table network_accesslog"
        attempts = [
            ("UPDATE network_accesslog SET action = 'change' WHERE id = %s", [logged], denied),
            ("DELETE FROM network_accesslog WHERE id = %s", [logged], denied),
            ("TRUNCATE network_accesslog", None, denied),
            ("TRUNCATE network_person CASCADE", None, "permission denied for table network_person"),
            ("ALTER TABLE network_accesslog DISABLE TRIGGER ALL", None, "must be owner"),
            ("ALTER TABLE network_accesslog DISABLE TRIGGER network_accesslog_append_only", None, "must be owner"),
            ("DROP TRIGGER network_accesslog_no_truncate ON network_accesslog", None, "must be owner"),
            ("SET session_replication_role = replica", None, "permission denied to set parameter"),
        ]
        for sql, params, message in attempts:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=message):
                app.execute(sql, params)
        # The owner's way through the TRUNCATE trigger is no way for a role without the privilege.
        with app.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege, match=denied):
            app.execute("SET LOCAL lsw.access_log_truncate = 'on'")
            app.execute("TRUNCATE network_accesslog")
        assert app.execute("SHOW session_replication_role").fetchone() == ("origin",)
        # Nor can it give itself what it lacks: PostgreSQL grants nothing (with a warning) without a grant option.
        app.execute("GRANT UPDATE, DELETE, TRUNCATE ON network_accesslog TO CURRENT_USER")
        with app.cursor() as cursor:
            assert db_roles.problems(cursor, app=app_role.name) == []

    entry = AccessLog.objects.get(pk=logged)
    assert (entry.action, entry.person_id, entry.view) == ("view", person.pk, "guard")


def test_the_application_role_reads_adds_changes_and_removes_ordinary_rows(world: Any, app_role: Role) -> None:
    person = make_person(world, last_name="Nowak")
    with app_role.connect() as app:
        assert app.execute("SELECT last_name FROM network_person WHERE id = %s", [person.pk]).fetchone() == ("Nowak",)
        app.execute("UPDATE network_person SET last_name = 'Zieleniewska' WHERE id = %s", [person.pk])
        columns = ", ".join(
            name
            for (name,) in app.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'network_person' "
                "AND column_name <> 'id' ORDER BY ordinal_position"
            ).fetchall()
        )
        copy = f"INSERT INTO network_person (id, {columns}) SELECT gen_random_uuid(), {columns} FROM network_person"
        copied = app.execute(f"{copy} WHERE id = %s RETURNING id", [person.pk]).fetchone()
        assert copied is not None and copied[0] != person.pk
        app.execute("DELETE FROM network_person WHERE id = %s", [copied[0]])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE TABLE lsw_guard_probe (id int)")
        with app.cursor() as cursor:
            assert db_roles.problems(cursor, app=app_role.name) == []

    person.refresh_from_db()
    assert person.last_name == "Zieleniewska"
    assert not Person.objects.filter(pk=copied[0]).exists()


def test_granting_again_takes_back_what_an_old_deployment_gave_the_application_role(app_role: Role) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON network_accesslog TO {db_roles.identifier(app_role.name)}")
        assert db_roles.problems(cursor, app=app_role.name) == [
            f"{app_role.name} has {privilege} on the append-only table network_accesslog"
            for privilege in ("UPDATE", "DELETE", "TRUNCATE")
        ]
        db_roles.grant_app(cursor, app=app_role.name)
        assert db_roles.problems(cursor, app=app_role.name) == []
        cursor.execute(
            "SELECT has_table_privilege(%s, 'network_accesslog', 'INSERT'), "
            "has_table_privilege(%s, 'network_accesslog', 'SELECT')",
            [app_role.name, app_role.name],
        )
        assert cursor.fetchone() == (True, True)


def test_even_the_owner_cannot_truncate_the_access_log_unless_it_asks_for_the_flush(world: Any) -> None:
    person = make_person(world)
    AccessLog.objects.create(person=person, user=world.coordinator, action="view")
    for sql in ["TRUNCATE network_accesslog", "TRUNCATE network_person CASCADE"]:
        refused = pytest.raises((InternalError, ProgrammingError), match="append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            # The test database sets the owner's way through for pytest-django's flush; switch it off here.
            cursor.execute("SET LOCAL lsw.access_log_truncate = 'off'")
            cursor.execute(sql)
    assert AccessLog.objects.filter(person=person).count() == 1

    # The way through: the owner asking for it in its own transaction (what the test databases' flush does).
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lsw.access_log_truncate = 'on'")
            cursor.execute("TRUNCATE network_accesslog")
        assert not AccessLog.objects.exists()
        raise Undo
    assert AccessLog.objects.filter(person=person).count() == 1


def test_migrate_connects_as_the_owner_named_by_database_owner_url(settings: Any) -> None:
    """``connected_as_owner`` (used by ``migrate`` and ``db_roles``) switches the connection to the owner's role
    for the block only, and only for the database the owner URL names."""
    owner = _create_role("lsw_test_owner")
    try:
        db = connection.settings_dict
        settings.DATABASE_OWNER = {
            "NAME": db["NAME"],
            "USER": owner.name,
            "PASSWORD": owner.password,
            "HOST": db.get("HOST", ""),
            "PORT": db.get("PORT", ""),
            "OPTIONS": {},
        }
        superuser = db["USER"]
        with db_roles.connected_as_owner(connection) as app:
            assert app == superuser
            with connection.cursor() as cursor:
                assert db_roles.current_user(cursor) == owner.name
        with connection.cursor() as cursor:
            assert db_roles.current_user(cursor) == superuser

        settings.DATABASE_OWNER = settings.DATABASE_OWNER | {"NAME": "another_database"}
        with db_roles.connected_as_owner(connection) as app:
            assert app is None
            with connection.cursor() as cursor:
                assert db_roles.current_user(cursor) == superuser
    finally:
        connection.close()
        _drop_role(owner)


def test_an_owner_url_for_another_database_stops_start_up() -> None:
    env = dict(
        os.environ,
        DATABASE_URL="postgres://lsw_app@127.0.0.1:5432/lsw",
        DATABASE_OWNER_URL="postgres://lsw_owner@127.0.0.1:5432/other",
        SECRET_KEY="test-only-" + "k" * 50,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_OWNER_URL names the database 'other' but DATABASE_URL names 'lsw'" in result.stderr


@pytest.mark.slow
def test_create_roles_hands_a_superusers_database_to_the_owner_and_leaves_the_application_role_nothing() -> None:
    """The upgrade of a deployment that ran as a superuser (``db_roles --create``, ``make run``): in a database of
    its own, tables, their sequences and a trigger function made by the superuser end up the owner's."""
    db = connection.settings_dict
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name, owner, app = (f"lsw_test_{what}_{worker}_{os.getpid()}" for what in ("roles", "own", "use"))
    where = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db["USER"]}
    if db.get("PASSWORD"):
        where["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db_roles.identifier(name)}")
        admin.execute(f"CREATE DATABASE {db_roles.identifier(name)}")
    try:
        with psycopg.connect(dbname=name, autocommit=True, **where) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE network_accesslog (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
            # The other append-only tables registered at start-up (the security log), as migrate would make them.
            for table in db_roles.append_only():
                if table != "network_accesslog":
                    cursor.execute(f"CREATE TABLE {db_roles.identifier(table)} (id bigint PRIMARY KEY)")
            cursor.execute("CREATE TABLE counter (id serial PRIMARY KEY, n int)")
            cursor.execute("CREATE SEQUENCE standalone")
            cursor.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$")
            with pytest.raises(ValueError, match="two different roles"):
                db_roles.create_roles(cursor, owner=owner, app=owner)
            db_roles.create_roles(cursor, owner=owner, app=app)
            db_roles.create_roles(cursor, owner=owner, app=app)  # again: nothing changes, nothing fails
            db_roles.grant_app(cursor, app=app, owner=owner)
            cursor.execute(
                """SELECT DISTINCT pg_get_userbyid(c.relowner)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
                   UNION SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'refuse'
                   UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"""
            )
            assert cursor.fetchall() == [(owner,)]
            assert db_roles.problems(cursor, app=app) == []
            # Tables the owner creates later (the next migration) are the application's to use at once.
            cursor.execute(f"SET ROLE {db_roles.identifier(owner)}")
            cursor.execute("CREATE TABLE later (id serial PRIMARY KEY)")
            cursor.execute("RESET ROLE")
            cursor.execute(
                "SELECT has_table_privilege(%s, 'later', 'INSERT'), has_table_privilege(%s, 'later', 'TRUNCATE')",
                [app, app],
            )
            assert cursor.fetchone() == (True, False)
            # The application role's sessions run without parallel query (pages of 50 rows; docs/performance.md).
            cursor.execute(
                "SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = %s",
                [app],
            )
            assert cursor.fetchone() == (["max_parallel_workers_per_gather=0"],)
        app_password = secrets.token_urlsafe(16)
        with psycopg.connect(dbname=name, autocommit=True, **where) as conn, conn.cursor() as cursor:
            cursor.execute(f"ALTER ROLE {db_roles.identifier(app)} PASSWORD {db_roles.literal(app_password)}")
        as_app = {**where, "user": app, "password": app_password}
        with psycopg.connect(dbname=name, autocommit=True, **as_app) as conn:
            assert conn.execute("SHOW max_parallel_workers_per_gather").fetchone() == ("0",)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db_roles.identifier(name)} WITH (FORCE)")
            for role in (app, owner):
                admin.execute(f"DROP ROLE IF EXISTS {db_roles.identifier(role)}")
