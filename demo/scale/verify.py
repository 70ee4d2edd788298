"""After the load: a sample of the generated grants against referrals/access.py, and the summary of the run.

The grants were written in SQL (grants.py), not by ``sync``: the sample catches the two drifting apart before a
benchmark measures lists that show the wrong rows, and ``access_check`` then finds no drift.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from demo.scale.directory import PASSWORD
from demo.scale.plan import Run
from people.models import Person, PersonGroupObjectPermission
from referrals.access import desired_person_grants, desired_referral_grants
from referrals.models import Referral, ReferralGroupObjectPermission


def check_grants(run: Run, sample: int) -> None:
    """A sample of generated referrals and people: their grant rows equal what referrals/access.py computes."""
    network_ids = [n.id for n in run.networks]
    ids = list(Referral.objects.filter(network_id__in=network_ids).order_by("?").values_list("id", flat=True)[:sample])
    drift = 0
    referrals = Referral.objects.filter(id__in=ids).select_related("from_partner", "to_partner", "person")
    people = {r.person for r in referrals}
    people.update(Person.objects.filter(network_id__in=network_ids).order_by("?")[:sample])
    for referral in referrals:
        actual = set(
            ReferralGroupObjectPermission.objects.filter(content_object=referral).values_list(
                "group_id", "permission_id"
            )
        )
        drift += actual != desired_referral_grants(referral)
    for person in people:
        actual = set(
            PersonGroupObjectPermission.objects.filter(content_object=person).values_list("group_id", "permission_id")
        )
        drift += actual != desired_person_grants(person)
    checked = f"{len(referrals)} referrals and {len(people)} people"
    if drift:
        raise CommandError(f"Grant drift in {drift} of {checked}: the generator and referrals/access.py disagree")
    run.say(f"    grants of {checked} equal referrals/access.py")


def summary(run: Run) -> str:
    largest = max(run.partners, key=lambda p: p.inbox)
    staff = sorted(len(p.staff) for p in run.partners)
    inboxes = sorted(p.inbox for p in run.partners)
    counts = ", ".join(f"{v:,} {k}" for k, v in run.row_counts.items())
    return (
        f"{counts}; largest inbox {largest.inbox:,} ({largest.name}, {len(largest.staff)} staff), "
        f"median inbox {inboxes[len(inboxes) // 2]:,} with {staff[len(staff) // 2]} staff; "
        f"log in as {run.username_prefix}000001… with password {PASSWORD!r}"
    )
