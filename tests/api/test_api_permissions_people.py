"""Permission matrix of the people, consent, referral, assessment, support-group, activity, notification,
employment and report API: operation × persona × target.

Targets (tests/permission_scenes.py): ``own`` (ŚDS → MOPR in network A, with consent), ``neighbour`` (a referral
between two other partners of network A), ``theirs`` (network B), ``declined`` and ``consent_withdrawn``.
Support-group rows name the groups run by MOPR (own), ŚDS (neighbour) and network B's NGO (theirs); instrument
rows the shared instrument and each network's own; notification rows MOPR's and network B's staff member's;
employment rows the placements and candidates of tests/permission_scenes.py ``Employment``.
Each cell is an exact answer; a list answers SEEN or HIDDEN. Missing and forbidden both answer 404; 403 only
when the object is visible but the action is not allowed. ``test_api_permissions`` checks that every operation
of the OpenAPI schema has a row here or there.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from notifications.models import Notification
from people import plans as plan_services
from people import services as people_services
from people.access import access_to_person
from people.assessments import DomainSpec, LevelSpec, default_instrument, instrument_create
from people.groups import group_join
from people.models import Case, Instrument, InstrumentDomain, Person
from referrals import services
from referrals.choices import State
from referrals.models import Referral
from tests.api.test_api_permissions import HIDDEN, PERSONAS, SEEN, Outcome, clients, expect
from tests.people_fixtures import make_case, make_consent, make_person
from tests.permission_scenes import TARGETS, Employment, Scene, build_employment, build_scene, with_expiry_column
from tests.personas import World

pytestmark = pytest.mark.django_db

HEALTH_FIELDS = {"health_notes", "disability_level", "disability_symbol"}
Table = dict[str, Outcome]


@dataclass
class Context:
    scene: Scene
    instruments: dict[str, Instrument]  # shared / own (network A's) / theirs (network B's)
    employment: Employment

    @property
    def world(self) -> World:
        return self.scene.world


@dataclass
class Operation:
    method: str
    path: str  # as the OpenAPI schema spells it
    request: Callable[[Context, str, Any], tuple[str, dict[str, Any] | None]]
    expected: dict[str, Table]  # target → persona → outcome
    # Run once before the personas act (each persona's request is rolled back), e.g. a referral in some state.
    prepare: Callable[[Context, str], Any] | None = None
    list_of: Callable[[Context, str, Any], Any] | None = None  # for lists: the object that is SEEN or HIDDEN


def only(**named: Outcome) -> Table:
    """404 for everyone not named (missing and forbidden look alike); anonymous 401."""
    return expect(404, **named)


def each(tables: dict[str, Table], **changes: Outcome) -> dict[str, Table]:
    """The same tables with outcomes replaced, e.g. ``each(READ, **{"200": 201})``."""
    swap = {int(k) if k.isdigit() else k: v for k, v in changes.items()}
    return {t: {p: swap.get(o, o) for p, o in table.items()} for t, table in tables.items()}


def listed(tables: dict[str, Table]) -> dict[str, Table]:
    """What a list shows where the single object answers 200 (seen) or 404 (hidden)."""
    return {t: {p: {200: SEEN, 404: HIDDEN}.get(o, o) for p, o in table.items()} for t, table in tables.items()}


MOPR = {"receiving_staff": 200, "receiving_admin": 200}
BYTOM = {"unrelated_staff": 200, "unrelated_admin": 200}

# A referral: its network's coordinators, the sending partner always, the receiving partner while it is open
# or closed with an outcome, never after a decline or withdrawal.
READ_REFERRAL: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200, **MOPR),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, **BYTOM),
    "declined": only(coordinator=200, sending_staff=200),
    # The consent's end withdrew the sent referral (reason consent_withdrawn): MOPR lost it at once.
    "consent_withdrawn": only(coordinator=200, sending_staff=200),
}
# A person: coordinators; the case manager (ŚDS staff); MOPR through the referral, and only while the consent lives.
READ_PERSON: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200, **MOPR),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, **BYTOM),
    "declined": only(coordinator=200, sending_staff=200),
    "consent_withdrawn": only(coordinator=200, sending_staff=200),
}
# Merging a duplicate into the person's record: the network's coordinators; whoever else reads the person is refused
# (403), everyone else does not find them (404).
MERGE: dict[str, Table] = {
    t: {p: (200 if p in ("coordinator", "other_coordinator") else 403) if o == 200 else o for p, o in table.items()}
    for t, table in READ_PERSON.items()
}
# The person's access log, as its page: the network's coordinators; whoever else reads the person is refused (403),
# everyone else does not find them (404), whoever lost them with a withdrawn consent included.
ACCESS_LOG = MERGE
# The list of people: whom each persona reads; the regional monitor never reaches it (404), the others get 200.
LIST_PEOPLE = {t: {**table, "monitor": 404} for t, table in listed(READ_PERSON).items()}
# Social data may be changed by whoever reads it (not identity: coordinators only). After the withdrawal the
# case manager reads identity alone.
PATCH_PERSON = {**READ_PERSON, "consent_withdrawn": only(coordinator=200, sending_staff=403)}
# Consents and the case: coordinators and the case manager; a reader through a referral sees the person but
# may not change the path (403), and does not even see the list of consents (404).
PATH_READ: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
    "declined": only(coordinator=200, sending_staff=200),
    "consent_withdrawn": only(coordinator=200, sending_staff=200),
}
PATH_WRITE: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200, receiving_staff=403, receiving_admin=403),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, unrelated_staff=403, unrelated_admin=403),
    "declined": only(coordinator=200, sending_staff=200),
    "consent_withdrawn": only(coordinator=200, sending_staff=200),
}
# Health data (assessments): only coordinators hold the health category here.
HEALTH: dict[str, Table] = {
    "own": only(coordinator=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
    "declined": only(coordinator=200),
    "consent_withdrawn": only(coordinator=200),
}
# The complete record (GDPR art. 15): the network's coordinators only. The case manager and the receiving
# partner see the person but get the same 404 as a stranger, the employer and the monitor.
EXPORT: dict[str, Table] = {
    "own": only(coordinator=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
    "declined": only(coordinator=200),
    "consent_withdrawn": only(coordinator=200),
}
# A draft: whoever sees the person may refer onward for their own partner.
REFERRAL_CREATE = each(READ_PERSON, **{"200": 201})
# The receiving partner's answers (check-in, accept, start, complete, decline; discontinue too), coordinators
# included; the sender sees the referral but may not answer it.
RESPOND: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=403, **MOPR),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, **BYTOM),
    "declined": only(coordinator=409, sending_staff=403),
    # Withdrawn by the consent's end before anyone answered: nothing to answer (409), MOPR sees it no more.
    "consent_withdrawn": only(coordinator=409, sending_staff=403),
}
# Answering (check-in, accept, decline) is RESPOND except that a referral's sender never answers their own: in
# network B its coordinator wrote the referral, so they are refused (409, code own_referral; issue 16).
ANSWER: dict[str, Table] = {**RESPOND, "theirs": only(other_coordinator=409, **BYTOM)}
# Starting, completing or discontinuing: after the consent's end the accepted referral was discontinued; MOPR
# keeps reading it as history (the closed loop) but may not act on it (403).
RESPOND_ONGOING = {
    **RESPOND,
    "consent_withdrawn": only(coordinator=409, sending_staff=403, receiving_staff=403, receiving_admin=403),
}
# Sending a draft: the sender's side. A draft is invisible to the receiving partner. Without a live consent
# covering the partner, sending is refused (409) unless the coordinator records a legal basis.
SEND: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
    "declined": only(coordinator=409, sending_staff=409),
    "consent_withdrawn": only(coordinator=409, sending_staff=409),
}
WITHDRAW: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=200, receiving_staff=403, receiving_admin=403),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, unrelated_staff=403, unrelated_admin=403),
    "declined": only(coordinator=409, sending_staff=409),
    "consent_withdrawn": only(coordinator=409, sending_staff=409),  # already withdrawn by the consent's end
}
# Redirecting an overdue referral: the network's coordinators alone; those who see the referral otherwise 403.
# A declined referral is not overdue (409); without a live consent covering the new partner the new referral
# cannot be sent (409: in network B the person's consent names only the partner that did not answer).
REDIRECT: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=403, receiving_staff=403, receiving_admin=403),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=409, unrelated_staff=403, unrelated_admin=403),
    "declined": only(coordinator=409, sending_staff=403),
    "consent_withdrawn": only(coordinator=409, sending_staff=403),
}
# Registering a person: the network's coordinators; those who see the network otherwise 403.
# Partner staff may register at their door, but only with their partner and the consent they record: a body
# without them is a 400 (tests/people/test_door.py has the rest); an employer and the monitor never (403).
PERSON_CREATE: dict[str, Table] = {
    "own": only(
        coordinator=201, receiving_staff=400, receiving_admin=400, sending_staff=400, employer=403, monitor=403
    ),
    "theirs": only(other_coordinator=201, unrelated_staff=400, unrelated_admin=400, monitor=403),
}
# Instruments are data: the shared one for everyone, a network's own for those who see the network.
A_SIDE = dict.fromkeys(["coordinator", "receiving_staff", "receiving_admin", "sending_staff", "employer"], 200)
B_SIDE = dict.fromkeys(["other_coordinator", "unrelated_staff", "unrelated_admin"], 200)
READ_INSTRUMENT: dict[str, Table] = {
    "shared": expect(200),
    "own": only(monitor=200, **A_SIDE),
    "theirs": only(monitor=200, **B_SIDE),
}


# Support groups: seen by everyone who sees their network (and the partner running them); managed (changed,
# meetings and members recorded) by the network's coordinators and the running partner's staff.
SEE_GROUP: dict[str, Table] = {
    "own": only(monitor=200, **A_SIDE),
    "neighbour": only(monitor=200, **A_SIDE),
    "theirs": only(monitor=200, **B_SIDE),
}
NOT_MANAGERS_A = {"sending_staff": 403, "employer": 403, "monitor": 403}
MANAGE_GROUP: dict[str, Table] = {
    "own": only(coordinator=200, **MOPR, **NOT_MANAGERS_A),
    "neighbour": only(
        coordinator=200, sending_staff=200, receiving_staff=403, receiving_admin=403, employer=403, monitor=403
    ),
    "theirs": only(other_coordinator=200, monitor=403, **BYTOM),
}
# Creating a group names the running partner: the network's coordinators or that partner's staff; staff of
# another partner of the network name a partner they may not run a group for (400); the monitor may not (403).
CREATE_GROUP: dict[str, Table] = {
    "own": only(
        coordinator=201, receiving_staff=201, receiving_admin=201, sending_staff=400, employer=400, monitor=403
    ),
    "neighbour": only(
        coordinator=201, sending_staff=201, receiving_staff=400, receiving_admin=400, employer=400, monitor=403
    ),
    "theirs": only(other_coordinator=201, unrelated_staff=201, unrelated_admin=201, monitor=403),
}
# Adding a person: a manager of the group who also sees the person; MOPR no longer sees the person of the
# declined referral nor the one who withdrew consent, which is answered as bad input (400), not as a 404.
JOIN_GROUP: dict[str, Table] = {
    **each(MANAGE_GROUP, **{"200": 201}),
    "declined": only(coordinator=201, receiving_staff=400, receiving_admin=400, **NOT_MANAGERS_A),
    "consent_withdrawn": only(coordinator=201, receiving_staff=400, receiving_admin=400, **NOT_MANAGERS_A),
}
# Recording an activity: the case manager (in the name of ŚDS); a reader through a referral may not without a
# service of their own (403). A coordinator who works for no partner, in a network that names no coordinating
# partner, has no institution to record in the name of (400).
RECORD_ACTIVITY: dict[str, Table] = {
    "own": only(coordinator=400, sending_staff=201, receiving_staff=403, receiving_admin=403),
    "neighbour": only(coordinator=400),
    "theirs": only(other_coordinator=400, unrelated_staff=403, unrelated_admin=403),
    "declined": only(coordinator=400, sending_staff=201),
    "consent_withdrawn": only(coordinator=400, sending_staff=201),
}
# A notification is its recipient's alone: MOPR's staff member, or network B's NGO staff member.
RECIPIENT = {"own": "receiving_staff", "theirs": "unrelated_staff"}

# Supported employment: a placement is seen by its network's coordinators and its employer's staff (the labour
# office and job coaches too, none of them a persona); only the employer changes it. Candidates: the coordinators
# and the employer while the application is active; after the employer declines, the employer no longer.
SEE_PLACEMENT: dict[str, Table] = {
    "own": only(coordinator=200, employer=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
}
CHANGE_PLACEMENT: dict[str, Table] = {
    "own": only(coordinator=403, employer=200),
    "neighbour": only(coordinator=403),
    "theirs": only(other_coordinator=403),
}
# Posting a placement: the employer's staff (everyone else 403); naming another network's employer is a 404.
POST_PLACEMENT: dict[str, Table] = {"own": expect(403, employer=201), "theirs": expect(403, employer=404)}
# Proposing a candidate: the coordinators (and the labour office, job coaches); the employer may not (403).
PROPOSE: dict[str, Table] = {
    "own": only(coordinator=201, employer=403),
    "neighbour": only(coordinator=201),
    "theirs": only(other_coordinator=201),
}
SEE_APPLICATION: dict[str, Table] = {**SEE_PLACEMENT, "declined": only(coordinator=200)}
# Moving a candidate on (to the interview): the employer, or a coordinator recording for it; a declined
# candidate cannot move again (409).
ADVANCE: dict[str, Table] = {**SEE_PLACEMENT, "declined": only(coordinator=409)}
# Reports: a network's monitoring report for its coordinators only (404 for everyone else, the monitor too);
# the regional report for regional monitors only.
NETWORK_REPORT: dict[str, Table] = {"own": only(coordinator=200), "theirs": only(other_coordinator=200)}


# The case and the support plan (api/cases.py): the coordinators and the case manager. A reader through a referral
# sees the person but not the case (404, like the list of consents).
CASE: dict[str, Table] = PATH_READ
# Opening a case: the network's coordinators. The target's case was closed first, and with it ended what the case
# gave (the case manager's access, the shares of the referrals made in it), so no one else sees the person: 404.
CASE_OPEN: dict[str, Table] = {
    "own": only(coordinator=201),
    "neighbour": only(coordinator=201),
    "theirs": only(other_coordinator=201),
    "declined": only(coordinator=201),
    "consent_withdrawn": only(coordinator=201),
}
# Anonymising: the network's coordinators alone; whoever else sees the person 403.
ANONYMISE: dict[str, Table] = {
    "own": only(coordinator=200, sending_staff=403, receiving_staff=403, receiving_admin=403),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200, unrelated_staff=403, unrelated_admin=403),
    "declined": only(coordinator=200, sending_staff=403),
    "consent_withdrawn": only(coordinator=200, sending_staff=403),
}
# A candidate's job coach and follow-along contacts: the coordinators (and the job coach, not a persona); the
# employer sees the candidate but may not act (403) and never reads the contacts (404).
COACH: dict[str, Table] = {
    "own": only(coordinator=200, employer=403),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
}
FOLLOW_ALONG_READ: dict[str, Table] = {
    "own": only(coordinator=200),
    "neighbour": only(coordinator=200),
    "theirs": only(other_coordinator=200),
}


def person(c: Context, t: str) -> Any:
    return c.scene.people[t]


def a_meeting(c: Context, t: str) -> Any:
    from people.models import Meeting

    return Meeting.objects.create(group=group_of(c, t), held_on=datetime.date(2025, 6, 4), duration_minutes=90)


def a_twin(c: Context, t: str) -> Any:
    """A second record of the target's person in the same network: a duplicate to merge."""
    original = person(c, t)
    return Person.objects.create(network=original.network, first_name=original.first_name, last_name=original.last_name)


def person_url(suffix: str = "") -> Callable[[Context, str, Any], tuple[str, None]]:
    return lambda c, t, p: (f"/api/v1/persons/{person(c, t).pk}/{suffix}", None)


def referral_url(suffix: str = "") -> Callable[[Context, str, Any], tuple[str, dict[str, Any] | None]]:
    return lambda c, t, p: (f"/api/v1/referrals/{p.pk}/{suffix}", None)


def referral_in(state: str) -> Callable[[Context, str], Any]:
    """The target's referral in ``state`` (the declined target's own referral, whatever the state)."""

    def prepare(c: Context, t: str) -> Any:
        if t == "declined":
            return c.scene.referrals[t]
        return c.scene.referral_in(t, state)

    return prepare


def transition(name: str, state: str, expected: dict[str, Table], body: dict[str, Any] | None = None) -> Operation:
    return Operation(
        "POST",
        f"/api/v1/referrals/{{id}}/{name}/",
        lambda c, t, p: (f"/api/v1/referrals/{p.pk}/{name}/", body or {}),
        expected,
        prepare=referral_in(state),
    )


def overdue_referral(c: Context, t: str) -> Any:
    """The target's sent referral, past its answer date (the declined target's own referral, as it is)."""
    referral = referral_in(State.SENT)(c, t)
    if t != "declined":
        Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(hours=1))
        referral.refresh_from_db()
    return referral


def redirect_target(c: Context, t: str, referral: Any) -> Any:
    """Another partner the person's consent covers, so a redirect can be sent; else one it does not cover."""
    covered = [p for p in c.scene.consent_partners(t) if p.pk != referral.to_partner_id]
    return covered[0] if covered else c.scene.onward_partner(t)


def group_of(c: Context, t: str) -> Any:
    """The group a target names; a person-level target (declined, consent withdrawn) names MOPR's group."""
    return c.scene.groups.get(t, c.scene.groups["own"])


def member_of(c: Context, t: str) -> Any:
    """Whom to add to the target's group: someone its managers support."""
    return c.scene.people["theirs" if t == "theirs" else ("own" if t == "neighbour" else t)]


def joined(c: Context, t: str) -> Any:
    member = member_of(c, t)
    group_join(actor=c.scene.coordinator(t), group=group_of(c, t), person=member)
    return member


def notification_of(c: Context, t: str) -> Any:
    user = c.world.personas()[RECIPIENT[t]]
    return Notification.objects.filter(recipient=user, object_id=str(c.scene.referrals[t].pk)).get()


def seen_where_allowed(tables: dict[str, Table]) -> dict[str, Table]:
    """A list under an object (a network's groups): 200 shows the row; 404 stays 404."""
    return {t: {p: SEEN if o == 200 else o for p, o in table.items()} for t, table in tables.items()}


def scores(instrument: Instrument) -> dict[str, int]:
    return {d.code: instrument.scale_min for d in InstrumentDomain.objects.filter(instrument=instrument)}


def open_case(c: Context, t: str) -> Any:
    return Case.objects.open().get(person=person(c, t))


def closed_case(c: Context, t: str) -> Any:
    """The target's case closed by its coordinator, so a new one can be opened."""
    return people_services.case_close(actor=c.scene.coordinator(t), case=open_case(c, t), note="Cel osiągnięty")


def next_stage(c: Context, t: str) -> str:
    return str(c.scene.network_of(t).stages[1]["code"])


def a_goal(c: Context, t: str) -> Any:
    return plan_services.goal_add(
        actor=c.scene.coordinator(t), case=open_case(c, t), domain="housing", description="Własne mieszkanie"
    )


def offered(c: Context, t: str) -> Any:
    return c.employment.offered(t)


def case_url(suffix: str) -> Callable[[Context, str, Any], tuple[str, dict[str, Any] | None]]:
    return lambda c, t, p: (f"/api/v1/cases/{open_case(c, t).pk}/{suffix}", None)


MATRIX = [
    # --- people ---
    Operation(
        "GET",
        "/api/v1/persons/",
        lambda c, t, p: ("/api/v1/persons/", None),
        LIST_PEOPLE,
        list_of=lambda c, t, p: person(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/persons/",
        lambda c, t, p: (
            "/api/v1/persons/",
            {
                "network": str(c.scene.network_of(t).pk),
                "first_name": "Tomasz",
                "last_name": "Nowicki",
                "birth_date": "1990-06-01",
            },
        ),
        PERSON_CREATE,
    ),
    Operation("GET", "/api/v1/persons/{id}/", person_url(), READ_PERSON),
    Operation(
        "PATCH",
        "/api/v1/persons/{id}/",
        lambda c, t, p: (f"/api/v1/persons/{person(c, t).pk}/", {"social_situation": "Mieszka z siostrą"}),
        PATCH_PERSON,
    ),
    Operation("GET", "/api/v1/persons/{id}/consents/", person_url("consents/"), PATH_READ),
    Operation("GET", "/api/v1/persons/{id}/export/", person_url("export/"), EXPORT),
    # Who can see the person, and why: the coordinators and the case manager, as the consent list.
    Operation("GET", "/api/v1/persons/{id}/access/", person_url("access/"), PATH_READ),
    Operation("GET", "/api/v1/persons/{id}/access-log/", person_url("access-log/"), ACCESS_LOG),
    Operation(
        "POST",
        "/api/v1/persons/{id}/consents/",
        lambda c, t, p: (
            f"/api/v1/persons/{person(c, t).pk}/consents/",
            {
                "partners": [str(c.scene.onward_partner(t).pk)],
                "categories": ["identity"],
                "purpose": "Aktywizacja zawodowa",
            },
        ),
        each(PATH_WRITE, **{"200": 201}),
    ),
    Operation(
        "POST",
        "/api/v1/consents/{id}/withdraw/",
        lambda c, t, p: (f"/api/v1/consents/{c.scene.consents[t].pk}/withdraw/", {}),
        # The withdrawn target's consent is gone already: 409 for those who may withdraw it.
        {
            **PATH_WRITE,
            "consent_withdrawn": only(coordinator=409, sending_staff=409),
        },
    ),
    # The person's own account (issue 18): whoever may change the person's path sees and sends the invitation; a
    # reader through a referral does not see it (404) and may not send one (403), as on the person page.
    Operation("GET", "/api/v1/persons/{id}/own-account/", person_url("own-account/"), PATH_READ),
    Operation(
        "POST",
        "/api/v1/persons/{id}/own-account/invitations/",
        lambda c, t, p: (
            f"/api/v1/persons/{person(c, t).pk}/own-account/invitations/",
            {"relation": "person", "channel": "email", "address": "osoba@example.org", "language": "pl"},
        ),
        each(PATH_WRITE, **{"200": 201}),
    ),
    # --- the case and the support plan ---
    Operation("GET", "/api/v1/persons/{id}/case/", person_url("case/"), CASE),
    Operation(
        "POST",
        "/api/v1/persons/{id}/case/",
        lambda c, t, p: (f"/api/v1/persons/{person(c, t).pk}/case/", {}),
        CASE_OPEN,
        prepare=closed_case,
    ),
    Operation(
        "POST",
        "/api/v1/cases/{id}/stage/",
        lambda c, t, p: (f"/api/v1/cases/{open_case(c, t).pk}/stage/", {"stage": next_stage(c, t)}),
        CASE,
    ),
    Operation(
        "POST",
        "/api/v1/cases/{id}/transfer/",
        lambda c, t, p: (
            f"/api/v1/cases/{open_case(c, t).pk}/transfer/",
            {
                "case_manager": None,
                "managing_partner": str(c.scene.group_partner("theirs" if t == "theirs" else "own").pk),
            },
        ),
        CASE,
    ),
    Operation(
        "POST",
        "/api/v1/cases/{id}/close/",
        lambda c, t, p: (f"/api/v1/cases/{open_case(c, t).pk}/close/", {"note": "Cel osiągnięty"}),
        CASE,
    ),
    Operation(
        "POST",
        "/api/v1/cases/{id}/goals/",
        lambda c, t, p: (
            f"/api/v1/cases/{open_case(c, t).pk}/goals/",
            {"domain": "work_education", "description": "Staż"},
        ),
        each(CASE, **{"200": 201}),
    ),
    Operation(
        "POST",
        "/api/v1/goals/{id}/reviews/",
        lambda c, t, p: (f"/api/v1/goals/{p.pk}/reviews/", {"status": "in_progress", "note": "Szuka ofert"}),
        each(CASE, **{"200": 201}),
        prepare=a_goal,
    ),
    Operation(
        "POST",
        "/api/v1/persons/{id}/anonymise/",
        lambda c, t, p: (f"/api/v1/persons/{person(c, t).pk}/anonymise/", {}),
        ANONYMISE,
    ),
    # --- referrals ---
    Operation(
        "GET",
        "/api/v1/referrals/",
        lambda c, t, p: ("/api/v1/referrals/", None),
        listed(READ_REFERRAL),
        list_of=lambda c, t, p: c.scene.referrals[t],
    ),
    Operation(
        "POST",
        "/api/v1/referrals/",
        lambda c, t, p: (
            "/api/v1/referrals/",
            {
                "person": str(person(c, t).pk),
                "to_partner": str(c.scene.onward_partner(t).pk),
                "reason": "Poradnictwo zawodowe",
                "categories": ["identity"],
            },
        ),
        REFERRAL_CREATE,
    ),
    Operation(
        "GET",
        "/api/v1/referrals/{id}/",
        lambda c, t, p: (f"/api/v1/referrals/{c.scene.referrals[t].pk}/", None),
        READ_REFERRAL,
    ),
    transition("send", State.DRAFT, SEND),
    transition("check-in", State.SENT, ANSWER),
    transition("accept", State.SENT, ANSWER),
    transition("start", State.ACCEPTED, RESPOND_ONGOING),
    transition("complete", State.IN_PROGRESS, RESPOND_ONGOING, {"outcome_code": "goal_achieved"}),
    transition("decline", State.SENT, ANSWER, {"reason_code": "no_capacity"}),
    transition("withdraw", State.SENT, WITHDRAW, {"reason_code": "person_declined", "reason_origin": "person"}),
    transition(
        "discontinue",
        State.ACCEPTED,
        RESPOND_ONGOING,
        {"reason_code": "person_unreachable", "outcome_code": "not_achieved"},
    ),
    Operation(
        "POST",
        "/api/v1/referrals/{id}/redirect/",
        lambda c, t, p: (
            f"/api/v1/referrals/{p.pk}/redirect/",
            {"to_partner": str(redirect_target(c, t, p).pk), "note": "Brak odpowiedzi"},
        ),
        REDIRECT,
        prepare=overdue_referral,
    ),
    # --- assessments ---
    Operation(
        "GET",
        "/api/v1/instruments/",
        lambda c, t, p: ("/api/v1/instruments/", None),
        listed(READ_INSTRUMENT),
        list_of=lambda c, t, p: c.instruments[t],
    ),
    Operation(
        "GET",
        "/api/v1/instruments/{id}/",
        lambda c, t, p: (f"/api/v1/instruments/{c.instruments[t].pk}/", None),
        READ_INSTRUMENT,
    ),
    Operation("GET", "/api/v1/persons/{id}/assessments/", person_url("assessments/"), HEALTH),
    Operation(
        "POST",
        "/api/v1/persons/{id}/assessments/",
        lambda c, t, p: (
            f"/api/v1/persons/{person(c, t).pk}/assessments/",
            {"scores": scores(c.instruments["shared"]), "assessed_on": "2025-05-05"},
        ),
        each(HEALTH, **{"200": 201}),
    ),
    # --- support groups ---
    Operation(
        "GET",
        "/api/v1/networks/{id}/groups/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/groups/", None),
        seen_where_allowed(SEE_GROUP),
        list_of=lambda c, t, p: group_of(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/groups/",
        lambda c, t, p: (
            f"/api/v1/networks/{c.scene.network_of(t).pk}/groups/",
            {"partner": str(c.scene.group_partner(t).pk), "name": "Klub pracy", "weekday": 0},
        ),
        CREATE_GROUP,
    ),
    Operation(
        "GET",
        "/api/v1/groups/{id}/",
        lambda c, t, p: (f"/api/v1/groups/{group_of(c, t).pk}/", None),
        SEE_GROUP,
    ),
    Operation(
        "PATCH",
        "/api/v1/groups/{id}/",
        lambda c, t, p: (f"/api/v1/groups/{group_of(c, t).pk}/", {"place": "Sala 12"}),
        MANAGE_GROUP,
    ),
    Operation(
        "POST",
        "/api/v1/groups/{id}/meetings/",
        lambda c, t, p: (
            f"/api/v1/groups/{group_of(c, t).pk}/meetings/",
            {"held_on": "2025-06-04", "topic": "Radzenie sobie ze stresem", "attendees": []},
        ),
        each(MANAGE_GROUP, **{"200": 201}),
    ),
    Operation(
        "POST",
        "/api/v1/groups/{id}/members/",
        lambda c, t, p: (f"/api/v1/groups/{group_of(c, t).pk}/members/", {"person": str(member_of(c, t).pk)}),
        JOIN_GROUP,
    ),
    Operation(
        "POST",
        "/api/v1/groups/{id}/members/leave/",
        lambda c, t, p: (f"/api/v1/groups/{group_of(c, t).pk}/members/leave/", {"person": str(p.pk)}),
        MANAGE_GROUP,
        prepare=joined,
    ),
    # --- a person's activities ---
    Operation("GET", "/api/v1/persons/{id}/activities/", person_url("activities/"), READ_PERSON),
    Operation(
        "POST",
        "/api/v1/persons/{id}/activities/",
        lambda c, t, p: (
            f"/api/v1/persons/{person(c, t).pk}/activities/",
            {"minutes": 45, "topic": "Rozmowa o planie", "occurred_on": "2025-06-02"},
        ),
        RECORD_ACTIVITY,
    ),
    # --- notifications ---
    Operation(
        "GET",
        "/api/v1/notifications/",
        lambda c, t, p: ("/api/v1/notifications/", None),
        {t: expect(HIDDEN, **{who: SEEN}) for t, who in RECIPIENT.items()},
        list_of=lambda c, t, p: notification_of(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/notifications/{id}/read/",
        lambda c, t, p: (f"/api/v1/notifications/{notification_of(c, t).pk}/read/", {}),
        {t: only(**{who: 200}) for t, who in RECIPIENT.items()},
    ),
    Operation(
        "POST",
        "/api/v1/notifications/read-all/",
        lambda c, t, p: ("/api/v1/notifications/read-all/", {}),
        {"-": expect(200)},
    ),
    # --- supported employment ---
    Operation(
        "GET",
        "/api/v1/placements/",
        lambda c, t, p: ("/api/v1/placements/", None),
        listed(SEE_PLACEMENT),
        list_of=lambda c, t, p: c.employment.placements[t],
    ),
    Operation(
        "POST",
        "/api/v1/placements/",
        lambda c, t, p: (
            "/api/v1/placements/",
            {
                "title": "Pakowacz",
                "workplace": "Hala produkcyjna",
                "hours_per_week": 20,
                "contract_form": "internship",
                "positions": 1,
                **({"employer": str(c.employment.placements["theirs"].employer_id)} if t == "theirs" else {}),
            },
        ),
        POST_PLACEMENT,
    ),
    Operation(
        "GET",
        "/api/v1/placements/{id}/",
        lambda c, t, p: (f"/api/v1/placements/{c.employment.placements[t].pk}/", None),
        SEE_PLACEMENT,
    ),
    Operation(
        "PATCH",
        "/api/v1/placements/{id}/",
        lambda c, t, p: (f"/api/v1/placements/{c.employment.placements[t].pk}/", {"hours_per_week": 30}),
        CHANGE_PLACEMENT,
    ),
    Operation(
        "GET",
        "/api/v1/placements/{id}/applications/",
        lambda c, t, p: (f"/api/v1/placements/{c.employment.placement_of(t).pk}/applications/", None),
        # The declined candidate stays on the list for the coordinator, not for the employer.
        {**seen_where_allowed(SEE_PLACEMENT), "declined": only(coordinator=SEEN, employer=HIDDEN)},
        list_of=lambda c, t, p: c.employment.applications[t],
    ),
    Operation(
        "POST",
        "/api/v1/placements/{id}/applications/",
        lambda c, t, p: (
            f"/api/v1/placements/{c.employment.placements[t].pk}/applications/",
            {"person": str(c.employment.fresh_for(t).pk), "note": "Doświadczenie w magazynie"},
        ),
        PROPOSE,
    ),
    Operation(
        "GET",
        "/api/v1/applications/{id}/",
        lambda c, t, p: (f"/api/v1/applications/{c.employment.applications[t].pk}/", None),
        SEE_APPLICATION,
    ),
    Operation(
        "POST",
        "/api/v1/applications/{id}/advance/",
        lambda c, t, p: (f"/api/v1/applications/{c.employment.applications[t].pk}/advance/", {"stage": "interview"}),
        ADVANCE,
    ),
    Operation(
        "POST",
        "/api/v1/applications/{id}/coach/",
        lambda c, t, p: (
            f"/api/v1/applications/{p.pk}/coach/",
            {"coach": str(c.employment.coaches["theirs" if t == "theirs" else "own"].pk)},
        ),
        COACH,
        prepare=offered,
    ),
    Operation(
        "GET",
        "/api/v1/applications/{id}/contacts/",
        lambda c, t, p: (f"/api/v1/applications/{p.pk}/contacts/", None),
        FOLLOW_ALONG_READ,
        prepare=offered,
    ),
    Operation(
        "POST",
        "/api/v1/applications/{id}/contacts/",
        lambda c, t, p: (f"/api/v1/applications/{p.pk}/contacts/", {"minutes": 30, "mode": "phone", "note": "Rozmowa"}),
        each(COACH, **{"200": 201}),
        prepare=offered,
    ),
    # --- reports ---
    Operation(
        "GET",
        "/api/v1/networks/{id}/reports/monitoring/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/reports/monitoring/?year=2025", None),
        NETWORK_REPORT,
    ),
    Operation(
        "GET",
        "/api/v1/reports/regional/",
        lambda c, t, p: ("/api/v1/reports/regional/?year=2025", None),
        {"-": only(monitor=200)},
    ),
    # --- issue 15: correcting or cancelling a meeting (those who manage the group), merging two records ---
    Operation(
        "GET",
        "/api/v1/groups/{group_pk}/meetings/{id}/",
        lambda c, t, p: (f"/api/v1/groups/{p.group_id}/meetings/{p.pk}/", None),
        MANAGE_GROUP,
        prepare=lambda c, t: a_meeting(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/groups/{group_pk}/meetings/{id}/correct/",
        lambda c, t, p: (
            f"/api/v1/groups/{p.group_id}/meetings/{p.pk}/correct/",
            {"reason": "Zły temat", "topic": "Radzenie sobie ze stresem"},
        ),
        MANAGE_GROUP,
        prepare=lambda c, t: a_meeting(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/groups/{group_pk}/meetings/{id}/cancel/",
        lambda c, t, p: (f"/api/v1/groups/{p.group_id}/meetings/{p.pk}/cancel/", {"reason": "Wpisane omyłkowo"}),
        MANAGE_GROUP,
        prepare=lambda c, t: a_meeting(c, t),
    ),
    Operation("GET", "/api/v1/persons/{id}/merges/", person_url("merges/"), MERGE),
    Operation(
        "POST",
        "/api/v1/persons/{id}/merges/",
        lambda c, t, p: (f"/api/v1/persons/{person(c, t).pk}/merges/", {"merged": str(p.pk), "reason": "Duplikat"}),
        each(MERGE, **{"200": 201}),
        prepare=lambda c, t: a_twin(c, t),
    ),
    # The report's period work (issue 15): funding, close and reopen, the PDF sent — a network's coordinators;
    # which networks sent — regional monitors only.
    Operation(
        "GET",
        "/api/v1/networks/{id}/funding/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/funding/", None),
        NETWORK_REPORT,
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/funding/",
        lambda c, t, p: (
            f"/api/v1/networks/{c.scene.network_of(t).pk}/funding/",
            {"year": 2025, "source": "pfron", "amount": "1000.00"},
        ),
        NETWORK_REPORT,
    ),
    Operation(
        "DELETE",
        "/api/v1/networks/{id}/funding/{funding_id}/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/funding/{p.pk}/", None),
        each(NETWORK_REPORT, **{"200": 204}),
        prepare=lambda c, t: _funding(c, t),
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/reports/close/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/reports/close/", {"year": 2025}),
        each(NETWORK_REPORT, **{"200": 201}),
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/reports/reopen/",
        lambda c, t, p: (
            f"/api/v1/networks/{c.scene.network_of(t).pk}/reports/reopen/",
            {"year": 2025, "reason": "korekta"},
        ),
        NETWORK_REPORT,
        prepare=lambda c, t: _closed(c, t),
    ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/reports/sent-pdf/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/reports/sent-pdf/?year=2025", None),
        NETWORK_REPORT,
        prepare=lambda c, t: _closed(c, t),
    ),
    Operation(
        "GET",
        "/api/v1/reports/submissions/",
        lambda c, t, p: ("/api/v1/reports/submissions/?year=2025", None),
        {"-": only(monitor=200)},
    ),
]


def _coordinator_of(c: Context, t: str) -> Any:
    network = c.scene.network_of(t)
    return c.world.coordinator if network == c.world.network else c.world.other_coordinator


def _funding(c: Context, t: str) -> Any:
    from reporting.services import funding_set

    return funding_set(
        actor=_coordinator_of(c, t), network=c.scene.network_of(t), year=2025, source="pfron", amount="5"
    )


def _closed(c: Context, t: str) -> Any:
    from reporting.services import report_close
    from reporting.yearly import Period

    return report_close(actor=_coordinator_of(c, t), network=c.scene.network_of(t), period=Period.year(2025))


def _instrument(actor: Any, network: Any, code: str) -> Instrument:
    levels = [LevelSpec(value, f"Poziom {value}") for value in (1, 2, 3)]
    return instrument_create(
        actor=actor,
        network=network,
        code=code,
        name_pl=f"Skala {code}",
        scale_min=1,
        scale_max=3,
        domains=[DomainSpec("samodzielnosc", "Samodzielność", levels=levels)],
    )


@pytest.fixture
def context(world: World) -> Context:
    shared = default_instrument()
    assert shared is not None, "the default instrument ships with migration 0005"
    scene = build_scene(world)
    return Context(
        scene=scene,
        employment=build_employment(scene),
        instruments={
            "shared": shared,
            "own": _instrument(world.coordinator, world.network, "piekary"),
            "theirs": _instrument(world.other_coordinator, world.other_network, "bytom"),
        },
    )


def observe(response: Any, listed_object: Any) -> Outcome:
    if listed_object is None or response.status_code != 200:
        return int(response.status_code)
    ids = {str(row["id"]) for row in response.json()["results"]}  # notification ids are numbers
    return SEEN if str(listed_object.pk) in ids else HIDDEN


# --- the day's work: worklist, printable documents, the agreement's history ----------------------------------


def a_recorded_meeting(c: Context, t: str) -> Any:
    from people.groups import meeting_record

    group = group_of(c, t)
    return meeting_record(
        actor=c.scene.coordinator(t), group=group, held_on=timezone.localdate(), duration_minutes=60, attendee_ids=[]
    )


def an_agreement(c: Context, t: str) -> Any:
    from django.core.files.base import ContentFile

    from tests.factories import AgreementFactory

    agreement = AgreementFactory(network=c.scene.network_of(t))
    agreement.document.save("porozumienie.pdf", ContentFile(b"%PDF-1.4\n%test\n%%EOF\n"))
    return agreement


# Who may register in a network (and so print its blank consent form): its coordinators and member partners'
# staff; an employer and the monitor get 404 for a document.
DOOR_NETWORK: dict[str, Table] = {
    "own": only(coordinator=200, **MOPR, sending_staff=200),
    "theirs": only(other_coordinator=200, **BYTOM),
}
SEE_NETWORK_A = only(monitor=200, **A_SIDE)
SEE_NETWORK_B = only(monitor=200, **B_SIDE)
SEE_AGREEMENT: dict[str, Table] = {"own": SEE_NETWORK_A, "theirs": SEE_NETWORK_B}
ADD_AGREEMENT: dict[str, Table] = {
    "own": only(
        coordinator=201, receiving_staff=403, receiving_admin=403, sending_staff=403, employer=403, monitor=403
    ),
    "theirs": only(other_coordinator=201, unrelated_staff=403, unrelated_admin=403, monitor=403),
}

MATRIX += [
    Operation(
        "GET",
        "/api/v1/me/worklist/",
        lambda c, t, p: ("/api/v1/me/worklist/", None),
        {"own": expect(200, employer=404, monitor=404)},
    ),
    Operation("GET", "/api/v1/persons/{id}/documents/consent-form/", person_url("documents/consent-form/"), PATH_READ),
    Operation("GET", "/api/v1/persons/{id}/documents/support-plan/", person_url("documents/support-plan/"), PATH_READ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/documents/consent-form/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/documents/consent-form/", None),
        DOOR_NETWORK,
    ),
    Operation(
        "GET",
        "/api/v1/meetings/{id}/documents/attendance-list/",
        lambda c, t, p: (f"/api/v1/meetings/{p.pk}/documents/attendance-list/", None),
        each(MANAGE_GROUP, **{"403": 404}),
        prepare=a_recorded_meeting,
    ),
    Operation(
        "GET",
        "/api/v1/referrals/{id}/documents/letter/",
        referral_url("documents/letter/"),
        READ_REFERRAL,
        prepare=lambda c, t: c.scene.referrals[t],
    ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/agreements/",
        lambda c, t, p: (f"/api/v1/networks/{c.scene.network_of(t).pk}/agreements/", None),
        SEE_AGREEMENT,
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/agreements/",
        lambda c, t, p: (
            f"/api/v1/networks/{c.scene.network_of(t).pk}/agreements/",
            {"title": "Porozumienie — nowa wersja", "valid_from": "2031-01-01"},
        ),
        ADD_AGREEMENT,
    ),
    Operation(
        "GET",
        "/api/v1/agreements/{id}/",
        lambda c, t, p: (f"/api/v1/agreements/{p.pk}/", None),
        SEE_AGREEMENT,
        prepare=an_agreement,
    ),
    Operation(
        "PATCH",
        "/api/v1/agreements/{id}/",
        lambda c, t, p: (f"/api/v1/agreements/{p.pk}/", {"title": "Porozumienie (tekst jednolity)"}),
        each(ADD_AGREEMENT, **{"201": 200}),
        prepare=an_agreement,
    ),
    Operation(
        "GET",
        "/api/v1/agreements/{id}/document/",
        lambda c, t, p: (f"/api/v1/agreements/{p.pk}/document/", None),
        SEE_AGREEMENT,
        prepare=an_agreement,
    ),
]


# After an expiry every answer is the one after a withdrawal (tests/permission_scenes.py).
for _row in MATRIX:
    _row.expected = with_expiry_column(_row.expected)

CASES = [(op, target) for op in MATRIX for target in op.expected]


@pytest.mark.parametrize(
    ("operation", "target"), CASES, ids=[f"{op.method} {op.path} {target}" for op, target in CASES]
)
def test_it_answers_each_persona_exactly(context: Context, operation: Operation, target: str) -> None:
    prepared = operation.prepare(context, target) if operation.prepare else None
    actual: dict[str, Outcome] = {}
    for persona, client in clients(context.world).items():
        # Each persona acts on the same starting state: whatever it changed is rolled back.
        with transaction.atomic():
            url, body = operation.request(context, target, prepared)
            response = getattr(client, operation.method.lower())(url, body, format="json")
            if response.status_code in (401, 403, 404, 409):
                assert {"detail", "code"} <= set(response.json()), response.json()
            listed_object = operation.list_of(context, target, prepared) if operation.list_of else None
            actual[persona] = observe(response, listed_object)
            transaction.set_rollback(True)
    assert actual == operation.expected[target]


def test_it_covers_every_target_of_people_and_referrals() -> None:
    """Each person- or referral-level row names all five targets, so a new row cannot quietly skip one."""
    for op in MATRIX:
        about_one = op.path.startswith(("/api/v1/persons/{id}/", "/api/v1/referrals/", "/api/v1/consents/"))
        if about_one or (op.path == "/api/v1/persons/" and op.method == "GET"):
            assert set(op.expected) == set(TARGETS), (op.method, op.path)
        for table in op.expected.values():
            assert set(table) == set(PERSONAS)


# --- what a person's JSON may contain -----------------------------------------------------------------


def person_level_get_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path for path, item in schema["paths"].items() if path.startswith("/api/v1/persons/{id}/") and "get" in item
    )


def test_it_never_sends_health_fields_without_the_health_category(context: Context) -> None:
    """For every persona and person (one of them with health data shared with MOPR under consent): health
    fields are absent from the JSON unless the reader holds the health category, and present when they do."""
    w, scene = context.world, context.scene
    health_person = build_health_person(scene)
    people = [*scene.people.values(), health_person]
    holders: dict[Any, set[str]] = {p.pk: set() for p in people}
    failures = []
    for persona, client in clients(w).items():
        user = w.personas()[persona]
        found: dict[Any, dict[str, Any]] = {}
        listing = client.get("/api/v1/persons/", {"page_size": 200})
        if listing.status_code == 200:
            found |= {row["id"]: row for row in listing.json()["results"]}
        for p in people:
            response = client.get(f"/api/v1/persons/{p.pk}/")
            if response.status_code == 200:
                found[str(p.pk)] = response.json()
        for pk, data in found.items():
            # Candidates of the employment scene are listed too: every person read is checked.
            access = access_to_person(user, Person.objects.get(pk=pk))
            assert access is not None
            holds_health = "health" in access.categories
            if holds_health:
                holders.setdefault(access.person.pk, set()).add(persona)
            present = HEALTH_FIELDS & set(data)
            if holds_health != ("health" in data["categories"]) or present != (
                HEALTH_FIELDS if holds_health else set()
            ):
                failures.append(f"{persona} reading {pk}: categories {data['categories']}, health fields {present}")
    assert not failures, "\n".join(failures)
    # Who holds health: the network's coordinators; MOPR only for the person whose consent shares it with MOPR.
    assert holders[health_person.pk] == {"coordinator", "receiving_staff", "receiving_admin"}
    for target, p in scene.people.items():
        assert holders[p.pk] == {"other_coordinator" if target == "theirs" else "coordinator"}, target


def build_health_person(scene: Scene) -> Any:
    """A person of network A whose consent and referral share health data with MOPR."""
    w = scene.world
    p = make_person(w, first_name="Zofia", last_name="Kamińska", birth_date=datetime.date(1970, 1, 1))
    make_case(w, p, manager=w.sending_staff, partner=w.sending)
    make_consent(w, p, ["identity", "health"], partners=[w.receiving])
    referral = services.referral_create(
        actor=w.coordinator, person=p, to_partner=w.receiving, reason="Wsparcie", categories=["identity", "health"]
    )
    services.referral_send(actor=w.coordinator, referral=referral)
    return p


def test_it_never_answers_200_to_the_employer_or_the_monitor_about_a_person(context: Context) -> None:
    """Not even about the candidates the employer reads through its placements (name and contact only)."""
    w, scene = context.world, context.scene
    candidates = [a.person for a in context.employment.applications.values()]
    api = clients(w)
    paths = person_level_get_paths()
    assert paths, "the schema has person-level endpoints"
    # Lists: the employer gets an empty page; the monitor does not reach the list of people at all.
    assert api["employer"].get("/api/v1/persons/").json()["results"] == []
    assert api["monitor"].get("/api/v1/persons/").status_code == 404
    for persona in ("employer", "monitor"):
        client = api[persona]
        assert client.get("/api/v1/referrals/").json()["results"] == []
        for p in [*scene.people.values(), *candidates]:
            for path in paths:
                url = path.replace("{id}", str(p.pk))
                assert client.get(url).status_code == 404, (persona, url)
        for referral in scene.referrals.values():
            assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


@pytest.mark.parametrize("target", ["consent_withdrawn", "consent_expired"])
def test_it_stops_the_referral_and_the_person_for_mopr_once_the_consent_ends(context: Context, target: str) -> None:
    """The sent referral was withdrawn by the consent's end: MOPR has neither it nor the person; the sender reads
    why (reason consent_withdrawn, from the person)."""
    w, scene = context.world, context.scene
    referral = scene.referrals[target]
    signed_in = clients(w)
    mopr = signed_in["receiving_staff"]
    assert mopr.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert mopr.get(f"/api/v1/persons/{referral.person_id}/").status_code == 404
    sender = signed_in["sending_staff"].get(f"/api/v1/referrals/{referral.pk}/").json()
    assert sender["status"] == "withdrawn"
    assert sender["actions"] == []
    own = mopr.get(f"/api/v1/referrals/{scene.referrals['own'].pk}/").json()
    assert own["person_name"] == "Anna Kowalska"


def test_it_shows_a_groups_people_only_to_those_who_manage_it(context: Context) -> None:
    w, scene = context.world, context.scene
    group = scene.groups["own"]
    group_join(actor=w.coordinator, group=group, person=scene.people["own"])
    managers = {"coordinator", "receiving_staff", "receiving_admin"}
    for persona, client in clients(w).items():
        response = client.get(f"/api/v1/groups/{group.pk}/")
        if response.status_code != 200:
            continue
        data = response.json()
        assert data["members_now"] == 1
        if persona in managers:
            assert [m["person"]["id"] for m in data["members"]] == [str(scene.people["own"].pk)], persona
        else:
            assert "members" not in data and "meetings" not in data, persona


@pytest.mark.parametrize("malformed", [False, True], ids=["unknown id", "malformed id"])
def test_it_answers_a_missing_object_as_it_answers_a_forbidden_one(context: Context, malformed: bool) -> None:
    """Every operation on one object, by the coordinator who may do most: an id that exists nowhere (or is not
    even a UUID) answers the same JSON 404 as an object of another network."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = clients(context.world)["coordinator"]
    missing = "not-a-uuid" if malformed else str(uuid.uuid4())
    failures = []
    for path, item in schema["paths"].items():
        if "{id}" not in path:
            continue
        for method in item:
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            response = getattr(client, method)(path.replace("{id}", missing), {}, format="json")
            answer = response.json() if response.status_code == 404 else {}
            if set(answer) != {"detail", "code"} or answer["code"] != "not_found":
                failures.append(f"{method.upper()} {path}: {response.status_code} {response.content[:120]!r}")
    assert not failures, "\n".join(failures)
