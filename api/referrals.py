"""Referrals under /api/v1/ (DESIGN §9): list with filters, create a draft, detail with timeline, transitions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Pagination
from api.views import _errors, _path_id, actor
from core.actions import performs
from core.types import AuthUser
from partners.models import Partner, Service
from people.access import access_to_person, get_person_for
from people.audit import log_access
from people.models import AccessAction
from referrals import services
from referrals.access import get_referral_for
from referrals.choices import CHOSEN_REASONS, OutcomeCode, Priority, ReasonOrigin, State
from referrals.models import Referral
from referrals.selectors import ReferralRow, available_actions, referral_list, referral_rows

PATH_ID = _path_id("The object's id (UUID).")


def row_data(row: ReferralRow) -> dict[str, Any]:
    """A referral in a list: the fields of ``referral_data`` without ``detail``, from a list row."""
    return {
        "id": str(row.pk),
        "network": str(row.network_id),
        "person": str(row.person_id),
        "person_initials": row.person_initials,
        "from_partner": str(row.from_partner_id) if row.from_partner_id else None,
        "to_partner": str(row.to_partner_id),
        "to_partner_name": row.to_partner_name,
        "service": str(row.service_id) if row.service_id else None,
        "status": row.state,
        "priority": row.priority,
        "categories": row.categories,
        "due_by": row.due_by.isoformat() if row.due_by else None,
        "overdue": row.is_overdue,
        "waitlisted": row.waitlisted_at is not None,
        "created_at": row.created_at.isoformat(),
    }


def referral_data(referral: Referral, user: AuthUser, *, detail: bool = False) -> dict[str, Any]:
    person = referral.person
    data: dict[str, Any] = {
        "id": str(referral.pk),
        "network": str(referral.network_id),
        "person": str(referral.person_id),
        "person_initials": f"{person.first_name[:1]}. {person.last_name[:1]}.",
        "from_partner": str(referral.from_partner_id) if referral.from_partner_id else None,
        "to_partner": str(referral.to_partner_id),
        "to_partner_name": referral.to_partner.name,
        "service": str(referral.service_id) if referral.service_id else None,
        "status": referral.state,
        "priority": referral.priority,
        "categories": referral.categories,
        "due_by": referral.due_by.isoformat() if referral.due_by else None,
        "overdue": referral.is_overdue,
        "waitlisted": referral.waitlisted_at is not None,
        "created_at": referral.created_at.isoformat(),
    }
    if detail:
        access = access_to_person(user, person)
        if access is not None and access.can_read("identity"):
            data["person_name"] = f"{person.first_name} {person.last_name}"
        data.update(
            reason=referral.reason,
            goal=referral.goal,
            legal_basis=referral.legal_basis,
            reason_code=referral.reason_code,
            reason_origin=referral.reason_origin,
            reason_note=referral.reason_note,
            outcome_code=referral.outcome_code,
            outcome_note=referral.outcome_note,
            checked_in_at=referral.checked_in_at.isoformat() if referral.checked_in_at else None,
            actions=available_actions(user, referral),
            timeline=[
                {
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "at": e.at.isoformat(),
                    "actor": str(e.actor_id) if e.actor_id else None,
                    "reason_code": e.reason_code,
                    "reason_origin": e.reason_origin,
                    "note": e.note,
                }
                for e in referral.events.all()
            ],
        )
    return data


REFERRAL_OUT = OpenApiResponse(OpenApiTypes.OBJECT, description="The referral (detail adds reason, timeline).")


class ReferralInSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    to_partner = serializers.UUIDField()
    service = serializers.UUIDField(required=False, allow_null=True)
    from_partner = serializers.UUIDField(required=False, allow_null=True)
    reason = serializers.CharField()
    goal = serializers.CharField(required=False, allow_blank=True, default="")
    categories = serializers.ListField(child=serializers.CharField())
    priority = serializers.ChoiceField(Priority.choices, required=False, default=Priority.NORMAL)
    due_by = serializers.DateTimeField(required=False, allow_null=True)


def _one(model: Any, pk: Any, field: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [_("Unknown.")]})
    return obj


class ReferralListView(APIView):
    @extend_schema(
        summary="Referrals the user may see",
        operation_id="referrals_list",
        parameters=[
            OpenApiParameter("status", str, enum=State.values),
            OpenApiParameter("direction", str, enum=["incoming", "outgoing"]),
            OpenApiParameter("person", OpenApiTypes.UUID),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: REFERRAL_OUT, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        status_filter = params.get("status", "")
        if status_filter and status_filter not in State.values:
            errors["status"] = [_("Unknown status.")]
        direction = params.get("direction", "")
        if direction not in ("", "incoming", "outgoing"):
            errors["direction"] = [_("Use incoming or outgoing.")]
        overdue_raw = params.get("overdue")
        overdue = None if overdue_raw is None else overdue_raw.lower() in ("1", "true", "yes")
        person = params.get("person")
        if person:
            import uuid

            try:
                uuid.UUID(person)
            except ValueError:
                errors["person"] = [_("Must be a UUID.")]
        if errors:
            raise serializers.ValidationError(errors)
        user = actor(request)
        referrals = referral_list(
            user, direction=direction, status=status_filter, overdue=overdue, person=person or None
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(referrals, request, view=self) or []
        return paginator.get_paginated_response([row_data(r) for r in referral_rows(page)])

    @extend_schema(
        summary="Create a draft referral",
        request=ReferralInSerializer,
        responses={201: REFERRAL_OUT, **_errors(400, 403, 404)},
    )
    @performs(services.referral_create)
    def post(self, request: Request) -> Response:
        user = actor(request)
        incoming = ReferralInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        person = get_person_for(user, data["person"]).person
        referral = services.referral_create(
            actor=user,
            person=person,
            to_partner=_one(Partner, data["to_partner"], "to_partner"),
            service=_one(Service, data.get("service"), "service"),
            from_partner=_one(Partner, data.get("from_partner"), "from_partner"),
            reason=data["reason"],
            goal=data.get("goal", ""),
            categories=data["categories"],
            priority=data.get("priority", Priority.NORMAL),
            due_by=data.get("due_by"),
        )
        return Response(referral_data(referral, user, detail=True), status=status.HTTP_201_CREATED)


class ReferralDetailView(APIView):
    @extend_schema(
        summary="A referral with its status and timeline",
        responses={200: REFERRAL_OUT, **_errors(404)},
        parameters=[PATH_ID],
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            referral = get_referral_for(user, pk)
            log_access(
                user=user,
                person=referral.person,
                action=AccessAction.VIEW,
                view="api-referral",
                channel="api",
                detail=f"referral:{referral.pk}",
            )
        return Response(referral_data(referral, user, detail=True))


class SendSerializer(serializers.Serializer):
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class ReasonSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(CHOSEN_REASONS)
    reason_origin = serializers.ChoiceField(ReasonOrigin.choices, required=False, default=ReasonOrigin.PARTNER)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class OutcomeSerializer(serializers.Serializer):
    outcome_code = serializers.ChoiceField(OutcomeCode.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DiscontinueSerializer(ReasonSerializer):
    outcome_code = serializers.ChoiceField(OutcomeCode.choices)


class EmptySerializer(serializers.Serializer):
    pass


class AcceptSerializer(serializers.Serializer):
    first_appointment_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the person is expected first; they are reminded the day before if they agreed to messages.",
    )


def _transition(name: str, serializer: type[serializers.Serializer], move: Any, summary: str) -> type[APIView]:
    class TransitionView(APIView):
        @extend_schema(
            summary=summary,
            request=serializer,
            responses={200: REFERRAL_OUT, **_errors(400, 403, 404, 409)},
            operation_id=f"referrals_{name.replace('-', '_')}",
            parameters=[PATH_ID],
        )
        @performs(move)
        def post(self, request: Request, pk: str) -> Response:
            user = actor(request)
            referral = get_referral_for(user, pk)
            incoming = serializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            # The moved referral itself: after a decline the receiving partner no longer sees it (would be 404).
            return Response(
                referral_data(move(actor=user, referral=referral, **incoming.validated_data), user, detail=True)
            )

    TransitionView.__name__ = f"Referral{name.title().replace('-', '')}View"
    return TransitionView


TRANSITION_VIEWS = {
    "send": _transition(
        "send",
        SendSerializer,
        services.referral_send,
        "Send: needs a consent covering the partner and categories, or a coordinator's legal basis",
    ),
    "check-in": _transition(
        "check-in",
        EmptySerializer,
        services.referral_check_in,
        "Confirm contact with the person (resets the due-by once)",
    ),
    "accept": _transition(
        "accept",
        AcceptSerializer,
        services.referral_accept,
        "Accept: takes a place, joins the waitlist, or 409 when full",
    ),
    "start": _transition("start", EmptySerializer, services.referral_start, "Start the support"),
    "complete": _transition("complete", OutcomeSerializer, services.referral_complete, "Complete with a coded outcome"),
    "decline": _transition("decline", ReasonSerializer, services.referral_decline, "Decline with a coded reason"),
    "withdraw": _transition("withdraw", ReasonSerializer, services.referral_withdraw, "Withdraw (the sender)"),
    "discontinue": _transition(
        "discontinue",
        DiscontinueSerializer,
        services.referral_discontinue,
        "Discontinue with a coded reason and outcome",
    ),
}


class RedirectSerializer(serializers.Serializer):
    to_partner = serializers.UUIDField(help_text="A current member of the referral's network, not the one asked.")
    service = serializers.UUIDField(required=False, allow_null=True, help_text="One of that partner's services.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ReferralRedirectView(APIView):
    @extend_schema(
        summary="Redirect an overdue referral: the old one is withdrawn, a new one sent to another partner",
        request=RedirectSerializer,
        responses={200: REFERRAL_OUT, **_errors(400, 403, 404, 409)},
        operation_id="referrals_redirect",
        parameters=[PATH_ID],
    )
    @performs(services.referral_redirect)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        referral = get_referral_for(user, pk)
        incoming = RedirectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        new = services.referral_redirect(
            actor=user,
            referral=referral,
            to_partner=_one(Partner, data["to_partner"], "to_partner"),
            service=_one(Service, data.get("service"), "service"),
            note=data.get("note", ""),
        )
        return Response(referral_data(new, user, detail=True))
