"""API v1 views. Thin: objects are selected through network.access (and api.permissions, built on it),
changes go through the services in partners/ and network/, and api.errors turns their exceptions into HTTP."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filters import FilterBackend, NetworkFilter, PartnerFilter, ServiceFilter
from api.permissions import get_network_membership_for, get_staff_membership_for, require_staff_visible
from api.serializers import (
    InvitationSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    NetworkDetailSerializer,
    NetworkSerializer,
    NetworkUpdateSerializer,
    PartnerCreateSerializer,
    PartnerSerializer,
    PartnerUpdateSerializer,
    ServiceCreateSerializer,
    ServiceSerializer,
    ServiceUpdateSerializer,
    StaffAddSerializer,
    StaffSerializer,
    StaffUpdateSerializer,
)
from core.actions import performs
from core.scope import scope_for
from network import directory
from network import services as network_services
from network.access import (
    can_edit_partner_profile,
    can_manage_services,
    get_network_for,
    get_partner_for,
    get_service_for,
    networks_visible_to,
    partners_visible_to,
    services_visible_to,
)
from network.models import CooperationAgreement, Network, NetworkMembership
from partners import services as partner_services
from partners.access import can_manage_partner, get_invitation_for
from partners.choices import PartnerType, StaffRole
from partners.models import Partner, Service, StaffMembership, User
from partners.selectors import invitations_for


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers an operation can give, for the schema (DESIGN §9)."""
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


def actor(request: Request) -> User:
    # Every view here requires a signed-in user (IsAuthenticated, the default permission class).
    return cast(User, request.user)


def _path_id(description: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


class AccountSerializer(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.ChoiceField(User._meta.get_field("language").choices, required=False)  # type: ignore[arg-type]
    email_notifications = serializers.ChoiceField(User.EmailNotifications.choices, required=False)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The signed-in user, their roles, partners and networks",
        responses={200: MeSerializer, **_errors()},
    )
    def get(self, request: Request) -> Response:
        return self._me(actor(request), request)

    @extend_schema(
        summary="Change your own name, e-mail, language and e-mail notifications (as on the account page)",
        request=AccountSerializer,
        responses={200: MeSerializer, **_errors(400)},
    )
    @performs(partner_services.account_update)
    def patch(self, request: Request) -> Response:
        incoming = AccountSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        user = partner_services.account_update(actor=actor(request), data=dict(incoming.validated_data))
        return self._me(user, request)

    def _me(self, user: User, request: Request) -> Response:
        scope = scope_for(user)
        staff = list(
            StaffMembership.objects.filter(user=user, is_active=True)
            .select_related("partner")
            .order_by("partner__name", "partner_id")
        )
        # The user's own networks (not every network an operator or a monitor may look at); no ids, no query.
        networks = list(
            networks_visible_to(user).filter(id__in=scope.network_ids).only("id", "name").order_by("name", "id")
        )
        staff_roles = {m.role for m in staff}
        roles = [
            *(["coordinator"] if scope.is_coordinator else []),
            *[role for role in StaffRole.values if role in staff_roles],
            *(["employer"] if any(m.partner.type == PartnerType.EMPLOYER for m in staff) else []),
            *(["monitor"] if scope.is_monitor else []),
            *(["superuser"] if scope.is_superuser else []),
        ]
        context = {
            "request": request,
            "roles": roles,
            "staff_memberships": staff,
            "networks": networks,
            "coordinated_network_ids": scope.coordinated_network_ids,
        }
        return Response(MeSerializer(user, context=context).data)


class DirectoryViewSet(viewsets.GenericViewSet):
    # Any path segment reaches the access function, so a malformed id answers a JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"
    filter_backends = [FilterBackend]

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


# --- networks -------------------------------------------------------------------------------------


def current_agreements() -> QuerySet[CooperationAgreement]:
    today = timezone.localdate()
    return (
        CooperationAgreement.objects.versions()
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
        .order_by("-valid_from", "-created_at")
    )


def network_detail(network: Network, request: Request) -> dict[str, Any]:
    prefetch_related_objects(
        [network],
        "coordinating_partner",
        Prefetch(
            "memberships",
            queryset=NetworkMembership.objects.current().select_related("partner", "coordinating_person"),
            to_attr="current_memberships",
        ),
        Prefetch("agreements", queryset=current_agreements(), to_attr="current_agreements"),
    )
    return NetworkDetailSerializer(network, context={"request": request}).data


@extend_schema_view(
    list=extend_schema(summary="Networks you see", responses={200: NetworkSerializer(many=True), **_errors(400)}),
    retrieve=extend_schema(
        summary="A network with its current members and cooperation agreement",
        parameters=[_path_id("The network's id.")],
        responses={200: NetworkDetailSerializer, **_errors(404)},
    ),
    partial_update=extend_schema(
        summary="Change a network (its coordinators)",
        parameters=[_path_id("The network's id.")],
        request=NetworkUpdateSerializer,
        responses={200: NetworkDetailSerializer, **_errors(400, 403, 404)},
    ),
)
class NetworkViewSet(mixins.ListModelMixin, DirectoryViewSet):
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilter

    def get_queryset(self) -> QuerySet[Network]:
        if self.is_schema_generation():
            return Network.objects.none()
        return networks_visible_to(self.request.user).select_related("coordinating_partner").order_by("name", "id")

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(network_detail(get_network_for(request.user, pk), request))

    @performs(network_services.network_update)
    def partial_update(self, request: Request, pk: str) -> Response:
        network = get_network_for(request.user, pk, coordinate=True)
        serializer = NetworkUpdateSerializer(
            network, data=request.data, partial=True, context={"request": request, "network": network}
        )
        serializer.is_valid(raise_exception=True)
        network = network_services.network_update(actor=actor(request), network=network, data=serializer.validated_data)
        return Response(network_detail(network, request))


class NetworkMembershipsView(generics.ListCreateAPIView):
    """Every membership of a network, past and future ones too; for its coordinators."""

    serializer_class = MembershipSerializer
    filter_backends: list[Any] = []

    def get_network(self) -> Network:
        if not hasattr(self, "_network"):
            self._network = get_network_for(self.request.user, self.kwargs["pk"], coordinate=True)
        return self._network

    def get_queryset(self) -> QuerySet[NetworkMembership]:
        if getattr(self, "swagger_fake_view", False):
            return NetworkMembership.objects.none()
        return (
            NetworkMembership.objects.filter(network=self.get_network())
            .select_related("partner", "coordinating_person")
            .order_by("partner__name", "id")
        )

    @extend_schema(
        summary="Memberships of a network (its coordinators)",
        parameters=[_path_id("The network's id.")],
        responses={200: MembershipSerializer(many=True), **_errors(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a partner to a network (its coordinators)",
        parameters=[_path_id("The network's id.")],
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(network_services.membership_add)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        network = self.get_network()
        serializer = MembershipCreateSerializer(data=request.data, context={"request": request, "network": network})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        membership = network_services.membership_add(
            actor=actor(request),
            network=network,
            partner=data.pop("partner"),
            functions=data.pop("functions"),
            since=data.pop("since", None),
            **data,
        )
        return Response(MembershipSerializer(membership, context={"request": request}).data, status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a partner's membership of a network (its coordinators)",
        parameters=[_path_id("The membership's id.")],
        request=MembershipUpdateSerializer,
        responses={200: MembershipSerializer, **_errors(400, 403, 404)},
    ),
)
class MembershipViewSet(DirectoryViewSet):
    serializer_class = MembershipSerializer
    queryset = NetworkMembership.objects.none()  # the model, for the schema; objects come from api.permissions

    @performs(network_services.membership_update)
    def partial_update(self, request: Request, pk: str) -> Response:
        membership = get_network_membership_for(request.user, pk)
        if not scope_for(request.user).coordinates(membership.network_id):
            raise PermissionDenied
        serializer = MembershipUpdateSerializer(
            membership, data=request.data, partial=True, context={"request": request, "membership": membership}
        )
        serializer.is_valid(raise_exception=True)
        membership = network_services.membership_update(
            actor=actor(request), membership=membership, data=serializer.validated_data
        )
        return Response(MembershipSerializer(membership, context={"request": request}).data)


# --- partners -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Partners you see", responses={200: PartnerSerializer(many=True), **_errors(400)}),
    retrieve=extend_schema(
        summary="A partner",
        parameters=[_path_id("The partner's id.")],
        responses={200: PartnerSerializer, **_errors(404)},
    ),
    create=extend_schema(
        summary="Add a new institution to a network you coordinate",
        request=PartnerCreateSerializer,
        responses={201: PartnerSerializer, **_errors(400, 403, 409)},
    ),
    partial_update=extend_schema(
        summary="Change a partner's profile (its admins, its networks' coordinators)",
        parameters=[_path_id("The partner's id.")],
        request=PartnerUpdateSerializer,
        responses={200: PartnerSerializer, **_errors(400, 403, 404)},
    ),
)
class PartnerViewSet(mixins.ListModelMixin, DirectoryViewSet):
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter

    def get_queryset(self) -> QuerySet[Partner]:
        if self.is_schema_generation():
            return Partner.objects.none()
        return partners_visible_to(self.request.user).order_by("name", "id")

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PartnerSerializer(get_partner_for(request.user, pk)).data)

    @performs(directory.partner_create)
    def create(self, request: Request) -> Response:
        serializer = PartnerCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        network = data.pop("network", None)
        functions = data.pop("functions", [])
        partner = directory.partner_create(actor=actor(request), data=data, network=network, functions=functions)
        return Response(PartnerSerializer(partner).data, status.HTTP_201_CREATED)

    @performs(directory.partner_update)
    def partial_update(self, request: Request, pk: str) -> Response:
        partner = get_partner_for(request.user, pk)
        if not can_edit_partner_profile(request.user, partner):
            raise PermissionDenied
        serializer = PartnerUpdateSerializer(partner, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        partner = directory.partner_update(actor=actor(request), partner=partner, data=serializer.validated_data)
        return Response(PartnerSerializer(partner).data)


class PartnerStaffView(generics.ListCreateAPIView):
    """A partner's staff: seen by its own people and its networks' coordinators, changed by its admins."""

    serializer_class = StaffSerializer
    filter_backends: list[Any] = []

    def get_partner(self) -> Partner:
        if not hasattr(self, "_partner"):
            partner = get_partner_for(self.request.user, self.kwargs["pk"])
            require_staff_visible(self.request.user, partner)
            self._partner = partner
        return self._partner

    def get_queryset(self) -> QuerySet[StaffMembership]:
        if getattr(self, "swagger_fake_view", False):
            return StaffMembership.objects.none()
        return (
            StaffMembership.objects.filter(partner=self.get_partner())
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username", "id")
        )

    @extend_schema(
        summary="A partner's staff",
        parameters=[_path_id("The partner's id.")],
        responses={200: StaffSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add someone to a partner's staff (its admins): a new account, or an invited one that must confirm",
        parameters=[_path_id("The partner's id.")],
        request=StaffAddSerializer,
        responses={201: StaffSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(partner_services.staff_add)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_partner()
        if not can_manage_partner(request.user, partner):
            raise PermissionDenied
        serializer = StaffAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = partner_services.staff_add(actor=actor(request), partner=partner, **serializer.validated_data)
        return Response(StaffSerializer(membership).data, status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change someone's role or end their work for a partner (its admins)",
        parameters=[_path_id("The staff membership's id.")],
        request=StaffUpdateSerializer,
        responses={200: StaffSerializer, **_errors(400, 403, 404, 409)},
    ),
)
class StaffViewSet(DirectoryViewSet):
    serializer_class = StaffSerializer
    queryset = StaffMembership.objects.none()  # the model, for the schema; objects come from api.permissions

    @extend_schema(
        summary="Staff invitations waiting for your answer",
        responses={200: InvitationSerializer(many=True), **_errors()},
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def invitations(self, request: Request) -> Response:
        page = self.paginate_queryset(invitations_for(request.user))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        summary="Accept a staff invitation (the invited user): from now on you work for the partner",
        parameters=[_path_id("The staff membership's id.")],
        request=None,
        responses={200: StaffSerializer, **_errors(404, 409)},
    )
    @action(detail=True, methods=["post"])
    @performs(partner_services.staff_confirm)
    def confirm(self, request: Request, pk: str) -> Response:
        membership = partner_services.staff_confirm(
            actor=actor(request), membership=get_invitation_for(request.user, pk)
        )
        return Response(StaffSerializer(membership).data)

    @extend_schema(
        summary="Decline a staff invitation (the invited user)",
        parameters=[_path_id("The staff membership's id.")],
        request=None,
        responses={200: StaffSerializer, **_errors(404, 409)},
    )
    @action(detail=True, methods=["post"])
    @performs(partner_services.staff_decline)
    def decline(self, request: Request, pk: str) -> Response:
        membership = partner_services.staff_decline(
            actor=actor(request), membership=get_invitation_for(request.user, pk)
        )
        return Response(StaffSerializer(membership).data)

    @performs(partner_services.staff_update)
    def partial_update(self, request: Request, pk: str) -> Response:
        membership = get_staff_membership_for(request.user, pk)
        if not can_manage_partner(request.user, membership.partner):
            raise PermissionDenied
        serializer = StaffUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = partner_services.staff_update(
            actor=actor(request), membership=membership, **serializer.validated_data
        )
        return Response(StaffSerializer(membership).data)


# --- services -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Services you see", responses={200: ServiceSerializer(many=True), **_errors(400)}),
    retrieve=extend_schema(
        summary="A service",
        parameters=[_path_id("The service's id.")],
        responses={200: ServiceSerializer, **_errors(404)},
    ),
    create=extend_schema(
        summary="Add a service to a partner's catalogue (its admins, its networks' coordinators)",
        request=ServiceCreateSerializer,
        responses={201: ServiceSerializer, **_errors(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a service, its places or load (its partner's admins, its networks' coordinators)",
        parameters=[_path_id("The service's id.")],
        request=ServiceUpdateSerializer,
        responses={200: ServiceSerializer, **_errors(400, 403, 404)},
    ),
)
class ServiceViewSet(mixins.ListModelMixin, DirectoryViewSet):
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self) -> QuerySet[Service]:
        if self.is_schema_generation():
            return Service.objects.none()
        return services_visible_to(self.request.user).select_related("partner").order_by("name", "id")

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ServiceSerializer(get_service_for(request.user, pk)).data)

    @performs(directory.service_create)
    def create(self, request: Request) -> Response:
        serializer = ServiceCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partner = data.pop("partner")
        service = directory.service_create(actor=actor(request), partner=partner, data=data)
        return Response(ServiceSerializer(service).data, status.HTTP_201_CREATED)

    @performs(directory.service_update)
    def partial_update(self, request: Request, pk: str) -> Response:
        service = get_service_for(request.user, pk)
        if not can_manage_services(request.user, service.partner):
            raise PermissionDenied
        serializer = ServiceUpdateSerializer(service, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        service = directory.service_update(actor=actor(request), service=service, data=serializer.validated_data)
        return Response(ServiceSerializer(service).data)
