"""Staff membership is not a back door: an existing account joins a partner only by confirming an invitation,
the operator never holds a membership, an account stays within one partner kind, and every change is logged and
told to the coordinators of the partner's networks (issue 13, item 3).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Conflict
from notifications.models import Notification
from partners.admin import LswUserChangeForm
from partners.choices import PartnerType, Sector, StaffEventAction, StaffRole, StaffStatus
from partners.models import StaffMembership, StaffMembershipEvent, User
from partners.services import staff_add, staff_update
from tests.factories import MembershipFactory, UserFactory, api_token, make_staff
from tests.referral_fixtures import sent_referral

pytestmark = pytest.mark.django_db


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def reach(user: User) -> tuple[int, int]:
    """How many people and referrals the account reads through the API."""
    api = api_for(user)
    persons, referrals = api.get("/api/v1/persons/"), api.get("/api/v1/referrals/")
    assert persons.status_code == referrals.status_code == 200
    return persons.json()["count"], referrals.json()["count"]


def add(admin: User, partner: Any, username: str, **extra: Any) -> Any:
    return api_for(admin).post(f"/api/v1/partners/{partner.pk}/staff/", {"username": username, **extra}, format="json")


@pytest.fixture
def operator() -> User:
    return UserFactory.create(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def referral(world: Any) -> Any:
    # MOPR (the receiving partner) now reads one person and one referral: what a back door would open.
    referral = sent_referral(world)
    assert reach(world.receiving_staff) == (1, 1)
    return referral


# --- the back doors of the issue ------------------------------------------------------------------


def test_it_refuses_an_employers_account_on_a_social_partners_staff(world: Any, referral: Any) -> None:
    response = add(world.receiving_admin, world.receiving, "pracodawca")
    assert response.status_code == 409
    assert response.json()["code"] == "partner_kind"
    assert not StaffMembership.objects.filter(user=world.employer_staff, partner=world.receiving).exists()
    assert reach(world.employer_staff) == (0, 0)


def test_it_refuses_the_operator_on_a_partners_staff(world: Any, referral: Any, operator: User) -> None:
    response = add(world.receiving_admin, world.receiving, "admin")
    assert (response.status_code, response.json()["code"]) == (409, "superuser")
    # Nor may the operator put itself there.
    response = add(operator, world.receiving, "admin")
    assert (response.status_code, response.json()["code"]) == (409, "superuser")
    assert not StaffMembership.objects.filter(user=operator).exists()
    assert world.receiving.group not in operator.groups.all()
    assert reach(operator) == (0, 0)


def test_it_gives_an_operators_stray_membership_nothing(world: Any, referral: Any, operator: User) -> None:
    # A row written round the services (an old database, a shell) still opens nothing to the operator.
    StaffMembership.objects.create(user=operator, partner=world.receiving, role=StaffRole.ADMIN)
    operator.groups.add(world.receiving.group)
    assert reach(operator) == (0, 0)


def test_it_invites_an_existing_account_which_reads_nothing_until_it_confirms(world: Any, referral: Any) -> None:
    someone = UserFactory(username="jan")
    response = add(world.receiving_admin, world.receiving, "jan", role="admin")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["is_active"]) == ("pending", False)
    assert world.receiving.group not in someone.groups.all()
    assert reach(someone) == (0, 0)
    assert api_for(someone).get(f"/api/v1/partners/{world.receiving.pk}/staff/").status_code == 404
    assert api_for(someone).get("/api/v1/me/").json()["partners"] == []

    invitations = api_for(someone).get("/api/v1/staff/invitations/").json()["results"]
    assert [(row["partner"]["name"], row["role"]) for row in invitations] == [("MOPR Piekary", "admin")]
    confirmed = api_for(someone).post(f"/api/v1/staff/{response.json()['id']}/confirm/")
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["is_active"]) == ("active", True)
    assert reach(someone) == (1, 1)
    assert api_for(someone).get("/api/v1/staff/invitations/").json()["results"] == []


def test_it_creates_a_new_account_active_at_once(world: Any) -> None:
    response = add(world.receiving_admin, world.receiving, "nowa", email="nowa@example.org")
    assert (response.status_code, response.json()["status"]) == (201, "active")


def test_it_lets_the_operator_set_up_an_existing_account_at_once(world: Any, referral: Any, operator: User) -> None:
    someone = UserFactory(username="jan")
    response = add(operator, world.receiving, "jan", role="admin")
    assert (response.status_code, response.json()["status"]) == (201, "active")
    assert reach(someone) == (1, 1)


def test_it_keeps_a_declined_invitation_as_a_record_that_opens_nothing(world: Any, referral: Any) -> None:
    someone = UserFactory(username="jan")
    membership_id = add(world.receiving_admin, world.receiving, "jan").json()["id"]
    declined = api_for(someone).post(f"/api/v1/staff/{membership_id}/decline/")
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert reach(someone) == (0, 0)
    again = api_for(someone).post(f"/api/v1/staff/{membership_id}/confirm/")
    assert (again.status_code, again.json()["code"]) == (409, "not_pending")
    assert StaffMembership.objects.get(pk=membership_id).status == StaffStatus.DECLINED


def test_it_lets_nobody_answer_for_the_invitee(world: Any) -> None:
    UserFactory(username="jan")
    membership_id = add(world.receiving_admin, world.receiving, "jan").json()["id"]
    for user in [world.receiving_admin, world.coordinator, world.receiving_staff]:
        assert api_for(user).post(f"/api/v1/staff/{membership_id}/confirm/").status_code == 404
    assert StaffMembership.objects.get(pk=membership_id).status == StaffStatus.PENDING


def test_it_sends_a_taken_back_account_a_new_invitation(world: Any, referral: Any) -> None:
    membership = world.receiving_staff.staff_memberships.get()
    api = api_for(world.receiving_admin)
    assert api.patch(f"/api/v1/staff/{membership.pk}/", {"is_active": False}, format="json").status_code == 200
    back = api.patch(f"/api/v1/staff/{membership.pk}/", {"is_active": True}, format="json")
    assert (back.status_code, back.json()["status"]) == (200, "pending")
    assert reach(world.receiving_staff) == (0, 0)


def test_it_lets_a_partner_admin_withdraw_an_invitation(world: Any) -> None:
    someone = UserFactory(username="jan")
    membership_id = add(world.receiving_admin, world.receiving, "jan").json()["id"]
    ended = api_for(world.receiving_admin).patch(f"/api/v1/staff/{membership_id}/", {"is_active": False}, format="json")
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    assert api_for(someone).post(f"/api/v1/staff/{membership_id}/confirm/").status_code == 409


# --- one partner kind -----------------------------------------------------------------------------


def test_it_keeps_a_social_partners_account_off_an_employers_staff(world: Any) -> None:
    employer_admin = make_staff(world.employer, StaffRole.ADMIN, username="drukarnia-admin")
    response = add(employer_admin, world.employer, "mopr")
    assert (response.status_code, response.json()["code"]) == (409, "partner_kind")


def test_it_counts_a_pending_invitation_as_work_for_that_kind(world: Any) -> None:
    UserFactory(username="jan")
    employer_admin = make_staff(world.employer, StaffRole.ADMIN, username="drukarnia-admin")
    assert add(employer_admin, world.employer, "jan").status_code == 201
    response = add(world.receiving_admin, world.receiving, "jan")
    assert (response.status_code, response.json()["code"]) == (409, "partner_kind")


def test_it_lets_an_account_work_for_two_partners_of_one_kind(world: Any) -> None:
    sds_admin = make_staff(world.sending, StaffRole.ADMIN, username="sds-admin")
    assert add(sds_admin, world.sending, "mopr").status_code == 201


def test_it_refuses_a_partner_becoming_an_employer_with_staff_elsewhere(world: Any) -> None:
    staff_add(actor=UserFactory(username="op", is_superuser=True), partner=world.sending, user=world.receiving_staff)
    response = api_for(world.coordinator).patch(
        f"/api/v1/partners/{world.receiving.pk}/", {"type": PartnerType.EMPLOYER, "sector": Sector.EMPLOYER}
    )
    assert (response.status_code, response.json()["code"]) == (409, "partner_kind")


# --- log and notifications ------------------------------------------------------------------------


def test_it_logs_and_tells_the_coordinator_every_change(world: Any) -> None:
    someone = UserFactory(username="jan")
    admin = api_for(world.receiving_admin)
    membership_id = add(world.receiving_admin, world.receiving, "jan").json()["id"]
    api_for(someone).post(f"/api/v1/staff/{membership_id}/confirm/")
    admin.patch(f"/api/v1/staff/{membership_id}/", {"role": "admin"}, format="json")
    admin.patch(f"/api/v1/staff/{membership_id}/", {"is_active": False}, format="json")

    events = StaffMembershipEvent.objects.filter(membership_id=membership_id).order_by("id")
    assert [(e.action, e.actor, e.role_before, e.role_after, e.status_before, e.status_after) for e in events] == [
        (StaffEventAction.INVITED, world.receiving_admin, "", "staff", "", "pending"),
        (StaffEventAction.CONFIRMED, someone, "staff", "staff", "pending", "active"),
        (StaffEventAction.ROLE_CHANGED, world.receiving_admin, "staff", "admin", "active", "active"),
        (StaffEventAction.DEACTIVATED, world.receiving_admin, "admin", "admin", "active", "ended"),
    ]
    told = Notification.objects.filter(recipient=world.coordinator, kind="staff_membership").order_by("id")
    assert [n.object_id for n in told] == [membership_id] * 4
    assert [n.url for n in told] == [reverse("partner-detail", args=[world.receiving.pk])] * 4
    # Polish, and the coordinator of another network hears nothing.
    assert "zaproszenie" in told[0].text and "Jan Testowy" in told[0].text and "MOPR Piekary" in told[0].text
    assert not Notification.objects.filter(recipient=world.other_coordinator).exists()
    # The invitee was told of the invitation; the partner's admin of the answer.
    assert Notification.objects.filter(recipient=someone, kind="staff_invitation").count() == 1
    assert Notification.objects.filter(recipient=world.receiving_admin, kind="staff_membership").count() == 1


def test_it_tells_the_coordinators_of_each_network_of_the_partner(world: Any) -> None:
    MembershipFactory(network=world.other_network, partner=world.receiving)
    staff_update(actor=world.receiving_admin, membership=world.receiving_staff.staff_memberships.get(), role="admin")
    for coordinator in [world.coordinator, world.other_coordinator]:
        assert Notification.objects.filter(recipient=coordinator, kind="staff_membership").count() == 1


def test_it_changes_and_tells_nothing_when_refused(world: Any) -> None:
    before = (StaffMembership.objects.count(), StaffMembershipEvent.objects.count(), Notification.objects.count())
    with pytest.raises(Conflict):
        staff_add(actor=world.receiving_admin, partner=world.receiving, user=world.employer_staff)
    after = (StaffMembership.objects.count(), StaffMembershipEvent.objects.count(), Notification.objects.count())
    assert after == before


# --- the page -------------------------------------------------------------------------------------


def test_it_shows_the_invitation_on_the_home_page_and_accepts_it(client: Any, world: Any, referral: Any) -> None:
    someone = UserFactory(username="jan")
    membership = staff_add(actor=world.receiving_admin, partner=world.receiving, user=someone)
    client.force_login(someone)
    home = client.get(reverse("home")).content.decode()
    assert "MOPR Piekary zaprasza Cię" in home
    assert reverse("staff-invitation-confirm", args=[membership.pk]) in home
    response = client.post(reverse("staff-invitation-confirm", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == StaffStatus.ACTIVE
    assert "MOPR Piekary zaprasza" not in client.get(reverse("home")).content.decode()
    assert reach(someone) == (1, 1)


def test_it_declines_on_the_page(client: Any, world: Any) -> None:
    someone = UserFactory(username="jan")
    membership = staff_add(actor=world.receiving_admin, partner=world.receiving, user=someone)
    client.force_login(someone)
    response = client.post(reverse("staff-invitation-decline", args=[membership.pk]), follow=True)
    assert "Odrzucono zaproszenie" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == StaffStatus.DECLINED


def test_it_tells_the_admin_on_the_staff_page_that_the_account_was_invited(client: Any, world: Any) -> None:
    UserFactory(username="jan")
    client.force_login(world.receiving_admin)
    response = client.post(
        reverse("partner-staff", args=[world.receiving.pk]), {"username": "jan", "role": "staff"}, follow=True
    )
    content = response.content.decode()
    assert "Wysłano zaproszenie do Jan Testowy" in content
    assert StaffMembership.objects.get(user__username="jan").status == StaffStatus.PENDING


# --- the admin ------------------------------------------------------------------------------------


def test_it_refuses_in_the_admin_to_make_a_staff_member_superuser(world: Any) -> None:
    user = world.receiving_staff
    form = LswUserChangeForm(
        instance=user,
        data={
            "username": user.username,
            "is_superuser": "on",
            "is_active": "on",
            "language": "pl",
            "email_notifications": "immediate",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert not form.is_valid()
    assert form.errors.as_data()["__all__"][0].code == "superuser"


def test_it_lets_nobody_write_a_membership_in_the_admin(operator: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = operator
    model_admin = site._registry[StaffMembership]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
