"""Pages of the network directory: overview, partners, staff, services, memberships, agreement."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from core.scope import scope_for
from frontend.errors import as_messages, on_form
from frontend.forms import (
    AgreementAddForm,
    AgreementForm,
    MembershipForm,
    NewPartnerForm,
    PartnerForm,
    ServiceFilterForm,
    ServiceForm,
    StaffAddForm,
    StaffChangeForm,
)
from frontend.types import AuthedRequest
from network import directory
from network import services as network_services
from network.access import (
    can_edit_partner_profile,
    can_manage_services,
    get_network_for,
    get_partner_for,
    get_partner_to_manage,
    get_service_for,
    services_visible_to,
)
from network.models import CooperationAgreement, NetworkMembership
from network.selectors import agreement_history as agreement_history_of
from network.selectors import agreement_of
from partners import services as partner_services
from partners.access import can_manage_partner, get_invitation_for
from partners.choices import PartnerFunction, StaffRole, StaffStatus
from partners.models import Service, StaffMembership
from partners.uploads import document_response
from people.selectors import door_partners

PAGE_SIZE = 50


def _current_agreement(network: Any) -> CooperationAgreement | None:
    return network.agreements.versions().order_by("-valid_from").first()


@login_required
@require_safe
def network_overview(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id)
    memberships = list(
        NetworkMembership.objects.current()
        .filter(network=network)
        .select_related("partner", "coordinating_person")
        .order_by("partner__name")
    )
    by_function: dict[str, list[NetworkMembership]] = defaultdict(list)
    for membership in memberships:
        for code in membership.functions or ["_none"]:
            by_function[code].append(membership)
    labels = dict(PartnerFunction.choices)
    groups: list[tuple[str, list[NetworkMembership]]] = [
        (str(labels[code]), by_function[code]) for code in PartnerFunction.values if by_function.get(code)
    ]
    if by_function.get("_none"):
        groups.append((_("No function assigned yet"), by_function["_none"]))
    context = {
        "network": network,
        "memberships": memberships,
        "groups": groups,
        "agreement": _current_agreement(network),
        "is_coordinator": scope_for(request.user).coordinates(network.pk),
        "registers_at_door": door_partners(request.user, network.pk).exists(),
    }
    return render(request, "network/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(directory.partner_create)
def network_members(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    """Coordinators add partners to their network (new institutions) and see every membership."""
    network = get_network_for(request.user, network_id, coordinate=True)
    form = NewPartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PartnerForm.Meta.fields}
        try:
            partner = directory.partner_create(
                actor=request.user, data=data, network=network, functions=form.cleaned_data["functions"]
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("%(partner)s joined the network.") % {"partner": partner})
            return redirect("network-members", network_id=network.pk)
    memberships = (
        NetworkMembership.objects.filter(network=network)
        .select_related("partner", "coordinating_person")
        .order_by("partner__name")
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "network/members.html", {"network": network, "memberships": memberships, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(network_services.membership_update)
def membership_edit(request: AuthedRequest, network_id: UUID, membership_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    try:
        membership = NetworkMembership.objects.select_related("partner").get(pk=membership_id, network=network)
    except NetworkMembership.DoesNotExist:
        raise Http404 from None
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            network_services.membership_update(actor=request.user, membership=membership, data=form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("network-members", network_id=network.pk)
    status = 400 if request.method == "POST" else 200
    context = {"network": network, "membership": membership, "form": form}
    return render(request, "network/membership_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(network_services.agreement_save)
def agreement_edit(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    agreement = _current_agreement(network)
    form = AgreementForm(request.POST or None, request.FILES or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "document"}
        try:
            network_services.agreement_save(
                actor=request.user,
                network=network,
                data=data,
                agreement=agreement,
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The cooperation agreement was saved."))
            return redirect("network-overview", network_id=network.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "network/agreement_form.html", {"network": network, "form": form}, status=status)


@login_required
@require_safe
def agreement_document(request: AuthedRequest, network_id: UUID, agreement_id: UUID) -> FileResponse:
    """The signed agreement, only for those who see the network; never through a public media URL."""
    network = get_network_for(request.user, network_id)
    agreement = agreement_of(network, agreement_id)
    if not agreement.document:
        raise Http404
    # The type comes from the content, and the file is always downloaded: a document stored under an ".html" name
    # with a "%PDF" head must never render as a page in the network's browsers (stored XSS).
    return document_response(agreement.document, stem=f"porozumienie-{agreement.pk}")


@login_required
@require_safe
def partner_detail(request: AuthedRequest, partner_id: UUID) -> HttpResponse:
    partner = get_partner_for(request.user, partner_id)
    scope = scope_for(request.user)
    membership_qs = NetworkMembership.objects.current().filter(partner=partner)
    if not scope.sees_every_network:
        membership_qs = membership_qs.filter(network_id__in=scope.network_ids)
    memberships = list(membership_qs.select_related("network", "coordinating_person"))
    in_my_networks = any(m.network_id in scope.coordinated_network_ids for m in memberships)
    sees_staff = scope.is_superuser or partner.pk in scope.staff_partner_ids or in_my_networks
    staff = (
        StaffMembership.objects.filter(partner=partner, is_active=True)
        .select_related("user")
        .order_by("user__last_name")
        if sees_staff
        else []
    )
    context = {
        "partner": partner,
        "memberships": memberships,
        "services": Service.objects.filter(partner=partner).order_by("name"),
        "staff": staff,
        "sees_staff": sees_staff,
        "can_manage_staff": can_manage_partner(request.user, partner),
        "can_manage_services": (manages := can_manage_services(request.user, partner) and not scope.is_monitor),
        "service_action_column": [_("Actions")] if manages else [],  # the services table's last column
        "can_edit": can_edit_partner_profile(request.user, partner),
        "manages_webhooks": partner.pk in scope.admin_partner_ids,
    }
    return render(request, "partners/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(directory.partner_update)
def partner_edit(request: AuthedRequest, partner_id: UUID) -> HttpResponse:
    partner = get_partner_for(request.user, partner_id)
    if not can_edit_partner_profile(request.user, partner):
        raise PermissionDenied
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            directory.partner_update(actor=request.user, partner=partner, data=form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("partner-detail", partner_id=partner.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/partner_form.html", {"partner": partner, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(partner_services.staff_add)
def staff_manage(request: AuthedRequest, partner_id: UUID) -> HttpResponse:
    partner = get_partner_to_manage(request.user, partner_id)
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = partner_services.staff_add(actor=request.user, partner=partner, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            if membership.is_pending:
                messages.success(
                    request,
                    _("%(user)s was invited; they join the staff when they accept on their start page.")
                    % {"user": membership.user},
                )
            else:
                messages.success(request, _("%(user)s was added to the staff.") % {"user": membership.user})
            return redirect("partner-staff", partner_id=partner.pk)
    memberships = (
        StaffMembership.objects.filter(partner=partner).select_related("user").order_by("-is_active", "user__last_name")
    )
    status = 400 if request.method == "POST" else 200
    context = {
        "partner": partner,
        "memberships": memberships,
        "form": form,
        "role_choices": StaffRole.choices,
        "pending": StaffStatus.PENDING,
    }
    return render(request, "partners/staff.html", context, status=status)


@login_required
@require_POST
@performs(partner_services.staff_update)
def staff_change(request: AuthedRequest, partner_id: UUID, membership_id: UUID) -> HttpResponse:
    partner = get_partner_to_manage(request.user, partner_id)
    try:
        membership = StaffMembership.objects.select_related("user", "partner").get(pk=membership_id, partner=partner)
    except StaffMembership.DoesNotExist:
        raise Http404 from None
    form = StaffChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            partner_services.staff_update(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as exc:
            as_messages(request, exc)
        else:
            messages.success(request, _("Saved."))
    return redirect("partner-staff", partner_id=partner.pk)


@login_required
@require_POST
@performs(partner_services.staff_confirm, partner_services.staff_decline)
def staff_invitation_answer(request: AuthedRequest, membership_id: UUID, accept: bool) -> HttpResponse:
    """The invited user accepts or declines an invitation from the notice on their home page."""
    membership = get_invitation_for(request.user, membership_id)
    answer = partner_services.staff_confirm if accept else partner_services.staff_decline
    try:
        answer(actor=request.user, membership=membership)
    except DomainError as exc:
        as_messages(request, exc)
    else:
        if accept:
            messages.success(request, _("You now work for %(partner)s.") % {"partner": membership.partner})
        else:
            messages.success(
                request, _("You declined the invitation of %(partner)s.") % {"partner": membership.partner}
            )
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
@performs(directory.service_create)
def service_create(request: AuthedRequest, partner_id: UUID) -> HttpResponse:
    partner = get_partner_for(request.user, partner_id)
    if not can_manage_services(request.user, partner):
        raise PermissionDenied
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = directory.service_create(actor=request.user, partner=partner, data=form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Service %(name)s was added.") % {"name": service.name})
            return redirect("partner-detail", partner_id=partner.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/service_form.html", {"partner": partner, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(directory.service_update)
def service_edit(request: AuthedRequest, service_id: UUID) -> HttpResponse:
    service = get_service_for(request.user, service_id)
    if not can_manage_services(request.user, service.partner):
        raise PermissionDenied
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            directory.service_update(actor=request.user, service=service, data=form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("partner-detail", partner_id=service.partner_id)
    status = 400 if request.method == "POST" else 200
    context = {"partner": service.partner, "service": service, "form": form}
    return render(request, "partners/service_form.html", context, status=status)


@login_required
@require_safe
def service_directory(request: AuthedRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    services = services_visible_to(request.user).filter(is_active=True).select_related("partner")
    network_id = request.GET.get("network")
    if network_id:
        network = get_network_for(request.user, network_id)
        services = services.filter(partner__network_memberships__network=network)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            services = services.filter(
                Q(name__icontains=data["q"])
                | Q(description__icontains=data["q"])
                | Q(partner__name__icontains=data["q"])
            )
        if data["category"]:
            services = services.filter(category=data["category"])
        if data["type"]:
            services = services.filter(partner__type=data["type"])
        if data["free"]:
            services = services.with_free_places()
    page = Paginator(services.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "partners/_service_results.html" if request.htmx else "partners/directory.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(network_services.agreement_add)
def agreement_history(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    """The agreement's versions and annexes with each partner's date of joining, for everyone who sees the network;
    its coordinators add a version or an annex here (the API's ``POST /networks/{id}/agreements/`` does the same)."""
    network = get_network_for(request.user, network_id)
    coordinates = scope_for(request.user).coordinates(network.pk)
    form = AgreementAddForm(request.POST or None, request.FILES or None, network=network) if coordinates else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = {
                k: v for k, v in form.cleaned_data.items() if k not in ("amends", "document") and v not in (None, "")
            }
            try:
                network_services.agreement_add(
                    actor=request.user,
                    network=network,
                    data=data,
                    amends=form.cleaned_data["amends"],
                    document=form.cleaned_data.get("document"),
                )
            except ValidationError as exc:
                on_form(form, exc)
            else:
                messages.success(request, _("The agreement's history was updated."))
                return redirect("network-agreement-history", network_id=network.pk)
    status = 400 if request.method == "POST" else 200
    context = {"network": network, "history": agreement_history_of(network), "form": form}
    return render(request, "network/agreement_history.html", context, status=status)
