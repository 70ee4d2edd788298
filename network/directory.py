"""Edits of the network's directory: partners joining a network and their profiles, and the service catalogue.

The rule is the network's: a partner's admins and the coordinators of a network it belongs to may edit its profile
and its services; a coordinator adds a new partner straight into their network (the operator may create one alone).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from core.errors import PermissionDenied
from core.scope import scope_for
from network.access import can_edit_partner_profile, can_manage_services
from network.services import membership_add
from partners.models import Partner, Service, User
from partners.services import PARTNER_FIELDS, SERVICE_FIELDS, apply_fields, require_partner_kind_kept


@transaction.atomic
def partner_create(
    *, actor: User, data: dict[str, Any], network: Any = None, functions: list[str] | None = None
) -> Partner:
    """A coordinator adds a partner to their network (or the operator creates one on its own)."""
    scope = scope_for(actor)
    if network is None and not scope.is_superuser:
        raise PermissionDenied
    if network is not None and not scope.coordinates(network.pk):
        raise PermissionDenied
    partner = Partner()
    apply_fields(partner, data, PARTNER_FIELDS)
    partner.group = Group(name=f"partner:{partner.id}")
    partner.full_clean(exclude=["group"])
    partner.group.save()
    partner.save()
    if network is not None:
        membership_add(actor=actor, network=network, partner=partner, functions=functions or [])
    return partner


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, data: dict[str, Any]) -> Partner:
    if not can_edit_partner_profile(actor, partner):
        raise PermissionDenied
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if "type" in data:
        # Becoming (or ceasing to be) an employer must not carry staff across the line between partner kinds.
        require_partner_kind_kept(partner=partner, new_type=data["type"])
    apply_fields(partner, data, PARTNER_FIELDS)
    partner.full_clean(exclude=["group"])
    partner.save()
    return partner


@transaction.atomic
def service_create(*, actor: User, partner: Partner, data: dict[str, Any]) -> Service:
    if not can_manage_services(actor, partner):
        raise PermissionDenied
    service = Service(partner=partner)
    apply_fields(service, data, SERVICE_FIELDS)
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def service_update(*, actor: User, service: Service, data: dict[str, Any]) -> Service:
    if not can_manage_services(actor, service.partner):
        raise PermissionDenied
    service = Service.objects.select_for_update().select_related("partner").get(pk=service.pk)
    apply_fields(service, data, SERVICE_FIELDS)
    service.full_clean()
    service.save()
    return service
