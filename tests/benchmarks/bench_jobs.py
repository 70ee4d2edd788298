"""One pass of every registered background job at voivodeship scale (issue 19, item 4), on ``seed_scale`` data.

    python tests/benchmarks/bench_jobs.py [--passes 3]

Runs each job registered in ``core.jobs`` (the functions the job queue's tasks call) inside one transaction that is
rolled back at the end, so the data stays as seeded. The first pass is a catch-up that only freshly seeded data
needs: ``seed_scale`` writes consents that ended long ago without the mark a running system would have left (about
4,500), and sent referrals past half of their answer time without the half-time reminder (about 1,500), so those
jobs handle their batch of 500 and notify, and the e-mail job sends what that notified. Then the script marks
those as a running system would have (ended consents handled, half-time reminders sent, notifications e-mailed;
still inside the rolled-back transaction) and the later passes measure the steady state: what a pass costs every minute
on a million referrals. E-mails go to Django's in-memory backend. Prints a Markdown table with each job's time,
count and queries, and the whole pass; exits 1 when a steady-state pass takes 5 s or more.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_URL", "memory:")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models.expressions import RawSQL  # noqa: E402
from django.utils import timezone  # noqa: E402

from core import jobs  # noqa: E402
from notifications.models import Notification  # noqa: E402
from people.models import Consent  # noqa: E402
from referrals.choices import State  # noqa: E402
from referrals.models import Referral  # noqa: E402

HALF = RawSQL("COALESCE(checked_in_at, sent_at) + (due_by - COALESCE(checked_in_at, sent_at)) / 2", [])

PASS_LIMIT_S = 5.0


class Rollback(Exception):
    pass


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    total = Referral.objects.count()
    if not total:
        sys.exit("No referrals: run `manage.py seed_scale` first.")
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(f"Data: {total:,} referrals; load average {load}; times in ms.")
    registered = jobs.registered()
    results: list[list[tuple[float, int, int]]] = []
    try:
        with transaction.atomic():
            for _ in range(args.passes):
                row = []
                for _name, job in registered:
                    counter = Counter()
                    with connection.execute_wrapper(counter):
                        start = time.perf_counter()
                        done = job()
                        elapsed = (time.perf_counter() - start) * 1000
                    row.append((elapsed, done, counter.n))
                results.append(row)
                if len(results) == 1:
                    now = timezone.now()
                    Consent.objects.filter(
                        valid_until__lt=timezone.localdate(), withdrawn_at__isnull=True, expiry_handled_at__isnull=True
                    ).update(expiry_handled_at=now)
                    # Referrals already past half of their answer time were reminded when they got there.
                    Referral.objects.filter(
                        state=State.SENT, half_time_reminded_at__isnull=True, due_by__gt=now
                    ).annotate(half=HALF).filter(half__lte=now).update(half_time_reminded_at=now)
                    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
            raise Rollback
    except Rollback:
        pass
    heading = " | ".join("pass 1 (catch-up)" if i == 0 else f"pass {i + 1}" for i in range(args.passes))
    print(f"\n| job | {heading} |")
    print("|---|" + "---:|" * args.passes)
    for index, (name, _job) in enumerate(registered):
        cells = " | ".join(f"{r[index][0]:.1f} ({r[index][1]:,} done, {r[index][2]} queries)" for r in results)
        print(f"| {name} | {cells} |")
    sums = [sum(cell[0] for cell in r) for r in results]
    print("| **one pass of every job** | " + " | ".join(f"**{s:.0f}**" for s in sums) + " |")
    slow = [s for s in sums[1:] if s >= PASS_LIMIT_S * 1000]
    if slow:
        print(f"\nA pass took {max(slow) / 1000:.1f} s: the target is under {PASS_LIMIT_S:.0f} s.")
        return 1
    print(f"\nEvery steady-state pass under {PASS_LIMIT_S:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
