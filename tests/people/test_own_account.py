"""Issue 18: the person's own account — the invitation link, the withdrawal that stops a partner at once, the
access list about that person only, and the messages that reveal nothing to whoever reads the phone."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from notifications import sms
from people import own
from people.access import access_to_person
from people.audit import log_access
from people.models import AccessLog, PersonAccount, PersonInvitation
from referrals import deadlines as referral_deadlines
from referrals import services as referral_services
from referrals.choices import State
from referrals.models import Referral
from tests.own_fixtures import OWN_PASSWORD, make_own_account
from tests.people_fixtures import make_person
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def _link(text: str) -> str:
    match = re.search(r"(/moje/zaproszenie/[^/\s]+/)", text)
    assert match, text
    return match.group(1)


# --- the invitation ---------------------------------------------------------------------------------------------


def test_it_sends_a_one_time_link_that_works_once(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = consenting_person(world)
    with django_capture_on_commit_callbacks(execute=True):
        own.person_invite(
            actor=world.coordinator, person=person, relation="person", channel="email", address="anna@example.org"
        )
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0].body)
    invitation = PersonInvitation.objects.get(person=person)
    assert invitation.token_hash not in link and len(invitation.token_hash) == 64  # only the hash is kept

    assert client.get(link).status_code == 200
    form = {"username": "anna.k", "password": OWN_PASSWORD, "password_again": OWN_PASSWORD}
    response = client.post(link, form)
    assert response.status_code == 302
    account = PersonAccount.objects.get(person=person)
    assert account.user.username == "anna.k" and account.user.is_person_account
    assert account.user.check_password(OWN_PASSWORD)

    # The second use of the same link creates nothing.
    again = client.post(link, {**form, "username": "someone.else"})
    assert again.status_code == 404
    assert PersonAccount.objects.filter(person=person).count() == 1
    with pytest.raises(own.InvitationInvalid):
        own.invitation_accept(token=link.split("/")[-2], username="third", password=OWN_PASSWORD)


def test_it_refuses_a_link_older_than_72_hours(world: Any, client: Any) -> None:
    person = consenting_person(world)
    _invitation, token = own.person_invite(
        actor=world.coordinator, person=person, relation="guardian", channel="sms", address="600 100 200"
    )
    link = f"/moje/zaproszenie/{token}/"
    assert client.get(link).status_code == 200
    past = timezone.now() - datetime.timedelta(hours=72, seconds=1)
    PersonInvitation.objects.filter(person=person).update(
        created_at=past - datetime.timedelta(hours=72), expires_at=past + datetime.timedelta(seconds=0)
    )
    assert client.get(link).status_code == 404
    response = client.post(link, {"username": "opiekun", "password": OWN_PASSWORD, "password_again": OWN_PASSWORD})
    assert response.status_code == 404
    assert not PersonAccount.objects.filter(person=person).exists()


def test_a_new_invitation_cancels_the_old_link(world: Any) -> None:
    person = consenting_person(world)
    _first, old = own.person_invite(
        actor=world.coordinator, person=person, relation="person", channel="email", address="a@example.org"
    )
    own.person_invite(
        actor=world.coordinator, person=person, relation="person", channel="email", address="a@example.org"
    )
    with pytest.raises(own.InvitationInvalid):
        own.invitation_by_token(old)


def test_the_invitation_goes_by_sms_with_the_link(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    sms.outbox.clear()
    person = consenting_person(world)
    with django_capture_on_commit_callbacks(execute=True):
        own.person_invite(
            actor=world.coordinator, person=person, relation="person", channel="sms", address="+48 600 100 200"
        )
    assert [m.to for m in sms.outbox] == ["48600100200"]
    assert "/moje/zaproszenie/" in sms.outbox[0].text


@pytest.mark.parametrize("persona", ["receiving_staff", "unrelated_staff", "employer_staff", "other_coordinator"])
def test_only_the_coordinator_or_case_manager_invites(world: Any, persona: str) -> None:
    from core.errors import PermissionDenied

    person = consenting_person(world)
    with pytest.raises(PermissionDenied):
        own.person_invite(
            actor=getattr(world, persona), person=person, relation="person", channel="email", address="a@example.org"
        )


def test_the_case_manager_invites_from_the_person_page(world: Any, client: Any) -> None:
    person = consenting_person(world)  # its case is managed by sending_staff
    client.force_login(world.sending_staff)
    url = f"/people/{person.pk}/own-account/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"relation": "person", "channel": "email", "address": "zly adres", "language": "pl"})
    assert response.status_code == 200 and not PersonInvitation.objects.exists()  # a clear message, nothing made
    response = client.post(
        url, {"relation": "person", "channel": "email", "address": "a@example.org", "language": "pl"}
    )
    assert response.status_code == 302
    assert PersonInvitation.objects.filter(person=person, invited_by=world.sending_staff).count() == 1
    client.force_login(world.unrelated_staff)
    assert client.get(url).status_code == 404


def test_a_weak_or_taken_login_is_refused_with_nothing_made(world: Any, client: Any) -> None:
    person = consenting_person(world)
    _invitation, token = own.person_invite(
        actor=world.coordinator, person=person, relation="person", channel="email", address="a@example.org"
    )
    link = f"/moje/zaproszenie/{token}/"
    weak = client.post(link, {"username": "anna", "password": "123", "password_again": "123"})
    assert weak.status_code == 200 and not PersonAccount.objects.exists()
    taken = client.post(link, {"username": "mopr", "password": OWN_PASSWORD, "password_again": OWN_PASSWORD})
    assert taken.status_code == 200 and not PersonAccount.objects.exists()
    assert own.invitation_by_token(token).used_at is None  # the link still works for a second try


# --- the withdrawal ---------------------------------------------------------------------------------------------


def test_the_person_withdraws_and_the_partner_loses_access_in_the_same_request(world: Any, client: Any) -> None:
    person = consenting_person(world, categories=["identity", "social"])
    referral = sent_referral(world, person=person, categories=["identity", "social"])
    assert access_to_person(world.receiving_staff, person) is not None
    user = make_own_account(world, person)
    consent = person.consents.get()
    client.force_login(user)

    confirmation = client.get(f"/moje/zgody/{consent.pk}/wycofaj/")
    assert confirmation.status_code == 200
    assert "MOPR Piekary" in confirmation.content.decode()  # says who will stop getting the data

    response = client.post(f"/moje/zgody/{consent.pk}/wycofaj/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == user
    assert access_to_person(world.receiving_staff, person) is None
    assert Referral.objects.get(pk=referral.pk).state == State.WITHDRAWN


def test_the_person_cannot_withdraw_someone_elses_consent(world: Any, client: Any) -> None:
    mine = consenting_person(world)
    theirs = consenting_person(world, first_name="Jan", last_name="Nowak")
    client.force_login(make_own_account(world, mine))
    other = theirs.consents.get()
    assert client.get(f"/moje/zgody/{other.pk}/wycofaj/").status_code == 404
    assert client.post(f"/moje/zgody/{other.pk}/wycofaj/").status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


# --- who saw my data --------------------------------------------------------------------------------------------


def test_the_access_list_shows_exactly_the_entries_about_that_person(world: Any) -> None:
    mine = consenting_person(world)
    theirs = consenting_person(world, first_name="Jan", last_name="Nowak")
    log_access(user=world.receiving_staff, person=mine, action="view", view="person-detail")
    log_access(user=world.receiving_staff, person=theirs, action="view", view="person-detail")
    log_access(user=world.coordinator, person=theirs, action="change", view="person-edit")
    rows = own.own_access_log(mine)
    assert {row.id for row in rows} == set(AccessLog.objects.filter(person=mine).values_list("id", flat=True))
    seen = next(row for row in rows if row.institution == "MOPR Piekary")
    assert seen.role and seen.name == ""  # institution and role, no name by default


def test_staff_names_show_only_where_the_network_says_so(world: Any) -> None:
    person = make_person(world)
    log_access(user=world.receiving_staff, person=person, action="view", view="person-detail")
    assert own.own_access_log(person)[0].name == ""
    world.network.show_staff_names_to_people = True
    world.network.save()
    person.refresh_from_db()
    assert own.own_access_log(person)[0].name == world.receiving_staff.get_full_name()


def test_the_access_list_takes_the_same_queries_for_2_or_20_entries(world: Any, django_assert_num_queries: Any) -> None:
    person = make_person(world)
    for n in range(2):
        log_access(user=world.receiving_staff if n % 2 else world.coordinator, person=person, action="view")
    person = type(person).objects.select_related("network").get(pk=person.pk)
    # 1 the entries with their users, 2 the users' staff memberships with partners, 3 the coordinators
    with django_assert_num_queries(3):
        own.own_access_log(person)
    for n in range(18):
        log_access(user=world.receiving_staff if n % 2 else world.sending_staff, person=person, action="view")
    with django_assert_num_queries(3):
        assert len(own.own_access_log(person)) == 20


def test_a_question_about_an_entry_reaches_the_case_manager(world: Any, client: Any) -> None:
    from notifications.models import Notification

    person = consenting_person(world)
    entry = log_access(user=world.receiving_staff, person=person, action="view", view="person-detail")
    client.force_login(make_own_account(world, person))
    response = client.post("/moje/prosba/", {"kind": "entry", "entry": entry.pk, "message": "Kto to był?"})
    assert response.status_code == 302
    note = Notification.objects.get(recipient=world.sending_staff, kind="person.request.entry")
    assert "A. K." in note.text
    other = log_access(user=world.receiving_staff, person=make_person(world, first_name="Ola"), action="view")
    assert client.post("/moje/prosba/", {"kind": "entry", "entry": other.pk}).status_code == 404


# --- messages to the person -------------------------------------------------------------------------------------

# Words that must never reach a phone's lock screen: health, diagnosis, the kind of institution.
FORBIDDEN = [
    # Polish
    "psychiat", "zdrow", "szpital", "oddział", "czp", "lecz", "terapi", "kryzys", "chor", "diagno", "lekarz",
    "niepełnospraw", "poradni", "ośrodek", "mopr", "ops", "śds", "dom pomocy", "schizofren", "depres", "uzależni",
    "skierowanie", "pomoc społeczna",
    # English
    "psychiatr", "mental", "health", "hospital", "ward", "clinic", "therap", "crisis", "ill", "diagnos", "disab",
    "doctor", "treatment", "social assistance", "referral", "schizo",
]  # fmt: skip


def _assert_clean(text: str, *names: str) -> None:
    lowered = text.lower()
    for word in FORBIDDEN:
        assert word not in lowered.replace("http://", " ").split("/moje/")[0], (word, text)
    for name in names:
        assert name.lower() not in lowered, (name, text)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_messages_contain_no_health_words_nor_the_kind_of_institution(
    world: Any, language: str, django_capture_on_commit_callbacks: Any
) -> None:
    from people import messages as person_messages
    from people.models import GroupMembership, Meeting, SupportGroup

    sms.outbox.clear()
    person = consenting_person(world, phone="600 100 200")
    user = make_own_account(world, person, contact_by="sms", phone="600100200")
    user.language = language
    user.save()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    group = SupportGroup.objects.create(
        network=world.network, partner=world.receiving, name="Grupa wsparcia psychiatrycznego",
        start_time=datetime.time(13, 30), place="Oddział psychiatryczny, sala 3",
    )  # fmt: skip
    GroupMembership.objects.create(group=group, person=person, joined_on=tomorrow - datetime.timedelta(days=30))
    Meeting.objects.create(
        group=group, held_on=tomorrow, duration_minutes=90, topic="Leki i terapia", place=group.place
    )
    referral = sent_referral(world, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_accept(
            actor=world.receiving_staff,
            referral=referral,
            first_appointment_at=timezone.now() + datetime.timedelta(days=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert person_messages.meeting_reminders() == 1
        assert referral_deadlines.appointment_reminders() == 1
    texts = [m.text for m in sms.outbox]
    assert len(texts) == 3, texts  # accepted, the meeting, the first appointment
    for text in texts:
        _assert_clean(text, "MOPR Piekary", group.name, "Kowalska")
        assert "/moje/" in text
    with django_capture_on_commit_callbacks(execute=True):  # each goes once
        assert person_messages.meeting_reminders() == 0
        assert referral_deadlines.appointment_reminders() == 0
    assert len(sms.outbox) == 3
    for kind in ("invitation", "meeting.reminder", "appointment.reminder", "referral.accepted"):
        from django.utils import translation

        with translation.override(language):
            _assert_clean(person_messages.message_text(kind, date="01.02.2027", time="10:00"))


def test_nothing_is_sent_without_the_persons_consent_to_messages(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sms.outbox.clear()
    mail.outbox.clear()
    person = consenting_person(world, phone="600 100 200")
    make_own_account(world, person)  # contact_by left empty
    referral = sent_referral(world, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_accept(actor=world.receiving_staff, referral=referral)
    assert sms.outbox == [] and mail.outbox == []


def test_the_person_chooses_how_to_be_told(world: Any, client: Any) -> None:
    person = consenting_person(world, phone="")
    user = make_own_account(world, person)
    client.force_login(user)
    response = client.post("/moje/dane/", {"contact_by": "sms"})
    assert response.status_code == 302
    assert PersonAccount.objects.get(user=user).contact_by == ""  # no phone: refused with a message
    assert client.post("/moje/dane/", {"contact_by": "email"}).status_code == 302
    assert PersonAccount.objects.get(user=user).contact_by == "email"


# --- the security issue's rules apply -----------------------------------------------------------------------------


def test_a_person_account_is_locked_out_like_staff(world: Any) -> None:
    from django.test import Client

    make_own_account(world, consenting_person(world), username="osoba")
    client = Client(REMOTE_ADDR="10.9.8.7")
    answers = [client.post("/login/", {"username": "osoba", "password": "zle-haslo"}).status_code for _ in range(5)]
    assert answers[-1] == 429
    assert client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD}).status_code == 429


def test_a_person_account_signs_in_to_its_own_pages(world: Any) -> None:
    from django.test import Client

    make_own_account(world, consenting_person(world), username="osoba")
    client = Client()
    response = client.post("/login/", {"username": "osoba", "password": OWN_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/moje/"
    assert response.status_code == 200
