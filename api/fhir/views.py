"""The FHIR paths: the CapabilityStatement, read and search of each resource type, Task updates and a
ServiceRequest's creation. Objects come from the same access functions as ``/api/v1/`` (404 for missing and
not-yours alike); person-level reads are written to the access log (channel ``fhir``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from api.fhir import capability, changes, codes, params, resources
from api.fhir.base import FhirView
from core.scope import scope_for
from network.access import get_partner_for, get_service_for, partners_visible_to, services_visible_to
from partners.choices import PartnerType, PathStage
from partners.models import User
from people.access import get_person_for
from people.audit import log_access, log_access_many
from people.models import AccessAction, Consent, Person
from people.selectors import consents_covering
from referrals.access import get_referral_for, referrals_visible_to
from referrals.models import Referral

JSON = dict[str, Any]
CHANNEL = "fhir"


def _user(request: Request) -> User:
    return cast(User, request.user)


def _reads_people(user: User) -> None:
    """Person-level resources are closed to an employer's staff and the regional monitor: the same 404 as for
    a stranger (``core.scope.Scope.reads_people``)."""
    scope = scope_for(user)
    if not scope.reads_people:
        raise Http404
    # The regional monitor never reaches a person-level list, not even an empty one (as people.selectors.person_list).
    if scope.is_monitor and not scope.coordinated_network_ids and not scope.staff_partner_ids:
        raise Http404


def _url(request: Request, kind: str, pk: Any) -> str:
    return request.build_absolute_uri(f"/fhir/{kind}/{pk}")


def _search(
    request: Request,
    rows: QuerySet[Any],
    build: Callable[[Any], JSON],
    kind: str,
    log_view: str = "",
    person_of: Callable[[Any], Person] | None = None,
) -> Response:
    """A searchset Bundle of one page, with self/first/previous/next/last links (``_count``, ``_page``)."""
    page = params.paging(request.query_params)
    with transaction.atomic():
        total = rows.count()
        items = list(rows[page.offset : page.offset + page.count]) if page.count and page.offset < total else []
        if log_view and person_of is not None and items:
            people = list({person_of(item).pk: person_of(item) for item in items}.values())
            log_access_many(
                user=_user(request), people=people, action=AccessAction.VIEW, view=log_view, channel=CHANNEL
            )
    last = max((total + page.count - 1) // page.count, 1) if page.count else 1

    def link(number: int) -> str:
        query = request.query_params.copy()
        query["_page"] = str(number)
        query["_count"] = str(page.count)
        return request.build_absolute_uri(request.path) + "?" + query.urlencode()

    links = [("self", link(page.page)), ("first", link(1))]
    if page.page > 1:
        links.append(("previous", link(min(page.page - 1, last))))
    if page.page < last:
        links.append(("next", link(page.page + 1)))
    links.append(("last", link(last)))
    entries = [(_url(request, kind, item.pk), build(item)) for item in items]
    return Response(resources.searchset(total, links, entries))


def _referrals(user: User) -> QuerySet[Referral]:
    _reads_people(user)
    return referrals_visible_to(user).select_related(
        "person", "to_partner", "from_partner", "service", "network__coordinating_partner"
    )


def _referral(user: User, pk: str, view: str) -> Referral:
    _reads_people(user)
    with transaction.atomic():
        referral = get_referral_for(user, pk)
        log_access(
            user=user,
            person=referral.person,
            action=AccessAction.VIEW,
            view=view,
            channel=CHANNEL,
            detail=f"referral:{referral.pk}",
        )
    return referral


class MetadataView(FhirView):
    """What this server supports; open without sign-in, as FHIR clients expect (it holds no data)."""

    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response(capability.capability_statement(request.build_absolute_uri("/fhir")))


# --- ServiceRequest --------------------------------------------------------------------------------------------


class ServiceRequestTypeView(FhirView):
    def get(self, request: Request) -> Response:
        query = request.query_params
        params.check_names(query, capability.SEARCH["ServiceRequest"])
        rows = _referrals(_user(request))
        if (ids := params.reference_ids(query, "patient", "Patient")) is not None:
            rows = rows.filter(person_id__in=ids)
        if (ids := params.reference_ids(query, "performer", "Organization")) is not None:
            rows = rows.filter(to_partner_id__in=ids)
        if (statuses := params.tokens(query, "status", codes.ALL_REQUEST_STATUSES)) is not None:
            rows = rows.filter(state__in=[s for status in statuses for s in codes.states_for_request_status(status)])
        rows = rows.filter(params.date_filter(query, "authored", "created_at")).order_by("-created_at", "-id")
        return _search(
            request,
            rows,
            resources.service_request,
            "ServiceRequest",
            "fhir-servicerequest-search",
            lambda r: r.person,
        )

    def post(self, request: Request) -> Response:
        user = _user(request)
        _reads_people(user)
        referral = changes.create_referral(actor=user, body=request.data)
        referral = get_referral_for(user, referral.pk)
        location = _url(request, "ServiceRequest", referral.pk)
        return Response(resources.service_request(referral), status=201, headers={"Location": location})


class ServiceRequestView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(resources.service_request(_referral(_user(request), pk, "fhir-servicerequest")))


# --- Task ------------------------------------------------------------------------------------------------------


def _task_states(statuses: list[str]) -> Q:
    condition = Q(pk__in=[])
    for status in statuses:
        states, checked_in = codes.states_for_task_status(status)
        part = Q(state__in=states)
        if checked_in is not None:
            part &= Q(checked_in_at__isnull=not checked_in)
        condition |= part
    return condition


class TaskTypeView(FhirView):
    def get(self, request: Request) -> Response:
        query = request.query_params
        params.check_names(query, capability.SEARCH["Task"])
        rows = _referrals(_user(request))
        if (ids := params.reference_ids(query, "focus", "ServiceRequest")) is not None:
            rows = rows.filter(pk__in=ids)
        if (ids := params.reference_ids(query, "owner", "Organization")) is not None:
            rows = rows.filter(to_partner_id__in=ids)
        if (ids := params.reference_ids(query, "patient", "Patient")) is not None:
            rows = rows.filter(person_id__in=ids)
        if (statuses := params.tokens(query, "status", codes.ALL_TASK_STATUSES)) is not None:
            rows = rows.filter(_task_states(statuses))
        rows = rows.order_by("-created_at", "-id")
        return _search(request, rows, resources.task, "Task", "fhir-task-search", lambda r: r.person)


class TaskView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(resources.task(_referral(_user(request), pk, "fhir-task")))

    def put(self, request: Request, pk: str) -> Response:
        user = _user(request)
        _reads_people(user)
        referral = get_referral_for(user, pk)
        task = changes.validated_task(request.data)
        if task.get("id") not in (None, str(referral.pk)):
            raise changes.BadResource(_("The Task's id must be the id in the address."), ["Task.id"])
        return Response(resources.task(changes.task_move(actor=user, referral=referral, task=task)))

    def patch(self, request: Request, pk: str) -> Response:
        user = _user(request)
        _reads_people(user)
        referral = get_referral_for(user, pk)
        if request.content_type.split(";")[0].strip() != "application/json-patch+json":
            raise exceptions.UnsupportedMediaType(
                request.content_type, _("Send a JSON Patch (Content-Type: application/json-patch+json).")
            )
        task = changes.validated_task(changes.apply_patch(resources.task(referral), request.data))
        if task.get("id") != str(referral.pk):
            raise changes.BadResource(_("The Task's id cannot be changed."), ["Task.id"])
        return Response(resources.task(changes.task_move(actor=user, referral=referral, task=task)))


# --- Patient, Consent ------------------------------------------------------------------------------------------


class PatientView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        user = _user(request)
        _reads_people(user)
        with transaction.atomic():
            access = get_person_for(user, pk)
            # Identity is the only category a Patient carries; without it there is nothing to show.
            if not access.can_read("identity"):
                raise Http404
            log_access(user=user, person=access.person, action=AccessAction.VIEW, view="fhir-patient", channel=CHANNEL)
        return Response(resources.patient(access.person))


def _consents(user: User) -> QuerySet[Any]:
    _reads_people(user)
    return consents_covering(user).select_related("person").prefetch_related("partners")


class ConsentTypeView(FhirView):
    def get(self, request: Request) -> Response:
        query = request.query_params
        params.check_names(query, capability.SEARCH["Consent"])
        rows = _consents(_user(request))
        if (ids := params.reference_ids(query, "patient", "Patient")) is not None:
            rows = rows.filter(person_id__in=ids)
        rows = rows.order_by("-valid_from", "-created_at", "-id")
        return _search(request, rows, resources.consent, "Consent", "fhir-consent-search", lambda c: c.person)


class ConsentView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        user = _user(request)
        with transaction.atomic():
            try:
                item = _consents(user).get(pk=pk)
            except (Consent.DoesNotExist, ValidationError, ValueError):  # missing, not yours, or not an id
                raise Http404 from None
            log_access(
                user=user,
                person=item.person,
                action=AccessAction.VIEW,
                view="fhir-consent",
                channel=CHANNEL,
                detail=f"consent:{item.pk}",
            )
        return Response(resources.consent(item))


# --- the directory ---------------------------------------------------------------------------------------------


class OrganizationTypeView(FhirView):
    def get(self, request: Request) -> Response:
        query = request.query_params
        params.check_names(query, capability.SEARCH["Organization"])
        rows = partners_visible_to(_user(request))
        if (name := params.text(query, "name")) is not None:
            rows = rows.filter(Q(name__istartswith=name) | Q(short_name__istartswith=name))
        if (name := params.text(query, "name:contains")) is not None:
            rows = rows.filter(Q(name__icontains=name) | Q(short_name__icontains=name))
        if (types := params.tokens(query, "type", PartnerType.values)) is not None:
            rows = rows.filter(type__in=types)
        if (identifier := params.text(query, "identifier")) is not None:
            value = identifier.rsplit("|", 1)[-1]
            rows = rows.filter(Q(regon=value) | Q(nip=value) | Q(krs=value))
        return _search(request, rows.order_by("name", "id"), resources.organization, "Organization")


class OrganizationView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(resources.organization(get_partner_for(_user(request), pk)))


class HealthcareServiceTypeView(FhirView):
    def get(self, request: Request) -> Response:
        query = request.query_params
        params.check_names(query, capability.SEARCH["HealthcareService"])
        rows = services_visible_to(_user(request)).select_related("partner")
        if (ids := params.reference_ids(query, "organization", "Organization")) is not None:
            rows = rows.filter(partner_id__in=ids)
        if (categories := params.tokens(query, "service-category", PathStage.values)) is not None:
            rows = rows.filter(category__in=categories)
        if (active := params.tokens(query, "active", ("true", "false"))) is not None:
            rows = rows.filter(is_active__in=[value == "true" for value in active])
        if (name := params.text(query, "name")) is not None:
            rows = rows.filter(name__icontains=name)
        return _search(request, rows.order_by("name", "id"), resources.healthcare_service, "HealthcareService")


class HealthcareServiceView(FhirView):
    def get(self, request: Request, pk: str) -> Response:
        service = get_service_for(_user(request), pk)
        return Response(resources.healthcare_service(service))


class UnknownView(FhirView):
    """Any other path under /fhir/: a resource type or an interaction this server does not offer."""

    permission_classes = (AllowAny,)

    def _refuse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(
            resources.operation_outcome(
                404,
                "not_supported",
                _("This server offers no such resource or interaction; see /fhir/metadata for what it supports."),
            ),
            status=404,
        )

    get = post = put = patch = delete = _refuse
