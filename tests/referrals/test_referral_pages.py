"""The referrals list and a referral's page as people use them (issue 16): who sent it, filters, search by person
in either name order, sorting, pagination, confirmations with their reasons, success messages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import Conflict
from referrals import services
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def rows(response: Any) -> list[str]:
    return re.findall(r'id="referral-([0-9a-f-]{36})"', response.content.decode())


# --- who sent it; one's own outgoing referral ---------------------------------------------------------------


def test_the_list_names_the_sending_institution_and_person(client: Any, world: Any) -> None:
    sent_referral(world)
    client.force_login(world.receiving_staff)
    page = client.get(reverse("referral-inbox")).content.decode()
    assert "Katarzyna Nowak" in page  # the coordinator who wrote it, by name
    assert ">koordynator<" not in page and "coordinator</td>" not in page


def test_the_sender_is_never_offered_to_accept_or_decline_their_own_referral(client: Any, world: Any) -> None:
    referral = sent_referral(world)  # written by the coordinator, who may otherwise answer for a partner
    client.force_login(world.coordinator)
    page = client.get(reverse("referral-detail", args=[referral.pk])).content.decode()
    for action in ("accept", "decline", "check_in"):
        assert reverse("referral-action", args=[referral.pk, action]) not in page
    assert reverse("referral-action", args=[referral.pk, "withdraw"]) in page
    refused = client.post(reverse("referral-action", args=[referral.pk, "accept"]))
    assert refused.status_code in (302, 409)
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_the_service_and_the_api_refuse_the_sender_s_own_answer(world: Any) -> None:
    referral = sent_referral(world)
    with pytest.raises(Conflict) as error:
        services.referral_accept(actor=world.coordinator, referral=referral)
    assert error.value.code == "own_referral"
    api = APIClient()
    api.force_authenticate(world.coordinator)
    for action in ("accept", "check-in"):
        answer = api.post(f"/api/v1/referrals/{referral.pk}/{action}/", {}, format="json")
        assert answer.status_code == 409 and answer.json()["code"] == "own_referral" and answer.json()["detail"]
    declined = api.post(
        f"/api/v1/referrals/{referral.pk}/decline/",
        {"reason_code": "no_capacity", "reason_origin": "partner"},
        format="json",
    )
    assert declined.status_code in (403, 409)
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_the_receiving_partner_still_answers(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    page = client.get(reverse("referral-detail", args=[referral.pk])).content.decode()
    assert reverse("referral-action", args=[referral.pk, "accept"]) in page


# --- filters, search, sorting, pagination -------------------------------------------------------------------


def test_filters_narrow_the_list_and_show_themselves_clearable(client: Any, world: Any) -> None:
    first = sent_referral(world)
    second = sent_referral(world)
    services.referral_accept(actor=world.receiving_staff, referral=second)
    client.force_login(world.coordinator)
    assert set(rows(client.get(reverse("referral-inbox")))) == {str(first.pk), str(second.pk)}
    filtered = client.get(reverse("referral-inbox"), {"status": "accepted"})
    assert rows(filtered) == [str(second.pk)]
    body = filtered.content.decode()
    assert ('class="active-filters"' in body and "Clear all filters" in body) or "Wyczyść" in body
    by_partner = client.get(reverse("referral-inbox"), {"partner": str(world.sending.pk)})
    assert rows(by_partner) == []
    assert len(rows(client.get(reverse("referral-inbox"), {"partner": str(world.receiving.pk)}))) == 2


def test_the_person_search_finds_the_name_in_either_order(client: Any, world: Any) -> None:
    adam = sent_referral(world, person=consenting_person(world, first_name="Adam", last_name="Kozieł"))
    sent_referral(world)  # Anna Kowalska
    client.force_login(world.coordinator)
    for q in ("Kozieł Adam", "Adam Kozieł", "kozieł"):
        assert rows(client.get(reverse("referral-inbox"), {"q": q})) == [str(adam.pk)], q


def test_sorting_by_due_date_says_so_with_aria_sort(client: Any, world: Any) -> None:
    import datetime

    from django.utils import timezone

    later = sent_referral(world, due_by=timezone.now() + datetime.timedelta(days=9))
    sooner = sent_referral(world, due_by=timezone.now() + datetime.timedelta(days=2))
    client.force_login(world.coordinator)
    ascending = client.get(reverse("referral-inbox"), {"sort": "due"})
    assert rows(ascending) == [str(sooner.pk), str(later.pk)]
    assert 'aria-sort="ascending"' in ascending.content.decode()
    descending = client.get(reverse("referral-inbox"), {"sort": "-due"})
    assert rows(descending) == [str(later.pk), str(sooner.pk)]
    assert 'aria-sort="descending"' in descending.content.decode()


def test_pagination_keeps_the_filters(client: Any, world: Any, monkeypatch: Any) -> None:
    from frontend import referral_views

    monkeypatch.setattr(referral_views, "PAGE_SIZE", 2)
    person = consenting_person(world)
    for _ in range(3):
        sent_referral(world, person=person)
    client.force_login(world.coordinator)
    first = client.get(reverse("referral-inbox"), {"status": "sent"})
    body = first.content.decode()
    assert len(rows(first)) == 2 and 'class="pagination"' in body
    assert "status=sent" in body.split('class="pagination"')[1] and "page=2" in body
    second = client.get(reverse("referral-inbox"), {"status": "sent", "page": 2})
    assert len(rows(second)) == 1


def test_an_empty_list_names_the_next_step(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    body = client.get(reverse("referral-inbox")).content.decode()
    assert 'class="empty-state"' in body and reverse("people-list") in body
    filtered = client.get(reverse("referral-inbox"), {"status": "declined"}).content.decode()
    assert 'class="empty-state"' in filtered


def test_the_live_refresh_keeps_the_filters(client: Any, world: Any) -> None:
    sent_referral(world)
    client.force_login(world.coordinator)
    partial = client.get(reverse("referral-inbox"), {"status": "accepted"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="inbox"') and "data-live-rows" in body
    assert 'hx-get="/referrals/?' in body or "status=accepted" in body
    assert "status=accepted" in body.split("hx-trigger")[0]


# --- confirmations and success messages ---------------------------------------------------------------------


def test_declining_is_confirmed_on_its_own_page_with_a_required_reason_none_preselected(
    client: Any, world: Any
) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    detail = client.get(reverse("referral-detail", args=[referral.pk])).content.decode()
    confirm_url = reverse("referral-confirm", args=[referral.pk, "decline"])
    assert confirm_url in detail
    page = client.get(confirm_url)
    body = page.content.decode()
    assert page.status_code == 200 and 'class="confirm-panel"' in body and 'class="warning"' in body
    assert 'type="radio"' in body and " checked" not in body  # no reason chosen in advance
    missing = client.post(confirm_url, {})
    assert missing.status_code == 400 and "data-error-summary" in missing.content.decode()
    referral.refresh_from_db()
    assert referral.state == "sent"
    done = client.post(confirm_url, {"reason_code": "no_capacity", "reason_origin": "partner"}, follow=True)
    referral.refresh_from_db()
    assert referral.state == "declined" and referral.reason_code == "no_capacity"
    assert any(m.level_tag == "success" for m in done.context["messages"])


def test_withdrawing_and_discontinuing_confirm_with_their_reasons(client: Any, world: Any) -> None:
    withdrawn = sent_referral(world)
    client.force_login(world.coordinator)
    url = reverse("referral-confirm", args=[withdrawn.pk, "withdraw"])
    assert " checked" not in client.get(url).content.decode()
    answer = client.post(url, {"reason_code": "person_declined", "reason_origin": "person"}, follow=True)
    withdrawn.refresh_from_db()
    assert withdrawn.state == "withdrawn"
    assert any(m.level_tag == "success" for m in answer.context["messages"])

    ongoing = sent_referral(world)
    services.referral_accept(actor=world.receiving_staff, referral=ongoing)
    client.force_login(world.receiving_staff)
    url = reverse("referral-confirm", args=[ongoing.pk, "discontinue"])
    assert client.post(url, {"reason_code": "person_unreachable", "reason_origin": "person"}).status_code == 400
    client.post(url, {"reason_code": "person_unreachable", "reason_origin": "person", "outcome_code": "not_achieved"})
    ongoing.refresh_from_db()
    assert ongoing.state == "discontinued"


def test_accepting_ends_with_a_success_message(client: Any, world: Any) -> None:
    referral = sent_referral(world)
    client.force_login(world.receiving_staff)
    answer = client.post(reverse("referral-action", args=[referral.pk, "accept"]), follow=True)
    assert [m.level_tag for m in answer.context["messages"]] == ["success"]
    live = sent_referral(world)
    partial = client.post(reverse("referral-action", args=[live.pk, "accept"]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'class="message success"' in partial.content.decode()


# --- notifications --------------------------------------------------------------------------------------------


def test_opening_a_referral_reads_its_notifications_and_only_those(client: Any, world: Any) -> None:
    from notifications.models import Notification

    first, second = sent_referral(world), sent_referral(world)
    unread = Notification.objects.filter(recipient=world.receiving_staff, read_at__isnull=True)
    assert unread.filter(object_id=str(first.pk)).exists() and unread.filter(object_id=str(second.pk)).exists()
    client.force_login(world.receiving_staff)
    client.get(reverse("referral-detail", args=[first.pk]))
    assert not unread.filter(object_id=str(first.pk)).exists()
    assert unread.filter(object_id=str(second.pk)).exists()


def test_the_header_hides_a_zero_unread_count(client: Any, world: Any) -> None:
    from pathlib import Path

    from django.conf import settings

    from notifications.models import Notification

    Notification.objects.filter(recipient=world.receiving_staff).update(read_at=timezone.now())
    client.force_login(world.receiving_staff)
    body = client.get(reverse("referral-inbox")).content.decode()
    badge = body.split('id="unread-badge"', 1)[1].split(">", 1)[0]
    assert "hidden" in badge
    script = (Path(settings.BASE_DIR) / "frontend" / "static" / "frontend" / "app.js").read_text()
    assert "badge.hidden = count <= 0;" in script  # the live count hides it again at 0


def test_the_header_writes_the_unread_count_without_javascript(client: Any, world: Any) -> None:
    from notifications.models import Notification

    for n in range(3):
        Notification.objects.create(recipient=world.receiving_staff, kind="test", text=f"wiadomość {n}")
    unread = Notification.objects.filter(recipient=world.receiving_staff, read_at__isnull=True).count()
    assert unread >= 3
    client.force_login(world.receiving_staff)
    body = client.get(reverse("referral-inbox")).content.decode()
    badge = body.split('id="unread-badge"', 1)[1].split("</span></span>", 1)[0]
    assert "hidden" not in badge.split(">", 1)[0]
    assert f'<span id="unread-count">{unread}' in badge
