"""The load: every table of a run in one transaction, and what keeps it fast.

Rows are built in Python and streamed with COPY; grants are derived in SQL from the loaded rows; the big
tables' secondary indexes are dropped and rebuilt after the load; foreign-key triggers are off during the load
(``session_replication_role = replica``, superuser only) and every foreign key of the loaded tables is checked
with one anti-join each instead. Then VACUUM ANALYZE, so the benchmarks meet the planner's usual statistics.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection, transaction

from demo.scale.directory import write_directory, write_services
from demo.scale.grants import person_grants, referral_grants
from demo.scale.people import PeopleWriter
from demo.scale.plan import Run, plan
from network.models import Network, NetworkCoordinator, NetworkMembership
from partners.models import Partner, Service, StaffMembership, User
from people.models import Case, Consent, Person, PersonGroupObjectPermission
from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission

BIG_TABLES = (Referral, ReferralEvent, ReferralGroupObjectPermission, PersonGroupObjectPermission)
# For the load's transaction only; session_replication_role = replica only as a superuser (see _session_settings).
SESSION_SETTINGS = {
    "maintenance_work_mem": "'512MB'",  # index rebuilds
    "work_mem": "'256MB'",  # grants: hash joins over a million referrals
    "synchronous_commit": "off",
    "session_replication_role": "replica",
}


def loaded_tables() -> list[str]:
    models_: list[Any] = [
        Group,
        Partner,
        Network,
        NetworkMembership,
        User,
        User.groups.through,
        StaffMembership,
        NetworkCoordinator,
        Person,
        Consent,
        Consent.partners.through,
        Case,
        Referral,
        ReferralEvent,
        Service,
        ReferralGroupObjectPermission,
        PersonGroupObjectPermission,
    ]
    return [m._meta.db_table for m in models_]


def load(run: Run) -> None:
    """Plan and write everything; a failure (a broken constraint) rolls all of it back, dropped indexes included."""
    with transaction.atomic(), connection.cursor() as cursor:
        run.cursor = cursor
        _session_settings(run)
        with run.phase("drop secondary indexes"):
            indexes = _drop_indexes(run)
        with run.phase("plan"):
            plan(run)
        with run.phase("directory and users"):
            write_directory(run)
        with run.phase("people and referrals"):
            PeopleWriter(run).write()
        with run.phase("services"):
            write_services(run)
        with run.phase("analyze loaded rows"):
            # The grants are derived with joins over what was just loaded: the planner must know its size
            # (statistics left by an earlier, smaller run once turned 10 s into 5 minutes).
            for table in loaded_tables():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        with run.phase("referral grants"):
            referral_grants(run)
        with run.phase("person grants"):
            person_grants(run)
        with run.phase("rebuild indexes"):
            for sql in indexes:
                cursor.execute(sql)
        with run.phase("check foreign keys"):
            _check_foreign_keys(run)
        # SET LOCAL outlives a savepoint: when called inside a transaction (tests), leave it as it was.
        for name in SESSION_SETTINGS:
            if name != "session_replication_role" or run.superuser:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
        commit_started = time.perf_counter()
    run.say(f"  {'commit':<26} {time.perf_counter() - commit_started:8.1f} s")


def analyze() -> None:
    """Fresh statistics for the planner; VACUUM also sets the visibility map, so the grant lookups stay
    index-only scans (autovacuum would do the same a little later). Inside a transaction (tests): ANALYZE."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as c:
        for table in loaded_tables():
            c.execute(f"{command} {connection.ops.quote_name(table)}")


def _session_settings(run: Run) -> None:
    c = run.cursor
    for name, value in SESSION_SETTINGS.items():
        if name != "session_replication_role":
            c.execute(f"SET LOCAL {name} = {value}")
    c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    run.superuser = bool(c.fetchone()[0])
    if run.superuser:
        # Foreign keys are checked once at the end, table by table (_check_foreign_keys).
        c.execute("SET LOCAL session_replication_role = replica")


def _drop_indexes(run: Run) -> list[str]:
    """Secondary indexes of the big tables (not those behind a constraint): dropped now, rebuilt at the end.

    Inside the load's transaction, so a failure brings them back with everything else.
    """
    c = run.cursor
    c.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [[m._meta.db_table for m in BIG_TABLES]],
    )
    rows = c.fetchall()
    for name, _definition in rows:
        c.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def _check_foreign_keys(run: Run) -> None:
    """What the foreign-key triggers would have checked, one anti-join per constraint (the load ran without)."""
    if not run.superuser:
        return  # the triggers ran
    c = run.cursor
    c.execute(
        """
        SELECT con.conname, con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text, fa.attname
          FROM pg_constraint con
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
          JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1]
         WHERE con.contype = 'f' AND con.conrelid = ANY(%s::regclass[])
        """,
        [loaded_tables()],
    )
    broken = []
    for name, table, column, target, target_column in c.fetchall():
        c.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {target} f WHERE f.{target_column} = t.{column}))"
        )
        if c.fetchone()[0]:
            broken.append(f"{name} ({table}.{column} -> {target})")
    if broken:
        raise CommandError("Generated rows break foreign keys, nothing saved: " + ", ".join(broken))
