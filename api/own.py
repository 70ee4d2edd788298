"""The person's own API, ``/api/v1/me/person/`` (issue 18): the same reads, the same withdrawal, the same requests
to staff and the same choice of contact as ``/moje/``, over ``people.own``. Only a person account (the person or
their guardian) gets an answer here; a staff account gets 404, and a person account gets 404 everywhere else
(``core.account_kinds``). The staff side, ``/api/v1/persons/{id}/own-account/``, is the person page's invitation:
the same ``people.own.person_invite`` as the page."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from partners.models import User
from people import own
from people.access import get_person_for
from people.audit import log_access
from people.export import as_json, own_export_sections
from people.models import AccessAction, AccountRelation, Consent, ContactBy, InvitationChannel
from referrals.selectors import referrals_for_the_person


class ManagerSerializer(serializers.Serializer):
    name = serializers.CharField()
    institution = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class GoalSerializer(serializers.Serializer):
    description = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    target_date = serializers.DateField(allow_null=True)


class MeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    date = serializers.DateField(source="held_on")
    time = serializers.TimeField(source="group.start_time", allow_null=True)
    group = serializers.CharField(source="group.name")
    place = serializers.SerializerMethodField()

    def get_place(self, meeting: Any) -> str:
        return str(meeting.place or meeting.group.place)


class OwnReferralSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    to = serializers.CharField(source="to_partner.__str__")
    service = serializers.SerializerMethodField()
    status = serializers.CharField(source="state")
    status_label = serializers.CharField(source="get_state_display")
    sent_at = serializers.DateTimeField(allow_null=True)
    first_appointment_at = serializers.DateTimeField(allow_null=True)

    def get_service(self, referral: Any) -> str:
        return referral.service.name if referral.service_id else ""


class PathSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="The stage of the open path, as the network names it; empty if none.")
    case_manager = ManagerSerializer(allow_null=True)
    goals = GoalSerializer(many=True)
    meetings = MeetingSerializer(many=True, help_text="Group meetings of the next 60 days.")


class MePersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    relation = serializers.CharField(help_text="Whose account: `person` (the person) or `guardian` (a legal guardian).")
    contact_by = serializers.CharField(help_text="How the person agreed to get reminders: `sms`, `email` or empty.")
    record = serializers.DictField(help_text="The person's own data (names, birth date, contact, guardian).")
    path = PathSerializer()
    referrals = OwnReferralSerializer(many=True, help_text="Where the person was referred; no staff notes.")


class OwnConsentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    partners = serializers.ListField(child=serializers.CharField(), help_text="Institutions named in the consent.")
    partner_types = serializers.ListField(child=serializers.CharField(), help_text="Kinds of institution, as labels.")
    categories = serializers.ListField(child=serializers.CharField())
    category_labels = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    live = serializers.BooleanField()
    withdrawing_stops = serializers.ListField(
        child=serializers.CharField(), help_text="In plain words, what a withdrawal would end."
    )


class SeenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    institution = serializers.CharField()
    role = serializers.CharField()
    name = serializers.CharField(help_text="The staff member's name, only where the network's policy shows it.")
    part = serializers.CharField(help_text="Which part of the record.")
    action = serializers.CharField()
    is_me = serializers.BooleanField(help_text="The person's own account did it.")


def consent_data(consent: Consent) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "id": consent.pk,
        "partners": [str(partner) for partner in consent.partners.all()],
        "partner_types": consent.partner_type_labels(),
        "categories": list(consent.categories),
        "category_labels": consent.category_labels(),
        "purpose": consent.purpose,
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "withdrawn_at": consent.withdrawn_at,
        "live": consent.is_live(today),
        "withdrawing_stops": own.what_stops(consent) if consent.is_live(today) else [],
    }


class ContactSerializer(serializers.Serializer):
    contact_by = serializers.ChoiceField(
        choices=ContactBy.choices,
        allow_blank=True,
        help_text="How I agree to get reminders and news: `sms`, `email`, or empty for none.",
    )


class MePersonView(APIView):
    @extend_schema(
        summary="My record as I may see it (a person's own account)",
        operation_id="me_person",
        responses={200: MePersonSerializer, **_errors(404)},
    )
    def get(self, request: Request) -> Response:
        return self._answer(own.own_account(actor(request)))

    @extend_schema(
        summary="How I agree to be sent reminders and news (SMS, e-mail or none)",
        description="400 when the network has no phone number (for `sms`) or e-mail address (for `email`) of mine.",
        operation_id="me_person_contact",
        request=ContactSerializer,
        responses={200: MePersonSerializer, **_errors(400, 404)},
    )
    @performs(own.own_contact_set)
    def patch(self, request: Request) -> Response:
        user = actor(request)
        own.own_account(user)  # a staff account: 404 before its input is read
        incoming = ContactSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        account = own.own_contact_set(user=user, contact_by=incoming.validated_data["contact_by"])
        return self._answer(account)

    def _answer(self, account: Any) -> Response:
        person = account.person
        path = own.own_path(person)
        manager = None
        if path.manager_name:
            manager = {
                "name": path.manager_name,
                "institution": path.institution,
                "phone": path.manager_phone,
                "email": path.manager_email,
            }
        data = {
            "id": person.pk,
            "relation": account.relation,
            "contact_by": account.contact_by,
            "record": own.own_record(person),
            "path": {"stage": path.stage, "case_manager": manager, "goals": path.goals, "meetings": path.meetings},
            "referrals": referrals_for_the_person(person),
        }
        response = Response(MePersonSerializer(data).data)
        response["Cache-Control"] = "no-store"
        return response


class MeConsentsView(APIView):
    @extend_schema(
        summary="My consents: to whom, which data, since and until when",
        operation_id="me_person_consents",
        responses={200: OwnConsentSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request) -> Response:
        account = own.own_account(actor(request))
        consents = own.own_consents(account.person)
        return Response(OwnConsentSerializer([consent_data(c) for c in consents], many=True).data)


class OwnRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(own.RequestKind.ENTRY, "entry"), (own.RequestKind.CONSENT, "consent")],
        help_text="`entry`: a question about an entry of who-saw-my-data; `consent`: I ask to give a new consent "
        "(staff record it, as it needs a signed document).",
    )
    entry = serializers.IntegerField(
        required=False, allow_null=True, help_text="For `entry`: the id from `GET /api/v1/me/person/access-log/`."
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class MeRequestsView(APIView):
    @extend_schema(
        summary="Ask my case manager and the coordinators: about an access entry, or for a new consent",
        description="They are told at once (with my initials only). 404 for an entry that is not about me.",
        operation_id="me_person_requests",
        request=OwnRequestSerializer,
        responses={202: OwnRequestSerializer, **_errors(400, 404)},
    )
    @performs(own.own_request)
    def post(self, request: Request) -> Response:
        user = actor(request)
        own.own_account(user)
        incoming = OwnRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        own.own_request(user=user, kind=data["kind"], entry_id=data.get("entry"), message=data["message"])
        return Response(OwnRequestSerializer(data).data, status=status.HTTP_202_ACCEPTED)


class MeConsentWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw one of my consents: whatever depended on it stops at once",
        operation_id="me_person_consents_withdraw",
        request=None,
        responses={200: OwnConsentSerializer, **_errors(404, 409)},
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The consent.")],
    )
    @performs(own.own_consent_withdraw)
    def post(self, request: Request, pk: str) -> Response:
        consent = own.own_consent_withdraw(user=actor(request), consent_id=pk, channel="api")
        consent = own.own_consent(consent.person, consent.pk)
        return Response(OwnConsentSerializer(consent_data(consent)).data)


class MeAccessLogView(APIView):
    @extend_schema(
        summary="Who saw my data: the access log about me, newest first",
        operation_id="me_person_access_log",
        responses={200: SeenSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request) -> Response:
        account = own.own_account(actor(request))
        return Response(SeenSerializer(own.own_access_log(account.person), many=True).data)


class MeExportView(APIView):
    @extend_schema(
        summary="All my data (GDPR art. 15), as the staff's export gives it",
        operation_id="me_person_export",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="One key per section, with `labels` giving each section's title and column names; "
                "the same record as `GET /api/v1/persons/{id}/export/`. Written to the access log.",
            ),
            **_errors(404),
        },
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        account = own.own_account(user)
        response = Response(as_json(own_export_sections(actor=user, person=account.person, channel="api")))
        response["Cache-Control"] = "no-store"
        return response


# --- staff: the person's own account, from the person's record ----------------------------------------------------


class OwnAccountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField(source="user.username")
    relation = serializers.CharField(help_text="`person` or `guardian`.")
    contact_by = serializers.CharField(help_text="How the person agreed to get messages: `sms`, `email` or empty.")
    created_at = serializers.DateTimeField()
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)


class OwnAccountInvitationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    relation = serializers.CharField(help_text="`person` or `guardian`.")
    channel = serializers.CharField(help_text="`email` or `sms`.")
    address = serializers.CharField()
    language = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    usable = serializers.BooleanField(source="is_usable", help_text="The link still works (not used, cancelled "
                                      "or past its 72 hours).")  # fmt: skip


class OwnAccountsSerializer(serializers.Serializer):
    accounts = OwnAccountSerializer(many=True)
    invitations = OwnAccountInvitationSerializer(many=True, help_text="Newest first.")


class InviteSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=AccountRelation.choices)
    channel = serializers.ChoiceField(choices=InvitationChannel.choices)
    address = serializers.CharField(max_length=254, help_text="The e-mail address or phone number the link goes to.")
    language = serializers.ChoiceField(choices=User.Language.choices, default=User.Language.POLISH)


class PersonOwnAccountView(APIView):
    @extend_schema(
        summary="The person's own accounts and the invitations sent (the coordinators and the case manager)",
        operation_id="persons_own_account",
        parameters=[_path_id("The person's id.")],
        responses={200: OwnAccountsSerializer, **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            access = get_person_for(user, pk)
            if not access.can_change_path:
                raise Http404
            person = access.person
            data = {"accounts": own.accounts_of(person), "invitations": own.invitations_of(person)}
            log_access(user=user, person=person, action=AccessAction.VIEW, view="api-person-own-account", channel="api")
        return Response(OwnAccountsSerializer(data).data)


class PersonInvitationsView(APIView):
    @extend_schema(
        summary="Invite the person (or their legal guardian) to an account of their own",
        description="The one-time link goes by e-mail or SMS and works for 72 hours; an earlier unused invitation "
        "of the same kind stops working. The link itself is never in the answer. 403 for whoever reads the person "
        "but may not change their path; 409 ``anonymised``.",
        operation_id="persons_own_account_invite",
        parameters=[_path_id("The person's id.")],
        request=InviteSerializer,
        responses={201: OwnAccountInvitationSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(own.person_invite)
    def post(self, request: Request, pk: str) -> Response:
        user = actor(request)
        access = get_person_for(user, pk)
        incoming = InviteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        invitation, _token = own.person_invite(actor=user, person=access.person, **incoming.validated_data)
        return Response(OwnAccountInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
