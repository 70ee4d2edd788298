"""People and consents under /api/v1/ (DESIGN §9). Fields a reader may not see are absent, not hidden."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
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
from core.scope import scope_for
from network.access import get_network_for
from partners.choices import PartnerType
from people import services as people_services
from people.access import PersonAccess, get_person_for
from people.audit import log_access, log_access_many
from people.export import person_export
from people.models import (
    PERSON_FIELD_CATEGORIES,
    AccessAction,
    AccessChannel,
    AccessLog,
    Consent,
    DataCategory,
    GivenBy,
)
from people.selectors import access_log_for, consents_of, get_consent_for, partners_named, person_accesses, person_list
from people.visibility import ReaderKind, ShareSource

PATH_ID = _path_id("The object's id (UUID).")


def person_data(access: PersonAccess) -> dict[str, Any]:
    person = access.person
    data: dict[str, Any] = {
        "id": str(person.pk),
        "network": str(person.network_id),
        "categories": sorted(access.categories),
        "anonymised": person.anonymised_at is not None,
    }
    for name, category in PERSON_FIELD_CATEGORIES.items():
        if category in access.categories:
            value = getattr(person, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


class DoorConsentSerializer(serializers.Serializer):
    """The consent a partner's staff record when a person registers at their door (their partner is always named;
    identity is always among the categories)."""

    partners = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    categories = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    purpose = serializers.CharField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    given_by = serializers.ChoiceField(GivenBy.choices, required=False, default=GivenBy.PERSON)


class PersonInSerializer(serializers.Serializer):
    network = serializers.UUIDField(required=False)
    force = serializers.BooleanField(required=False, default=False)
    door_partner = serializers.UUIDField(
        required=False, allow_null=True, help_text="Partner staff: the partner you work for that met the person."
    )
    consent = DoorConsentSerializer(
        required=False, allow_null=True, help_text="Partner staff: the consent the person gave at your door."
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    pesel = serializers.CharField(required=False, allow_blank=True, max_length=11)
    sex = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    street = serializers.CharField(required=False, allow_blank=True)
    postal_code = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    gmina_teryt = serializers.CharField(required=False, allow_blank=True)
    gmina_name = serializers.CharField(required=False, allow_blank=True)
    guardian_name = serializers.CharField(required=False, allow_blank=True)
    guardian_contact = serializers.CharField(required=False, allow_blank=True)
    preferred_contact = serializers.CharField(required=False)
    social_situation = serializers.CharField(required=False, allow_blank=True)
    disability_level = serializers.CharField(required=False, allow_blank=True)
    disability_symbol = serializers.CharField(required=False, allow_blank=True)
    health_notes = serializers.CharField(required=False, allow_blank=True)
    skills_experience = serializers.CharField(required=False, allow_blank=True)
    work_support_needs = serializers.CharField(required=False, allow_blank=True)


class PersonPatchSerializer(PersonInSerializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)


PERSON_OUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="id, network, categories the reader holds, and only the fields of those categories.",
)


class PersonListView(APIView):
    @extend_schema(
        summary="People the user may see (coordinators: their networks; others: by case or referral grants)",
        operation_id="persons_list",
        parameters=[OpenApiParameter("q", str, description="Name or PESEL."), OpenApiParameter("page", int)],
        responses={200: PERSON_OUT, **_errors()},
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        people = person_list(user, q=request.query_params.get("q") or "")
        paginator = Pagination()
        with transaction.atomic():
            page = list(paginator.paginate_queryset(people, request, view=self) or [])
            log_access_many(user=user, people=page, action=AccessAction.VIEW, view="api-persons", channel="api")
        return paginator.get_paginated_response([person_data(access) for access in person_accesses(user, page)])

    @extend_schema(
        summary="Register a person: the network's coordinator, or a partner's staff with the consent given at "
        "their door; 409 with candidates when it may be a duplicate",
        request=PersonInSerializer,
        responses={201: PERSON_OUT, **_errors(400, 403, 404, 409)},
    )
    @performs(people_services.person_register)
    def post(self, request: Request) -> Response:
        user = actor(request)
        incoming = PersonInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        network_id = data.pop("network", None)
        force = data.pop("force", False)
        door_id = data.pop("door_partner", None)
        consent = data.pop("consent", None)
        if network_id is None:
            scope = scope_for(user)
            networks = scope.coordinated_network_ids or scope.member_network_ids
            if len(networks) != 1:
                raise serializers.ValidationError({"network": [_("Give the network.")]})
            network_id = next(iter(networks))
        network = get_network_for(user, network_id)
        door_partner = partners_named([door_id])[0] if door_id else None
        if consent is not None:
            consent = dict(consent)
            consent["partners"] = partners_named(consent.get("partners") or [])
        try:
            person = people_services.person_register(
                actor=user,
                network=network,
                data=data,
                force=force,
                door_partner=door_partner,
                consent=consent,
                channel="api",
            )
        except people_services.DuplicatePerson as exc:
            return Response(
                {
                    "detail": exc.message,
                    "code": exc.code,
                    "candidates": [
                        {
                            "id": str(p.pk),
                            "first_name": p.first_name,
                            "last_name": p.last_name,
                            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                        }
                        for p in exc.candidates
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(person_data(get_person_for(user, person.pk)), status=status.HTTP_201_CREATED)


class PersonDetailView(APIView):
    @extend_schema(
        summary="A person, with only the categories the reader may see",
        responses={200: PERSON_OUT, **_errors(404)},
        parameters=[PATH_ID],
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            access = get_person_for(user, pk)
            log_access(user=user, person=access.person, action=AccessAction.VIEW, view="api-person", channel="api")
        return Response(person_data(access))

    @extend_schema(
        summary="Change a person's data",
        request=PersonPatchSerializer,
        responses={200: PERSON_OUT, **_errors(400, 403, 404, 409)},
        parameters=[PATH_ID],
    )
    @performs(people_services.person_update)
    def patch(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        incoming = PersonPatchSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = {k: v for k, v in incoming.validated_data.items() if k not in ("network", "force")}
        person = people_services.person_update(actor=user, person=access.person, data=data, channel="api")
        return Response(person_data(get_person_for(user, person.pk)))


class ConsentInSerializer(serializers.Serializer):
    partners = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    partner_types = serializers.ListField(
        child=serializers.ChoiceField(PartnerType.choices), required=False, default=list
    )
    categories = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    purpose = serializers.CharField()
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    given_by = serializers.ChoiceField(GivenBy.choices, required=False, default=GivenBy.PERSON)
    document = serializers.FileField(required=False, allow_null=True)


def consent_data(consent: Consent) -> dict[str, Any]:
    return {
        "id": str(consent.pk),
        "person": str(consent.person_id),
        "partners": [str(p.pk) for p in consent.partners.all()],
        "partner_types": consent.partner_types,
        "categories": consent.categories,
        "purpose": consent.purpose,
        "valid_from": consent.valid_from.isoformat(),
        "valid_until": consent.valid_until.isoformat() if consent.valid_until else None,
        "given_by": consent.given_by,
        "has_document": bool(consent.document),
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "live": consent.is_live(),
    }


CONSENT_OUT = OpenApiResponse(OpenApiTypes.OBJECT, description="The consent.")


class PersonConsentsView(APIView):
    @extend_schema(summary="Consents of a person", responses={200: CONSENT_OUT, **_errors(404)}, parameters=[PATH_ID])
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            access = get_person_for(user, pk)
            if not access.can_change_path:
                raise Http404
            consents = list(consents_of(access.person))
            # Consents name the partners the person's data may go to: a read of personal data.
            log_access(
                user=user, person=access.person, action=AccessAction.VIEW, view="api-person-consents", channel="api"
            )
        return Response([consent_data(c) for c in consents])

    @extend_schema(
        summary="Record a consent",
        request=ConsentInSerializer,
        responses={201: CONSENT_OUT, **_errors(400, 403, 404, 409)},
        parameters=[PATH_ID],
    )
    @performs(people_services.consent_record)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        incoming = ConsentInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        # Whether the consent may name these partners is the service's check, the same as the page's.
        partners = partners_named(data.pop("partners"))
        consent = people_services.consent_record(
            actor=user, person=access.person, partners=partners, channel="api", **data
        )
        return Response(consent_data(consent), status=status.HTTP_201_CREATED)


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ConsentWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw a consent: access that depended on it ends at once",
        request=WithdrawSerializer,
        responses={200: CONSENT_OUT, **_errors(403, 404, 409)},
        parameters=[PATH_ID],
    )
    @performs(people_services.consent_withdraw)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        consent = get_consent_for(user, pk)
        incoming = WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        consent = people_services.consent_withdraw(
            actor=user, consent=consent, note=incoming.validated_data.get("note", ""), channel="api"
        )
        return Response(consent_data(consent))


class ShareSourceSerializer(serializers.Serializer):
    source = serializers.ChoiceField(ShareSource.choices)  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    since = serializers.CharField(allow_null=True, help_text="Since when (ISO 8601 date or date-time).")
    consents = serializers.ListField(child=serializers.UUIDField(), help_text="The live consents that give it.")


class ReaderSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The institution, or the case manager and their institution.")
    kind = serializers.ChoiceField(ReaderKind.choices)
    categories = serializers.ListField(child=serializers.ChoiceField(DataCategory.choices))
    category_labels = serializers.ListField(child=serializers.CharField())
    sources = ShareSourceSerializer(many=True)
    last_opened = serializers.DateTimeField(allow_null=True, help_text="From the access log.")


class PersonReadersView(APIView):
    @extend_schema(
        summary="Who can see this person now, which data categories, and why",
        description=(
            "For the network's coordinators and the person's case manager: every institution that can read the "
            "person now, the categories it reads and the source of each (the network's coordination, the case, a "
            "referral covered by consent, a recorded legal basis, a candidacy), with the last time it opened the "
            "record. Anyone else gets 404."
        ),
        responses={200: ReaderSerializer(many=True), **_errors(404)},
        parameters=[PATH_ID],
    )
    def get(self, request: Request, pk: str) -> Response:
        from people.visibility import reader_data, who_can_see

        user = actor(request)
        with transaction.atomic():
            access = get_person_for(user, pk)
            if not access.can_change_path:
                raise Http404
            log_access(
                user=user, person=access.person, action=AccessAction.VIEW, view="api-person-access", channel="api"
            )
            readers = [reader_data(reader) for reader in who_can_see(access.person)]
        return Response(ReaderSerializer(readers, many=True).data)


class AccessLogEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="The user's id; null for the system's own reads.")
    user_name = serializers.CharField(allow_blank=True)
    action = serializers.ChoiceField(AccessAction.choices)
    channel = serializers.ChoiceField(AccessChannel.choices)
    merged_record = serializers.BooleanField(help_text="Written about a record since merged into this one.")


class PaginatedAccessLogSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AccessLogEntrySerializer(many=True)


def access_log_entry(entry: AccessLog, person_id: Any) -> dict[str, Any]:
    user = entry.user
    return {
        "at": entry.at,
        "user": str(user.pk) if user is not None else None,
        "user_name": (user.get_full_name() or user.get_username()) if user is not None else "",
        "action": entry.action,
        "channel": entry.channel,
        "merged_record": entry.person_id != person_id,
    }


class PersonAccessLogView(APIView):
    @extend_schema(
        summary="Who read or changed a person, newest first (the network's coordinators), page by page",
        description=(
            "The same rows and the same rule as the page ``/people/{id}/dostep/``: the network's coordinators read "
            "it; others who see the person get 403; anyone else, and anyone whose access ended (a withdrawn "
            "consent, a closed case), gets 404."
        ),
        operation_id="persons_access_log",
        parameters=[PATH_ID, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: PaginatedAccessLogSerializer, **_errors(403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        person, rows = access_log_for(actor(request), pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        entries = [access_log_entry(entry, person.pk) for entry in page]
        return paginator.get_paginated_response(AccessLogEntrySerializer(entries, many=True).data)


EXPORT_OUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "The person's complete record (GDPR art. 15), the same as the page's JSON download: one key per section "
        "(person, consents, referrals, placement_applications, case_transfers, cases, case_events, support_plans, "
        "goals, goal_reviews, assessments, activities, support_groups, meetings_attended, access_log); values of "
        "choices are their labels in the request's language (Polish by default); ``labels`` gives each section's "
        "title and column names. Every export is written to the access log."
    ),
)


class PersonExportView(APIView):
    @extend_schema(
        summary="A person's complete record, including every recipient of their data (the network's coordinators)",
        operation_id="persons_export",
        responses={200: EXPORT_OUT, **_errors(404)},
        parameters=[PATH_ID],
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        # Only coordinators export; everyone else, whether they see the person or not, gets the same 404.
        if not access.is_coordinator:
            raise Http404
        response = Response(person_export(actor=user, person=access.person, channel="api"))
        response["Cache-Control"] = "no-store"
        return response


class PersonAnonymiseView(APIView):
    @extend_schema(
        summary="Anonymise a person for good (the network's coordinators): open shares end, the case closes, "
        "identity and free text are cleared; what reports count stays",
        description="Others who see the person get 403; 409 ``anonymised`` when it was done already. The page "
        "shows what will end first (``/people/{id}/anonymise/``).",
        operation_id="persons_anonymise",
        request=None,
        responses={200: PERSON_OUT, **_errors(403, 404, 409)},
        parameters=[PATH_ID],
    )
    @performs(people_services.person_anonymise)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        person = people_services.person_anonymise(actor=user, person=access.person)
        return Response(person_data(get_person_for(user, person.pk)))
