"""Referrals and their timelines: a state that depends on age, and the events that lead to it.

Young referrals are open, old ones mostly closed; every referral has a create event, and a send event unless it
is a draft, then the answers and closing that its state needs, each a plausible while after the one before.
"""

from __future__ import annotations

import datetime

from demo.scale.copying import NULL, CopyTable, array, opt, ts, ts_or_null
from demo.scale.plan import DAY, PlannedNetwork, Run, cumulative
from referrals.choices import OutcomeCode, ReasonCode, State
from referrals.models import Referral, ReferralEvent

REASONS = [
    "Potrzebuje wsparcia w codziennym funkcjonowaniu po wypisie ze szpitala.",
    "Zgłasza trudności finansowe i mieszkaniowe.",
    "Chce wrócić na rynek pracy, potrzebuje diagnozy zawodowej.",
    "Wymaga kontynuacji leczenia i wsparcia psychologicznego.",
    "Rodzina prosi o pomoc w organizacji usług opiekuńczych.",
    "Poszukuje zajęć w ciągu dnia i kontaktu z grupą.",
]
GOALS = [
    "Stabilizacja stanu i regularne wizyty.",
    "Podjęcie zatrudnienia wspieranego.",
    "Uzyskanie świadczeń i uregulowanie spraw urzędowych.",
    "Udział w zajęciach grupowych co najmniej raz w tygodniu.",
    "",
]
NOTES = ["", "", "Ustalono telefonicznie.", "Według rozmowy z osobą.", "Brak odpowiedzi na trzy próby kontaktu."]
LEGAL_BASIS = "Ustawa o pomocy społecznej: współdziałanie w niezbędnym zakresie (decyzja koordynatora)"
# Categories beyond identity that a consent covers (and, halved, that a referral on a legal basis shares).
CATEGORY_ODDS = (("social", 0.75), ("health", 0.5), ("employment", 0.6))

# State by age of the referral: (state, weight). Young referrals are open, old ones mostly closed.
STATE_MIX: list[tuple[float, list[tuple[str, float]]]] = [
    (14, [(State.DRAFT, 12), (State.SENT, 45), (State.ACCEPTED, 22), (State.IN_PROGRESS, 10), (State.DECLINED, 7),
          (State.WITHDRAWN, 4)]),
    (90, [(State.DRAFT, 2), (State.SENT, 5), (State.ACCEPTED, 8), (State.IN_PROGRESS, 40), (State.COMPLETED, 20),
          (State.DECLINED, 13), (State.WITHDRAWN, 6), (State.DISCONTINUED, 6)]),
    (float("inf"), [(State.SENT, 0.3), (State.ACCEPTED, 0.5), (State.IN_PROGRESS, 4), (State.COMPLETED, 62),
                    (State.DECLINED, 15), (State.WITHDRAWN, 8), (State.DISCONTINUED, 10.2)]),
]  # fmt: skip
TERMINAL = frozenset({State.COMPLETED, State.DECLINED, State.WITHDRAWN, State.DISCONTINUED})

Event = tuple[str, str, str, str, float, str, str, str]  # action, from, to, actor, at, reason code, origin, note


class ReferralWriter:
    """The referral and event tables of one load."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.referrals = CopyTable(
            run.cursor,
            Referral,
            ["id", "created_at", "updated_at", "network_id", "person_id", "case_id", "from_partner_id",
             "created_by_id", "to_partner_id", "service_id", "reason", "goal", "categories", "priority", "state",
             "due_by", "sent_at", "answered_at", "checked_in_at", "closed_at", "overdue_alerted_at", "legal_basis",
             "holds_place", "waitlisted_at", "reason_code", "reason_origin", "reason_note", "outcome_code",
             "outcome_note", "redirected_from_id"],
        )  # fmt: skip
        self.events = CopyTable(
            run.cursor,
            ReferralEvent,
            ["referral_id", "action", "from_state", "to_state", "actor_id", "at", "reason_code", "reason_origin",
             "note"],
        )  # fmt: skip
        self.state_tables = [
            (limit, [s for s, _w in mix], list(cumulative([w for _s, w in mix]))) for limit, mix in STATE_MIX
        ]

    def flush(self) -> None:
        self.referrals.flush()
        self.events.flush()

    def state(self, age: float) -> str:
        for limit, states, cum in self.state_tables:
            if age < limit * DAY:
                return self.run.rng.choices(states, cum_weights=cum)[0]
        raise AssertionError("unreachable")

    def _step(self, start: float, mean_days: float) -> float:
        """A later moment, roughly ``mean_days`` on, never in the future."""
        rng = self.run.rng
        return start + min(rng.expovariate(1 / (mean_days * DAY)), (self.run.now - start) * rng.random())

    def add(
        self,
        net: PlannedNetwork,
        person_id: str,
        case_id: str | None,
        created: float,
        state: str,
        index: int,
        consented: list[str],
        uncovered: bool,
    ) -> float:
        """One referral and its timeline; returns when it closed (or ``created``)."""
        rng, now = self.run.rng, self.run.now
        to = self.run.partners[index]
        rid = self.run.uid()
        legal_basis = LEGAL_BASIS if uncovered or not consented else ""
        if legal_basis or rng.random() < 0.08:
            from_id = NULL
            created_by = rng.choice(net.coordinators)
        else:
            sender = self.run.partners[net.pick_member(rng, exclude=index)]
            from_id = sender.id
            created_by = rng.choice(sender.staff)
        if legal_basis:
            categories = ["identity"] + [cat for cat, odds in CATEGORY_ODDS if rng.random() < odds / 2]
        else:
            categories = ["identity"] + [cat for cat in consented[1:] if rng.random() < 0.5]
        service = rng.choice(to.services) if rng.random() < 0.95 else None
        urgent = rng.random() < 0.15

        events: list[Event] = []
        sent_at: float | None = None
        due_by: float | None = None
        answered: float | None = None
        checked_in: float | None = None
        closed: float | None = None
        overdue: float | None = None
        reason_code = origin = reason_note = outcome = ""
        events.append(("create", "", State.DRAFT, created_by, created, "", "", ""))
        if state != State.DRAFT:
            sent_at = created + rng.random() * min(2 * DAY, now - created)
            events.append(("send", State.DRAFT, State.SENT, created_by, sent_at, "", "", ""))
            due_by = _due(sent_at, urgent, net)
            reached = state
            if state == State.WITHDRAWN:
                reached = rng.choices([State.SENT, State.ACCEPTED, State.IN_PROGRESS], [50, 25, 25])[0]
            elif state == State.DISCONTINUED:
                reached = State.IN_PROGRESS if rng.random() < 0.6 else State.ACCEPTED
            last = sent_at
            if reached == State.SENT and rng.random() < 0.1:
                checked_in = self._step(sent_at, 1)
                due_by = _due(checked_in, urgent, net)
                events.append(("check_in", State.SENT, State.SENT, rng.choice(to.staff), checked_in, "", "", ""))
                last = checked_in
            if reached in (State.ACCEPTED, State.IN_PROGRESS, State.COMPLETED):
                answered = last = self._step(sent_at, 3)
                events.append(("accept", State.SENT, State.ACCEPTED, rng.choice(to.staff), answered, "", "", ""))
            if reached in (State.IN_PROGRESS, State.COMPLETED):
                last = self._step(last, 7)
                events.append(("start", State.ACCEPTED, State.IN_PROGRESS, rng.choice(to.staff), last, "", "", ""))
            if state == State.COMPLETED:
                closed = self._step(last, 60)
                outcome = rng.choice(OutcomeCode.values)
                events.append(("complete", State.IN_PROGRESS, state, rng.choice(to.staff), closed, "", "", ""))
            elif state == State.DECLINED:
                answered = closed = self._step(sent_at, 3)
                reason_code, origin, reason_note = rng.choice(ReasonCode.values), "partner", rng.choice(NOTES)
                events.append(("decline", State.SENT, state, rng.choice(to.staff), closed, reason_code, origin,
                               reason_note))  # fmt: skip
            elif state in (State.WITHDRAWN, State.DISCONTINUED):
                closed = self._step(last, 10 if state == State.WITHDRAWN else 45)
                reason_code = rng.choice(ReasonCode.values)
                origin = rng.choice(["partner", "person"])
                reason_note = rng.choice(NOTES)
                actor = created_by if state == State.WITHDRAWN else rng.choice(to.staff)
                action = "withdraw" if state == State.WITHDRAWN else "discontinue"
                if state == State.DISCONTINUED:
                    outcome = rng.choice([OutcomeCode.NOT_ACHIEVED, OutcomeCode.PARTIALLY_ACHIEVED, OutcomeCode.OTHER])
                events.append((action, reached, state, actor, closed, reason_code, origin, reason_note))
            if state == State.SENT and due_by < now:
                overdue = min(due_by + 3600, now)
        holds = state in (State.ACCEPTED, State.IN_PROGRESS) and service is not None and service.capacity is not None
        if holds and service is not None:
            service.load += 1
        updated = events[-1][4] if events else created
        self.referrals.add(
            rid, ts(created), ts(updated), net.id, person_id, opt(case_id), from_id, created_by, to.id,
            service.id if service else NULL, rng.choice(REASONS), rng.choice(GOALS), array(categories),
            "urgent" if urgent else "normal", state, ts_or_null(due_by), ts_or_null(sent_at),
            ts_or_null(answered), ts_or_null(checked_in), ts_or_null(closed), ts_or_null(overdue), legal_basis,
            "t" if holds else "f", NULL, reason_code, origin, reason_note, outcome, "", NULL,
        )  # fmt: skip
        for action, from_state, to_state, actor, at, code, why_origin, note in events:
            self.events.add(rid, action, from_state, to_state, actor, ts(at), code, why_origin, note)
        return closed if closed is not None else created


def _due(start: float, urgent: bool, net: PlannedNetwork) -> float:
    if not urgent:
        return start + net.days_normal * DAY
    due = start + DAY  # one working day
    weekday = datetime.datetime.fromtimestamp(due, datetime.UTC).weekday()
    return due + (7 - weekday) * DAY if weekday >= 5 else due
