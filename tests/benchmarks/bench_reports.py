"""Dashboard and monitoring-report benchmarks at voivodeship scale (issue 8, DESIGN §8).

    manage.py seed_scale --scale 1.0          # once: 300 networks, 100,000 people, 1,000,000 referrals
    python tests/benchmarks/bench_reports.py [--people 2000] [--iterations 100] [--warmup 10] [--keep]

``seed_scale`` makes people, cases and referrals, but no sessions, meetings, stage changes or placements. So this
script takes the seeded network with the most people, tops it up to ``--people`` (2,000) with open cases, and gives
it a year of what the dashboard and the report count: stage changes over the last twelve months, about twelve
sessions per person in the last full calendar year (and some this year), six weekly support groups with
attendance, placements with candidates and their timelines. All of it is written in one transaction that is
rolled back at the end (``--keep`` commits it instead), and ANALYZEd first so the planner sees it.

Then, with ``time.perf_counter`` after a warm-up, on the same connection: the dashboard's selector and its page
through the HTTP layer (``django.test.Client`` with ``force_login``: middleware, session, view, template; no
network) with its query count; the tiles partial; the yearly report of that network (selector, page and the three
exports); the regional report over every network; a person's path. Prints a Markdown table and exits with status 1
when a target is missed: the dashboard page's p95 under 200 ms with at most 15 queries, the yearly report under 2 s.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402
from django.utils import timezone  # noqa: E402

from employment.figures import employment_figures  # noqa: E402
from employment.models import JobPlacement  # noqa: E402
from network.models import Network, NetworkCoordinator, NetworkMembership  # noqa: E402
from partners.models import Service, User  # noqa: E402
from people.models import (  # noqa: E402
    Activity,
    ActivityKind,
    Attendance,
    Case,
    CaseEvent,
    CaseEventKind,
    Meeting,
    Person,
    SupportGroup,
    normalise_name,
)
from referrals.models import Referral  # noqa: E402
from reporting import yearly as reports  # noqa: E402

DASHBOARD_P95_LIMIT_MS = 200.0
DASHBOARD_QUERY_LIMIT = 15
REPORT_LIMIT_MS = 2000.0
MARK = "bench_reports"


class Rollback(Exception):
    pass


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(fn: Callable[[], Any], iterations: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]])


@dataclass
class Result:
    what: str
    samples: list[float]
    queries: int | None = None

    def p(self, n: float) -> float:
        return percentile(self.samples, n)


# --- the data ---------------------------------------------------------------------------------------


@dataclass
class Prepared:
    network: Network
    coordinator: User
    monitor: User
    year: int
    person: Person
    counts: dict[str, int]


def prepare(people_target: int, seed: int) -> Prepared:
    rng = random.Random(seed)
    sized = Network.objects.annotate(n=Count("people")).order_by("-n", "id").first()
    if sized is None or not Referral.objects.exists():
        sys.exit("No seeded data: run `manage.py seed_scale --scale 1.0` first.")
    network = Network.objects.get(pk=sized.pk)
    coordinator = User.objects.get(
        coordinatorships__network=network,
        pk=NetworkCoordinator.objects.filter(network=network).order_by("id").values("user_id")[:1],
    )
    monitor = User.objects.create(username=f"{MARK}-monitor", is_regional_monitor=True)
    members = list(NetworkMembership.objects.current().filter(network=network).values_list("partner_id", flat=True))
    services = list(Service.objects.filter(partner_id__in=members).values_list("id", "partner_id"))
    today = timezone.localdate()
    year = today.year - 1
    stages = [code for code, _label in network.stage_choices()]
    counts: dict[str, int] = {}

    # People and open cases up to the target.
    existing = Person.objects.filter(network=network).count()
    new_people = [
        Person(
            network=network,
            first_name=f"Osoba{i}",
            last_name="Benchmarkowa",
            normalised_name=normalise_name(f"Osoba{i}", "Benchmarkowa"),
            birth_year=rng.randint(1950, 2006),
            sex=rng.choice(["female", "male", "unknown"]),
            gmina_teryt=network.teryt.ljust(7, "1")[:7],
            gmina_name=network.territory_name,
        )
        for i in range(max(0, people_target - existing))
    ]
    Person.objects.bulk_create(new_people, batch_size=5000)
    counts["people added"] = len(new_people)
    people = list(Person.objects.filter(network=network).values_list("id", flat=True))
    with_case = set(Case.objects.open().filter(network=network).values_list("person_id", flat=True))
    Case.objects.bulk_create(
        [
            Case(
                person_id=pid,
                network=network,
                stage=rng.choice(stages),
                case_manager=None if rng.random() < 0.1 else coordinator,
            )
            for pid in people
            if pid not in with_case
        ],
        batch_size=5000,
    )

    # Stage changes over the last twelve months (seed_scale writes none).
    now = timezone.now()
    events = []
    for case_id, stage in Case.objects.open().filter(network=network).values_list("id", "stage"):
        opened = now - datetime.timedelta(days=rng.uniform(1, 365))
        events.append(
            CaseEvent(case_id=case_id, kind=CaseEventKind.OPENED, actor=coordinator, to_stage=stages[0], at=opened)
        )
        path = stages[: stages.index(stage) + 1] if stage in stages else [stages[0]]
        for before, after in itertools.pairwise(path):
            opened += datetime.timedelta(days=rng.uniform(1, 20))
            if opened < now:
                events.append(
                    CaseEvent(
                        case_id=case_id,
                        kind=CaseEventKind.STAGE,
                        actor=coordinator,
                        from_stage=before,
                        to_stage=after,
                        at=opened,
                    )
                )
    CaseEvent.objects.bulk_create(events, batch_size=5000)
    counts["stage changes"] = len(events)

    # Sessions: about twelve per person in the last full year, and some this year.
    activities = []
    for pid in people:
        for _ in range(rng.randint(0, 24)):
            service_id, partner_id = (
                rng.choice(services) if services and rng.random() < 0.8 else (None, rng.choice(members))
            )
            day = datetime.date(year, 1, 1) + datetime.timedelta(
                days=rng.randrange(365 + today.timetuple().tm_yday - 1)
            )
            activities.append(
                Activity(
                    person_id=pid,
                    partner_id=partner_id,
                    service_id=service_id,
                    occurred_on=day,
                    minutes=rng.choice([30, 45, 60, 90, 120]),
                    recorded_by=coordinator,
                    topic=MARK,
                    kind=ActivityKind.GROUP if rng.random() < 0.1 else ActivityKind.INDIVIDUAL,
                )
            )
    Activity.objects.bulk_create(activities, batch_size=5000)
    counts["sessions"] = len(activities)

    # Six open groups meeting weekly, with 5 to 12 of their 30 members each time.
    meetings, attendance = 0, []
    for g in range(6):
        group = SupportGroup.objects.create(
            network=network,
            partner_id=rng.choice(members),
            name=f"{MARK} {g + 1}",
            service_id=rng.choice(services)[0] if services else None,
        )
        pool = rng.sample(people, min(30, len(people)))
        held = datetime.date(year, 1, 1) + datetime.timedelta(days=g)
        while held < today:
            meeting = Meeting.objects.create(group=group, held_on=held, duration_minutes=rng.choice([90, 120]))
            attendance += [Attendance(meeting=meeting, person_id=pid) for pid in rng.sample(pool, rng.randint(5, 12))]
            meetings += 1
            held += datetime.timedelta(days=7)
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    counts["meetings"], counts["attendances"] = meetings, len(attendance)

    # Placements with candidates and their timelines.
    from employment.models import ApplicationEvent, PlacementApplication

    placements = [
        JobPlacement.objects.create(
            employer_id=rng.choice(members),
            network=network,
            title=f"{MARK} {i}",
            workplace="magazyn",
            hours_per_week=20,
            contract_form="employment_contract",
            positions=50,
            created_by=coordinator,
        )
        for i in range(3)
    ]
    ladder = ["propose", "interview", "offered", "hired", "retained_1m", "retained_3m", "retained_6m"]
    steps = []
    for pid in rng.sample(people, min(200, len(people))):
        placement = rng.choice(placements)
        reached = rng.randint(1, len(ladder))
        stage = {"propose": "proposed"}.get(ladder[reached - 1], ladder[reached - 1])
        start = now - datetime.timedelta(days=rng.uniform(200, 500))
        application = PlacementApplication.objects.create(
            placement=placement,
            employer_id=placement.employer_id,
            network=network,
            person_id=pid,
            proposed_by=coordinator,
            stage=stage,
            hired_on=(start + datetime.timedelta(days=30)).date() if reached >= 4 else None,
        )
        for step in ladder[:reached]:
            steps.append(ApplicationEvent(application=application, action=step, to_stage=step, at=start))
            start += datetime.timedelta(days=rng.uniform(10, 60))
    ApplicationEvent.objects.bulk_create(steps, batch_size=5000)
    counts["candidates"], counts["candidate steps"] = min(200, len(people)), len(steps)

    with connection.cursor() as cursor:
        for model in (Person, Case, CaseEvent, Activity, Meeting, Attendance, SupportGroup, ApplicationEvent):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    busiest = Person.objects.filter(network=network).annotate(n=Count("activities")).order_by("-n", "id").first()
    assert busiest is not None
    return Prepared(network, coordinator, monitor, year, busiest, counts)


# --- measuring --------------------------------------------------------------------------------------


def bench(data: Prepared, iterations: int, warmup: int) -> list[Result]:
    network, year = data.network, data.year
    coordinator = Client()
    coordinator.force_login(data.coordinator)
    monitor = Client()
    monitor.force_login(data.monitor)
    dashboard_url = f"/networks/{network.pk}/dashboard/"
    report_url = f"/networks/{network.pk}/report/?year={year}"

    def get(client: Client, url: str) -> Callable[[], Any]:
        def call() -> None:
            response = client.get(url, secure=True)  # as behind the TLS proxy: no redirect to https
            assert response.status_code == 200, (url, response.status_code)

        return call

    period = reports.Period.year(year)
    few = max(5, iterations // 10)
    results = [
        Result("dashboard: selector", timed(lambda: reports.dashboard(network), iterations, warmup)),
        # The employment tile calls referrals/employment_figures.py (three queries); its share, measured alone.
        Result(
            "… of which employment_figures()",
            timed(lambda: employment_figures(network, year=timezone.localdate().year), iterations, warmup),
        ),
        Result(
            "dashboard: page (HTTP)",
            timed(get(coordinator, dashboard_url), iterations, warmup),
            count_queries(get(coordinator, dashboard_url)),
        ),
        Result("dashboard: live tiles (HTTP)", timed(get(coordinator, dashboard_url + "tiles/"), iterations, warmup)),
        Result(f"yearly report {year}: selector", timed(lambda: reports.monitoring_report(network, period), few, 2)),
        Result(
            f"yearly report {year}: page (HTTP)",
            timed(get(coordinator, report_url), few, 2),
            count_queries(get(coordinator, report_url)),
        ),
    ]
    for file_format in ("csv", "xlsx", "pdf"):
        results.append(
            Result(
                f"yearly report {year}: {file_format.upper()}",
                timed(get(coordinator, f"{report_url}&format={file_format}"), few, 1),
            )
        )
    results += [
        Result(
            f"regional report {year} (every network): selector",
            timed(lambda: reports.regional_report(period), few, 1),
        ),
        Result(
            f"regional report {year}: page (HTTP)",
            timed(get(monitor, f"/reports/regional/?year={year}"), few, 1),
        ),
        Result(
            "a person's path (HTTP)",
            timed(get(coordinator, f"/people/{data.person.pk}/path/"), iterations, warmup),
            count_queries(get(coordinator, f"/people/{data.person.pk}/path/")),
        ),
    ]
    return results


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return f"{os.cpu_count()} CPUs; PostgreSQL {version} (shared_buffers {buffers}); Python {sys.version.split()[0]}"


def table(results: list[Result]) -> str:
    lines = ["| measurement | p50 ms | p95 ms | p99 ms | queries |", "|---|---:|---:|---:|---:|"]
    for r in results:
        queries = "" if r.queries is None else str(r.queries)
        lines.append(f"| {r.what} | {r.p(50):.1f} | {r.p(95):.1f} | {r.p(99):.1f} | {queries} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000, help="people in the measured network (topped up)")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="commit the generated data instead of rolling it back")
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    clear_url_caches()

    print(f"Machine: {machine()}")
    results: list[Result] = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            data = prepare(args.people, args.seed)
            network = data.network
            print(
                f"Data: {Network.objects.count()} networks, {Person.objects.count():,} people, "
                f"{Referral.objects.count():,} referrals; measured network «{network.name}»: "
                f"{Person.objects.filter(network=network).count():,} people, "
                f"{Case.objects.open().filter(network=network).count():,} open cases, "
                f"{Referral.objects.filter(network=network).count():,} referrals."
            )
            print(
                "Generated for it ("
                + f"{time.perf_counter() - started:.0f} s): "
                + ", ".join(f"{n:,} {what}" for what, n in data.counts.items())
                + "."
            )
            print(f"{args.iterations} iterations after {args.warmup} warm-up (reports: fewer); times in ms.")
            results = bench(data, args.iterations, args.warmup)
            if not args.keep:
                raise Rollback
    except Rollback:
        pass
    print()
    print(table(results))

    failures = []
    by_name = {r.what: r for r in results}
    page = by_name["dashboard: page (HTTP)"]
    if page.p(95) > DASHBOARD_P95_LIMIT_MS:
        failures.append(f"dashboard page p95 {page.p(95):.1f} ms > {DASHBOARD_P95_LIMIT_MS:.0f} ms")
    if page.queries is not None and page.queries > DASHBOARD_QUERY_LIMIT:
        failures.append(f"dashboard page: {page.queries} queries > {DASHBOARD_QUERY_LIMIT}")
    for r in results:
        if r.what.startswith("yearly report") and r.p(95) > REPORT_LIMIT_MS:
            failures.append(f"{r.what}: p95 {r.p(95):.0f} ms > {REPORT_LIMIT_MS:.0f} ms")
    print()
    if failures:
        print("Targets missed:\n" + "\n".join(f"- {f}" for f in failures))
        return 1
    print(
        f"Targets met: dashboard page p95 under {DASHBOARD_P95_LIMIT_MS:.0f} ms with at most {DASHBOARD_QUERY_LIMIT} "
        f"queries; the yearly report (selector, page, exports) under {REPORT_LIMIT_MS / 1000:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
