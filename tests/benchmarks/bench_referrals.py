"""Referral benchmarks at voivodeship scale (DESIGN §8), against data made by ``manage.py seed_scale``.

    python tests/benchmarks/bench_referrals.py [--iterations 200] [--warmup 20] [--show-queries] [--no-parallel]

Picks a typical partner (the median inbox) and the largest one, a staff user of each, and measures with
``time.perf_counter`` after a warm-up: the inbox (first page of 50 + total), a referral's detail, an accept, and a
person's page; through the selectors and services, and through the HTTP layer (``django.test.Client`` with
``force_login``: middleware, session, view, serialisation or template, no network).

Beside each, the raw-SQL floor: hand-written SQL that reads (or writes) the same rows with the same access rules,
run through the same connection in the same run, alternating with the code so that both see the same load. The
floor runs without parallel query workers (on two cores they cost more to start than a 50-row page takes);
``--no-parallel`` runs the code that way too, as a deployment could choose for its database role.

Writes run in a transaction that is rolled back, so the data stays as seeded; the commit's WAL flush is therefore
not in the numbers. Queries per request come from ``CaptureQueriesContext``, without savepoint statements (a real
request has BEGIN/COMMIT there, which Django does not log either); for the inbox with page size 50 and 10.

Prints a Markdown table; exits with status 1 when the inbox misses its targets (p95 within 3x its floor and
under 50 ms, query count independent of page size).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The generated users have no second factor; production asks for one (MFA_REQUIRED), which a benchmark leaves out.
os.environ.setdefault("MFA_REQUIRED", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import frontend.referral_views  # noqa: E402
from core.scope import forget_scope  # noqa: E402
from partners.choices import StaffRole  # noqa: E402
from partners.models import Partner, StaffMembership, User  # noqa: E402
from people.access import get_person_for  # noqa: E402
from people.models import CATEGORY_PERMISSIONS, Person, PersonGroupObjectPermission  # noqa: E402
from referrals import services  # noqa: E402
from referrals.access import RESPOND, VIEW, get_referral_for, permission_id  # noqa: E402
from referrals.choices import State  # noqa: E402
from referrals.models import Referral  # noqa: E402
from referrals.selectors import available_actions, referral_list  # noqa: E402

PAGE = 50
INBOX_P95_LIMIT_MS = 50.0
INBOX_FLOOR_FACTOR = 3.0


# --- measuring ------------------------------------------------------------------------------------


class Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the body in a transaction and undo it: the data stays as seeded."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def set_parallel(allowed: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "RESET max_parallel_workers_per_gather" if allowed else "SET max_parallel_workers_per_gather = 0"
        )


def timed_pair(
    fn: Callable[[], Any], floor: Callable[[], Any], iterations: int, warmup: int, *, rollback: bool, parallel: bool
) -> tuple[list[float], list[float]]:
    """Time the code and its floor in alternation, so that both see the same load on a shared machine.

    The floor runs without parallel workers (switched outside the timed part): the best plan for its SQL on a
    small OLTP box. The code runs with the server's settings unless ``parallel`` is off.
    """

    def once(body: Callable[[], Any]) -> float:
        start = time.perf_counter()
        if rollback:
            with rolled_back():
                body()
        else:
            body()
        return (time.perf_counter() - start) * 1000

    samples: list[float] = []
    floor_samples: list[float] = []
    for i in range(warmup + iterations):
        code_time = once(fn)
        if parallel:
            set_parallel(False)
        floor_time = once(floor)
        if parallel:
            set_parallel(True)
        if i >= warmup:
            samples.append(code_time)
            floor_samples.append(floor_time)
    return samples, floor_samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def queries(fn: Callable[[], Any], *, rollback: bool = False) -> list[str]:
    if rollback:
        with rolled_back(), CaptureQueriesContext(connection) as captured:
            fn()
    else:
        with CaptureQueriesContext(connection) as captured:
            fn()
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@dataclass
class Row:
    what: str
    subject: str
    samples: list[float]
    floor: list[float]
    query_count: int | None = None
    query_count_small: int | None = None
    notes: list[str] = field(default_factory=list)

    def p(self, n: float) -> float:
        return percentile(self.samples, n)

    def fp(self, n: float) -> float:
        return percentile(self.floor, n)


# --- what to measure --------------------------------------------------------------------------------


@dataclass
class Subject:
    label: str
    partner: Partner
    inbox: int
    user: User
    detail: Referral
    to_accept: Referral | None
    person: Person | None


# The mid-size band of the issue: partners with 1,000 to 9,000 referrals received (5 of 20 random staff users).
MID_SIZE = (1_000, 9_000)


def pick_subjects(*, mid_size: bool = True) -> list[Subject]:
    sizes = list(
        Referral.objects.values("to_partner_id").annotate(n=Count("id")).order_by("n").values_list("to_partner_id", "n")
    )
    if not sizes:
        sys.exit("No referrals: run `manage.py seed_scale` first.")
    chosen = [("typical", *sizes[len(sizes) // 2])]
    band = [(partner, n) for partner, n in sizes if MID_SIZE[0] <= n <= MID_SIZE[1]]
    if mid_size and band:
        chosen.append(("mid-size", *band[len(band) // 2]))
    chosen.append(("largest", *sizes[-1]))
    subjects = []
    for label, partner_id, inbox in chosen:
        partner = Partner.objects.get(pk=partner_id)
        # A plain staff member of this partner only (the admin when there is nobody else).
        memberships = sorted(
            StaffMembership.objects.filter(partner=partner, is_active=True, user__is_active=True)
            .annotate(partners=Count("user__staff_memberships"))
            .filter(partners=1)
            .select_related("user"),
            key=lambda m: (m.role == StaffRole.ADMIN, m.user.username),
        )
        if not memberships:
            sys.exit(f"Partner {partner} has no staff user.")
        membership = memberships[0]
        received = Referral.objects.filter(to_partner=partner)
        detail = (
            received.filter(state=State.IN_PROGRESS).order_by("-created_at").first()
            or received.order_by("-created_at").first()
        )
        assert detail is not None
        free = Q(service__isnull=True) | Q(service__capacity__isnull=True) | Q(service__load__lt=F("service__capacity"))
        to_accept = (
            received.filter(state=State.SENT, service__capacity__isnull=False, service__load__lt=F("service__capacity"))
            .order_by("-created_at")
            .first()
            or received.filter(free, state=State.SENT).order_by("-created_at").first()
        )
        granted = PersonGroupObjectPermission.objects.filter(
            group_id=partner.group_id, permission_id=permission_id(CATEGORY_PERMISSIONS["identity"])
        ).values("content_object_id")
        person = Person.objects.filter(id__in=granted).annotate(n=Count("referrals")).order_by("-n", "id").first()
        subjects.append(Subject(label, partner, inbox, membership.user, detail, to_accept, person))
    return subjects


# --- raw-SQL floors ---------------------------------------------------------------------------------

SCOPE_SQL = """
    SELECT sm.partner_id, p.group_id FROM partners_staffmembership sm
      JOIN partners_partner p ON p.id = sm.partner_id
     WHERE sm.user_id = %s AND sm.is_active
"""
GRANTED = """EXISTS (SELECT 1 FROM referrals_referralgroupobjectpermission g WHERE g.content_object_id = r.id
                     AND g.group_id = ANY(%(groups)s) AND g.permission_id = %(view)s)"""
# The inbox floor names the partners and groups as literal lists: "IN (x)" with one partner lets PostgreSQL walk
# the (to_partner, created_at) index newest first and stop at the page; "= ANY(array)" cannot use that order.
INBOX_WHERE = """r.to_partner_id IN ({partners}) AND EXISTS (SELECT 1 FROM referrals_referralgroupobjectpermission g
                 WHERE g.content_object_id = r.id AND g.group_id IN ({groups}) AND g.permission_id = %(view)s)"""
INBOX_PAGE_SQL = f"""
    SELECT r.id, r.created_at, r.state, r.priority, r.categories, r.due_by, r.waitlisted_at, r.network_id,
           r.person_id, r.from_partner_id, r.to_partner_id, r.service_id, pe.first_name, pe.last_name,
           tp.name, fp.name, s.name
      FROM referrals_referral r
      JOIN network_person pe ON pe.id = r.person_id
      JOIN partners_partner tp ON tp.id = r.to_partner_id
      LEFT JOIN partners_partner fp ON fp.id = r.from_partner_id
      LEFT JOIN partners_service s ON s.id = r.service_id
     WHERE {INBOX_WHERE}
     ORDER BY r.created_at DESC, r.id DESC
     LIMIT %(limit)s
"""
INBOX_COUNT_SQL = f"SELECT count(*) FROM referrals_referral r WHERE {INBOX_WHERE}"
DETAIL_SQL = f"""
    SELECT r.*, pe.first_name, pe.last_name, tp.name, fp.name, s.name, n.name, u.username,
           (SELECT array_agg(g.permission_id) FROM referrals_referralgroupobjectpermission g
             WHERE g.content_object_id = r.id AND g.group_id = ANY(%(groups)s)),
           (SELECT array_agg(pg.permission_id) FROM network_persongroupobjectpermission pg
             WHERE pg.content_object_id = r.person_id AND pg.group_id = ANY(%(groups)s))
      FROM referrals_referral r
      JOIN network_person pe ON pe.id = r.person_id
      JOIN partners_partner tp ON tp.id = r.to_partner_id
      LEFT JOIN partners_partner fp ON fp.id = r.from_partner_id
      LEFT JOIN partners_service s ON s.id = r.service_id
      JOIN network_network n ON n.id = r.network_id
      JOIN partners_user u ON u.id = r.created_by_id
     WHERE r.id = %(id)s AND (r.to_partner_id = ANY(%(partners)s) OR r.from_partner_id = ANY(%(partners)s))
       AND {GRANTED}
"""
EVENTS_SQL = """
    SELECT e.*, u.first_name, u.last_name FROM referrals_referralevent e LEFT JOIN partners_user u ON u.id = e.actor_id
     WHERE e.referral_id = %s ORDER BY e.at, e.id
"""
ACCESS_LOG_SQL = """
    INSERT INTO network_accesslog (at, user_id, person_id, action, channel, view, detail)
    VALUES (now(), %s, %s, 'view', %s, %s, '')
"""
ACCEPT_LOCK_SQL = """
    SELECT r.state, r.service_id, r.from_partner_id, r.network_id, r.created_by_id FROM referrals_referral r
     WHERE r.id = %(id)s AND r.to_partner_id = ANY(%(partners)s)
       AND EXISTS (SELECT 1 FROM referrals_referralgroupobjectpermission g WHERE g.content_object_id = r.id
                   AND g.group_id = ANY(%(groups)s) AND g.permission_id = %(respond)s)
       FOR UPDATE OF r
"""
ACCEPT_PLACE_SQL = """
    UPDATE partners_service SET load = load + 1, updated_at = now()
     WHERE id = %s AND capacity IS NOT NULL AND load < capacity RETURNING id
"""
ACCEPT_SQL = """
    UPDATE referrals_referral SET state = 'accepted', answered_at = now(), updated_at = now(), holds_place = %s
     WHERE id = %s AND state = 'sent'
"""
EVENT_SQL = """
    INSERT INTO referrals_referralevent (referral_id, action, from_state, to_state, actor_id, at, reason_code,
                                         reason_origin, note)
    VALUES (%s, 'accept', 'sent', 'accepted', %s, now(), '', '', '')
"""
NOTIFY_SQL = """
    INSERT INTO notifications_notification (recipient_id, kind, object_type, object_id, url, text, created_at)
    SELECT DISTINCT u.id, 'referral.accepted', 'referral', %(id)s, %(url)s, %(text)s, now()
      FROM partners_user u
     WHERE u.is_active AND (u.id = %(created_by)s OR u.id IN (
           SELECT sm.user_id FROM partners_staffmembership sm WHERE sm.partner_id = %(sender)s AND sm.is_active
           UNION ALL SELECT nc.user_id FROM network_networkcoordinator nc
            WHERE nc.network_id = %(network)s AND %(sender)s::uuid IS NULL))
"""
PERSON_SQL = """
    SELECT pe.*, n.name,
           (SELECT array_agg(p.codename) FROM network_persongroupobjectpermission g
              JOIN auth_permission p ON p.id = g.permission_id
             WHERE g.content_object_id = pe.id AND g.group_id = ANY(%(groups)s)),
           EXISTS (SELECT 1 FROM network_case c WHERE c.person_id = pe.id AND c.closed_on IS NULL
                      AND c.case_manager_id = %(user)s)
      FROM network_person pe JOIN network_network n ON n.id = pe.network_id
     WHERE pe.id = %(id)s
"""
PERSON_CASES_SQL = """
    SELECT c.*, u.first_name, u.last_name, p.name,
           (SELECT json_agg(e ORDER BY e.at, e.id) FROM network_caseevent e
             WHERE e.case_id = c.id AND c.closed_on IS NULL),
           (SELECT row_to_json(sp) FROM network_supportplan sp WHERE sp.case_id = c.id AND sp.is_current
             AND c.closed_on IS NULL ORDER BY sp.agreed_on DESC LIMIT 1)
      FROM network_case c
      LEFT JOIN partners_user u ON u.id = c.case_manager_id LEFT JOIN partners_partner p ON p.id = c.managing_partner_id
     WHERE c.person_id = %s ORDER BY c.closed_on IS NOT NULL, c.closed_on DESC
"""
PERSON_CONSENTS_SQL = """
    SELECT co.*, u.first_name, u.last_name,
           ARRAY(SELECT p.name FROM network_consent_partners cp JOIN partners_partner p ON p.id = cp.partner_id
                  WHERE cp.consent_id = co.id ORDER BY p.name)
      FROM network_consent co JOIN partners_user u ON u.id = co.recorded_by_id
     WHERE co.person_id = %s ORDER BY co.valid_from DESC, co.created_at DESC
"""
# The sections the page adds: the person's referrals the user sees, assessments, the partner's activities and
# groups, and the partner's services for the forms.
PERSON_REFERRALS_SQL = """
    SELECT r.id, r.state, r.created_at, tp.name, fp.name, s.name FROM referrals_referral r
      JOIN partners_partner tp ON tp.id = r.to_partner_id LEFT JOIN partners_partner fp ON fp.id = r.from_partner_id
      LEFT JOIN partners_service s ON s.id = r.service_id
     WHERE r.person_id = %(id)s AND (r.to_partner_id = ANY(%(partners)s) OR r.from_partner_id = ANY(%(partners)s))
       AND EXISTS (SELECT 1 FROM referrals_referralgroupobjectpermission g WHERE g.content_object_id = r.id
                   AND g.group_id = ANY(%(groups)s) AND g.permission_id = %(view)s)
     ORDER BY r.created_at DESC
"""
PERSON_SECTIONS_SQL = """
    SELECT 'assessment', a.id::text, a.assessed_on::text FROM network_assessment a WHERE a.person_id = %(id)s
    UNION ALL
    (SELECT 'activity', ac.id::text, ac.occurred_on::text FROM network_activity ac
      WHERE ac.person_id = %(id)s AND ac.partner_id = ANY(%(partners)s) ORDER BY ac.occurred_on DESC LIMIT 50)
    UNION ALL
    SELECT 'group', gm.id::text, gm.joined_on::text FROM network_groupmembership gm
      JOIN network_supportgroup sg ON sg.id = gm.group_id
     WHERE gm.person_id = %(id)s AND sg.partner_id = ANY(%(partners)s)
    UNION ALL
    SELECT 'service', s.id::text, s.name FROM partners_service s WHERE s.partner_id = ANY(%(partners)s) AND s.is_active
"""


def run_sql(sql: str, params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def scope_rows(user: User) -> tuple[list[Any], list[int]]:
    rows = run_sql(SCOPE_SQL, [user.pk])
    return [r[0] for r in rows], [r[1] for r in rows]


def inbox_floor(user: User, limit: int = PAGE) -> Callable[[], Any]:
    view = permission_id(VIEW)

    def run() -> int:
        partners, groups = scope_rows(user)
        params: dict[str, Any] = {"view": view, "limit": limit}
        params.update({f"p{i}": v for i, v in enumerate(partners)})
        params.update({f"g{i}": v for i, v in enumerate(groups)})
        lists = {
            "partners": ", ".join(f"%(p{i})s" for i in range(len(partners))),
            "groups": ", ".join(f"%(g{i})s" for i in range(len(groups))),
        }
        rows = run_sql(INBOX_PAGE_SQL.format(**lists), params)
        run_sql(INBOX_COUNT_SQL.format(**lists), params)
        return len(rows)

    return run


def detail_floor(user: User, referral: Referral, *, log: bool = False) -> Callable[[], Any]:
    view = permission_id(VIEW)

    def run() -> None:
        partners, groups = scope_rows(user)
        rows = run_sql(DETAIL_SQL, {"id": referral.pk, "partners": partners, "groups": groups, "view": view})
        assert rows, "the floor must see the referral"
        run_sql(EVENTS_SQL, [referral.pk])
        if log:
            run_sql(ACCESS_LOG_SQL, [user.pk, referral.person_id, "page", "referral-detail"])

    return run


def accept_floor(user: User, referral: Referral) -> Callable[[], Any]:
    respond = permission_id(RESPOND)

    def run() -> None:
        partners, groups = scope_rows(user)
        rows = run_sql(ACCEPT_LOCK_SQL, {"id": referral.pk, "partners": partners, "groups": groups, "respond": respond})
        state, service_id, sender, network, created_by = rows[0]
        assert state == State.SENT
        holds = bool(service_id and run_sql(ACCEPT_PLACE_SQL, [service_id]))
        run_sql(ACCEPT_SQL, [holds, referral.pk])
        run_sql(EVENT_SQL, [referral.pk, user.pk])
        # The grants of an accepted referral equal those of a sent one: nothing to write.
        run_sql(
            NOTIFY_SQL,
            {
                "id": str(referral.pk),
                "url": f"/referrals/{referral.pk}/",
                "text": "accepted",
                "created_by": created_by,
                "sender": sender,
                "network": network,
            },
        )

    return run


def person_floor(user: User, person: Person) -> Callable[[], Any]:
    view = permission_id(VIEW)

    def run() -> None:
        partners, groups = scope_rows(user)
        rows = run_sql(PERSON_SQL, {"id": person.pk, "groups": groups, "user": user.pk})
        assert rows and rows[0][-2], "the floor must see the person"
        run_sql(ACCESS_LOG_SQL, [user.pk, person.pk, "page", "person-detail"])
        run_sql(PERSON_CASES_SQL, [person.pk])
        run_sql(PERSON_CONSENTS_SQL, [person.pk])
        params = {"id": person.pk, "partners": partners, "groups": groups, "view": view}
        run_sql(PERSON_REFERRALS_SQL, params)
        run_sql(PERSON_SECTIONS_SQL, params)

    return run


# --- through the code ---------------------------------------------------------------------------------


def inbox_selector(user: User, limit: int = PAGE) -> Callable[[], Any]:
    def run() -> int:
        forget_scope(user)  # a request starts without the cached scope
        referrals = referral_list(user, direction="incoming")
        page = list(referrals[:limit])
        referrals.count()
        return len(page)

    return run


def detail_selector(user: User, referral: Referral) -> Callable[[], Any]:
    def run() -> None:
        forget_scope(user)
        found = get_referral_for(user, referral.pk)
        list(found.events.select_related("actor"))
        available_actions(user, found)

    return run


def accept_service(user: User, referral: Referral) -> Callable[[], Any]:
    def run() -> None:
        forget_scope(user)
        services.referral_accept(actor=user, referral=referral)

    return run


def person_selector(user: User, person: Person) -> Callable[[], Any]:
    def run() -> None:
        forget_scope(user)
        get_person_for(user, person.pk)

    return run


def http(client: Client, method: str, url: str, expect: int = 200) -> Callable[[], Any]:
    def run() -> None:
        response = client.post(url, secure=True) if method == "POST" else client.get(url, secure=True)
        if response.status_code != expect:
            raise SystemExit(f"{method} {url} answered {response.status_code}, expected {expect}")

    return run


# --- the run ------------------------------------------------------------------------------------------


def bench(subject: Subject, iterations: int, warmup: int, show: bool, parallel: bool) -> list[Row]:
    user, label = subject.user, subject.label
    client = Client()
    client.force_login(user)
    rows: list[Row] = []

    def add(
        what: str,
        fn: Callable[[], Any],
        floor: Callable[[], Any],
        *,
        rollback: bool = False,
        small: Callable[[], Any] | None = None,
        note: str = "",
    ) -> None:
        samples, floor_samples = timed_pair(fn, floor, iterations, warmup, rollback=rollback, parallel=parallel)
        captured = queries(fn, rollback=rollback)
        row = Row(what, label, samples, floor_samples, len(captured))
        if small is not None:
            row.query_count_small = len(queries(small, rollback=rollback))
        if note:
            row.notes.append(note)
        rows.append(row)
        if show:
            print(f"\n-- {what}, {label}: {len(captured)} queries", file=sys.stderr)
            for sql in captured:
                print(f"   {sql[:400]}", file=sys.stderr)

    add(
        "inbox: selector, page of 50 + count",
        inbox_selector(user),
        inbox_floor(user),
        small=inbox_selector(user, 10),
    )
    add(
        "inbox: GET /api/v1/referrals/?direction=incoming",
        http(client, "GET", "/api/v1/referrals/?direction=incoming"),
        inbox_floor(user),
        small=http(client, "GET", "/api/v1/referrals/?direction=incoming&page_size=10"),
    )

    def page_of(size: int) -> Callable[[], Any]:
        fetch = http(client, "GET", "/referrals/?direction=incoming")

        def run() -> None:
            default, frontend.referral_views.PAGE_SIZE = frontend.referral_views.PAGE_SIZE, size
            try:
                fetch()
            finally:
                frontend.referral_views.PAGE_SIZE = default

        return run

    add("inbox: GET /referrals/ (page)", page_of(PAGE), inbox_floor(user), small=page_of(10))

    referral = subject.detail
    add("detail: get_referral_for + timeline + actions", detail_selector(user, referral), detail_floor(user, referral))
    add(
        "detail: GET /api/v1/referrals/{id}/",
        http(client, "GET", f"/api/v1/referrals/{referral.pk}/"),
        detail_floor(user, referral, log=True),
        rollback=True,
    )
    add(
        "detail: GET /referrals/{id}/ (page)",
        http(client, "GET", f"/referrals/{referral.pk}/"),
        detail_floor(user, referral, log=True),
        rollback=True,
    )

    if subject.to_accept is not None:
        accepted = subject.to_accept
        if accepted.service is None:
            note = "no service"
        else:
            note = "takes a place" if accepted.service.capacity is not None else "service without a place limit"
        add("accept: referral_accept()", accept_service(user, accepted), accept_floor(user, accepted), rollback=True,
            note=note)  # fmt: skip
        add(
            "accept: POST /api/v1/referrals/{id}/accept/",
            http(client, "POST", f"/api/v1/referrals/{accepted.pk}/accept/"),
            accept_floor(user, accepted),
            rollback=True,
            note=note,
        )
    if subject.person is not None:
        person = subject.person
        add("person: get_person_for", person_selector(user, person), person_floor(user, person), rollback=True)
        add(
            "person: GET /people/{id}/ (page)",
            http(client, "GET", f"/people/{person.pk}/"),
            person_floor(user, person),
            rollback=True,
        )
    return rows


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return f"{cpus} CPUs{memory}; PostgreSQL {version} (shared_buffers {buffers}); Python {sys.version.split()[0]}"


def table(rows: list[Row]) -> str:
    lines = [
        "| measurement | partner | p50 | p95 | p99 | floor p50 | floor p95 | p95 ÷ floor p95 "
        "| queries (50 / 10 rows) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        count = "" if r.query_count is None else str(r.query_count)
        if r.query_count_small is not None:
            count += f" / {r.query_count_small}"
        what = r.what + (f" ({'; '.join(r.notes)})" if r.notes else "")
        lines.append(
            f"| {what} | {r.subject} | {r.p(50):.1f} | {r.p(95):.1f} | {r.p(99):.1f} | {r.fp(50):.1f} | "
            f"{r.fp(95):.1f} | {r.p(95) / r.fp(95):.1f}× | {count} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true", help="print each request's SQL to stderr")
    parser.add_argument(
        "--no-parallel",
        action="store_true",
        help="run the code, too, with max_parallel_workers_per_gather = 0 (as a deployment could set for its role)",
    )
    args = parser.parse_args()

    if args.no_parallel:
        set_parallel(False)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Templates name static files; the plain storage needs no collectstatic (the manifest it skips is a dict lookup).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    subjects = pick_subjects()
    total = Referral.objects.count()
    print(f"Machine: {machine()}")
    print(f"Data: {total:,} referrals; {args.iterations} iterations after {args.warmup} warm-up; times in ms.")
    workers = "off for code and floor" if args.no_parallel else "server default for the code, off for the floor"
    print(f"Parallel query workers: {workers}.")
    for s in subjects:
        print(
            f"- {s.label} partner: {s.partner} ({s.inbox:,} referrals received, "
            f"{s.partner.staff_memberships.count()} staff); user {s.user.username}"
        )
    rows: list[Row] = []
    for subject in subjects:
        rows += bench(subject, args.iterations, args.warmup, args.show_queries, parallel=not args.no_parallel)
    print()
    print(table(rows))

    failures = []
    for r in rows:
        if not r.what.startswith("inbox"):
            continue
        if r.p(95) > INBOX_P95_LIMIT_MS:
            failures.append(f"{r.what} ({r.subject}): p95 {r.p(95):.1f} ms > {INBOX_P95_LIMIT_MS:.0f} ms")
        if r.what.startswith("inbox: selector") and r.p(95) > INBOX_FLOOR_FACTOR * r.fp(95):
            failures.append(f"{r.what} ({r.subject}): p95 more than {INBOX_FLOOR_FACTOR:.0f}× its floor")
        if r.query_count_small is not None and r.query_count_small != r.query_count:
            failures.append(
                f"{r.what} ({r.subject}): {r.query_count} queries for 50 rows, {r.query_count_small} for 10"
            )
    print()
    if failures:
        print("Targets missed:\n" + "\n".join(f"- {f}" for f in failures))
        return 1
    print(
        f"Targets met: inbox p95 under {INBOX_P95_LIMIT_MS:.0f} ms and within {INBOX_FLOOR_FACTOR:.0f}× its raw-SQL "
        "floor; query counts do not depend on page size."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
