"""My work: what waits for one case manager or partner staff member today, across the domains.

- referrals waiting for my answer: sent to a partner I work for and not answered yet, soonest deadline first,
  with the time left;
- my cases with plan reviews due: open goals of the current plan of my open cases whose target date is within two
  weeks (or past), or that nobody has reviewed for three months;
- consents expiring within 30 days: of the people of my open cases, of the people registered at my partners' door,
  and (for a coordinator) of their networks' people;
- candidates to follow up: the hires I coach whose next retention checkpoint is within two weeks (or past), and the
  candidates I proposed who still wait for the employer's decision.

A fixed number of queries whatever the number of rows (tests/reporting/test_worklist.py locks it). Reads only;
an employer's staff has no worklist of people (404 at the doors).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone

from core.scope import scope_for
from core.types import AuthUser
from employment.models import BEFORE_HIRE, EMPLOYED, PlacementApplication
from employment.retention import next_checkpoint
from people.models import CATEGORY_PERMISSIONS, Consent, DataCategory, Goal, GoalStatus, PersonGroupObjectPermission
from referrals.access import referrals_visible_to
from referrals.choices import State
from referrals.models import Referral

REVIEW_AHEAD_DAYS = 14
REVIEW_EVERY_DAYS = 90
CONSENT_AHEAD_DAYS = 30
CHECKPOINT_AHEAD_DAYS = 14
OPEN_GOALS = (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)


@dataclass(frozen=True)
class WaitingReferral:
    referral: Referral
    shows_name: bool
    seconds_left: int | None  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0


@dataclass(frozen=True)
class ReviewDue:
    goal: Goal
    last_reviewed: datetime.date | None
    why: str  # target | stale


@dataclass(frozen=True)
class FollowUp:
    application: PlacementApplication
    checkpoint: str
    due: datetime.date | None


@dataclass
class Worklist:
    referrals: list[WaitingReferral] = field(default_factory=list)
    reviews: list[ReviewDue] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    candidates: list[FollowUp] = field(default_factory=list)

    def people(self) -> list[Any]:
        """Whose data the list shows (by name), each once: the doors write their access-log rows."""
        shown = [c.person for c in self.consents] + [r.goal.plan.case.person for r in self.reviews]
        shown += [r.referral.person for r in self.referrals if r.shows_name]
        shown += [c.application.person for c in self.candidates]
        return list({person.pk: person for person in shown}.values())

    @property
    def is_empty(self) -> bool:
        return not (self.referrals or self.reviews or self.consents or self.candidates)


def worklist_for(user: AuthUser, *, now: datetime.datetime | None = None) -> Worklist:
    scope = scope_for(user)
    if (
        scope.user_id is None
        or not scope.reads_people
        or not (scope.staff_partner_ids or scope.coordinated_network_ids)
    ):
        raise Http404
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    work = Worklist()
    partners = list(scope.staff_partner_ids)

    # Referrals waiting for my answer (query 1), and which of their people my partners may name (query 2).
    if partners:
        waiting = list(
            referrals_visible_to(user)
            .filter(to_partner_id__in=partners, state=State.SENT)
            .select_related("person", "from_partner", "to_partner", "service")
            .order_by("due_by", "sent_at")[:50]
        )
        named = set(
            PersonGroupObjectPermission.objects.filter(
                group_id__in=list(scope.staff_group_ids),
                permission__codename=CATEGORY_PERMISSIONS[DataCategory.IDENTITY],
                content_object_id__in=[r.person_id for r in waiting],
            ).values_list("content_object_id", flat=True)
        )
        for referral in waiting:
            left = int((referral.due_by - now).total_seconds()) if referral.due_by else None
            shows = referral.person_id in named or referral.network_id in scope.coordinated_network_ids
            work.referrals.append(WaitingReferral(referral=referral, shows_name=shows, seconds_left=left))

    # Plan reviews due on my open cases (query 3).
    stale_before = today - datetime.timedelta(days=REVIEW_EVERY_DAYS)
    goals = (
        Goal.objects.filter(
            plan__is_current=True,
            plan__case__case_manager_id=scope.user_id,
            plan__case__closed_on__isnull=True,
            status__in=OPEN_GOALS,
        )
        .annotate(last_reviewed=Max("reviews__reviewed_on"))
        .filter(
            Q(target_date__lte=today + datetime.timedelta(days=REVIEW_AHEAD_DAYS))
            | Q(last_reviewed__lt=stale_before)
            | Q(last_reviewed__isnull=True, plan__agreed_on__lt=stale_before)
        )
        .select_related("plan__case__person", "responsible_partner")
        .order_by("target_date", "plan__case__person__last_name")[:50]
    )
    for goal in goals:
        soon = goal.target_date is not None and goal.target_date <= today + datetime.timedelta(days=REVIEW_AHEAD_DAYS)
        work.reviews.append(ReviewDue(goal=goal, last_reviewed=goal.last_reviewed, why="target" if soon else "stale"))

    # Consents ending within 30 days (query 4).
    whose = Q(person__cases__case_manager_id=scope.user_id, person__cases__closed_on__isnull=True)
    if partners:
        whose |= Q(person__door_partner_id__in=partners)
    if scope.coordinated_network_ids:
        whose |= Q(person__network_id__in=list(scope.coordinated_network_ids))
    work.consents = list(
        Consent.objects.live(today)
        .filter(valid_until__range=(today, today + datetime.timedelta(days=CONSENT_AHEAD_DAYS)))
        .filter(whose, person__anonymised_at__isnull=True)
        .select_related("person")
        .distinct()
        .order_by("valid_until", "person__last_name")[:50]
    )

    # Candidates to follow up (query 5): my hires as their job coach, my proposals waiting for the employer.
    applications = (
        PlacementApplication.objects.filter(
            Q(job_coach_id=scope.user_id, stage__in=EMPLOYED) | Q(proposed_by_id=scope.user_id, stage__in=BEFORE_HIRE)
        )
        .select_related("person", "placement", "employer")
        .order_by("stage_changed_at")[:100]
    )
    horizon = today + datetime.timedelta(days=CHECKPOINT_AHEAD_DAYS)
    for application in applications:
        if application.stage in EMPLOYED:
            checkpoint = next_checkpoint(application)
            if checkpoint is None or checkpoint[1] > horizon:
                continue
            work.candidates.append(FollowUp(application=application, checkpoint=checkpoint[0], due=checkpoint[1]))
        else:
            work.candidates.append(FollowUp(application=application, checkpoint="", due=None))
    return work


def worklist_data(work: Worklist) -> dict[str, Any]:
    """The API's shape: ids, dates and codes with their labels; a person's name only where the reader may name them."""
    from employment.models import STAGE_LABELS

    def name(person: Any) -> str:
        return f"{person.first_name} {person.last_name}"

    return {
        "referrals": [
            {
                "id": str(item.referral.pk),
                "person": str(item.referral.person_id),
                "person_name": name(item.referral.person) if item.shows_name else None,
                "from_partner": item.referral.from_partner.name if item.referral.from_partner else None,
                "to_partner": item.referral.to_partner.name,
                "service": item.referral.service.name if item.referral.service else None,
                "priority": item.referral.priority,
                "due_by": item.referral.due_by,
                "seconds_left": item.seconds_left,
                "overdue": item.overdue,
            }
            for item in work.referrals
        ],
        "reviews": [
            {
                "goal": str(item.goal.pk),
                "case": str(item.goal.plan.case_id),
                "person": str(item.goal.plan.case.person_id),
                "person_name": name(item.goal.plan.case.person),
                "description": item.goal.description,
                "target_date": item.goal.target_date,
                "last_reviewed": item.last_reviewed,
                "why": item.why,
            }
            for item in work.reviews
        ],
        "consents": [
            {
                "id": str(consent.pk),
                "person": str(consent.person_id),
                "person_name": name(consent.person),
                "valid_until": consent.valid_until,
                "categories": consent.categories,
            }
            for consent in work.consents
        ],
        "candidates": [
            {
                "application": str(item.application.pk),
                "person": str(item.application.person_id),
                "person_name": name(item.application.person),
                "placement": item.application.placement.title,
                "employer": item.application.employer.name,
                "stage": item.application.stage,
                "stage_label": str(STAGE_LABELS[item.application.stage]),
                "checkpoint": item.checkpoint or None,
                "checkpoint_label": str(STAGE_LABELS[item.checkpoint]) if item.checkpoint else None,
                "checkpoint_due": item.due,
            }
            for item in work.candidates
        ],
    }
