"""API v1 for the network's days off (the coordinator's; network/calendar.py skips them in working days) and the
waitlists of services (who waits, in what order, since when). Thin: access functions, services, selectors."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from network import services as network_services
from network.access import get_day_off_for, get_network_for
from network.models import DayOff
from referrals.choices import Priority
from referrals.selectors import get_waitlist_service_for, service_waitlist


class DayOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = DayOff
        fields = ["id", "day", "name"]


class DayOffCreateSerializer(serializers.Serializer):
    day = serializers.DateField()
    name = serializers.CharField(max_length=150)


class NetworkDaysOffView(APIView):
    @extend_schema(
        summary="The network's own days off (its coordinators); public holidays are not listed, they always count",
        parameters=[_path_id("The network's id.")],
        responses={200: DayOffSerializer(many=True), **_errors(403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        network = get_network_for(request.user, pk, coordinate=True)
        return Response(DayOffSerializer(DayOff.objects.filter(network=network).order_by("day"), many=True).data)

    @extend_schema(
        summary="Add a day off of the network (its coordinators): answer times in working days skip it",
        parameters=[_path_id("The network's id.")],
        request=DayOffCreateSerializer,
        responses={201: DayOffSerializer, **_errors(400, 403, 404)},
    )
    @performs(network_services.day_off_add)
    def post(self, request: Request, pk: str) -> Response:
        network = get_network_for(request.user, pk, coordinate=True)
        serializer = DayOffCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day_off = network_services.day_off_add(
            actor=actor(request),
            network=network,
            day=serializer.validated_data["day"],
            name=serializer.validated_data["name"],
        )
        return Response(DayOffSerializer(day_off).data, status.HTTP_201_CREATED)


class DayOffView(APIView):
    @extend_schema(
        summary="Remove a day off of the network (its coordinators)",
        parameters=[_path_id("The day off's id.")],
        responses={204: None, **_errors(403, 404)},
    )
    @performs(network_services.day_off_remove)
    def delete(self, request: Request, pk: str) -> Response:
        day_off = get_day_off_for(request.user, pk)
        network_services.day_off_remove(actor=actor(request), day_off=day_off)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WaitingSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 gets the next free place.")
    referral = serializers.UUIDField()
    person_initials = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    waitlisted_at = serializers.DateTimeField(help_text="On the waitlist since.")
    days_waiting = serializers.IntegerField()


class WaitlistSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    service_name = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True)
    load = serializers.IntegerField()
    waiting = WaitingSerializer(many=True)


class ServiceWaitlistView(APIView):
    @extend_schema(
        summary="Who waits for a place of a service, in the order places are given, since when",
        description=(
            "For the staff of the partner that runs the service and the coordinators of its networks. The order: "
            "discharge from a psychiatric ward, then urgent, then normal; within a priority the longest waiting."
        ),
        parameters=[_path_id("The service's id.")],
        responses={200: WaitlistSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        service = get_waitlist_service_for(request.user, pk)
        today = timezone.localdate()
        waiting: list[dict[str, Any]] = [
            {
                "position": position,
                "referral": referral.pk,
                "person_initials": f"{referral.person.first_name[:1]}. {referral.person.last_name[:1]}.",
                "priority": referral.priority,
                "waitlisted_at": referral.waitlisted_at,
                "days_waiting": (today - timezone.localdate(referral.waitlisted_at)).days,
            }
            for position, referral in enumerate(service_waitlist(request.user, service), start=1)
        ]
        data = {
            "service": service.pk,
            "service_name": service.name,
            "capacity": service.capacity,
            "load": service.load,
            "waiting": waiting,
        }
        return Response(WaitlistSerializer(data).data)
