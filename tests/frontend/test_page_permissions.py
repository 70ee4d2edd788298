"""Permission matrix of the pages: every page (URL name) × every persona × own / other partner's / other network's
object, and for people and referrals also after a decline and after consent withdrawal.

Pages answer as the API does (the tables are shared with tests/api/test_api_permissions_people.py) with two
differences: anonymous visitors are sent to the login page, and a POST that succeeds redirects (302). Views
that take only POST answer a GET with 405 to every signed-in user (``require_POST`` runs before the view looks
at the object, so nothing leaks); each also has a POST row that checks who may do it. The last test fails when
a page has no row here.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, StringConverter, UUIDConverter
from django.utils import timezone

from notifications.models import Notification
from partners.models import StaffMembership
from partners.services import staff_add
from people import plans as plan_services
from people.groups import group_join
from people.models import GroupMembership
from referrals.choices import State
from referrals.models import Referral
from tests.api.test_api_permissions import PERSONAS
from tests.api.test_api_permissions_people import (
    A_SIDE,
    ADVANCE,
    ANSWER,
    B_SIDE,
    CHANGE_PLACEMENT,
    HEALTH,
    HIDDEN,
    MANAGE_GROUP,
    NETWORK_REPORT,
    PATH_READ,
    PATH_WRITE,
    PROPOSE,
    READ_PERSON,
    READ_REFERRAL,
    RESPOND_ONGOING,
    SEE_APPLICATION,
    SEE_GROUP,
    SEE_PLACEMENT,
    SEEN,
    SEND,
    WITHDRAW,
    Outcome,
    Table,
)
from tests.factories import AgreementFactory, ServiceFactory
from tests.permission_scenes import Employment, Scene, build_employment, build_scene, with_expiry_column
from tests.personas import World

pytestmark = pytest.mark.django_db

LOGIN = "302 to login"
# Not pages of the product: sign-in and password reset, the language switch, the admin, the probe, the API and
# the FHIR face (tests/api/fhir/ checks who reads what there). The passkey ceremonies (passkeys/) are JSON endpoints
# of django-otp-webauthn's script (tests/accounts/test_mfa.py).
SKIPPED_PREFIXES = ("admin/", "api/", "fhir/", "i18n/", "passkeys/")
CONVERTERS = {UUIDConverter: "uuid", IntConverter: "int", StringConverter: "str"}
SKIPPED_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "mfa-verify",  # the second step of signing in (tests/accounts/test_mfa.py)
}


def page(default: Outcome = 404, **named: Outcome) -> Table:
    """``default`` for every signed-in persona not named; anonymous visitors go to the login page."""
    unknown = set(named) - set(PERSONAS)
    assert not unknown, unknown
    table = {persona: named.get(persona, default) for persona in PERSONAS}
    table["anonymous"] = LOGIN
    return table


def as_page(tables: dict[str, Table], **changes: Outcome) -> dict[str, Table]:
    """An API table for a page: anonymous to the login page, and outcomes replaced (e.g. 200 → 302)."""
    swap = {int(k) if k.isdigit() else k: v for k, v in changes.items()}
    return {
        t: {p: LOGIN if p == "anonymous" else swap.get(o, o) for p, o in table.items()} for t, table in tables.items()
    }


def listed(tables: dict[str, Table]) -> dict[str, Table]:
    return as_page(tables, **{"200": SEEN, "404": HIDDEN})


EVERYONE = {"-": page(200)}
NOT_ALLOWED = {"-": page(405)}  # a GET of a POST-only view

# The directory (the object's network, partner, service, membership): A_SIDE and the monitor see network A.
SEE_A = page(monitor=200, **A_SIDE)
SEE_B = page(monitor=200, **B_SIDE)
SEE_NETWORK = {"own": SEE_A, "theirs": SEE_B}
SEE_PARTNER = {"own": SEE_A, "neighbour": SEE_A, "theirs": SEE_B}
A_CANNOT = dict.fromkeys(["coordinator", "receiving_staff", "receiving_admin", "sending_staff", "employer"], 403)
COORDINATE_A = page(**{**A_CANNOT, "coordinator": 200, "monitor": 403})
COORDINATE_B = page(other_coordinator=200, unrelated_staff=403, unrelated_admin=403, monitor=403)
COORDINATE = {"own": COORDINATE_A, "theirs": COORDINATE_B}
# A partner's profile and services: its admins and its networks' coordinators.
EDIT_PARTNER = {
    "own": page(**{**A_CANNOT, "coordinator": 200, "receiving_admin": 200, "monitor": 403}),
    "neighbour": COORDINATE_A,
    "theirs": page(other_coordinator=200, unrelated_admin=200, unrelated_staff=403, monitor=403),
}
# A partner's staff: its admins only (not even the coordinator).
MANAGE_STAFF = {
    "own": page(**{**A_CANNOT, "receiving_admin": 200, "monitor": 403}),
    "neighbour": page(**{**A_CANNOT, "monitor": 403}),
    "theirs": page(unrelated_admin=200, other_coordinator=403, unrelated_staff=403, monitor=403),
}
# A staff invitation: only the invited account answers it (302 back home); to anyone else it does not exist.
INVITEE = {"own": "sending_staff", "theirs": "other_coordinator"}
ANSWER_INVITATION = {t: page(**{invitee: 302}) for t, invitee in INVITEE.items()}
# Registering a person: the network's coordinators, and member partners' staff at their door (with the consent
# they record there); never an employer (403); the monitor never reaches a person-level page (404).
REGISTER = {
    "own": page(coordinator=200, receiving_staff=200, receiving_admin=200, sending_staff=200, employer=403),
    "theirs": page(other_coordinator=200, unrelated_staff=200, unrelated_admin=200),
}
# The blank consent form of a network: whoever may register there; an employer gets a 404 for a document.
DOOR_FORM = {
    "own": page(coordinator=200, receiving_staff=200, receiving_admin=200, sending_staff=200),
    "theirs": page(other_coordinator=200, unrelated_staff=200, unrelated_admin=200),
}
# The person's export (data-subject access) and anonymisation: coordinators only.
COORDINATOR_OF_PERSON = {
    "own": page(coordinator=200, sending_staff=403, receiving_staff=403, receiving_admin=403),
    "neighbour": page(coordinator=200),
    "theirs": page(other_coordinator=200, unrelated_staff=403, unrelated_admin=403),
    "declined": page(coordinator=200, sending_staff=403),
    "consent_withdrawn": page(coordinator=200, sending_staff=403),
}
# Opening a case: coordinators. The person's case is open already: the form again with the refusal in its error
# summary, with the API's status (409), nothing changed (issue 16).
OPEN_CASE = as_page(COORDINATOR_OF_PERSON, **{"200": 409})
# Transferring a case: who may change the path. Network B's case has no manager or partner to move from, so the
# empty transfer changes nothing: the form again with the refusal (409), as the API answers.
TRANSFER = as_page(PATH_WRITE, **{"200": 302})
TRANSFER["theirs"] = {**TRANSFER["theirs"], "other_coordinator": 409}
# Creating a group: whoever may run one in the network (coordinators, staff of member partners).
CREATE_GROUP_PAGE = {
    "own": page(**dict.fromkeys(A_SIDE, 200), monitor=403),
    "theirs": page(**dict.fromkeys(B_SIDE, 200), monitor=403),
}
RECIPIENT = {"own": "receiving_staff", "theirs": "unrelated_staff"}
# Redirecting an overdue referral: its network's coordinators. The old referral is withdrawn and a new one sent,
# which needs a consent covering the new partner (network B's person consented to its NGO only: 409). A
# referral that is not overdue (the declined one) cannot be redirected (409).
REDIRECT: dict[str, Table] = {
    "own": page(coordinator=200, sending_staff=403, receiving_staff=403, receiving_admin=403),
    "neighbour": page(coordinator=200),
    "theirs": page(other_coordinator=409, unrelated_staff=403, unrelated_admin=403),
    "declined": page(coordinator=409, sending_staff=403),
    "consent_withdrawn": page(coordinator=409, sending_staff=403),
}

# A job coach is assigned, and follow-along contacts recorded, once the job is offered: by the coordinators
# (the proposer's side); the employer may not (403). The declined candidate: a message, not an error.
AFTER_OFFER = {
    "own": page(coordinator=302, employer=403),
    "neighbour": page(coordinator=302),
    "theirs": page(other_coordinator=302),
    "declined": page(coordinator=302),
}


# Webhooks of MOPR, ŚDS (no admin among the personas) and network B's NGO; of network A and network B.
WEBHOOK_OWNERS = {"own": page(receiving_admin=200), "neighbour": page(), "theirs": page(unrelated_admin=200)}
NETWORK_WEBHOOK_OWNERS = {"own": page(coordinator=200), "theirs": page(other_coordinator=200)}


def a_webhook(o: Objects, t: str) -> Any:
    from webhooks.models import Subscription

    # Written directly: plain http to loopback, which a delivery refuses with production settings (a ping is then
    # a failed delivery recorded, and no request leaves the test).
    return Subscription.objects.create(
        partner=o.scene.group_partner(t), url="http://127.0.0.1:9/hook", events=["referral.*"], secret="whsec_c2VjcmV0"
    )


@dataclass
class Objects:
    scene: Scene
    neighbour_service: Any
    employment: Employment
    agreements: dict[str, Any] = field(default_factory=dict)

    @property
    def world(self) -> World:
        return self.scene.world


@dataclass
class Row:
    name: str  # the URL name
    url: Callable[[Objects, str, Any], str]
    expected: dict[str, Table]  # target ("-" when the page has none) → persona → outcome
    method: str = "GET"
    data: Callable[[Objects, str, Any], dict[str, Any]] | None = None
    prepare: Callable[[Objects, str], Any] | None = None  # once, before the personas act
    marker: Callable[[Objects, str, Any], str] | None = None  # for lists: text present when the object is listed
    htmx: bool = False
    label: str = ""  # tells rows of one page apart in test ids (e.g. the referral action)
    # A known bug: the row is expected to fail (strict) for these targets until the bug is fixed.
    bug: str = ""
    bug_targets: tuple[str, ...] = ()


def url(name: str, *args: Callable[[Objects, str, Any], Any]) -> Callable[[Objects, str, Any], str]:
    return lambda o, t, p: reverse(name, args=[arg(o, t, p) for arg in args])


def network(o: Objects, t: str, p: Any) -> Any:
    return o.scene.network_of(t).pk


def partner(o: Objects, t: str, p: Any) -> Any:
    return o.scene.group_partner(t).pk  # MOPR, ŚDS, network B's NGO


def service(o: Objects, t: str, p: Any) -> Any:
    w = o.world
    return {"own": w.service, "neighbour": o.neighbour_service, "theirs": w.other_service}[t].pk


def membership(o: Objects, t: str, p: Any) -> Any:
    return o.scene.group_partner(t).network_memberships.get().pk


def staff_membership(o: Objects, t: str, p: Any) -> Any:
    user = {"own": o.world.receiving_staff, "neighbour": o.world.sending_staff, "theirs": o.world.unrelated_staff}[t]
    return StaffMembership.objects.get(user=user).pk


def person(o: Objects, t: str, p: Any) -> Any:
    return o.scene.people[t].pk


def consent(o: Objects, t: str, p: Any) -> Any:
    return o.scene.consents[t].pk


def case(o: Objects, t: str, p: Any) -> Any:
    return o.scene.people[t].cases.get().pk


def referral(o: Objects, t: str, p: Any) -> Any:
    return o.scene.referrals[t].pk


def prepared(o: Objects, t: str, p: Any) -> Any:
    return p.pk


def group(o: Objects, t: str, p: Any) -> Any:
    return o.scene.groups[t].pk


def placement(o: Objects, t: str, p: Any) -> Any:
    return o.employment.placement_of(t).pk


def application(o: Objects, t: str, p: Any) -> Any:
    return o.employment.applications[t].pk


def offered(o: Objects, t: str) -> Any:
    return o.employment.offered(t)


def a_referral_in(state: str) -> Callable[[Objects, str], Any]:
    def prepare(o: Objects, t: str) -> Any:
        return o.scene.referrals[t] if t == "declined" else o.scene.referral_in(t, state)

    return prepare


def with_agreement_document(o: Objects, t: str) -> Any:
    agreement = AgreementFactory(network=o.scene.network_of(t))
    agreement.document.save("porozumienie.pdf", ContentFile(b"%PDF-1.4\n%test\n%%EOF\n"))
    return agreement


def with_consent_document(o: Objects, t: str) -> Any:
    target_consent = o.scene.consents[t]
    target_consent.document.save("zgoda.pdf", ContentFile(b"%PDF-1.4\n%test\n%%EOF\n"), save=False)
    target_consent.document_type = "application/pdf"
    target_consent.save()
    return target_consent


def a_goal(o: Objects, t: str) -> Any:
    target_case = o.scene.people[t].cases.get()
    return plan_services.goal_add(
        actor=o.scene.coordinator(t), case=target_case, domain="self_care", description="Samodzielne zakupy"
    )


def a_meeting(o: Objects, t: str) -> Any:
    from people.groups import meeting_record

    return meeting_record(
        actor=o.scene.coordinator(t),
        group=o.scene.groups[t],
        held_on=timezone.localdate(),
        duration_minutes=60,
        attendee_ids=[],
    )


def a_group_member(o: Objects, t: str) -> Any:
    member = o.scene.people["theirs" if t == "theirs" else "own"]
    group_join(actor=o.scene.coordinator(t), group=o.scene.groups[t], person=member)
    return GroupMembership.objects.get(group=o.scene.groups[t], person=member)


# A service's waitlist: the staff of the partner that runs it and the coordinators of its networks.
WAITLIST_KEEPERS = {
    "own": page(coordinator=200, receiving_staff=200, receiving_admin=200),
    "neighbour": page(coordinator=200, sending_staff=200),
    "theirs": page(other_coordinator=200, unrelated_staff=200, unrelated_admin=200),
}


def a_day_off(o: Objects, t: str) -> Any:
    from network.models import DayOff

    return DayOff.objects.create(network=o.scene.network_of(t), day=datetime.date(2026, 6, 5), name="Most")


def a_twin(o: Objects, t: str) -> Any:
    """A second record of the target's person, registered by mistake in the same network."""
    from people.models import Person

    original = o.scene.people[t]
    return Person.objects.create(network=original.network, first_name=original.first_name, last_name=original.last_name)


def an_instrument(o: Objects, t: str) -> Any:
    from people.assessments import DomainSpec, LevelSpec, instrument_create

    return instrument_create(
        actor=o.scene.coordinator(t),
        network=o.scene.network_of(t),
        code="wlasne",
        name_pl="Nasze narzędzie",
        domains=[DomainSpec("a", "A", levels=[LevelSpec(v, f"poziom {v}") for v in range(1, 6)])],
    )


def with_invitation(o: Objects, t: str) -> Any:
    """MOPR's admin invites ŚDS's staff member; network B's NGO invites B's coordinator (both pending)."""
    w = o.world
    if t == "own":
        return staff_add(actor=w.receiving_admin, partner=w.receiving, user=w.sending_staff)
    return staff_add(actor=w.unrelated_admin, partner=w.unrelated, user=w.other_coordinator)


def notification_of(o: Objects, t: str, p: Any = None) -> Any:
    user = o.world.personas()[RECIPIENT[t]]
    return Notification.objects.get(recipient=user, object_id=str(o.scene.referrals[t].pk))


def transition_row(
    action: str,
    state: str,
    expected: dict[str, Table],
    bug: str = "",
    bug_targets: tuple[str, ...] = (),
    prepare: Callable[[Objects, str], Any] | None = None,
    **data: str,
) -> Row:
    """A referral action through the page, as the HTMX buttons send it (the answer carries the status)."""
    return Row(
        "referral-action",
        lambda o, t, p: reverse("referral-action", args=[p.pk, action]),
        as_page(expected),
        method="POST",
        data=lambda o, t, p: {key: value(o, t) if callable(value) else value for key, value in data.items()},
        prepare=prepare or a_referral_in(state),
        htmx=True,
        label=action,
        bug=bug,
        bug_targets=bug_targets,
    )


def an_overdue_referral(o: Objects, t: str) -> Any:
    if t == "declined":
        return o.scene.referrals[t]
    overdue = o.scene.referral_in(t, State.SENT)
    Referral.objects.filter(pk=overdue.pk).update(due_by=timezone.now() - datetime.timedelta(days=1))
    return overdue


def redirect_target(o: Objects, t: str) -> Any:
    """Another partner of the network; for network B the only one its consent does not cover."""
    w = o.world
    return {"neighbour": o.scene.pup, "theirs": o.scene.bytom_pup}.get(t, w.sending)


MATRIX = [
    # --- home, account, notifications ---
    Row("home", url("home"), EVERYONE),
    # Pages of the site itself (issue 16): the accessibility statement is public; the style guide is for Django
    # staff (the operator) only, none of the personas, and to everyone else, anonymous too, it does not exist.
    Row("accessibility-statement", url("accessibility-statement"), {"-": {**page(200), "anonymous": 200}}),
    Row("styleguide", url("styleguide"), {"-": {**page(404), "anonymous": 404}}),
    Row("account", url("account"), EVERYONE),
    Row("password-change", url("password-change"), EVERYONE),
    # The idle-timeout script's keep-alive: one's own session only (JSON; anonymous 401, tests/accounts).
    Row("session-status", url("session-status"), {"-": {**page(200), "anonymous": 401}}),
    # The second factor: one's own only, so every persona alike (none of them has a factor here).
    Row("mfa-enrol", url("mfa-enrol"), EVERYONE),
    # The person's own pages (issue 18): no staff persona has a record of its own, so each is a 404 to them
    # (tests/people/test_own_account.py and tests/api/test_own_person_api.py for the person's own account).
    *[
        Row(name, url(name), {"-": page(404)})
        for name in ("own-home", "own-consents", "own-access", "own-data", "own-export-json", "own-export-pdf")
    ],
    Row("own-consent-withdraw", url("own-consent-withdraw", consent), {"own": page(404), "theirs": page(404)}),
    Row(
        "own-consent-withdraw",
        url("own-consent-withdraw", consent),
        {"own": page(404), "theirs": page(404)},
        method="POST",
    ),
    Row("own-request", url("own-request"), NOT_ALLOWED),
    Row("own-request", url("own-request"), {"-": page(404)}, method="POST", data=lambda o, t, p: {"kind": "consent"}),
    # A link that is not a live invitation: the same 404 page to everyone, signed in or not.
    Row(
        "own-invitation",
        lambda o, t, p: reverse("own-invitation", args=["not-a-live-token"]),
        {"-": {**page(404), "anonymous": 404}},
    ),
    Row("mfa-totp", url("mfa-totp"), {"-": page(302)}),  # no set-up started: back to mfa-enrol
    # A code by SMS or e-mail is a person account's factor: every staff persona gets 404 (tests/accounts).
    Row("mfa-code", url("mfa-code"), {"-": page(404)}),
    Row("mfa-recovery-codes", url("mfa-recovery-codes"), {"-": page(302)}),  # no factor yet: back to mfa-enrol
    Row("mfa-passkey-registered", url("mfa-passkey-registered"), NOT_ALLOWED),
    Row("mfa-passkey-registered", url("mfa-passkey-registered"), {"-": page(302)}, method="POST"),
    Row("mfa-remove", lambda o, t, p: reverse("mfa-remove", args=["totp", 1]), {"-": page(404)}),
    Row(
        "notification-centre",
        url("notification-centre"),
        {t: page(HIDDEN, **{who: SEEN}) for t, who in RECIPIENT.items()},
        marker=lambda o, t, p: reverse("notification-read", args=[notification_of(o, t).pk]),
    ),
    Row(
        "notification-read",
        lambda o, t, p: reverse("notification-read", args=[notification_of(o, t).pk]),
        {t: page(405) for t in RECIPIENT},
    ),
    # Marking a notification read: its recipient is redirected; anyone else's id is a 404, as in the API.
    Row(
        "notification-read",
        lambda o, t, p: reverse("notification-read", args=[notification_of(o, t).pk]),
        {t: page(404, **{who: 302}) for t, who in RECIPIENT.items()},
        method="POST",
    ),
    Row("notification-read-all", url("notification-read-all"), NOT_ALLOWED),
    Row("notification-read-all", url("notification-read-all"), {"-": page(302)}, method="POST"),
    # --- the directory ---
    Row("network-overview", url("network-overview", network), SEE_NETWORK),
    Row("network-members", url("network-members", network), COORDINATE),
    Row(
        "network-membership-edit",
        url("network-membership-edit", network, membership),
        {**COORDINATE, "neighbour": COORDINATE_A},
    ),
    Row("network-agreement-edit", url("network-agreement-edit", network), COORDINATE),
    Row(
        "network-agreement-document",
        url("network-agreement-document", network, prepared),
        SEE_NETWORK,
        prepare=with_agreement_document,
    ),
    Row("network-import", url("network-import", network), COORDINATE),
    Row("network-agreement-history", url("network-agreement-history", network), SEE_NETWORK),
    Row(
        "network-agreement-history",
        url("network-agreement-history", network),
        {
            t: {
                p: 302 if o == 200 and p in ("coordinator", "other_coordinator") else (403 if o == 200 else o)
                for p, o in table.items()
            }
            for t, table in SEE_NETWORK.items()
        },
        method="POST",
        data=lambda o, t, p: {"title": "Porozumienie — nowa wersja", "valid_from": "2031-01-01"},
    ),
    # --- the day's work: the worklist and printable documents ---
    Row("worklist", url("worklist"), {"-": page(200, employer=404, monitor=404)}),
    Row("consent-form", url("consent-form", person), as_page(PATH_READ)),
    Row("consent-form-blank", url("consent-form-blank", network), DOOR_FORM),
    Row("support-plan-pdf", url("support-plan-pdf", person), as_page(PATH_READ)),
    Row(
        "attendance-list-pdf",
        url("attendance-list-pdf", prepared),
        as_page(MANAGE_GROUP, **{"403": 404}),
        prepare=a_meeting,
    ),
    Row("referral-letter-pdf", url("referral-letter-pdf", referral), as_page(READ_REFERRAL)),
    Row("partner-detail", url("partner-detail", partner), SEE_PARTNER),
    Row("partner-edit", url("partner-edit", partner), EDIT_PARTNER),
    Row("partner-staff", url("partner-staff", partner), MANAGE_STAFF),
    Row(
        "partner-staff-change",
        url("partner-staff-change", partner, staff_membership),
        {t: page(405) for t in MANAGE_STAFF},
    ),
    Row(
        "partner-staff-change",
        url("partner-staff-change", partner, staff_membership),
        as_page(MANAGE_STAFF, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"role": "staff", "is_active": "on"},
    ),
    *[
        row
        for name in ["staff-invitation-confirm", "staff-invitation-decline"]
        for row in [
            Row(name, url(name, prepared), {t: page(405) for t in INVITEE}, prepare=with_invitation),
            Row(name, url(name, prepared), ANSWER_INVITATION, method="POST", prepare=with_invitation),
        ]
    ],
    Row("service-create", url("service-create", partner), EDIT_PARTNER),
    Row("service-directory", url("service-directory"), EVERYONE),
    Row("service-edit", url("service-edit", service), EDIT_PARTNER),
    # --- people ---
    Row(
        "people-list",
        url("people-list"),
        {t: {**table, "monitor": 404} for t, table in listed(READ_PERSON).items()},  # never the monitor
        marker=lambda o, t, p: reverse("person-detail", args=[o.scene.people[t].pk]),
    ),
    Row("person-register", url("person-register", network), REGISTER),
    Row("person-detail", url("person-detail", person), as_page(READ_PERSON)),
    Row("person-edit", url("person-edit", person), as_page(PATH_WRITE)),
    Row("person-consent-add", url("person-consent-add", person), {"own": page(405)}),
    Row(
        "person-consent-add",
        url("person-consent-add", person),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {
            "consent-categories": ["identity"],
            "consent-partners": [str(o.scene.onward_partner(t).pk)],
            "consent-purpose": "Aktywizacja zawodowa",
            "consent-given_by": "person",
        },
    ),
    # GET: the confirmation that says what ends with the consent (issue 16); POST: withdraw it.
    Row("person-consent-withdraw", url("person-consent-withdraw", person, consent), as_page(PATH_WRITE)),
    # The withdrawn target's consent is gone already: a message on the page, not an error.
    Row(
        "person-consent-withdraw",
        url("person-consent-withdraw", person, consent),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
    ),
    Row(
        "person-consent-document",
        url("person-consent-document", person, consent),
        as_page(PATH_READ),
        prepare=with_consent_document,
    ),
    Row("person-case-open", url("person-case-open", person), {"own": page(405)}),
    Row(
        "person-case-open",
        url("person-case-open", person),
        OPEN_CASE,
        method="POST",
        data=lambda o, t, p: {"open-stage": "intake"},
    ),
    Row("person-case-stage", url("person-case-stage", person, case), {"own": page(405)}),
    Row(
        "person-case-stage",
        url("person-case-stage", person, case),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"stage-stage": "therapy"},
    ),
    Row("person-case-transfer", url("person-case-transfer", person, case), {"own": page(405)}),
    Row(
        "person-case-transfer",
        url("person-case-transfer", person, case),
        TRANSFER,
        method="POST",
        data=lambda o, t, p: {"transfer-case_manager": "", "transfer-managing_partner": ""},
    ),
    # GET: the confirmation that asks for the reason (issue 16); POST: close the case with it.
    Row("person-case-close", url("person-case-close", person, case), as_page(PATH_WRITE)),
    Row(
        "person-case-close",
        url("person-case-close", person, case),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"close-note": "Cel osiągnięty"},
    ),
    Row("person-goal-add", url("person-goal-add", person, case), {"own": page(405)}),
    Row(
        "person-goal-add",
        url("person-goal-add", person, case),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"goal-domain": "work_education", "goal-description": "Staż w drukarni"},
    ),
    # GET: the review of one goal on a page of its own (issue 16); POST: save it.
    Row("person-goal-review", url("person-goal-review", person, prepared), as_page(PATH_WRITE), prepare=a_goal),
    Row(
        "person-goal-review",
        url("person-goal-review", person, prepared),
        as_page(PATH_WRITE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"review-status": "in_progress"},
        prepare=a_goal,
    ),
    Row("person-export-json", url("person-export-json", person), COORDINATOR_OF_PERSON),
    # Inviting the person to their own account: who may change the path (issue 18).
    Row("person-invite", url("person-invite", person), as_page(PATH_WRITE)),
    Row("person-export-print", url("person-export-print", person), COORDINATOR_OF_PERSON),
    # The person's whole access log, page by page: coordinators only, as its excerpt on the person page.
    Row("person-access-log", url("person-access-log", person), COORDINATOR_OF_PERSON),
    # The confirmation lists what will end and be cleared; the POST anonymises (the open case is closed first)
    # and goes back to the person's page.
    Row("person-anonymise", url("person-anonymise", person), COORDINATOR_OF_PERSON),
    # Anonymising already anonymised data, or done: back to the person's page with a message.
    Row(
        "person-anonymise",
        url("person-anonymise", person),
        as_page(COORDINATOR_OF_PERSON, **{"200": 302}),
        method="POST",
    ),
    Row("person-assessments", url("person-assessments", person), as_page(HEALTH)),
    Row("assessment-new", url("assessment-new", person), as_page(HEALTH)),
    Row("person-activities", url("person-activities", person), as_page(READ_PERSON)),
    # Anyone who sees the person and works for a partner may refer onward.
    Row("person-refer", url("person-refer", person), as_page(READ_PERSON)),
    # --- referrals ---
    Row(
        "referral-inbox",
        lambda o, t, p: reverse("referral-inbox") + "?direction=",  # both directions, not just the inbox
        listed(READ_REFERRAL),
        marker=lambda o, t, p: reverse("referral-detail", args=[o.scene.referrals[t].pk]),
    ),
    Row("referral-detail", url("referral-detail", referral), as_page(READ_REFERRAL)),
    Row(
        "referral-action",
        lambda o, t, p: reverse("referral-action", args=[p.pk, "accept"]),
        {"own": page(405)},
        prepare=a_referral_in(State.SENT),
    ),
    transition_row("send", State.DRAFT, SEND),
    transition_row("check_in", State.SENT, ANSWER),
    transition_row("accept", State.SENT, ANSWER),
    transition_row("start", State.ACCEPTED, RESPOND_ONGOING),
    transition_row("complete", State.IN_PROGRESS, RESPOND_ONGOING, **{"o-outcome_code": "goal_achieved"}),
    transition_row(
        "discontinue",
        State.ACCEPTED,
        RESPOND_ONGOING,
        **{"d-reason_code": "person_unreachable", "d-reason_origin": "person", "d-outcome_code": "not_achieved"},
    ),
    transition_row(
        "redirect",
        State.SENT,
        REDIRECT,
        prepare=an_overdue_referral,
        **{"x-to_partner": lambda o, t: str(redirect_target(o, t).pk)},
    ),
    transition_row(
        "withdraw", State.SENT, WITHDRAW, **{"r-reason_code": "person_declined", "r-reason_origin": "person"}
    ),
    transition_row(
        "decline",
        State.SENT,
        ANSWER,
        **{"r-reason_code": "no_capacity", "r-reason_origin": "partner"},
    ),
    # Declining, withdrawing, discontinuing are confirmed on a page of their own (issue 16): who may take the step
    # sees it; who sees the referral but may not is sent back to it (302, with a message); strangers 404.
    Row(
        "referral-confirm",
        lambda o, t, p: reverse("referral-confirm", args=[p.pk, "decline"]),
        as_page(ANSWER, **{"403": 302, "409": 302}),
        prepare=a_referral_in(State.SENT),
    ),
    Row(
        "referral-confirm",
        lambda o, t, p: reverse("referral-confirm", args=[p.pk, "decline"]),
        as_page(ANSWER, **{"200": 302, "403": 302, "409": 302}),
        method="POST",
        data=lambda o, t, p: {"reason_code": "no_capacity", "reason_origin": "partner"},
        prepare=a_referral_in(State.SENT),
        label="decline",
    ),
    # --- support groups ---
    Row("group-list", url("group-list", network), SEE_NETWORK),
    Row("group-create", url("group-create", network), CREATE_GROUP_PAGE),
    Row("group-detail", url("group-detail", group), as_page(SEE_GROUP)),
    Row("group-edit", url("group-edit", group), as_page(MANAGE_GROUP)),
    Row("group-join", url("group-join", group), as_page(MANAGE_GROUP)),
    Row("group-meeting-create", url("group-meeting-create", group), as_page(MANAGE_GROUP)),
    Row(
        "group-leave",
        lambda o, t, p: reverse("group-leave", args=[o.scene.groups[t].pk, p.pk]),
        {"own": page(405)},
        prepare=a_group_member,
    ),
    Row(
        "group-leave",
        lambda o, t, p: reverse("group-leave", args=[o.scene.groups[t].pk, p.pk]),
        as_page(MANAGE_GROUP, **{"200": 302}),
        method="POST",
        prepare=a_group_member,
    ),
    # --- supported employment ---
    Row(
        "placement-list",
        url("placement-list"),
        listed(SEE_PLACEMENT),
        marker=lambda o, t, p: reverse("placement-detail", args=[o.employment.placements[t].pk]),
    ),
    Row("placement-create", url("placement-create"), {"-": page(403, employer=200)}),
    Row("placement-detail", url("placement-detail", placement), as_page(SEE_PLACEMENT)),
    Row("placement-edit", url("placement-edit", placement), as_page(CHANGE_PLACEMENT)),
    Row("placement-close", url("placement-close", placement), {"own": page(405)}),
    Row(
        "placement-close",
        url("placement-close", placement),
        as_page(CHANGE_PLACEMENT, **{"200": 302}),
        method="POST",
    ),
    Row("placement-propose", url("placement-propose", placement), as_page(PROPOSE, **{"201": 200})),
    Row("placement-candidates-csv", url("placement-candidates-csv", placement), as_page(SEE_PLACEMENT)),
    Row("application-detail", url("application-detail", application), as_page(SEE_APPLICATION)),
    Row("application-move", url("application-move", application), {"own": page(405)}),
    Row(
        "application-move",
        url("application-move", application),
        as_page(ADVANCE),
        method="POST",
        data=lambda o, t, p: {"stage": "interview"},
        htmx=True,
    ),
    Row("application-coach", url("application-coach", application), {"own": page(405)}),
    Row(
        "application-coach",
        url("application-coach", application),
        AFTER_OFFER,
        method="POST",
        data=lambda o, t, p: {"coach-coach": str(o.employment.coaches["theirs" if t == "theirs" else "own"].pk)},
        prepare=offered,
    ),
    Row("application-contact", url("application-contact", application), {"own": page(405)}),
    Row(
        "application-contact",
        url("application-contact", application),
        AFTER_OFFER,
        method="POST",
        data=lambda o, t, p: {"contact-minutes": "30", "contact-mode": "phone", "contact-occurred_on": "2025-06-02"},
        prepare=offered,
    ),
    # A job coach's caseload, or every coach's for coordinators.
    Row("coach-caseload", url("coach-caseload"), {"-": page(403, coordinator=200, other_coordinator=200)}),
    # --- webhooks: a partner's admins, a network's coordinators; nobody else learns one exists ---
    Row("partner-webhooks", url("partner-webhooks", partner), WEBHOOK_OWNERS),
    Row(
        "partner-webhooks",
        url("partner-webhooks", partner),
        as_page(WEBHOOK_OWNERS, **{"200": 201}),
        method="POST",
        data=lambda o, t, p: {"url": "https://93.184.216.34/hook", "events": ["referral.*"]},
    ),
    Row("network-webhooks", url("network-webhooks", network), NETWORK_WEBHOOK_OWNERS),
    Row(
        "network-webhooks",
        url("network-webhooks", network),
        as_page(NETWORK_WEBHOOK_OWNERS, **{"200": 201}),
        method="POST",
        data=lambda o, t, p: {"url": "https://93.184.216.34/hook", "events": ["consent.*"]},
    ),
    Row("webhook-detail", lambda o, t, p: reverse("webhook-detail", args=[p.pk]), WEBHOOK_OWNERS, prepare=a_webhook),
    *[
        row
        for action, answer in (("test", 302), ("disable", 302), ("enable", 302), ("rotate", 200), ("delete", 302))
        for row in (
            Row(
                f"webhook-{action}",
                lambda o, t, p, action=action: reverse(f"webhook-{action}", args=[p.pk]),
                {"own": page(405)},
                prepare=a_webhook,
            ),
            Row(
                f"webhook-{action}",
                lambda o, t, p, action=action: reverse(f"webhook-{action}", args=[p.pk]),
                as_page(WEBHOOK_OWNERS, **{"200": answer}),
                method="POST",
                prepare=a_webhook,
            ),
        )
    ],
    # --- issue 15: waitlists, days off, meeting corrections, merges, the instrument editor ---
    Row("waitlists", url("waitlists"), {"-": page(200)}),
    Row("service-waitlist", url("service-waitlist", service), WAITLIST_KEEPERS),
    Row("network-days-off", url("network-days-off", network), COORDINATE),
    Row(
        "network-days-off",
        url("network-days-off", network),
        as_page(COORDINATE, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"day": "2026-06-05", "name": "Most po Bożym Ciele"},
    ),
    Row(
        "network-day-off-remove",
        lambda o, t, p: reverse("network-day-off-remove", args=[p.network_id, p.pk]),
        {"own": page(405)},
        prepare=a_day_off,
    ),
    Row(
        "network-day-off-remove",
        lambda o, t, p: reverse("network-day-off-remove", args=[p.network_id, p.pk]),
        as_page(COORDINATE, **{"200": 302}),
        method="POST",
        prepare=a_day_off,
    ),
    Row(
        "group-meeting-correct",
        lambda o, t, p: reverse("group-meeting-correct", args=[p.group_id, p.pk]),
        as_page(MANAGE_GROUP),
        prepare=a_meeting,
    ),
    Row(
        "group-meeting-cancel",
        lambda o, t, p: reverse("group-meeting-cancel", args=[p.group_id, p.pk]),
        as_page(MANAGE_GROUP),
        prepare=a_meeting,
    ),
    Row(
        "group-meeting-cancel",
        lambda o, t, p: reverse("group-meeting-cancel", args=[p.group_id, p.pk]),
        as_page(MANAGE_GROUP, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"reason": "Wpisane omyłkowo"},
        prepare=a_meeting,
    ),
    Row("person-merge", url("person-merge", person), COORDINATOR_OF_PERSON),
    Row("person-merge-confirm", url("person-merge-confirm", person, prepared), COORDINATOR_OF_PERSON, prepare=a_twin),
    Row(
        "person-merge-confirm",
        url("person-merge-confirm", person, prepared),
        as_page(COORDINATOR_OF_PERSON, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"reason": "Zarejestrowana dwa razy"},
        prepare=a_twin,
    ),
    Row("instrument-list", url("instrument-list", network), COORDINATE),
    Row("instrument-new", url("instrument-new", network), COORDINATE),
    Row("instrument-version", url("instrument-version", prepared), COORDINATE, prepare=an_instrument),
    # --- dashboard and reports ---
    Row("report-dashboard", url("report-dashboard", network), as_page(NETWORK_REPORT)),
    Row("report-dashboard-tiles", url("report-dashboard-tiles", network), as_page(NETWORK_REPORT)),
    Row("report-monitoring", url("report-monitoring", network), as_page(NETWORK_REPORT)),
    Row("report-regional", url("report-regional"), {"-": page(monitor=200)}),
    # The report's period work (issue 15): a network's coordinators; which networks sent: monitors only.
    Row("report-submissions", url("report-submissions"), {"-": page(monitor=200)}),
    Row("report-funding", url("report-funding", network), as_page(NETWORK_REPORT)),
    Row(
        "report-funding",
        url("report-funding", network),
        as_page(NETWORK_REPORT, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"year": 2025, "source": "pfron", "amount": "1000"},
    ),
    Row(
        "report-funding-remove",
        lambda o, t, p: reverse("report-funding-remove", args=[network(o, t, p), p.pk]),
        {"own": page(405), "theirs": page(405)},
        prepare=lambda o, t: report_funding(o, t),
    ),
    Row(
        "report-funding-remove",
        lambda o, t, p: reverse("report-funding-remove", args=[network(o, t, p), p.pk]),
        as_page(NETWORK_REPORT, **{"200": 302}),
        method="POST",
        prepare=lambda o, t: report_funding(o, t),
    ),
    Row("report-close", url("report-close", network), {"own": page(405), "theirs": page(405)}),
    Row(
        "report-close",
        url("report-close", network),
        as_page(NETWORK_REPORT, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"year": "2025"},
    ),
    Row("report-reopen", url("report-reopen", network), {"own": page(405), "theirs": page(405)}),
    Row(
        "report-reopen",
        url("report-reopen", network),
        as_page(NETWORK_REPORT, **{"200": 302}),
        method="POST",
        data=lambda o, t, p: {"year": "2025", "reason": "korekta"},
        prepare=lambda o, t: report_closed(o, t),
    ),
    Row(
        "report-closed-pdf",
        lambda o, t, p: reverse("report-closed-pdf", args=[network(o, t, p)]) + "?year=2025",
        as_page(NETWORK_REPORT),
        prepare=lambda o, t: report_closed(o, t),
    ),
    Row(
        "report-figure-list",
        lambda o, t, p: reverse("report-figure-list", args=[network(o, t, p), "people"]) + "?year=2025",
        as_page(NETWORK_REPORT),
    ),
    Row("person-path", url("person-path", person), as_page(READ_PERSON)),
]


def _coordinator_of(o: Objects, t: str) -> Any:
    return o.world.coordinator if o.scene.network_of(t) == o.world.network else o.world.other_coordinator


def report_funding(o: Objects, t: str) -> Any:
    from reporting.services import funding_set

    return funding_set(actor=_coordinator_of(o, t), network=o.scene.network_of(t), year=2025, source="pfron", amount=5)


def report_closed(o: Objects, t: str) -> Any:
    from reporting.services import report_close
    from reporting.yearly import Period

    return report_close(actor=_coordinator_of(o, t), network=o.scene.network_of(t), period=Period.year(2025))


@pytest.fixture
def objects(world: World, settings: Any, tmp_path: Any) -> Objects:
    settings.MEDIA_ROOT = tmp_path
    scene = build_scene(world)
    return Objects(
        scene=scene,
        employment=build_employment(scene),
        neighbour_service=ServiceFactory(partner=world.sending, name="Trening umiejętności społecznych"),
    )


def signed_in_clients(world: World) -> dict[str, Client]:
    result = {}
    for persona, user in world.personas().items():
        client = Client()
        if user is not None:
            client.force_login(user)  # outside the per-persona transaction: the session must outlive its rollback
        result[persona] = client
    return result


def observe(response: Any, marker: str | None) -> Outcome:
    status = int(response.status_code)
    if status == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next="):
        return LOGIN
    if marker is None or status != 200:
        return status
    return SEEN if marker in response.content.decode() else HIDDEN


# After an expiry every answer is the one after a withdrawal (tests/permission_scenes.py).
for _row in MATRIX:
    _row.expected = with_expiry_column(_row.expected)

CASES = [
    pytest.param(
        row,
        target,
        id=" ".join(filter(None, [row.method, row.name, row.label, target])),
        marks=[pytest.mark.xfail(strict=True, reason=row.bug)] if target in row.bug_targets else [],
    )
    for row in MATRIX
    for target in row.expected
]


@pytest.mark.parametrize(("row", "target"), CASES)
def test_it_answers_each_persona_exactly(objects: Objects, row: Row, target: str) -> None:
    prepared_object = row.prepare(objects, target) if row.prepare else None
    actual: dict[str, Outcome] = {}
    headers = {"HX-Request": "true"} if row.htmx else {}
    for persona, client in signed_in_clients(objects.world).items():
        # Each persona acts on the same starting state: whatever it changed is rolled back.
        with transaction.atomic():
            address = row.url(objects, target, prepared_object)
            data = row.data(objects, target, prepared_object) if row.data else {}
            if row.method == "GET":
                response = client.get(address, headers=headers)
            else:
                response = client.post(address, data, headers=headers)
            marker = row.marker(objects, target, prepared_object) if row.marker else None
            actual[persona] = observe(response, marker)
            transaction.set_rollback(True)
    assert actual == row.expected[target]


def page_routes() -> list[tuple[str, str, dict[str, str]]]:
    """Every named URL of the site that is a page (the frontend and every module it includes): its route, its
    name, and the converter of each of its arguments."""

    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name, pattern.pattern

    return [
        (route, name, {key: CONVERTERS[type(c)] for key, c in getattr(pattern, "converters", {}).items()})
        for route, name, pattern in walk(get_resolver().url_patterns, "")
        if not route.startswith(SKIPPED_PREFIXES) and name not in SKIPPED_NAMES
    ]


def page_names() -> set[str]:
    return {name for route, name, converters in page_routes()}


def test_it_has_a_row_for_every_page() -> None:
    names = page_names()
    unnamed = {name for name in names if not name}
    assert not unnamed, "every page needs a URL name to be checked here"
    covered = {row.name for row in MATRIX}
    assert names - covered == set(), "pages without a row in the permission matrix"
    assert covered - names == set(), "rows for pages the site does not have"


def test_it_checks_every_row_against_every_persona() -> None:
    for row in MATRIX:
        for table in row.expected.values():
            assert set(table) == set(PERSONAS), row.name
        if row.method == "GET" and all(
            o == 405 for t in row.expected.values() for p, o in t.items() if p != "anonymous"
        ):
            assert any(r.name == row.name and r.method == "POST" for r in MATRIX), f"{row.name} needs a POST row"


def test_it_leaves_someone_elses_notification_unread(objects: Objects) -> None:
    note = notification_of(objects, "own")
    clients = signed_in_clients(objects.world)
    for persona in PERSONAS:
        if persona not in ("receiving_staff", "anonymous"):
            clients[persona].post(reverse("notification-read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None
    clients["receiving_staff"].post(reverse("notification-read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("target", ["consent_withdrawn", "consent_expired"])
def test_it_takes_the_referral_and_the_person_from_mopr_once_the_consent_ends(objects: Objects, target: str) -> None:
    """The sent referral was withdrawn by the consent's end: MOPR has neither it nor the person; its open page's
    live refresh says the referral is gone, without naming the person."""
    scene = objects.scene
    client = signed_in_clients(objects.world)["receiving_staff"]
    referral = scene.referrals[target]
    person_obj = scene.people[target]
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("person-detail", args=[person_obj.pk])).status_code == 404
    refresh = client.get(reverse("referral-detail", args=[referral.pk]), headers={"HX-Request": "true"})
    assert refresh.status_code == 200 and 'id="referral-gone"' in refresh.content.decode()
    assert person_obj.last_name not in refresh.content.decode()
    stranger = client.get(reverse("referral-detail", args=[uuid.uuid4()]), headers={"HX-Request": "true"})
    assert stranger.content == refresh.content  # the same words for any id: nothing leaks


def test_it_answers_404_for_an_object_that_does_not_exist(objects: Objects) -> None:
    """Every page about one object, for the coordinator: an unknown id is a 404 like another network's object.
    A POST-only page is asked by POST."""
    client = signed_in_clients(objects.world)["coordinator"]
    values = {"uuid": str(uuid.uuid4()), "int": "987654321", "str": "accept"}
    failures = []
    for _route, name, converters in page_routes():
        if not converters:
            continue
        address = reverse(name, kwargs={key: values[kind] for key, kind in converters.items()})
        response = client.get(address)
        if response.status_code == 405:
            response = client.post(address)
        if response.status_code != 404:
            failures.append(f"{name} {address}: {response.status_code}")
    assert not failures, "\n".join(failures)
