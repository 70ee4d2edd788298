"""Serializers of API v1. Output and input are kept apart: input ones only parse and resolve references,
the services in partners/ and network/ validate the whole object and save it."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.permissions import partner_for_membership
from network.access import get_network_for, get_partner_for
from network.models import CooperationAgreement, Network, NetworkMembership
from partners.choices import FundingSource, PartnerFunction, StaffRole
from partners.models import Partner, Service, StaffMembership, User
from partners.services import PARTNER_FIELDS


class CodeLabelSerializer(serializers.Serializer):
    """A coded value with its label in the request's language."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label, on purpose


def code_labels(codes: list[str], choices: list[tuple[str, Any]]) -> list[dict[str, str]]:
    labels = dict(choices)
    return [{"code": code, "label": str(labels.get(code, code))} for code in codes]


def person_name(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username}


class PersonRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


# --- me -------------------------------------------------------------------------------------------


class MyPartnerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    type = serializers.CharField()
    role = serializers.ChoiceField(choices=StaffRole.choices)


class MyNetworkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    coordinator = serializers.BooleanField(help_text="The user coordinates this network.")


# A read-only model field loses its blank "" in DRF, and its "email"/"uri" format then refuses the empty value the
# API does send (found by tests/api/test_fuzz_schemathesis.py): these are declared as the text they are.
OPTIONAL_EMAIL = serializers.CharField(read_only=True, help_text="An e-mail address, or empty when none is given.")

ROLES = ["coordinator", "staff", "admin", "job_coach", "employer", "monitor", "superuser"]


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user. ``partners`` and ``networks`` come from the view (read once, in fixed queries)."""

    email = OPTIONAL_EMAIL
    roles = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    networks = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "language",
            "is_regional_monitor",
            "roles",
            "partners",
            "networks",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ROLES)))
    def get_roles(self, user: User) -> list[str]:
        return list(self.context["roles"])

    @extend_schema_field(MyPartnerSerializer(many=True))
    def get_partners(self, user: User) -> list[dict[str, Any]]:
        return [
            {"id": m.partner.pk, "name": m.partner.name, "type": m.partner.type, "role": m.role}
            for m in self.context["staff_memberships"]
        ]

    @extend_schema_field(MyNetworkSerializer(many=True))
    def get_networks(self, user: User) -> list[dict[str, Any]]:
        coordinated = self.context["coordinated_network_ids"]
        return [{"id": n.pk, "name": n.name, "coordinator": n.pk in coordinated} for n in self.context["networks"]]


# --- partners -------------------------------------------------------------------------------------


class PartnerRefSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "name", "short_name", "type", "type_label"]


class PartnerSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)
    address = serializers.CharField(read_only=True)
    email = OPTIONAL_EMAIL
    website = serializers.CharField(read_only=True, help_text="A web address, or empty when none is given.")

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "short_name",
            "type",
            "type_label",
            "sector",
            "sector_label",
            "description",
            "regon",
            "nip",
            "krs",
            "street",
            "postal_code",
            "city",
            "address",
            "phone",
            "email",
            "website",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerUpdateSerializer(serializers.ModelSerializer):
    """The editable profile of a partner. The model's validators (REGON, NIP, postal code) run here too."""

    class Meta:
        model = Partner
        fields = PARTNER_FIELDS


class PartnerCreateSerializer(PartnerUpdateSerializer):
    network = serializers.UUIDField(
        required=False,
        help_text="The network the partner joins; you must coordinate it. Required but for operators.",
    )
    functions = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnerFunction.choices),
        required=False,
        default=list,
        help_text="The partner's functions in that network.",
    )

    class Meta(PartnerUpdateSerializer.Meta):
        fields = [*PartnerUpdateSerializer.Meta.fields, "network", "functions"]

    def validate_network(self, value: Any) -> Network:
        try:
            return get_network_for(self.context["request"].user, value)
        except Http404:
            raise serializers.ValidationError(_("Unknown network."), code="does_not_exist") from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("network") is None and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError({"network": _("Give the network the partner joins.")}, code="required")
        return attrs


# --- staff ----------------------------------------------------------------------------------------


class StaffUserSerializer(serializers.ModelSerializer):
    email = OPTIONAL_EMAIL

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email"]


class StaffSerializer(serializers.ModelSerializer):
    user = StaffUserSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StaffMembership
        fields = [
            "id",
            "partner",
            "user",
            "role",
            "role_label",
            "job_title",
            "status",
            "status_label",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {
                "help_text": "pending: an existing account was invited and gives nothing until it confirms; "
                "active: works for the partner; declined; ended."
            },
            "is_active": {"help_text": "True exactly when status is active."},
        }


class InvitationSerializer(serializers.ModelSerializer):
    """A staff invitation waiting for the signed-in user's answer."""

    partner = PartnerRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = StaffMembership
        fields = ["id", "partner", "role", "role_label", "job_title", "created_at"]
        read_only_fields = fields


class StaffAddSerializer(serializers.Serializer):
    """Add someone to a partner's staff by username. An unknown username creates an account (active at once, with
    an e-mail to set its password); an existing account is invited and must confirm (the operator's is active)."""

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, default=StaffRole.STAFF)
    job_title = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    send_invitation = serializers.BooleanField(
        default=True, help_text="E-mail a new account a link to set its password."
    )


class StaffUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=StaffRole.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)


# --- services -------------------------------------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    # Read-only model fields lose their blank "" in DRF (and so in the schema); these may be empty.
    funding_source = serializers.ChoiceField(FundingSource.choices, allow_blank=True, read_only=True)
    funding_source_label = serializers.CharField(source="get_funding_source_display", read_only=True)
    free_places = serializers.SerializerMethodField(
        help_text="Places left now; null when the number of places is not limited."
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "partner",
            "name",
            "category",
            "category_label",
            "description",
            "eligibility",
            "schedule",
            "place",
            "postal_code",
            "city",
            "capacity",
            "load",
            "free_places",
            "waitlist_enabled",
            "funding_source",
            "funding_source_label",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields

    def get_free_places(self, service: Service) -> int | None:
        return service.free_places


class ServiceUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "name",
            "category",
            "description",
            "eligibility",
            "schedule",
            "place",
            "postal_code",
            "city",
            "capacity",
            "load",
            "waitlist_enabled",
            "funding_source",
            "is_active",
        ]


class ServiceCreateSerializer(ServiceUpdateSerializer):
    partner = serializers.UUIDField(help_text="The partner that offers the service.")

    class Meta(ServiceUpdateSerializer.Meta):
        fields = ["partner", *ServiceUpdateSerializer.Meta.fields]

    def validate_partner(self, value: Any) -> Partner:
        try:
            return get_partner_for(self.context["request"].user, value)
        except Http404:
            raise serializers.ValidationError(_("Unknown partner."), code="does_not_exist") from None


# --- networks -------------------------------------------------------------------------------------


class StageSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="The network's own label; empty keeps the default one.",
    )


class NetworkSerializer(serializers.ModelSerializer):
    coordinating_partner = PartnerRefSerializer(read_only=True, allow_null=True)
    stages = serializers.SerializerMethodField(help_text="Path stages in order, with their labels.")

    class Meta:
        model = Network
        fields = [
            "id",
            "name",
            "teryt",
            "territory_name",
            "coordinating_partner",
            "start_date",
            "description",
            "stages",
        ]
        read_only_fields = fields

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, network: Network) -> list[dict[str, str]]:
        return [{"code": code, "name": name} for code, name in network.stage_choices()]


class MembershipSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    functions = serializers.SerializerMethodField()
    coordinating_person = serializers.SerializerMethodField()
    contact_email = OPTIONAL_EMAIL

    class Meta:
        model = NetworkMembership
        fields = [
            "id",
            "network",
            "partner",
            "functions",
            "coordinating_person",
            "contact_name",
            "contact_phone",
            "contact_email",
            "since",
            "until",
        ]
        read_only_fields = fields

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_functions(self, membership: NetworkMembership) -> list[dict[str, str]]:
        return code_labels(membership.functions, PartnerFunction.choices)

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_coordinating_person(self, membership: NetworkMembership) -> dict[str, Any] | None:
        return person_name(membership.coordinating_person)


class AgreementSerializer(serializers.ModelSerializer):
    funding_sources = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField(
        help_text="Where signed-in users who see the network can open the signed document."
    )

    class Meta:
        model = CooperationAgreement
        fields = [
            "id",
            "title",
            "procedures",
            "communication_means",
            "contact_persons",
            "funding_sources",
            "valid_from",
            "valid_to",
            "document_url",
        ]
        read_only_fields = fields

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_funding_sources(self, agreement: CooperationAgreement) -> list[dict[str, str]]:
        return code_labels(agreement.funding_sources, FundingSource.choices)

    def get_document_url(self, agreement: CooperationAgreement) -> str | None:
        if not agreement.document:
            return None
        # The permission-checked page that streams the file; the API itself never serves it.
        url = reverse(
            "network-agreement-document", kwargs={"network_id": agreement.network_id, "agreement_id": agreement.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class NetworkDetailSerializer(NetworkSerializer):
    memberships = serializers.SerializerMethodField(help_text="The partners that are members today.")
    agreement = serializers.SerializerMethodField(help_text="The cooperation agreement in force today.")

    class Meta(NetworkSerializer.Meta):
        fields = [*NetworkSerializer.Meta.fields, "memberships", "agreement"]
        read_only_fields = fields

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, network: Network) -> list[dict[str, Any]]:
        # Filled by the view with a Prefetch(to_attr=...); listed by partner name.
        memberships = sorted(getattr(network, "current_memberships", []), key=lambda m: (m.partner.name, str(m.pk)))
        return MembershipSerializer(memberships, many=True, context=self.context).data  # type: ignore[return-value]

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, network: Network) -> dict[str, Any] | None:
        agreements = getattr(network, "current_agreements", [])
        if not agreements:
            return None
        return AgreementSerializer(agreements[0], context=self.context).data


class NetworkUpdateSerializer(serializers.ModelSerializer):
    coordinating_partner = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A current member of the network, or null.",
    )
    stages = StageSerializer(many=True, required=False)

    class Meta:
        model = Network
        fields = ["name", "teryt", "territory_name", "coordinating_partner", "start_date", "description", "stages"]

    def validate_coordinating_partner(self, value: Any) -> Partner | None:
        if value is None:
            return None
        network = self.context["network"]
        membership = (
            NetworkMembership.objects.current()
            .filter(network=network, partner_id=value)
            .select_related("partner")
            .first()
        )
        if membership is None:
            raise serializers.ValidationError(
                _("The coordinating partner must be a current member of the network."), code="not_member"
            )
        return membership.partner


class MembershipUpdateSerializer(serializers.ModelSerializer):
    functions = serializers.ListField(child=serializers.ChoiceField(choices=PartnerFunction.choices), required=False)
    coordinating_person = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A user who works for this partner, or null.",
    )

    class Meta:
        model = NetworkMembership
        fields = [
            "functions",
            "coordinating_person",
            "contact_name",
            "contact_phone",
            "contact_email",
            "since",
            "until",
        ]

    def partner_for_person(self, attrs: dict[str, Any]) -> Any:
        return self.context["membership"].partner_id

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        person_id = attrs.get("coordinating_person")
        if person_id is not None:
            person = User.objects.filter(
                pk=person_id,
                staff_memberships__partner_id=self.partner_for_person(attrs),
                staff_memberships__is_active=True,
            ).first()
            if person is None:
                raise serializers.ValidationError(
                    {"coordinating_person": _("The coordinating person must work for this partner.")},
                    code="not_staff",
                )
            attrs["coordinating_person"] = person
        return attrs


class MembershipCreateSerializer(MembershipUpdateSerializer):
    partner = serializers.UUIDField(
        help_text="A partner you can see; a new institution is added with POST /api/v1/partners/."
    )
    functions = serializers.ListField(child=serializers.ChoiceField(choices=PartnerFunction.choices), default=list)
    since = serializers.DateField(required=False, help_text="Today when not given.")

    class Meta(MembershipUpdateSerializer.Meta):
        fields = ["partner", *MembershipUpdateSerializer.Meta.fields]

    def validate_partner(self, value: Any) -> Partner:
        partner = partner_for_membership(self.context["request"].user, self.context["network"], value)
        if partner is None:
            raise serializers.ValidationError(
                _("Unknown partner, or one outside your networks (add new ones with POST /api/v1/partners/)."),
                code="does_not_exist",
            )
        return partner

    def partner_for_person(self, attrs: dict[str, Any]) -> Any:
        return attrs["partner"].pk
