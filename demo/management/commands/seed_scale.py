"""Voivodeship-scale data for the benchmarks (DESIGN §8); the work is in demo/scale/.

    manage.py seed_scale [--scale 1.0] [--seed 8] [--reset | --yes] [--check 200]

At ``--scale 1.0``: 300 networks, 5,000 partners, 20,000 users, 100,000 people with consents and cases,
1,000,000 referrals with their timelines, and the guardian grants that follow from them (referrals/access.py).
Partner sizes are heavy-tailed (Zipf, exponent 0.6): the median partner receives ~120 referrals and has 2 staff,
the largest ~14,000 and ~400 staff. Referral states depend on age: most are closed, the recent ones open.
Every generated account has the password "bench". The same seed gives the same data.

One transaction, loaded with COPY (demo/scale/load.py); then VACUUM ANALYZE, and a sample of referrals and people
is compared with what referrals/access.py computes, so ``access_check`` finds no drift.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection

from demo.scale.directory import prepare_accounts
from demo.scale.load import analyze, load
from demo.scale.plan import Run, phase, sizes_for
from demo.scale.reset import reset
from demo.scale.verify import check_grants, summary
from referrals.models import Referral

REFUSE_ABOVE = 500  # referrals already in the database


class Command(BaseCommand):
    help = "Generate DESIGN §8's voivodeship-scale data (at --scale 1.0) for the benchmarks in tests/benchmarks/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = DESIGN §8 sizes; 0.01 for a quick run")
        parser.add_argument("--seed", type=int, default=8, help="random seed; the same seed gives the same data")
        parser.add_argument(
            "--reset", action="store_true", help="first delete what earlier seed_scale runs generated (asks first)"
        )
        parser.add_argument(
            "--yes",
            "--no-input",
            action="store_true",
            dest="yes",
            help="do not ask: with --reset, delete without asking; without it, add to a database that already "
            f"holds more than {REFUSE_ABOVE} referrals",
        )
        parser.add_argument(
            "--check", type=int, default=200, help="referrals and people whose grants are compared afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be in (0, 10]")
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it loads with COPY)")
        self.verbosity = options["verbosity"]
        seed, sizes = options["seed"], sizes_for(scale)
        started = time.perf_counter()

        existing = Referral.objects.count()
        if options["reset"]:
            if not options["yes"] and not self._confirm_reset():
                raise CommandError("Nothing deleted.")
            with phase(self.say, "reset"):
                reset(self.say)
        elif existing > REFUSE_ABOVE and not options["yes"]:
            raise CommandError(
                f"The database already holds {existing:,} referrals. Use --reset to delete earlier generated data "
                "first, or --yes to add to it."
            )
        self.say(f"seed_scale --scale {scale} --seed {seed}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
        # After the reset: the run's clock starts now, and the usernames it frees can be taken again.
        run = Run(seed, sizes, self.say)
        prepare_accounts(run)
        try:
            with run.phase("load (one transaction)"):
                load(run)
        except IntegrityError as exc:
            raise CommandError(f"The load broke a constraint and was rolled back: {exc}") from exc
        with run.phase("vacuum analyze"):
            analyze()
        if options["check"]:
            with run.phase("check grants (sample)"):
                check_grants(run, options["check"])
        self.say(f"done in {time.perf_counter() - started:.0f} s: " + summary(run))

    def say(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(text)
            self.stdout.flush()

    def _confirm_reset(self) -> bool:
        answer = input("Delete every network, partner, account, person and referral that seed_scale generated? [y/N] ")
        return answer.strip().lower() in ("y", "yes", "t", "tak")
