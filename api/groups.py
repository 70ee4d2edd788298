"""API v1 for support groups (with meetings, attendance and yearly figures) and a person's recorded activities.

Thin like the rest of api/: objects come through the access functions (404 for what the user cannot see),
ids are resolved among the choices the pages offer (people.group_selectors), changes go through people.groups,
and api.errors turns their exceptions into HTTP. A group's people appear
only in answers to those who manage it; everyone else who sees the group gets its schedule and anonymous
yearly totals, the people fields being absent, not empty.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import ErrorSerializer, actor
from core.actions import performs
from network.access import get_network_for
from network.models import Network
from partners.models import Partner, Service, User
from people import groups as group_services
from people.access import PersonAccess, get_person_for
from people.audit import log_access, log_access_many
from people.group_selectors import (
    YearFigures,
    activity_partner_choices,
    activity_service_choices,
    can_manage_group,
    choice_named,
    get_group_for,
    group_meetings_of_year,
    group_members_now,
    group_network_person,
    group_service_choices,
    group_with_member_count,
    group_year_figures,
    network_groups,
    partners_that_may_run_groups,
    person_activities,
    person_activities_for,
    schedule_label,
)
from people.models import AccessAction, Activity, ActivityKind, GroupMembership, Meeting, Person, SupportGroup

# --- serializers ----------------------------------------------------------------------------------


class NamedObjectSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


ref_field = extend_schema_field(NamedObjectSerializer(allow_null=True))


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    name = (obj.get_full_name() or obj.username) if hasattr(obj, "get_full_name") else str(obj)
    return {"id": obj.pk, "name": name}


class GroupSerializer(serializers.ModelSerializer):
    partner = serializers.SerializerMethodField()
    schedule = serializers.SerializerMethodField(help_text="The schedule in words, e.g. every Wednesday at 13:30.")
    members_now = serializers.SerializerMethodField(help_text="How many people are members now.")

    class Meta:
        model = SupportGroup
        fields = [
            "id",
            "network",
            "partner",
            "service",
            "name",
            "description",
            "weekday",
            "start_time",
            "schedule",
            "duration_minutes",
            "place",
            "leader",
            "is_active",
            "members_now",
        ]
        extra_kwargs = {"weekday": {"help_text": "0 = Monday … 6 = Sunday."}}

    @ref_field
    def get_partner(self, obj: SupportGroup) -> dict[str, Any] | None:
        return _ref(obj.partner)

    def get_schedule(self, obj: SupportGroup) -> str:
        return schedule_label(obj)

    def get_members_now(self, obj: SupportGroup) -> int:
        return int(getattr(obj, "members_now", 0) or 0)


class GroupYearFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    people = serializers.IntegerField(help_text="Distinct people who attended at least one meeting in the year.")
    meetings = serializers.IntegerField()
    minutes = serializers.IntegerField(help_text="The meetings' durations added up.")
    hours = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    person_minutes = serializers.IntegerField(help_text="Every attendance's meeting duration added up.")
    person_hours = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)


class GroupMemberPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class GroupMembershipSerializer(serializers.ModelSerializer):
    person = GroupMemberPersonSerializer()

    class Meta:
        model = GroupMembership
        fields = ["id", "person", "joined_on", "left_on"]


class GroupMeetingSerializer(serializers.ModelSerializer):
    attendees = serializers.SerializerMethodField(help_text="Ids of the people present.")

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
        ]

    def get_attendees(self, obj: Meeting) -> list[str]:
        return [str(a.person_id) for a in obj.attendance.all()]


class GroupDetailSerializer(GroupSerializer):
    """The group with its figures for a year; ``members`` and ``meetings`` only for those who manage it."""

    figures = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField(help_text="Members now (only for those who manage the group).")
    meetings = serializers.SerializerMethodField(help_text="The year's meetings (only for those who manage the group).")

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "figures", "members", "meetings"]

    @extend_schema_field(GroupYearFiguresSerializer)
    def get_figures(self, obj: SupportGroup) -> dict[str, Any]:
        figures: YearFigures = self.context["figures"]
        return GroupYearFiguresSerializer(figures).data

    @extend_schema_field(GroupMembershipSerializer(many=True))
    def get_members(self, obj: SupportGroup) -> Any:
        return GroupMembershipSerializer(self.context.get("members", []), many=True).data

    @extend_schema_field(GroupMeetingSerializer(many=True))
    def get_meetings(self, obj: SupportGroup) -> Any:
        return GroupMeetingSerializer(self.context.get("meetings", []), many=True).data

    def to_representation(self, instance: SupportGroup) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("sees_names"):
            data.pop("members", None)
            data.pop("meetings", None)
        return data


class GroupWriteSerializer(serializers.Serializer):
    service = serializers.UUIDField(required=False, allow_null=True, help_text="A service of the running partner.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    weekday = serializers.IntegerField(required=False, allow_null=True, help_text="0 = Monday … 6 = Sunday.")
    start_time = serializers.TimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(required=False, help_text="The usual duration of a meeting.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    leader = serializers.CharField(max_length=150, required=False, allow_blank=True)


class GroupCreateSerializer(GroupWriteSerializer):
    partner = serializers.UUIDField(help_text="The partner that runs the group.")


class GroupUpdateSerializer(GroupWriteSerializer):
    is_active = serializers.BooleanField(required=False)


class GroupMeetingCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(required=False, help_text="Defaults to the group's usual duration.")
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    leader = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    attendees = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text="Ids of the members present."
    )
    confirm_same_day = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The group really met twice that day; without it a second meeting on one day is 409 "
        "same_day_meeting.",
    )


class GroupJoinSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    joined_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")


class GroupLeaveSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    left_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")


class ActivitySerializer(serializers.ModelSerializer):
    partner = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "person",
            "occurred_on",
            "minutes",
            "kind",
            "partner",
            "service",
            "topic",
            "recorded_by",
            "created_at",
        ]

    @ref_field
    def get_partner(self, obj: Activity) -> dict[str, Any] | None:
        return _ref(obj.partner)

    @ref_field
    def get_service(self, obj: Activity) -> dict[str, Any] | None:
        return _ref(obj.service)

    @ref_field
    def get_recorded_by(self, obj: Activity) -> dict[str, Any] | None:
        return _ref(obj.recorded_by)


class ActivityCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(required=False, help_text="Defaults to today; not in the future.")
    minutes = serializers.IntegerField(help_text="1 to 1440.")
    kind = serializers.ChoiceField(choices=ActivityKind.choices, default=ActivityKind.INDIVIDUAL)
    partner = serializers.UUIDField(
        required=False, help_text="Your institution; may be left out when you work for one only."
    )
    service = serializers.UUIDField(required=False, allow_null=True, help_text="A service of that institution.")
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- helpers --------------------------------------------------------------------------------------


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    described = {
        400: OpenApiResponse(
            OpenApiTypes.OBJECT, description="Field errors as DRF gives them: {field: [messages]}, or {detail, code}."
        ),
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(ErrorSerializer, description="You see the object but may not do this to it."),
        404: OpenApiResponse(ErrorSerializer, description="Missing, or not yours."),
        409: OpenApiResponse(ErrorSerializer, description="The change clashes with the current state."),
    }
    return {code: described[code] for code in (401, *codes)}


def _path_id(description: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


YEAR_PARAMETER = OpenApiParameter(
    "year", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Calendar year of the figures; default this year."
)


def _year(request: Request) -> int:
    today = timezone.localdate()
    raw = request.query_params.get("year") or ""
    if not raw:
        return today.year
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 2000 <= year <= today.year + 1:
        raise serializers.ValidationError(
            {"year": [_("Give a year between 2000 and %(last)s.") % {"last": today.year + 1}]}
        )
    return year


def _actor(request: Request) -> User:
    # Every view here requires a signed-in user (IsAuthenticated, the default permission class).
    return cast(User, request.user)


def _chosen(choices: QuerySet[Any], pk: Any, field: str, message: str) -> Any:
    """The object ``pk`` names among the choices the page offers; a field error (400) when it is not among them."""
    if pk is None:
        return None
    chosen = choice_named(choices, pk)
    if chosen is None:
        raise serializers.ValidationError({field: [message]})
    return chosen


def _group_service(choices: QuerySet[Service], pk: Any) -> Service | None:
    message = _("Choose an active service of the partner that runs the group.")
    return cast(Service | None, _chosen(choices, pk, "service", message))


def _person_of(group: SupportGroup, person_id: Any) -> Person:
    person = group_network_person(group, person_id)
    if person is None:
        # Same answer as the service gives for someone the user may not see.
        raise serializers.ValidationError({"person": [_("Choose a person of this group's network whom you support.")]})
    return person


# --- groups ---------------------------------------------------------------------------------------


class NetworkGroupsView(generics.ListCreateAPIView):
    """Support groups of a network: listed to everyone who sees the network, created by its coordinators
    and by staff of a member partner (for their own partner)."""

    serializer_class = GroupSerializer
    filter_backends: list[Any] = []

    def get_network(self) -> Network:
        if not hasattr(self, "_network"):
            self._network = get_network_for(self.request.user, self.kwargs["pk"])
        return self._network

    def get_queryset(self) -> QuerySet[SupportGroup]:
        if getattr(self, "swagger_fake_view", False):
            return SupportGroup.objects.none()
        return network_groups(self.request.user, self.get_network())

    @extend_schema(
        summary="Support groups of a network",
        parameters=[_path_id("The network's id.")],
        responses={200: GroupSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a support group (the network's coordinators, or staff of the partner that runs it)",
        parameters=[_path_id("The network's id.")],
        request=GroupCreateSerializer,
        responses={201: GroupSerializer, **_errors(400, 403, 404)},
    )
    @performs(group_services.group_create)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        network = self.get_network()
        allowed = partners_that_may_run_groups(request.user, network)
        if not allowed.exists():
            raise PermissionDenied
        serializer = GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        message = _("Choose a partner of this network in whose name you may run a group.")
        partner = _chosen(allowed, data.pop("partner"), "partner", message)
        if "service" in data:
            data["service"] = _group_service(group_service_choices(allowed), data["service"])
        group = group_services.group_create(actor=_actor(request), network=network, partner=partner, data=data)
        return Response(GroupSerializer(group_with_member_count(group)).data, status.HTTP_201_CREATED)


class GroupDetailView(APIView):
    @extend_schema(
        summary="A support group with its figures for a year (its people only for those who manage it)",
        parameters=[_path_id("The group's id."), YEAR_PARAMETER],
        responses={200: GroupDetailSerializer, **_errors(400, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        group = get_group_for(request.user, pk)
        year = _year(request)
        sees_names = can_manage_group(request.user, group)
        instance = group_with_member_count(group)
        context: dict[str, Any] = {"figures": group_year_figures(group, year), "sees_names": sees_names}
        if sees_names:
            members = list(group_members_now(group))
            meetings = list(group_meetings_of_year(group, year))
            log_access_many(
                user=actor(request),
                people=[m.person for m in members],
                action=AccessAction.VIEW,
                view="api:group-detail",
                channel="api",
            )
            context.update(members=members, meetings=meetings)
        return Response(GroupDetailSerializer(instance, context=context).data)

    @extend_schema(
        summary="Change a support group (those who manage it)",
        parameters=[_path_id("The group's id.")],
        request=GroupUpdateSerializer,
        responses={200: GroupSerializer, **_errors(400, 403, 404)},
    )
    @performs(group_services.group_update)
    def patch(self, request: Request, pk: str) -> Response:
        group = get_group_for(request.user, pk)
        if not can_manage_group(request.user, group):
            raise PermissionDenied
        serializer = GroupUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "service" in data:
            choices = group_service_choices([group.partner_id], keep=group.service_id)
            data["service"] = _group_service(choices, data["service"])
        group = group_services.group_update(actor=_actor(request), group=group, data=data)
        return Response(GroupSerializer(group_with_member_count(group)).data)


class GroupMeetingsView(APIView):
    @extend_schema(
        summary="Record a meeting with who attended (those who manage the group)",
        description="Only people who were members of the group on the day of the meeting can be marked present.",
        parameters=[_path_id("The group's id.")],
        request=GroupMeetingCreateSerializer,
        responses={201: GroupMeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.meeting_record)
    def post(self, request: Request, pk: str) -> Response:
        group = get_group_for(request.user, pk)
        if not can_manage_group(request.user, group):
            raise PermissionDenied
        serializer = GroupMeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = group_services.meeting_record(
            actor=_actor(request),
            group=group,
            held_on=data["held_on"],
            duration_minutes=data.get("duration_minutes"),
            topic=data["topic"],
            place=data["place"],
            leader=data["leader"],
            attendee_ids=data["attendees"],
            confirm_same_day=data["confirm_same_day"],
            channel="api",
        )
        return Response(GroupMeetingSerializer(meeting).data, status.HTTP_201_CREATED)


class GroupMembersView(APIView):
    @extend_schema(
        summary="Add a person to a group (those who manage it; people they support)",
        parameters=[_path_id("The group's id.")],
        request=GroupJoinSerializer,
        responses={201: GroupMembershipSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.group_join)
    def post(self, request: Request, pk: str) -> Response:
        group = get_group_for(request.user, pk)
        if not can_manage_group(request.user, group):
            raise PermissionDenied
        serializer = GroupJoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = _person_of(group, serializer.validated_data["person"])
        membership = group_services.group_join(
            actor=_actor(request),
            group=group,
            person=person,
            joined_on=serializer.validated_data.get("joined_on"),
            channel="api",
        )
        return Response(GroupMembershipSerializer(membership).data, status.HTTP_201_CREATED)


class GroupLeaveView(APIView):
    @extend_schema(
        summary="Record that a person left a group (those who manage it); the membership stays as history",
        parameters=[_path_id("The group's id.")],
        request=GroupLeaveSerializer,
        responses={200: GroupMembershipSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.group_leave)
    def post(self, request: Request, pk: str) -> Response:
        group = get_group_for(request.user, pk)
        if not can_manage_group(request.user, group):
            raise PermissionDenied
        serializer = GroupLeaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = _person_of(group, serializer.validated_data["person"])
        membership = group_services.group_leave(
            actor=_actor(request),
            group=group,
            person=person,
            left_on=serializer.validated_data.get("left_on"),
            channel="api",
        )
        return Response(GroupMembershipSerializer(membership).data)


# --- activities -----------------------------------------------------------------------------------


class PersonActivitiesView(generics.ListCreateAPIView):
    """A person's recorded contacts and sessions, for those who see the person."""

    serializer_class = ActivitySerializer
    filter_backends: list[Any] = []

    def get_access(self) -> PersonAccess:
        if not hasattr(self, "_access"):
            self._access = get_person_for(self.request.user, self.kwargs["pk"])
        return self._access

    def get_queryset(self) -> QuerySet[Activity]:
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return person_activities_for(self.get_access(), self.request.user)

    @extend_schema(
        summary="A person's recorded activities, newest first",
        parameters=[_path_id("The person's id.")],
        responses={200: ActivitySerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        log_access(
            user=actor(request),
            person=self.get_access().person,
            action=AccessAction.VIEW,
            view="api:person-activities",
            channel="api",
        )
        return response

    @extend_schema(
        summary="Record a contact or session with a person, in the name of your institution",
        description=(
            "For the person's network coordinator, their case manager, or staff of the partner whose service it"
            " is. Minutes 1 to 1440; the date not in the future; the service must be the institution's own."
        ),
        parameters=[_path_id("The person's id.")],
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(group_services.activity_record)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_access().person
        serializer = ActivityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _actor(request)
        message = _("You can record activities only in the name of your own institution.")
        partner: Partner | None = _chosen(
            activity_partner_choices(user, person), data.get("partner"), "partner", message
        )
        message = _("Choose an active service of your institution.")
        service: Service | None = _chosen(
            activity_service_choices(user, person), data.get("service"), "service", message
        )
        activity = group_services.activity_record(
            actor=user,
            person=person,
            minutes=data["minutes"],
            occurred_on=data.get("occurred_on"),
            kind=data["kind"],
            partner=partner,
            service=service,
            topic=data["topic"],
            channel="api",
        )
        activity = person_activities(person).get(pk=activity.pk)
        return Response(ActivitySerializer(activity).data, status.HTTP_201_CREATED)
