"""A person's case and support plan under /api/v1/: open, change the stage, transfer, close; goals and reviews.

The same services as the person page (people.services, people.plans), marked with ``core.actions.performs``;
who may do what is their check. The partners and case managers an id may name are the ones the page's forms
offer (people.selectors), so a page and the API refuse the same input.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from people import plans as plan_services
from people import services as people_services
from people.access import get_person_for
from people.audit import log_access
from people.models import AccessAction, Case, Goal, GoalReview, GoalStatus, LifeDomain
from people.selectors import (
    case_events,
    case_managers,
    get_case_for,
    get_goal_for,
    managing_partners,
    network_partners,
    open_case_of,
)


def _chosen(queryset: Any, pk: Any, field: str, message: str) -> Any:
    """The object an id names among the choices the page offers; another id is a field error (400)."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError({field: [message]})
    return found


def _manager_and_partner(case_network_id: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "managing_partner": _chosen(
            managing_partners(case_network_id),
            data.get("managing_partner"),
            "managing_partner",
            _("Choose a current partner of this network (not an employer)."),
        ),
        "case_manager": _chosen(
            case_managers(case_network_id),
            data.get("case_manager"),
            "case_manager",
            _("Choose someone who works for a partner of this network or coordinates it."),
        ),
    }


# --- what goes out ----------------------------------------------------------------------------------


class CaseEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.UUIDField(source="actor_id")
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    to_manager = serializers.UUIDField(source="to_manager_id", allow_null=True)
    to_partner = serializers.UUIDField(source="to_partner_id", allow_null=True)
    note = serializers.CharField()


class GoalReviewOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.UUIDField(source="goal_id")
    status = serializers.ChoiceField(GoalStatus.choices)
    note = serializers.CharField()
    reviewed_on = serializers.DateField()
    reviewed_by = serializers.UUIDField(source="reviewed_by_id")


class GoalOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="plan.case_id")
    domain = serializers.ChoiceField(LifeDomain.choices)
    description = serializers.CharField()
    responsible_partner = serializers.UUIDField(source="responsible_partner_id", allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(GoalStatus.choices)
    reviews = GoalReviewOutSerializer(many=True, source="reviews.all")


class CaseOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField(source="person_id")
    network = serializers.UUIDField(source="network_id")
    stage = serializers.CharField()
    case_manager = serializers.UUIDField(source="case_manager_id", allow_null=True)
    managing_partner = serializers.UUIDField(source="managing_partner_id", allow_null=True)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    closing_note = serializers.CharField()


class CaseDetailSerializer(CaseOutSerializer):
    events = CaseEventSerializer(many=True)
    goals = GoalOutSerializer(many=True, help_text="The goals of the current support plan, with their reviews.")


def _case_out(case: Case) -> dict[str, Any]:
    return dict(CaseOutSerializer(Case.objects.get(pk=case.pk)).data)


def _case_detail(case: Case) -> dict[str, Any]:
    plan = case.plans.filter(is_current=True).first()
    goals = (
        list(plan.goals.select_related("plan").prefetch_related("reviews").order_by("created_at", "id")) if plan else []
    )
    out = dict(CaseOutSerializer(case).data)
    out["events"] = CaseEventSerializer(case_events(case), many=True).data
    out["goals"] = GoalOutSerializer(goals, many=True).data
    return out


# --- what comes in ----------------------------------------------------------------------------------


class CaseOpenSerializer(serializers.Serializer):
    managing_partner = serializers.UUIDField(required=False, allow_null=True, help_text="A current partner.")
    case_manager = serializers.UUIDField(required=False, allow_null=True, help_text="A user's id.")
    stage = serializers.CharField(
        required=False, allow_blank=True, help_text="A stage code of the network; its first stage when left out."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class CaseStageSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="A stage code of the case's network.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class TransferSerializer(serializers.Serializer):
    managing_partner = serializers.UUIDField(allow_null=True)
    case_manager = serializers.UUIDField(allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class GoalInSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(LifeDomain.choices)
    description = serializers.CharField()
    responsible_partner = serializers.UUIDField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class GoalReviewInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(GoalStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reviewed_on = serializers.DateField(required=False, allow_null=True, help_text="Today when left out.")


# --- views ------------------------------------------------------------------------------------------


class PersonCaseView(APIView):
    @extend_schema(
        summary="The person's open case with its history and the current support plan's goals",
        description="For the network's coordinators and the person's case manager; 404 when there is no open case.",
        operation_id="persons_case_retrieve",
        parameters=[_path_id("The person's id.")],
        responses={200: CaseDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            access = get_person_for(user, pk)
            case = open_case_of(access.person) if access.can_change_path else None
            if case is None:
                raise Http404
            log_access(user=user, person=access.person, action=AccessAction.VIEW, view="api-person-case", channel="api")
        return Response(_case_detail(case))

    @extend_schema(
        summary="Open a case for the person (the network's coordinators)",
        description="409 ``case_open`` when the person already has an open case in the network, 409 ``anonymised`` "
        "after anonymisation; 400 for a stage, partner or case manager the network does not offer.",
        operation_id="persons_case_open",
        parameters=[_path_id("The person's id.")],
        request=CaseOpenSerializer,
        responses={201: CaseOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(people_services.case_open)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        incoming = CaseOpenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        case = people_services.case_open(
            actor=user,
            person=access.person,
            stage=data.get("stage") or None,
            note=data["note"],
            **_manager_and_partner(access.person.network_id, data),
        )
        return Response(_case_out(case), status=status.HTTP_201_CREATED)


class CaseStageView(APIView):
    @extend_schema(
        summary="Move the case to another stage of the network's path",
        description="409 ``same_stage`` when it is there already, ``case_closed`` when the case is closed.",
        operation_id="cases_stage",
        parameters=[_path_id("The case's id.")],
        request=CaseStageSerializer,
        responses={200: CaseOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(people_services.case_change_stage)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        _access, case = get_case_for(user, pk)
        incoming = CaseStageSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case = people_services.case_change_stage(actor=user, case=case, **incoming.validated_data)
        return Response(_case_out(case))


class CaseTransferView(APIView):
    @extend_schema(
        summary="Hand the case to another case manager and/or partner (the coordinators or its case manager)",
        description="409 ``same_manager`` when nothing changes; 400 when the case manager does not work for the "
        "partner named.",
        operation_id="cases_transfer",
        parameters=[_path_id("The case's id.")],
        request=TransferSerializer,
        responses={200: CaseOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(people_services.case_transfer)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        _access, case = get_case_for(user, pk)
        incoming = TransferSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        case = people_services.case_transfer(
            actor=user, case=case, note=data["note"], **_manager_and_partner(case.network_id, data)
        )
        return Response(_case_out(case))


class CaseCloseView(APIView):
    @extend_schema(
        summary="Close the case; access that came with it ends",
        operation_id="cases_close",
        parameters=[_path_id("The case's id.")],
        request=CloseSerializer,
        responses={200: CaseOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(people_services.case_close)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        _access, case = get_case_for(user, pk)
        incoming = CloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case = people_services.case_close(actor=user, case=case, note=incoming.validated_data["note"])
        return Response(_case_out(case))


class CaseGoalsView(APIView):
    @extend_schema(
        summary="Add a goal to the case's support plan (a plan is started when there is none)",
        description="400 for a responsible partner that is not a current member of the network, or a target date "
        "before the plan was agreed; 409 ``case_closed``.",
        operation_id="cases_goals_create",
        parameters=[_path_id("The case's id.")],
        request=GoalInSerializer,
        responses={201: GoalOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(plan_services.goal_add)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        _access, case = get_case_for(user, pk)
        incoming = GoalInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["responsible_partner"] = _chosen(
            network_partners(case.network_id),
            data.get("responsible_partner"),
            "responsible_partner",
            _("The partner must be a current member of this network."),
        )
        goal = plan_services.goal_add(actor=user, case=case, **data)
        goal = Goal.objects.select_related("plan").prefetch_related("reviews").get(pk=goal.pk)
        return Response(GoalOutSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalReviewsView(APIView):
    @extend_schema(
        summary="Review a goal: its status now, with a note; the goal takes the status",
        description="400 for a review date in the future; 409 ``case_closed``.",
        operation_id="goals_reviews_create",
        parameters=[_path_id("The goal's id.")],
        request=GoalReviewInSerializer,
        responses={201: GoalReviewOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(plan_services.goal_review)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        _access, goal = get_goal_for(user, pk)
        incoming = GoalReviewInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        review: GoalReview = plan_services.goal_review(actor=user, goal=goal, **incoming.validated_data)
        return Response(GoalReviewOutSerializer(review).data, status=status.HTTP_201_CREATED)
