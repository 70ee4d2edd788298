"""Issue 13: consent decides, everywhere and at once.

A withdrawal or an expiry stops the shares it covered in the same transaction (referrals withdrawn, narrowed or
discontinued; candidacies withdrawn), the people responsible are told, a stopped referral cannot be accepted,
an anonymised person can be neither referred nor proposed, and "who can see this person" says who reads what.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core import grants
from core.errors import Conflict
from notifications.models import Notification
from partners.choices import PartnerType
from people import services as people_services
from people.models import Consent, PersonGroupObjectPermission
from referrals import services
from referrals.choices import State
from referrals.models import Referral, ReferralEvent
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def person_with_consent(world: Any, categories: list[str], **fields: Any) -> tuple[Any, Consent]:
    """A person of network A, case managed by the ŚDS, a consent covering MOPR (the receiving partner)."""
    person = make_person(world, **fields)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    consent = make_consent(world, person, categories, partners=[world.receiving])
    return person, consent


def send(world: Any, person: Any, categories: list[str], legal_basis: str = "") -> Referral:
    referral = services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        reason="Wsparcie w codziennym funkcjonowaniu",
        categories=categories,
    )
    return services.referral_send(actor=world.coordinator, referral=referral, legal_basis=legal_basis)


def person_grants(person: Any, partner: Any) -> set[str]:
    return set(
        PersonGroupObjectPermission.objects.filter(content_object=person, group=partner.group).values_list(
            "permission__codename", flat=True
        )
    )


def kinds(user: Any) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def no_drift() -> None:
    for policy in grants.policies():
        drift = [(pk, missing, extra) for pk, missing, extra in grants.check(policy) if missing or extra]
        assert drift == [], f"{policy.name}: {drift}"


# --- withdrawal ---------------------------------------------------------------------------------------


def test_a_withdrawal_stops_a_sent_referral_at_once_and_tells_who_must_know(world: Any) -> None:
    """The issue's first finding: the ŚDS/MOPR kept reading and could accept the referral; nobody was told."""
    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    receiver = api(world.receiving_staff)
    assert receiver.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200

    answer = api(world.coordinator).post(f"/api/v1/consents/{consent.pk}/withdraw/", {"note": "na prośbę osoby"})
    assert answer.status_code == 200, answer.content

    referral.refresh_from_db()
    assert referral.state == State.WITHDRAWN
    assert (referral.reason_code, referral.reason_origin) == ("consent_withdrawn", "person")
    event = ReferralEvent.objects.filter(referral=referral).latest("at", "id")
    assert (event.action, event.reason_code) == ("withdraw", "consent_withdrawn")
    # The receiving partner loses the referral and the person at once.
    assert receiver.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert receiver.post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 404
    assert receiver.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert person_grants(person, world.receiving) == set()
    # Told: the receiving partner, the case manager and the coordinator; no health data in any text.
    assert "referral.withdrawn" in kinds(world.receiving_staff)
    assert "consent.withdrawn" in kinds(world.sending_staff)
    assert "consent.withdrawn" in kinds(world.coordinator)
    for text in Notification.objects.values_list("text", flat=True):
        assert "Schizofrenia" not in text and "Kowalska" not in text
    no_drift()


def test_an_accepted_referral_loses_the_withdrawn_categories_and_keeps_the_rest(world: Any) -> None:
    person, broad = person_with_consent(world, ["identity", "social", "health"])
    referral = send(world, person, ["identity", "social", "health"])
    services.referral_accept(actor=world.receiving_staff, referral=referral)
    make_consent(world, person, ["identity", "social"], partners=[world.receiving])
    assert person_grants(person, world.receiving) == {"read_identity", "read_social", "read_health"}

    people_services.consent_withdraw(actor=world.coordinator, consent=broad)

    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED
    assert referral.categories == ["identity", "social"]
    assert person_grants(person, world.receiving) == {"read_identity", "read_social"}
    event = ReferralEvent.objects.filter(referral=referral, action="consent").get()
    assert "zdrow" in event.note.lower()  # the timeline says, in Polish, what is no longer shared
    body = api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/").json()
    assert "health_notes" not in body
    assert "referral.narrowed" in kinds(world.receiving_staff)
    page = _web(world.coordinator).get(reverse("referral-detail", args=[referral.pk])).content.decode()
    assert "zawężono udostępniane dane" in page and "zgoda została wycofana lub wygasła" in page
    assert "consent_withdrawn" not in page  # a label, never the code
    no_drift()


def test_an_accepted_referral_with_nothing_left_is_discontinued(world: Any) -> None:
    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    services.referral_accept(actor=world.receiving_staff, referral=referral)
    services.referral_start(actor=world.receiving_staff, referral=referral)

    people_services.consent_withdraw(actor=world.coordinator, consent=consent)

    referral.refresh_from_db()
    assert referral.state == State.DISCONTINUED and referral.reason_code == "consent_withdrawn"
    assert person_grants(person, world.receiving) == set()
    # The closed loop keeps the history readable to the receiving partner, without the person.
    assert api(world.receiving_staff).get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert "referral.discontinued" in kinds(world.receiving_staff)


def test_a_referral_on_a_recorded_legal_basis_goes_on(world: Any) -> None:
    person, consent = person_with_consent(world, ["identity"])
    referral = send(world, person, ["identity", "social"], legal_basis="art. 46 ustawy o pomocy społecznej")
    people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    referral.refresh_from_db()
    assert referral.state == State.SENT
    assert services.referral_accept(actor=world.receiving_staff, referral=referral).state == State.ACCEPTED


# --- expiry -----------------------------------------------------------------------------------------


def expire(consent: Consent, days_ago: int = 1) -> None:
    ended = timezone.localdate() - datetime.timedelta(days=days_ago)
    Consent.objects.filter(pk=consent.pk).update(valid_from=ended - datetime.timedelta(days=30), valid_until=ended)


def test_a_consent_gone_by_date_refuses_accept_with_409_consent_missing_before_the_job_runs(world: Any) -> None:
    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    expire(consent)
    answer = api(world.receiving_staff).post(f"/api/v1/referrals/{referral.pk}/accept/")
    # The receiving partner's grant on the referral stays until the job runs: the gate is the consent itself.
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "consent_missing"
    referral.refresh_from_db()
    assert referral.state == State.SENT


def test_the_expiry_job_stops_the_shares_once_and_tells_the_case_manager(world: Any) -> None:
    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    expire(consent)

    assert people_services.consents_expire() == 1
    referral.refresh_from_db()
    consent.refresh_from_db()
    assert referral.state == State.WITHDRAWN and referral.reason_code == "consent_withdrawn"
    assert consent.expiry_handled_at is not None
    assert person_grants(person, world.receiving) == set()
    assert "consent.expired" in kinds(world.sending_staff)
    notes = Notification.objects.filter(recipient=world.coordinator, kind="consent.expired")
    assert notes.count() == 1 and "MOPR" in notes.get().text
    # A second run (another worker, the next minute) changes nothing and tells nobody again.
    assert people_services.consents_expire() == 0
    assert Notification.objects.filter(kind="consent.expired").count() == notes.count() + 1  # coordinator + manager
    no_drift()


def test_recording_a_dated_consent_plans_its_start_and_end_and_a_withdrawal_drops_them(world: Any) -> None:
    from procrastinate.contrib.django.models import ProcrastinateJob

    from people.tasks import consent_ends, consent_starts

    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    today = timezone.localdate()
    consent = people_services.consent_record(
        actor=world.coordinator,
        person=person,
        categories=["identity"],
        purpose="Wsparcie",
        partners=[world.receiving],
        valid_from=today + datetime.timedelta(days=2),
        valid_until=today + datetime.timedelta(days=30),
    )
    starts, ends = people_services.consent_keys(consent.pk)
    planned = {
        job.queueing_lock: timezone.localtime(job.scheduled_at)
        for job in ProcrastinateJob.objects.filter(queueing_lock__in=[starts, ends], status="todo")
    }
    midnight = datetime.time(0, 0)
    assert planned[starts].date() == today + datetime.timedelta(days=2) and planned[starts].time() == midnight
    assert planned[ends].date() == today + datetime.timedelta(days=31) and planned[ends].time() == midnight
    # Run early (a retry, a clock off), the jobs do nothing.
    assert consent_starts(str(consent.pk)) is False
    assert consent_ends(str(consent.pk)) is False
    people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    assert not ProcrastinateJob.objects.filter(queueing_lock__in=[starts, ends], status="todo").exists()


def test_the_end_job_stops_the_shares_once(world: Any) -> None:
    from people.tasks import consent_ends, consent_starts

    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    expire(consent)
    assert consent_starts(str(consent.pk)) is True  # in force since long ago: the grants are as they should be
    assert consent_ends(str(consent.pk)) is True
    assert consent_ends(str(consent.pk)) is False
    referral.refresh_from_db()
    assert referral.state == State.WITHDRAWN
    assert people_services.consents_expire() == 0


# --- candidacies ------------------------------------------------------------------------------------


def test_a_withdrawal_withdraws_the_candidacy_it_covered(world: Any) -> None:
    from employment import applications
    from employment import placements as placement_services
    from employment.models import Stage

    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    consent = make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    placement = placement_services.placement_create(
        actor=world.employer_staff,
        employer=world.employer,
        data={
            "title": "Pomocnik magazyniera",
            "workplace": "Magazyn",
            "hours_per_week": 20,
            "contract_form": "employment_contract",
            "support_offered": ["job_coach"],
            "positions": 1,
        },
    )
    application = applications.application_propose(actor=world.coordinator, placement=placement, person=person)

    people_services.consent_withdraw(actor=world.coordinator, consent=consent)

    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN and application.reason_code == "consent_withdrawn"
    assert "placement.withdrawn" in kinds(world.employer_staff)
    # Proposing again without a consent is refused.
    with pytest.raises(Conflict):
        applications.application_propose(actor=world.coordinator, placement=placement, person=person)
    no_drift()


# --- anonymisation ----------------------------------------------------------------------------------


def test_an_anonymised_person_can_be_neither_referred_nor_sent(world: Any) -> None:
    person, _consent = person_with_consent(world, ["identity"], phone="600 100 200")
    referral = send(world, person, ["identity"])
    draft = services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        reason="Anna, tel. 600 100 200, F20",
        categories=["identity"],
    )
    client = api(world.coordinator)
    confirm = reverse("person-anonymise", args=[person.pk])
    page = _web(world.coordinator).get(confirm)
    assert page.status_code == 200 and "1" in page.content.decode()

    people_services.person_anonymise(actor=world.coordinator, person=person)

    referral.refresh_from_db()
    draft.refresh_from_db()
    assert referral.state == State.WITHDRAWN and draft.state == State.WITHDRAWN
    assert "F20" not in draft.reason and "600" not in draft.reason
    assert api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert person_grants(person, world.receiving) == set()
    assert Consent.objects.filter(person=person, purpose__contains="Wsparcie").count() == 0
    created = client.post(
        "/api/v1/referrals/",
        {"person": str(person.pk), "to_partner": str(world.receiving.pk), "reason": "x", "categories": ["identity"]},
        format="json",
    )
    assert created.status_code == 409 and created.json()["code"] == "anonymised"
    assert Referral.objects.filter(person=person).count() == 2


def _web(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- responsibility changes -------------------------------------------------------------------------


def test_a_case_transfer_tells_the_new_case_manager(world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person, manager=world.sending_staff, partner=world.sending)
    people_services.case_transfer(
        actor=world.coordinator, case=case, case_manager=world.receiving_staff, managing_partner=world.receiving
    )
    note = Notification.objects.get(recipient=world.receiving_staff, kind="case.transferred")
    assert "A. K." in note.text and "Schizofrenia" not in note.text


def test_an_employer_can_neither_manage_a_case_nor_receive_a_referral(world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person, manager=world.sending_staff, partner=world.sending)
    with pytest.raises(ValidationError):
        people_services.case_transfer(
            actor=world.coordinator, case=case, case_manager=world.employer_staff, managing_partner=None
        )
    with pytest.raises(ValidationError):
        people_services.case_transfer(
            actor=world.coordinator, case=case, case_manager=None, managing_partner=world.employer
        )
    make_consent(world, person, ["identity"], partners=[world.employer])
    with pytest.raises(ValidationError):
        services.referral_create(
            actor=world.coordinator, person=person, to_partner=world.employer, reason="x", categories=["identity"]
        )


def test_an_employer_never_reaches_a_person_even_with_a_stray_grant(world: Any) -> None:
    """Least privilege by role: a grant written by mistake (or by an old version) still opens nothing."""
    person = make_person(world)
    make_consent(world, person, ["identity", "health"], partners=[world.employer])
    PersonGroupObjectPermission.objects.create(
        content_object=person,
        group=world.employer.group,
        permission_id=grants.permission_id(type(person), "read_identity"),
    )
    client = api(world.employer_staff)
    assert client.get("/api/v1/persons/").json()["count"] == 0
    assert client.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert _web(world.employer_staff).get(reverse("person-detail", args=[person.pk])).status_code == 404


# --- who can see this person ------------------------------------------------------------------------


def test_who_can_see_lists_every_reader_with_categories_sources_and_last_opening(world: Any) -> None:
    person, consent = person_with_consent(world, ["identity", "social"])
    referral = send(world, person, ["identity", "social"])
    api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/")  # MOPR opens the record once

    rows = api(world.coordinator).get(f"/api/v1/persons/{person.pk}/access/")
    assert rows.status_code == 200, rows.content
    by_kind = {row["kind"]: row for row in rows.json() if row["kind"] != "partner"}
    partners = {row["name"]: row for row in rows.json() if row["kind"] == "partner"}
    assert by_kind["network"]["categories"] == ["identity", "social", "health", "employment"]
    assert by_kind["case"]["categories"] == ["identity"]  # the ŚDS is not named by the consent
    mopr = partners[str(world.receiving)]
    assert mopr["categories"] == ["identity", "social"]
    assert mopr["sources"][0]["source"] == "referral"
    assert mopr["sources"][0]["consents"] == [str(consent.pk)]
    assert mopr["last_opened"] is not None

    people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    after = api(world.sending_staff).get(f"/api/v1/persons/{person.pk}/access/")  # the case manager may ask too
    assert after.status_code == 200
    assert str(world.receiving) not in {row["name"] for row in after.json()}
    page = _web(world.coordinator).get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Kto widzi tę osobę" in page
    referral.refresh_from_db()
    assert referral.state == State.WITHDRAWN


@pytest.mark.parametrize("persona", ["receiving_staff", "employer", "monitor", "unrelated_staff", "other_coordinator"])
def test_who_can_see_is_404_for_anyone_but_the_coordinator_and_the_case_manager(world: Any, persona: str) -> None:
    person, _consent = person_with_consent(world, ["identity", "social"])
    send(world, person, ["identity", "social"])
    assert api(world.personas()[persona]).get(f"/api/v1/persons/{person.pk}/access/").status_code == 404


@pytest.mark.parametrize("code", ["consent_withdrawn", "no_answer"])
def test_nobody_picks_a_reason_only_the_system_records(world: Any, code: str) -> None:
    person, _consent = person_with_consent(world, ["identity"])
    referral = send(world, person, ["identity"])
    answer = api(world.coordinator).post(
        f"/api/v1/referrals/{referral.pk}/withdraw/", {"reason_code": code, "reason_origin": "person"}, format="json"
    )
    assert answer.status_code == 400
    referral.refresh_from_db()
    assert referral.state == State.SENT
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=world.coordinator, referral=referral, reason_code=code)
    form = _web(world.coordinator).get(reverse("referral-detail", args=[referral.pk])).content.decode()
    assert f'value="{code}"' not in form
