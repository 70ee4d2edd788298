"""The placements list updates live as the referrals inbox does (issue 16): the services hint the open lists of
those who see a placement, and the list's HTMX partial refreshes itself with its filters; opening a placement or a
candidate reads the notifications about them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from employment import notify
from employment import placements as placement_services
from notifications.groups import network_group, partner_group
from notifications.models import Notification
from tests.employment.test_employment import Emp, emp, post_placement, propose, web

__all__ = ["emp"]  # the fixture, used by name

pytestmark = pytest.mark.django_db


@pytest.fixture
def hints(monkeypatch: Any) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(notify, "hint", lambda group, topic: sent.append((group, topic)))
    return sent


def test_posting_and_closing_a_placement_refreshes_the_lists_of_those_who_see_it(
    emp: Emp, hints: list[tuple[str, str]]
) -> None:
    w = emp.world
    placement = post_placement(emp)
    groups = {group for group, topic in hints if topic == "placements"}
    assert {network_group(w.network.pk), partner_group(w.employer.pk), partner_group(emp.pup.pk)} <= groups
    hints.clear()
    placement_services.placement_close(actor=w.employer_staff, placement=placement)
    assert (partner_group(emp.pup.pk), "placements") in hints


def test_a_candidate_s_move_refreshes_the_employer_s_and_the_proposer_s_lists(
    emp: Emp, hints: list[tuple[str, str]]
) -> None:
    placement = post_placement(emp)
    hints.clear()
    application = propose(emp, placement)
    groups = {group for group, topic in hints if topic == "placements"}
    assert partner_group(emp.world.employer.pk) in groups and network_group(emp.world.network.pk) in groups
    assert application.proposed_by_partner_id is None or partner_group(application.proposed_by_partner_id) in groups


def test_the_list_refreshes_itself_in_place_keeping_its_filters(emp: Emp) -> None:
    post_placement(emp)
    client = web(emp.world.coordinator)
    partial = client.get(reverse("placement-list"), {"q": "magazyn"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and body.startswith('<div id="placements" data-live-rows')
    opening = body.split(">", 1)[0]
    assert 'hx-trigger="lsw:changed from:body"' in opening and "q=magazyn" in opening
    assert 'id="placement-' in body
    page = client.get(reverse("placement-list")).content.decode()
    assert 'hx-swap="outerHTML"' in page and 'id="placements" data-live-rows' in page


def test_opening_a_placement_reads_its_notifications(emp: Emp) -> None:
    placement = post_placement(emp)
    propose(emp, placement)
    employer = emp.world.employer_staff
    unread = Notification.objects.filter(recipient=employer, read_at__isnull=True)
    assert unread.filter(object_type="placementapplication").exists()
    web(employer).get(reverse("placement-detail", args=[placement.pk]))
    assert not unread.filter(object_type="placementapplication").exists()
