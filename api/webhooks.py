"""Webhooks under /api/v1/webhooks/ (docs/webhooks.md): a partner's admin or a network's coordinator subscribes a
URL to event types; the signing secret is in the answer that creates or rotates it, and never again."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Pagination
from api.views import _errors, _path_id, actor
from core.actions import performs
from network.models import Network
from partners.models import Partner, User
from webhooks import services
from webhooks.access import get_subscription_for, managed_networks, managed_partners, subscriptions_visible_to
from webhooks.choices import SUBSCRIBABLE, DeliveryStatus, DisabledReason
from webhooks.models import Delivery, Subscription
from webhooks.selectors import deliveries_of

PATH_ID = _path_id("The webhook's id (UUID).")


def _page_of(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """A page of the list as api.pagination.Pagination answers it, for the schema."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class OwnerSerializer(serializers.Serializer):
    type = serializers.ChoiceField(["partner", "network"])
    id = serializers.UUIDField()
    name = serializers.CharField()


class WebhookSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    owner = OwnerSerializer()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(SUBSCRIBABLE))
    description = serializers.CharField()
    active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.ChoiceField(DisabledReason.choices, allow_blank=True)
    created_at = serializers.DateTimeField()


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="whsec_…: shown in this answer only; keep it to verify signatures.")


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    webhook_id = serializers.CharField(help_text="The webhook-id header: the same in every attempt.")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    payload = serializers.JSONField()


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    partner = serializers.UUIDField(required=False, help_text="For this institution (you are its admin).")
    network = serializers.UUIDField(required=False, help_text="For this network (you coordinate it).")


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="false turns it off; true turns it on again.")


class EmptySerializer(serializers.Serializer):
    pass


def webhook_data(subscription: Subscription, *, secret: bool = False) -> dict[str, Any]:
    owner: Any = subscription.partner if subscription.partner_id else subscription.network
    data: dict[str, Any] = {
        "id": str(subscription.pk),
        "owner": {
            "type": "partner" if subscription.partner_id else "network",
            "id": str(owner.pk),
            "name": str(owner),
        },
        "url": subscription.url,
        "events": list(subscription.events),
        "description": subscription.description,
        "active": subscription.active,
        "disabled_at": subscription.disabled_at.isoformat() if subscription.disabled_at else None,
        "disabled_reason": subscription.disabled_reason,
        "created_at": subscription.created_at.isoformat(),
    }
    if secret:
        data["secret"] = subscription.secret
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def delivery_data(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "webhook_id": delivery.message_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": _iso(delivery.next_attempt_at),
        "last_attempt_at": _iso(delivery.last_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": _iso(delivery.delivered_at),
        "created_at": delivery.created_at.isoformat(),
        "payload": delivery.payload,
    }


def _private(response: Response) -> Response:
    # A secret, or who receives what: never kept by a cache between here and the client.
    response["Cache-Control"] = "no-store"
    return response


def _owner(user: User, data: dict[str, Any]) -> tuple[Partner | None, Network | None]:
    """The partner or network named in the body; when none is named, the only one the user manages."""
    if data.get("partner") and data.get("network"):
        raise serializers.ValidationError({"network": [_("Name either a partner or a network, not both.")]})
    if data.get("partner"):
        partner = managed_partners(user).filter(pk=data["partner"]).first()
        if partner is None:
            raise serializers.ValidationError({"partner": [_("You are not an admin of this institution.")]})
        return partner, None
    if data.get("network"):
        network = managed_networks(user).filter(pk=data["network"]).first()
        if network is None:
            raise serializers.ValidationError({"network": [_("You do not coordinate this network.")]})
        return None, network
    partners, networks = list(managed_partners(user)[:2]), list(managed_networks(user)[:2])
    if len(partners) + len(networks) == 1:
        return (partners[0], None) if partners else (None, networks[0])
    if not partners and not networks:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    raise serializers.ValidationError({"partner": [_("Say for which institution or network you subscribe.")]})


class WebhookListView(APIView):
    @extend_schema(
        summary="Webhooks of the institutions you administer and the networks you coordinate",
        operation_id="webhooks_list",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: _page_of(WebhookSerializer, "PaginatedWebhookList"), **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        subscriptions = (
            subscriptions_visible_to(actor(request)).select_related("partner", "network").order_by("created_at", "id")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(subscriptions, request, view=self) or []
        return _private(paginator.get_paginated_response([webhook_data(s) for s in page]))

    @extend_schema(
        summary="Subscribe a URL to events; the answer carries the signing secret, once",
        description=(
            "Only https:// URLs to public addresses (400 with code url_not_allowed otherwise). `events` lists event "
            "types or `<kind>.*` (docs/webhooks.md)."
        ),
        operation_id="webhooks_create",
        request=WebhookCreateSerializer,
        responses={201: WebhookWithSecretSerializer, **_errors(400, 403, 409)},
    )
    @performs(services.subscription_create)
    def post(self, request: Request) -> Response:
        user = actor(request)
        incoming = WebhookCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        partner, network = _owner(user, data)
        subscription = services.subscription_create(
            actor=user,
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            partner=partner,
            network=network,
        )
        return _private(Response(webhook_data(subscription, secret=True), status=status.HTTP_201_CREATED))


class WebhookDetailView(APIView):
    @extend_schema(
        summary="A webhook (without its secret)",
        operation_id="webhooks_retrieve",
        parameters=[PATH_ID],
        responses={200: WebhookSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        return _private(Response(webhook_data(get_subscription_for(actor(request), pk))))

    @extend_schema(
        summary="Change the URL, the events or the description, or turn it off or on (active)",
        operation_id="webhooks_partial_update",
        parameters=[PATH_ID],
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer, **_errors(400, 404, 409)},
    )
    @performs(services.subscription_update, services.subscription_disable, services.subscription_enable)
    def patch(self, request: Request, pk: str) -> Response:
        user = actor(request)
        subscription = get_subscription_for(user, pk)
        incoming = WebhookUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        active = data.pop("active", None)
        if data:
            subscription = services.subscription_update(actor=user, subscription=subscription, data=data)
        if active is False and subscription.active:
            subscription = services.subscription_disable(actor=user, subscription=subscription)
        elif active is True and not subscription.active:
            subscription = services.subscription_enable(actor=user, subscription=subscription)
        return _private(Response(webhook_data(get_subscription_for(user, subscription.pk))))

    @extend_schema(
        summary="Delete a webhook and its delivery log",
        operation_id="webhooks_destroy",
        parameters=[PATH_ID],
        responses={204: None, **_errors(404)},
    )
    @performs(services.subscription_delete)
    def delete(self, request: Request, pk: str) -> Response:
        user = actor(request)
        services.subscription_delete(actor=user, subscription=get_subscription_for(user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _action(name: str, move: Any, summary: str, *, secret: bool = False, codes: tuple[int, ...] = (404,)) -> Any:
    class WebhookActionView(APIView):
        @extend_schema(
            summary=summary,
            operation_id=f"webhooks_{name.replace('-', '_')}",
            parameters=[PATH_ID],
            request=EmptySerializer,
            responses={200: WebhookWithSecretSerializer if secret else WebhookSerializer, **_errors(*codes)},
        )
        @performs(move)
        def post(self, request: Request, pk: str) -> Response:
            user = actor(request)
            subscription = move(actor=user, subscription=get_subscription_for(user, pk))
            return _private(Response(webhook_data(subscription, secret=secret)))

    WebhookActionView.__name__ = f"Webhook{name.title().replace('-', '')}View"
    return WebhookActionView


ACTION_VIEWS = {
    "rotate-secret": _action(
        "rotate-secret",
        services.subscription_rotate_secret,
        "A new signing secret at once (the old one stops); shown in this answer only",
        secret=True,
    ),
    "enable": _action(
        "enable",
        services.subscription_enable,
        "Turn a webhook on again (its URL is checked again); 409 when it is on",
        codes=(400, 404, 409),
    ),
    "disable": _action(
        "disable", services.subscription_disable, "Turn a webhook off; 409 when it is off", codes=(404, 409)
    ),
}


class WebhookDeliveriesView(APIView):
    @extend_schema(
        summary="The delivery log: each event sent to this webhook, its status, attempts and last error",
        operation_id="webhooks_deliveries",
        parameters=[
            PATH_ID,
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: _page_of(DeliverySerializer, "PaginatedDeliveryList"), **_errors(400, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        subscription = get_subscription_for(actor(request), pk)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in DeliveryStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        paginator = Pagination()
        page = paginator.paginate_queryset(deliveries_of(subscription, status=wanted), request, view=self) or []
        return _private(paginator.get_paginated_response([delivery_data(d) for d in page]))


class WebhookTestView(APIView):
    @extend_schema(
        summary="Send a webhook.ping event now; the answer is its delivery (delivered, or failed and retrying)",
        operation_id="webhooks_test",
        parameters=[PATH_ID],
        request=EmptySerializer,
        responses={
            200: OpenApiResponse(DeliverySerializer, description="The ping's delivery after its first attempt."),
            **_errors(404, 409),
        },
    )
    @performs(services.subscription_ping)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        delivery = services.subscription_ping(actor=user, subscription=get_subscription_for(user, pk))
        return _private(Response(delivery_data(delivery)))
