"""Recompute every referral and person grant from domain state and report drift; --fix repairs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from network.models import Person, PersonGroupObjectPermission
from referrals.access import sync_person
from referrals.models import Referral, ReferralGroupObjectPermission


class Command(BaseCommand):
    help = "Compare object permissions with what referrals, consents and cases imply; --fix makes them equal."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fix", action="store_true", help="apply the missing grants and remove the extra ones")
        parser.add_argument("--batch", type=int, default=2000, help="objects per transaction")

    def handle(self, *args: Any, fix: bool = False, batch: int = 2000, **options: Any) -> None:
        from referrals.access import _sync, desired_referral_grants

        drift = 0
        referral_ids = list(Referral.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(referral_ids), batch):
            with transaction.atomic():
                chunk = Referral.objects.filter(pk__in=referral_ids[start : start + batch]).select_related(
                    "to_partner", "from_partner"
                )
                for referral in chunk:
                    missing, extra = _sync(
                        ReferralGroupObjectPermission, referral, desired_referral_grants(referral), apply=fix
                    )
                    drift += self._report("referral", referral.pk, missing, extra)
        person_ids = set(Referral.objects.values_list("person_id", flat=True))
        person_ids |= set(PersonGroupObjectPermission.objects.values_list("content_object_id", flat=True))
        ordered = sorted(person_ids)
        for start in range(0, len(ordered), batch):
            with transaction.atomic():
                for person in Person.objects.filter(pk__in=ordered[start : start + batch]):
                    missing, extra = sync_person(person, apply=fix)
                    drift += self._report("person", person.pk, missing, extra)
        verb = "fixed" if fix else "found"
        self.stdout.write(f"{len(referral_ids)} referrals and {len(ordered)} people checked; drift {verb}: {drift}")
        if drift and not fix:
            raise SystemExit(1)

    def _report(self, kind: str, pk: Any, missing: set[Any], extra: set[Any]) -> int:
        for group_id, permission_id in sorted(missing):
            self.stdout.write(f"missing {kind} {pk}: group {group_id} permission {permission_id}")
        for group_id, permission_id in sorted(extra):
            self.stdout.write(f"extra   {kind} {pk}: group {group_id} permission {permission_id}")
        return len(missing) + len(extra)
