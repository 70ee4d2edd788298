"""The notification record behind the live pushes: clients re-sync with ?after=<id> on every (re)connect."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, actor
from core.actions import performs
from notifications.models import Notification
from notifications.selectors import last_notification_id, notifications_after, notifications_of, unread_count
from notifications.services import notification_mark_read, notifications_mark_all_read

LIMIT = 100


def notification_data(note: Notification) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "object": {"type": note.object_type, "id": note.object_id, "url": note.url},
        "text": note.text,
        "created_at": note.created_at.isoformat(),
        "read": note.read_at is not None,
    }


class NotificationListView(APIView):
    @extend_schema(
        summary="Your notifications: with ?after=<id>, every newer one in order (re-sync); else the latest",
        parameters=[OpenApiParameter("after", int, description="The id of the last notification you saw.")],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="{results: [...], unread: N, last_id: N}"),
            **_errors(400),
        },
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        after = request.query_params.get("after")
        if after is not None:
            try:
                after_id = int(after)
            except ValueError:
                raise serializers.ValidationError({"after": [_("A whole number.")]}) from None
            rows = notifications_after(user, after_id, limit=LIMIT)
        else:
            rows = list(notifications_of(user)[:50])
        return Response(
            {
                "results": [notification_data(n) for n in rows],
                "unread": unread_count(user),
                "last_id": last_notification_id(user),
            }
        )


class NotificationReadView(APIView):
    @extend_schema(
        summary="Mark one of your notifications as read",
        request=None,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The notification id.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **_errors(404)},
    )
    @performs(notification_mark_read)
    def post(self, request: Request, pk: str) -> Response:
        return Response(notification_data(notification_mark_read(actor=actor(request), notification_id=pk)))


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications were marked read.")


class NotificationReadAllView(APIView):
    @extend_schema(
        summary="Mark all your unread notifications as read",
        operation_id="notifications_read_all",
        request=None,
        responses={200: ReadAllSerializer, **_errors()},
    )
    @performs(notifications_mark_all_read)
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(actor=actor(request))})
