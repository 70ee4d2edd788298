"""API v1 for correcting and cancelling a support-group meeting entered by mistake (people.groups.meeting_correct and
meeting_cancel, the services the pages call), and reading a meeting with the trace of its corrections."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, actor
from core.actions import performs
from people import groups as group_services
from people.audit import log_access_many
from people.group_selectors import can_manage_group, get_group_for, get_meeting_for
from people.models import AccessAction, Attendance, Meeting, MeetingCorrection, MeetingCorrectionKind


class MeetingCorrectionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeetingCorrectionKind.choices)
    actor = serializers.CharField(source="actor.username")
    changes = serializers.DictField(
        child=serializers.ListField(), help_text="{field: [before, after]} of the meeting's own fields."
    )
    added = serializers.ListField(child=serializers.UUIDField(), help_text="People marked present by the correction.")
    removed = serializers.ListField(
        child=serializers.UUIDField(), help_text="People removed from the attendance by the correction."
    )

    class Meta:
        model = MeetingCorrection
        fields = ["kind", "at", "actor", "reason", "changes", "added", "removed"]


class MeetingDetailSerializer(serializers.ModelSerializer):
    attendees = serializers.SerializerMethodField(help_text="Ids of the people present.")
    corrections = MeetingCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "held_on",
            "duration_minutes",
            "topic",
            "place",
            "leader",
            "attendees",
            "cancelled_at",
            "cancel_reason",
            "corrections",
        ]

    def get_attendees(self, obj: Meeting) -> list[str]:
        return [str(a.person_id) for a in obj.attendance.all()]


class MeetingCorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: kept in the meeting's history.")
    held_on = serializers.DateField(required=False)
    duration_minutes = serializers.IntegerField(required=False)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    leader = serializers.CharField(max_length=150, required=False, allow_blank=True)
    attendees = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="The whole list of the people present after the correction; absent = unchanged.",
    )
    confirm_same_day = serializers.BooleanField(
        required=False, default=False, help_text="Moving it to a day the group met already: 409 same_day_meeting."
    )


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: kept in the meeting's history.")


MEETING_PATH = [
    OpenApiParameter("group_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The group's id."),
    OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The meeting's id."),
]


def _meeting(request: Request, group_pk: str, pk: str) -> Meeting:
    group = get_group_for(request.user, group_pk)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    return get_meeting_for(group, pk)


def _answer(request: Request, meeting: Meeting) -> Response:
    attendance: Any = Prefetch("attendance", queryset=Attendance.objects.select_related("person"))
    meeting = Meeting.objects.prefetch_related(attendance).prefetch_related("corrections__actor").get(pk=meeting.pk)
    log_access_many(
        user=actor(request),
        people=[a.person for a in meeting.attendance.all()],
        action=AccessAction.VIEW,
        view="api-meeting",
        channel="api",
    )
    return Response(MeetingDetailSerializer(meeting).data)


class MeetingView(APIView):
    @extend_schema(
        summary="A meeting with who attended and the trace of its corrections (those who manage the group)",
        parameters=MEETING_PATH,
        responses={200: MeetingDetailSerializer, **_errors(403, 404)},
    )
    def get(self, request: Request, group_pk: str, pk: str) -> Response:
        return _answer(request, _meeting(request, group_pk, pk))


class MeetingCorrectView(APIView):
    @extend_schema(
        summary="Correct a meeting entered wrongly, with the reason (those who manage the group)",
        description=(
            "Only the fields given change; `attendees`, when given, is the whole new list. The reason and what "
            "changed are kept as a trace; the yearly figures follow. 409 `meeting_cancelled` for a cancelled "
            "meeting, 409 `same_day_meeting` when moved to a day the group met already, unless `confirm_same_day`."
        ),
        parameters=MEETING_PATH,
        request=MeetingCorrectSerializer,
        responses={200: MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.meeting_correct)
    def post(self, request: Request, group_pk: str, pk: str) -> Response:
        meeting = _meeting(request, group_pk, pk)
        serializer = MeetingCorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = group_services.meeting_correct(
            actor=actor(request),
            meeting=meeting,
            reason=data.pop("reason"),
            attendee_ids=data.pop("attendees", None),
            confirm_same_day=data.pop("confirm_same_day"),
            data=data,
            channel="api",
        )
        return _answer(request, meeting)


class MeetingCancelView(APIView):
    @extend_schema(
        summary="Cancel a meeting entered by mistake, with the reason (those who manage the group)",
        description="The meeting stays, marked cancelled with the reason, and counts in no figure. 409 "
        "`meeting_cancelled` when it was cancelled already.",
        parameters=MEETING_PATH,
        request=MeetingCancelSerializer,
        responses={200: MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.meeting_cancel)
    def post(self, request: Request, group_pk: str, pk: str) -> Response:
        meeting = _meeting(request, group_pk, pk)
        serializer = MeetingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = group_services.meeting_cancel(
            actor=actor(request), meeting=meeting, reason=serializer.validated_data["reason"], channel="api"
        )
        return _answer(request, meeting)
