"""Recompute every grant table from domain state and report drift per table; --fix repairs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import grants


class Command(BaseCommand):
    help = (
        "Compare every object-permission table (referrals, people, placements, applications) with what the "
        "domain state implies; --fix makes them equal."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fix", action="store_true", help="apply the missing grants and remove the extra ones")
        parser.add_argument("--batch", type=int, default=2000, help="objects per transaction")

    def handle(self, *args: Any, fix: bool = False, batch: int = 2000, **options: Any) -> None:
        total = 0
        verb = "fixed" if fix else "found"
        for policy in grants.policies():
            checked = drift = 0
            for pk, missing, extra in grants.check(policy, fix=fix, batch=batch):
                checked += 1
                for group_id, permission_id in sorted(missing):
                    self.stdout.write(f"missing {policy.name} {pk}: group {group_id} permission {permission_id}")
                for group_id, permission_id in sorted(extra):
                    self.stdout.write(f"extra   {policy.name} {pk}: group {group_id} permission {permission_id}")
                drift += len(missing) + len(extra)
            self.stdout.write(
                f"{policy.table._meta.db_table}: {checked} {policy.name} objects checked; drift {verb}: {drift}"
            )
            total += drift
        self.stdout.write(f"drift {verb} in all tables: {total}")
        if total and not fix:
            raise SystemExit(1)
