"""The support plan (indywidualny plan wsparcia): goals with a life domain, who is responsible, target date,
status, and dated reviews."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, PermissionDenied
from partners.models import Partner, User
from people.access import access_to_person
from people.audit import log_access
from people.models import AccessAction, Case, Goal, GoalReview, GoalStatus, LifeDomain, SupportPlan
from people.selectors import network_partners


def _check_can_plan(actor: User, case: Case) -> None:
    access = access_to_person(actor, case.person)
    if access is None or not access.can_change_path:
        raise PermissionDenied
    if case.closed_on is not None:
        raise Conflict(_("This case is closed."), code="case_closed")


def current_plan(case: Case) -> SupportPlan | None:
    return case.plans.filter(is_current=True).first()


@transaction.atomic
def plan_start(*, actor: User, case: Case, title: str = "", agreed_on: datetime.date | None = None) -> SupportPlan:
    """Start a new plan; the previous one stays as history."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    _check_can_plan(actor, case)
    case.plans.filter(is_current=True).update(is_current=False, updated_at=timezone.now())
    plan = SupportPlan(case=case, title=title.strip(), agreed_on=agreed_on or timezone.localdate(), created_by=actor)
    plan.full_clean()
    plan.save()
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"plan:{plan.pk}")
    return plan


@transaction.atomic
def goal_add(
    *,
    actor: User,
    case: Case,
    domain: str,
    description: str,
    responsible_partner: Partner | None = None,
    target_date: datetime.date | None = None,
) -> Goal:
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    _check_can_plan(actor, case)
    plan = current_plan(case) or plan_start(actor=actor, case=case)
    if domain not in LifeDomain.values:
        raise ValidationError({"domain": _("Choose a life domain.")})
    # The goal form offers exactly ``network_partners``: a partner that has left the network is refused.
    if (
        responsible_partner is not None
        and not network_partners(case.network_id).filter(pk=responsible_partner.pk).exists()
    ):
        raise ValidationError({"responsible_partner": _("The partner must be a current member of this network.")})
    if target_date is not None and target_date < plan.agreed_on:
        raise ValidationError({"target_date": _("The target date cannot be before the plan was agreed.")})
    goal = Goal(
        plan=plan,
        domain=domain,
        description=(description or "").strip(),
        responsible_partner=responsible_partner,
        target_date=target_date,
    )
    goal.full_clean()
    goal.save()
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"goal:{goal.pk}")
    return goal


@transaction.atomic
def goal_review(
    *, actor: User, goal: Goal, status: str, note: str = "", reviewed_on: datetime.date | None = None
) -> GoalReview:
    goal = Goal.objects.select_for_update().select_related("plan__case__person").get(pk=goal.pk)
    case = goal.plan.case
    _check_can_plan(actor, case)
    if status not in GoalStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    day = reviewed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The review date cannot be in the future.")})
    review = GoalReview(goal=goal, status=status, note=(note or "").strip(), reviewed_on=day, reviewed_by=actor)
    review.full_clean()
    review.save()
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"goal-review:{goal.pk}")
    return review


def plan_context(case: Case | None) -> dict[str, Any]:
    """The current plan with goals, responsible partners and reviews, in three queries."""
    if case is None:
        return {"plan": None, "goals": []}
    plan = case.plans.filter(is_current=True).first()
    if plan is None:
        return {"plan": None, "goals": []}
    goals = list(plan.goals.select_related("responsible_partner").prefetch_related("reviews"))
    return {"plan": plan, "goals": goals}
