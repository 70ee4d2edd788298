"""seed_scale at a tiny scale: the sizes, the skew, and grants exactly as referrals/access.py computes them."""

from __future__ import annotations

import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from demo.scale.plan import allocate, sizes_for
from network.models import Network, NetworkCoordinator
from partners.models import Partner, Service, StaffMembership, User
from people.models import Case, Consent, Person, PersonGroupObjectPermission
from referrals.access import desired_person_grants, desired_referral_grants
from referrals.choices import OPEN_STATES, TERMINAL_STATES, State
from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission

SCALE = 0.002

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_scale", scale=SCALE, seed=3, check=0, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed()


def test_it_allocates_exact_totals_with_a_floor() -> None:
    shares = allocate(100, [5.0, 3.0, 1.0, 0.01], minimum=1)
    assert sum(shares) == 100
    assert min(shares) == 1
    assert shares[0] > shares[1] > shares[2]


def test_it_builds_the_sizes_asked_for(seeded: str) -> None:
    sizes = sizes_for(SCALE)
    assert Network.objects.count() == sizes["networks"]
    assert Partner.objects.count() == sizes["partners"]
    assert User.objects.count() == sizes["users"]
    assert Person.objects.count() == sizes["people"]
    assert Referral.objects.count() == sizes["referrals"]
    coordinators = NetworkCoordinator.objects.count()
    assert StaffMembership.objects.count() == sizes["users"] - coordinators
    assert Service.objects.count() >= sizes["partners"]
    assert Consent.objects.exists() and Case.objects.exists()
    # Every referral has its timeline: a create event, and a send event unless it is a draft.
    assert ReferralEvent.objects.filter(action="create").count() == sizes["referrals"]
    assert ReferralEvent.objects.filter(action="send").count() == Referral.objects.exclude(state=State.DRAFT).count()
    assert "grants of" not in seeded  # check=0: the test checks grants itself, below


def test_it_skews_partner_sizes_and_spreads_states(seeded: str) -> None:
    inboxes = Counter(Referral.objects.values_list("to_partner_id", flat=True))
    sizes = sorted(inboxes.values())
    largest_partner, largest = inboxes.most_common(1)[0]
    assert largest >= 2 * sizes[len(sizes) // 2]
    # The busiest partner has the most staff too.
    staff = Counter(StaffMembership.objects.values_list("partner_id", flat=True))
    assert staff[largest_partner] == max(staff.values())
    assert all(staff[p] >= 1 for p in Partner.objects.values_list("id", flat=True))

    states = Counter(Referral.objects.values_list("state", flat=True))
    assert set(states) == set(State.values)
    closed = sum(states[s] for s in TERMINAL_STATES)
    assert closed > 0.7 * sum(states.values())
    assert not Referral.objects.filter(from_partner_id=F("to_partner_id")).exists()


def test_it_keeps_staff_in_their_partners_group(seeded: str) -> None:
    membership = StaffMembership.objects.select_related("user", "partner").first()
    assert membership is not None
    assert membership.user.groups.filter(pk=membership.partner.group_id).exists()
    assert membership.user.check_password("bench")


def test_it_writes_grants_exactly_as_access_computes_them(seeded: str) -> None:
    rng = random.Random(5)
    ids = list(Referral.objects.values_list("id", flat=True))
    sample = Referral.objects.filter(id__in=rng.sample(ids, 150)).select_related("from_partner", "to_partner", "person")
    people = {r.person for r in sample}
    assert any(r.state in OPEN_STATES for r in sample)
    for referral in sample:
        actual = set(
            ReferralGroupObjectPermission.objects.filter(content_object=referral).values_list(
                "group_id", "permission_id"
            )
        )
        assert actual == desired_referral_grants(referral), referral.state
    granted_people = 0
    for person in people:
        actual = set(
            PersonGroupObjectPermission.objects.filter(content_object=person).values_list("group_id", "permission_id")
        )
        assert actual == desired_person_grants(person)
        granted_people += bool(actual)
    assert granted_people > 0


def test_access_check_finds_no_drift(seeded: str) -> None:
    out = StringIO()
    call_command("access_check", stdout=out)  # exits with status 1 on drift
    assert "drift found: 0" in out.getvalue()


def test_it_refuses_a_full_database_and_resets_what_it_made(seeded: str) -> None:
    before = set(Referral.objects.values_list("id", flat=True)[:50])
    with pytest.raises(CommandError, match="already holds"):
        seed()
    superuser = User.objects.create_superuser("root", "root@example.org", "x")
    seed(reset=True, yes=True)
    assert Referral.objects.count() == sizes_for(SCALE)["referrals"]
    assert User.objects.filter(pk=superuser.pk).exists()  # only generated accounts go
    # The same seed gives the same data, ids included.
    assert before <= set(Referral.objects.values_list("id", flat=True))
