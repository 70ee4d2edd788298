"""Supported employment under /api/v1/ (DESIGN §9, issue 7): placements, their candidates, stage moves.

Candidates go out through ``CandidateSerializer`` only, built from ``employment.selectors.candidate_data``:
name, contact, skills and experience, the support needs at work the person agreed to share — never health data,
disability, social situation or notes of the network, whoever asks.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Pagination
from api.views import _errors, _path_id, actor
from core.actions import performs
from core.errors import PermissionDenied
from core.types import AuthUser
from employment import applications
from employment import placements as placement_services
from employment.access import get_application_for, may_propose_in
from employment.models import (
    ApplicationReason,
    ApplicationReasonOrigin,
    ContactMode,
    ContractForm,
    Stage,
    SupportOffered,
)
from employment.selectors import (
    application_list,
    candidate_data,
    coach_choices,
    follow_along_contacts,
    timeline_data,
)
from people.access import get_person_for
from people.audit import log_access, log_access_many
from people.models import AccessAction

PATH_ID = _path_id("The object's id (UUID).")


# --- placements -----------------------------------------------------------------------------------


class PlacementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    employer = serializers.UUIDField(source="employer_id")
    employer_name = serializers.CharField(source="employer.name")
    network = serializers.UUIDField(source="network_id")
    title = serializers.CharField()
    description = serializers.CharField()
    workplace = serializers.CharField()
    street = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    hours_per_week = serializers.IntegerField()
    contract_form = serializers.ChoiceField(ContractForm.choices)
    support_offered = serializers.ListField(child=serializers.ChoiceField(SupportOffered.choices))
    positions = serializers.IntegerField()
    hired_count = serializers.IntegerField(help_text="People employed on the placement now.")
    free_positions = serializers.IntegerField()
    is_open = serializers.BooleanField()
    accepting = serializers.BooleanField(
        source="is_accepting", help_text="Open and before its closing date: candidates may be proposed."
    )
    closing_date = serializers.DateField(allow_null=True)
    active_candidates = serializers.IntegerField(
        required=False, allow_null=True, help_text="Candidates not declined, withdrawn or ended (lists only)."
    )
    created_at = serializers.DateTimeField()


class PaginatedPlacementSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PlacementSerializer(many=True)


class PlacementInSerializer(serializers.Serializer):
    employer = serializers.UUIDField(
        required=False, help_text="The employer (a partner you work for); needed when you work for several."
    )
    network = serializers.UUIDField(
        required=False, help_text="The network it is offered in; needed when the employer belongs to several."
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    workplace = serializers.CharField(max_length=200)
    street = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=6, default="")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    hours_per_week = serializers.IntegerField(help_text="1 to 60.")
    contract_form = serializers.ChoiceField(ContractForm.choices)
    support_offered = serializers.ListField(
        child=serializers.ChoiceField(SupportOffered.choices), required=False, default=list
    )
    positions = serializers.IntegerField(help_text="At least 1.")
    closing_date = serializers.DateField(required=False, allow_null=True, help_text="Not in the past.")


class PlacementPatchSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    workplace = serializers.CharField(max_length=200, required=False)
    street = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=6)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    hours_per_week = serializers.IntegerField(required=False)
    contract_form = serializers.ChoiceField(ContractForm.choices, required=False)
    support_offered = serializers.ListField(child=serializers.ChoiceField(SupportOffered.choices), required=False)
    positions = serializers.IntegerField(required=False)
    closing_date = serializers.DateField(required=False, allow_null=True)
    is_open = serializers.BooleanField(required=False, help_text="false closes the placement, true reopens it.")


def _uuid_param(params: Any, name: str, errors: dict[str, list[str]]) -> Any:
    value = params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        errors[name] = [_("Must be a UUID.")]
        return None


class PlacementListView(APIView):
    @extend_schema(
        summary="Placements you see: your employer's own; open ones of your network (coordinators, labour office, "
        "job coaches)",
        operation_id="placements_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the title, description, workplace, city or employer."),
            OpenApiParameter("network", OpenApiTypes.UUID),
            OpenApiParameter("employer", OpenApiTypes.UUID),
            OpenApiParameter("contract_form", str, enum=ContractForm.values),
            OpenApiParameter("support", str, enum=SupportOffered.values),
            OpenApiParameter("open", bool, description="Only placements accepting candidates."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PaginatedPlacementSerializer, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        network = _uuid_param(params, "network", errors)
        employer = _uuid_param(params, "employer", errors)
        contract_form = params.get("contract_form", "")
        if contract_form and contract_form not in ContractForm.values:
            errors["contract_form"] = [_("Unknown form of employment.")]
        support = params.get("support", "")
        if support and support not in SupportOffered.values:
            errors["support"] = [_("Unknown kind of support.")]
        if errors:
            raise serializers.ValidationError(errors)
        placements = placement_services.placement_list(
            actor(request),
            q=params.get("q", ""),
            network=network,
            employer=employer,
            contract_form=contract_form,
            support=support,
            open_only=(params.get("open") or "").lower() in ("1", "true", "yes"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(placements, request, view=self) or []
        return paginator.get_paginated_response(PlacementSerializer(page, many=True).data)

    @extend_schema(
        summary="Post a placement (the employer's staff)",
        operation_id="placements_create",
        request=PlacementInSerializer,
        responses={201: PlacementSerializer, **_errors(400, 403, 404)},
    )
    @performs(placement_services.placement_create)
    def post(self, request: Request) -> Response:
        user = actor(request)
        incoming = PlacementInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        employer_id = data.pop("employer", None)
        network = data.pop("network", None)
        employers = list(placement_services.employer_partners_of(user))
        if not employers:
            raise PermissionDenied
        if employer_id is None:
            if len(employers) != 1:
                raise serializers.ValidationError({"employer": [_("Give the employer.")]})
            employer = employers[0]
        else:
            found = [partner for partner in employers if partner.pk == employer_id]
            if not found:
                raise Http404
            employer = found[0]
        placement = placement_services.placement_create(
            actor=user, employer=employer, data=data, network=network, channel="api"
        )
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


class PlacementDetailView(APIView):
    @extend_schema(
        summary="A placement",
        operation_id="placements_retrieve",
        parameters=[PATH_ID],
        responses={200: PlacementSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(PlacementSerializer(placement_services.get_placement_for(actor(request), pk)).data)

    @extend_schema(
        summary="Edit, close (is_open=false) or reopen a placement (the employer's staff)",
        operation_id="placements_partial_update",
        parameters=[PATH_ID],
        request=PlacementPatchSerializer,
        responses={200: PlacementSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(
        placement_services.placement_update, placement_services.placement_close, placement_services.placement_reopen
    )
    def patch(self, request: Request, pk: str) -> Response:
        user = actor(request)
        placement = placement_services.get_placement_for(user, pk)
        incoming = PlacementPatchSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        is_open = data.pop("is_open", None)
        with transaction.atomic():
            if data:
                placement = placement_services.placement_update(actor=user, placement=placement, data=data)
            if is_open is False and placement.is_open:
                placement = placement_services.placement_close(actor=user, placement=placement)
            elif is_open is True and not placement.is_open:
                placement = placement_services.placement_reopen(actor=user, placement=placement)
            elif not data and not placement_services.can_manage_placement(user, placement):
                raise PermissionDenied
        return Response(PlacementSerializer(placement_services.get_placement_for(user, pk)).data)


# --- candidates -----------------------------------------------------------------------------------


class CoachSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    partner = serializers.CharField()


class CheckpointSerializer(serializers.Serializer):
    stage = serializers.CharField()
    on = serializers.DateField()


class TimelineSerializer(serializers.Serializer):
    action = serializers.CharField()
    to = serializers.CharField()
    to_label = serializers.CharField()
    at = serializers.DateTimeField()
    reason_code = serializers.CharField()
    reason_origin = serializers.CharField()
    note = serializers.CharField(help_text="An employer reads only the notes its own staff wrote.")

    def get_fields(self) -> dict[str, Any]:
        # "from" is a Python keyword: declared here so that the field keeps its public name.
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        return fields


class CandidateSerializer(serializers.Serializer):
    """What anyone — the employer first — reads of a candidate. Contact, skills and support needs are null
    when no live consent gives the employer the person's employment information any more."""

    id = serializers.UUIDField()
    placement = serializers.UUIDField()
    placement_title = serializers.CharField()
    employer = serializers.UUIDField()
    employer_name = serializers.CharField()
    person = serializers.UUIDField(required=False, help_text="Only for the network's coordinators.")
    stage = serializers.ChoiceField(Stage.choices)
    stage_label = serializers.CharField()
    consent_live = serializers.BooleanField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    preferred_contact = serializers.CharField(allow_null=True)
    skills_experience = serializers.CharField(allow_null=True)
    work_support_needs = serializers.CharField(
        allow_null=True, help_text="The support at work the person agreed to share."
    )
    note = serializers.CharField(help_text="The proposer's note for the employer.")
    proposed_at = serializers.DateTimeField()
    hired_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    reason_code = serializers.CharField()
    reason_origin = serializers.CharField()
    job_coach = CoachSerializer(allow_null=True)
    next_checkpoint = CheckpointSerializer(allow_null=True)
    moves = serializers.ListField(child=serializers.CharField(), help_text="Stages you may move the candidate to.")
    timeline = TimelineSerializer(many=True, required=False, help_text="Detail and advance answers only.")


class PaginatedCandidateSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CandidateSerializer(many=True)


class ProposeSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="Read by the employer: no health data."
    )


class AdvanceSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices, help_text="The next stage, or declined / withdrawn / ended.")
    reason_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed for declined, withdrawn and ended: " + ", ".join(ApplicationReason.values) + ".",
    )
    reason_origin = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Who the reason came from: " + ", ".join(ApplicationReasonOrigin.values) + ".",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For a hire: the day the contract starts (today when absent); the 1/3/6-month checkpoints count "
        "from it.",
    )


def _candidate(user: AuthUser, application: Any, *, timeline: bool = False) -> dict[str, Any]:
    data = candidate_data(user, application)
    if timeline:
        data["timeline"] = timeline_data(user, application)
    return dict(CandidateSerializer(data).data)


class PlacementApplicationsView(APIView):
    @extend_schema(
        summary="Candidates proposed to a placement that you may see",
        operation_id="placements_applications_list",
        parameters=[
            PATH_ID,
            OpenApiParameter("stage", str, enum=Stage.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PaginatedCandidateSerializer, **_errors(400, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        placement = placement_services.get_placement_for(user, pk)
        stage = request.query_params.get("stage", "")
        if stage and stage not in Stage.values:
            raise serializers.ValidationError({"stage": [_("Unknown stage.")]})
        paginator = Pagination()
        with transaction.atomic():
            page = list(
                paginator.paginate_queryset(
                    application_list(user, placement=placement, stage=stage), request, view=self
                )
                or []
            )
            log_access_many(
                user=user,
                people=[a.person for a in page],
                action=AccessAction.VIEW,
                view="api-placement-applications",
                channel="api",
            )
        return paginator.get_paginated_response([_candidate(user, a) for a in page])

    @extend_schema(
        summary="Propose a person (coordinator, labour office, job coach); needs a live consent covering the "
        "employer and the employment category",
        operation_id="placements_applications_create",
        parameters=[PATH_ID],
        request=ProposeSerializer,
        responses={201: CandidateSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(applications.application_propose)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        placement = placement_services.get_placement_for(user, pk)
        incoming = ProposeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not may_propose_in(user, placement.network_id):
            raise PermissionDenied
        person = get_person_for(user, incoming.validated_data["person"]).person
        application = applications.application_propose(
            actor=user, placement=placement, person=person, note=incoming.validated_data["note"], channel="api"
        )
        return Response(
            _candidate(user, get_application_for(user, application.pk), timeline=True),
            status=status.HTTP_201_CREATED,
        )


class ApplicationDetailView(APIView):
    @extend_schema(
        summary="A candidate with the timeline",
        operation_id="applications_retrieve",
        parameters=[PATH_ID],
        responses={200: CandidateSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            application = get_application_for(user, pk)
            log_access(
                user=user,
                person=application.person,
                action=AccessAction.VIEW,
                view="api-application",
                channel="api",
                detail=f"placement-application:{application.pk}",
            )
        return Response(_candidate(user, application, timeline=True))


class ApplicationAdvanceView(APIView):
    @extend_schema(
        summary="Move a candidate to the next stage, or decline / withdraw / end with a coded reason",
        operation_id="applications_advance",
        parameters=[PATH_ID],
        request=AdvanceSerializer,
        responses={200: CandidateSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(applications.application_advance)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        application = get_application_for(user, pk)
        incoming = AdvanceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        moved = applications.application_advance(
            actor=user, application=application, channel="api", **incoming.validated_data
        )
        try:
            return Response(_candidate(user, get_application_for(user, pk), timeline=True))
        except Http404:
            # Declining or a withdrawal ends the employer's access: answer with the move, not the candidate.
            return Response(_candidate(user, moved))


# --- the job coach and follow-along ---------------------------------------------------------------


class CoachAssignSerializer(serializers.Serializer):
    coach = serializers.UUIDField(help_text="A job coach (user id) of a current partner of the network.")


class CoachAssignView(APIView):
    @extend_schema(
        summary="Assign or change the job coach of an offered or employed candidate (the coordinator or whoever "
        "proposed the person)",
        operation_id="applications_coach",
        parameters=[PATH_ID],
        request=CoachAssignSerializer,
        responses={200: CandidateSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(placement_services.job_coach_assign)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        application = get_application_for(user, pk)
        incoming = CoachAssignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # The coaches the page offers, and no one else.
        coach = coach_choices(application.network_id).filter(pk=incoming.validated_data["coach"]).first()
        if coach is None:
            raise serializers.ValidationError({"coach": [_("Choose a job coach of a partner of this network.")]})
        placement_services.job_coach_assign(actor=user, application=application, coach=coach)
        return Response(_candidate(user, get_application_for(user, pk), timeline=True))


class FollowAlongInSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(required=False, allow_null=True, help_text="Today when left out.")
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    mode = serializers.ChoiceField(ContactMode.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class FollowAlongOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    application = serializers.UUIDField(source="application_id")
    coach = serializers.UUIDField(source="coach_id")
    occurred_on = serializers.DateField()
    minutes = serializers.IntegerField()
    mode = serializers.ChoiceField(ContactMode.choices)
    note = serializers.CharField(help_text="Never shown to the employer, who does not reach this list at all.")


class FollowAlongView(APIView):
    @extend_schema(
        summary="Follow-along contacts with a person at work (the job coach and the coordinators)",
        operation_id="applications_contacts_list",
        parameters=[PATH_ID],
        responses={200: FollowAlongOutSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            application = get_application_for(user, pk)
            if not placement_services.can_record_follow_along(user, application):
                raise Http404
            contacts = list(follow_along_contacts(application))
            log_access(
                user=user,
                person=application.person,
                action=AccessAction.VIEW,
                view="api-application-contacts",
                channel="api",
                detail=f"placement-application:{application.pk}",
            )
        return Response(FollowAlongOutSerializer(contacts, many=True).data)

    @extend_schema(
        summary="Record a follow-along contact (the job coach or a coordinator); counted as an activity",
        description="409 ``not_employed`` unless the person is offered the job or employed.",
        operation_id="applications_contacts_create",
        parameters=[PATH_ID],
        request=FollowAlongInSerializer,
        responses={201: FollowAlongOutSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(placement_services.follow_along_record)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        application = get_application_for(user, pk)
        incoming = FollowAlongInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        contact = placement_services.follow_along_record(
            actor=user, application=application, channel="api", **incoming.validated_data
        )
        return Response(FollowAlongOutSerializer(contact).data, status=status.HTTP_201_CREATED)
