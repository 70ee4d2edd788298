"""API v1 of assessments: instruments (as data, in the requested language) and a person's dated results.

Results are health data: a person the user cannot see, or whose health data the user may not read, answers 404
for their assessments. Reading a person's results and recording one each write an access-log row.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import actor
from core.actions import performs
from partners.models import Partner, User
from people.assessments import (
    assessment_partner_named,
    assessment_record,
    assessment_with_scores,
    get_instrument_for,
    get_person_with_health,
    instrument_named,
    instruments_visible_to,
    person_assessments,
    pick,
    with_levels,
)
from people.audit import log_access
from people.models import AccessAction, Instrument, Person

LANGUAGES = ("pl", "en")


def request_language(request: Request) -> str:
    """``?lang=pl|en`` wins; otherwise the language the request negotiated (Accept-Language), Polish by default."""
    wanted = request.query_params.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    return "en" if (translation.get_language() or "").startswith("en") else "pl"


# --- serializers ----------------------------------------------------------------------------------


class AssessmentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class InstrumentLevelSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    description = serializers.SerializerMethodField()

    def get_description(self, level: Any) -> str:
        return pick(level.description_pl, level.description_en, self.context["language"])


class InstrumentDomainSerializer(serializers.Serializer):
    code = serializers.CharField()
    position = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    levels = InstrumentLevelSerializer(many=True, source="levels.all")

    def get_name(self, domain: Any) -> str:
        return pick(domain.name_pl, domain.name_en, self.context["language"])


class InstrumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    network = serializers.UUIDField(
        source="network_id", allow_null=True, help_text=gettext_lazy("Empty for an instrument every network shares.")
    )
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    is_active = serializers.BooleanField()
    version = serializers.IntegerField(help_text=gettext_lazy("Versions of one instrument share its code."))
    previous = serializers.UUIDField(
        source="previous_id", allow_null=True, help_text=gettext_lazy("The version this one replaced.")
    )
    language = serializers.SerializerMethodField()

    def get_name(self, instrument: Instrument) -> str:
        return pick(instrument.name_pl, instrument.name_en, self.context["language"])

    def get_description(self, instrument: Instrument) -> str:
        return pick(instrument.description_pl, instrument.description_en, self.context["language"])

    def get_language(self, instrument: Instrument) -> str:
        return self.context["language"]


class InstrumentDetailSerializer(InstrumentSerializer):
    domains = InstrumentDomainSerializer(many=True, source="loaded_domains")


class AssessmentScoreSerializer(serializers.Serializer):
    domain = serializers.CharField(source="domain.code")
    value = serializers.IntegerField()


class AssessmentPartnerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class AssessorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.get_username()


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    instrument = serializers.UUIDField(source="instrument_id")
    instrument_code = serializers.CharField(source="instrument.code")
    assessed_on = serializers.DateField()
    partner = AssessmentPartnerSerializer(allow_null=True)
    assessed_by = AssessorSerializer()
    note = serializers.CharField()
    scores = AssessmentScoreSerializer(many=True, source="scores.all")
    created_at = serializers.DateTimeField()


class AssessmentCreateSerializer(serializers.Serializer):
    """Parses the input; network.assessments.assessment_record validates the result as a whole."""

    instrument = serializers.UUIDField(
        required=False, help_text=gettext_lazy("The instrument; the shared default instrument when left out.")
    )
    assessed_on = serializers.DateField(required=False, help_text=gettext_lazy("Today when left out."))
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("A level for every domain of the instrument, by domain code."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    partner = serializers.UUIDField(
        required=False, allow_null=True, help_text=gettext_lazy("The institution the assessment was made for.")
    )


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    described = {
        400: OpenApiResponse(
            OpenApiTypes.OBJECT, description="Field errors as DRF gives them: {field: [messages]}, or {detail, code}."
        ),
        401: OpenApiResponse(AssessmentErrorSerializer, description="Not signed in."),
        404: OpenApiResponse(
            AssessmentErrorSerializer, description="Missing, not yours, or you may not read this health data."
        ),
        409: OpenApiResponse(AssessmentErrorSerializer, description="The person's data was anonymised."),
    }
    return {code: described[code] for code in (401, *codes)}


LANG_PARAMETER = OpenApiParameter(
    "lang", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=list(LANGUAGES), description="Language of the texts."
)


def _path_id(description: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


# --- instruments ----------------------------------------------------------------------------------


class InstrumentListView(generics.ListAPIView):
    serializer_class = InstrumentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Instrument]:
        if getattr(self, "swagger_fake_view", False):
            return Instrument.objects.none()
        return instruments_visible_to(self.request.user).order_by("network_id", "name_pl", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "language": request_language(self.request)}

    @extend_schema(
        summary="Assessment instruments you may use: shared ones and your networks' own",
        parameters=[LANG_PARAMETER],
        responses={200: InstrumentSerializer(many=True), **_errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class InstrumentDetailView(generics.GenericAPIView):
    serializer_class = InstrumentDetailSerializer

    @extend_schema(
        summary="An instrument with its domains and the description of each level",
        parameters=[_path_id("The instrument's id."), LANG_PARAMETER],
        responses={200: InstrumentDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        instrument = with_levels(get_instrument_for(request.user, pk))
        context = {"request": request, "language": request_language(request)}
        return Response(InstrumentDetailSerializer(instrument, context=context).data)


# --- a person's results ---------------------------------------------------------------------------


class PersonAssessmentsView(generics.GenericAPIView):
    serializer_class = AssessmentSerializer
    filter_backends: list[Any] = []
    # Scores are a mapping of domain code to level, which only JSON carries faithfully.
    parser_classes = [JSONParser]

    @extend_schema(
        summary="A person's assessment results, oldest first (health data)",
        parameters=[
            _path_id("The person's id."),
            OpenApiParameter("instrument", OpenApiTypes.UUID, description="Only the results of this instrument."),
        ],
        responses={200: AssessmentSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        with transaction.atomic():
            access = get_person_with_health(request.user, pk)
            log_access(
                user=actor(request),
                person=access.person,
                action=AccessAction.VIEW,
                channel="api",
                view="api-person-assessments",
            )
        wanted = request.query_params.get("instrument")
        instrument = get_instrument_for(request.user, wanted) if wanted else None
        results = person_assessments(access.person, instrument)
        page = self.paginate_queryset(results)
        data = AssessmentSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Record a dated result: a level for every domain of the instrument (health data)",
        parameters=[_path_id("The person's id.")],
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer, **_errors(400, 404, 409)},
    )
    @performs(assessment_record)
    def post(self, request: Request, pk: str) -> Response:
        access = get_person_with_health(request.user, pk)
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = cast(User, request.user)  # IsAuthenticated let them in
        instrument = self._instrument(data.get("instrument"))
        partner = self._partner(user, access.person, data.get("partner"))
        assessment = assessment_record(
            actor=user,
            person=access.person,
            instrument=instrument,
            assessed_on=data.get("assessed_on") or timezone.localdate(),
            scores=data["scores"],
            note=data.get("note", ""),
            partner=partner,
            channel="api",
        )
        result = assessment_with_scores(assessment)
        return Response(AssessmentSerializer(result, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _instrument(self, pk: Any) -> Instrument:
        instrument = instrument_named(self.request.user, pk)
        if instrument is None:
            raise serializers.ValidationError({"instrument": [_("Choose an instrument you may use.")]})
        return instrument

    def _partner(self, user: User, person: Person, pk: Any) -> Partner | None:
        if pk is None:
            return None
        partner = assessment_partner_named(user, person, pk)
        if partner is None:
            message = _("Choose a partner of this network on whose behalf you may record an assessment.")
            raise serializers.ValidationError({"partner": [message]})
        return partner
