"""Who may see and do what in the network directory: one scope per user, one access function per object.

The scope is read once per request (two small queries) and cached on the user object. Lists filter by the
ids in it; single objects go through ``get_*_for`` which answers 404 for both missing and not-yours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.errors import PermissionDenied
from core.scope import Scope, scope_for
from core.types import AuthUser
from partners.access import can_manage_partner
from partners.choices import PartnerType, StaffRole

if TYPE_CHECKING:
    from partners.models import ServiceQuerySet, User


def load_scope(user: User) -> Scope:
    """The scope of an active signed-in user: two small queries (registered with ``core.scope`` at start-up)."""
    from network.models import NetworkCoordinator, NetworkMembership
    from partners.models import StaffMembership

    # The operator never works for a partner (partners.services refuses it); should a row exist all the same,
    # it gives the operator nothing: a superuser's scope has no partner and so reaches no person.
    rows = (
        []
        if user.is_superuser
        else list(
            StaffMembership.objects.filter(user=user, is_active=True).values_list(
                "partner_id", "role", "partner__group_id", "partner__type"
            )
        )
    )
    staff: dict[UUID, str] = {partner_id: role for partner_id, role, _group, _type in rows}
    coordinated = frozenset(NetworkCoordinator.objects.filter(user=user).values_list("network_id", flat=True))
    member_networks: frozenset[UUID] = frozenset()
    if staff:
        member_networks = frozenset(
            NetworkMembership.objects.current().filter(partner_id__in=staff).values_list("network_id", flat=True)
        )
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        is_monitor=getattr(user, "is_regional_monitor", False),
        staff_partner_ids=frozenset(staff),
        staff_group_ids=frozenset(group_id for _p, _r, group_id, _t in rows),
        employer_partner_ids=frozenset(pid for pid, _r, _g, kind in rows if kind == PartnerType.EMPLOYER),
        admin_partner_ids=frozenset(pid for pid, role in staff.items() if role == StaffRole.ADMIN),
        job_coach_partner_ids=frozenset(pid for pid, role in staff.items() if role == StaffRole.JOB_COACH),
        coordinated_network_ids=coordinated,
        member_network_ids=member_networks,
    )


def partner_coordinators(partner: Any) -> list[User]:
    """The active coordinators of every network the partner currently belongs to (registered with
    ``partners.overseers``: they are told of each change to the partner's staff)."""
    from network.models import NetworkMembership
    from partners.models import User

    networks = NetworkMembership.objects.current().filter(partner=partner).values("network_id")
    return list(
        User.objects.filter(coordinatorships__network_id__in=networks, is_active=True).distinct().order_by("username")
    )


# --- networks -------------------------------------------------------------------------------------


def networks_visible_to(user: AuthUser) -> QuerySet[Any]:
    from network.models import Network

    scope = scope_for(user)
    if scope.user_id is None:
        return Network.objects.none()
    if scope.sees_every_network:
        return Network.objects.all()
    return Network.objects.filter(id__in=scope.network_ids)


def get_network_for(user: AuthUser, pk: Any, *, coordinate: bool = False) -> Any:
    """The network if the user may see it (404 otherwise); with ``coordinate``, 403 unless they coordinate it."""
    from network.models import Network

    network = _get_or_404(networks_visible_to(user), pk, Network)
    if coordinate and not scope_for(user).coordinates(network.pk):
        raise PermissionDenied
    return network


# --- partners -------------------------------------------------------------------------------------


def _current_member_filter(prefix: str) -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}since__lte": today}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})
    )


def partners_visible_to(user: AuthUser) -> QuerySet[Any]:
    """Partners with a current membership in a network the user sees, and the user's own partners."""
    from network.models import NetworkMembership
    from partners.models import Partner

    scope = scope_for(user)
    if scope.user_id is None:
        return Partner.objects.none()
    if scope.sees_every_network:
        return Partner.objects.all()
    in_networks = NetworkMembership.objects.current().filter(network_id__in=scope.network_ids)
    return Partner.objects.filter(Q(id__in=in_networks.values("partner_id")) | Q(id__in=scope.staff_partner_ids))


def get_partner_for(user: AuthUser, pk: Any) -> Any:
    from partners.models import Partner

    return _get_or_404(partners_visible_to(user), pk, Partner)


def can_edit_partner_profile(user: AuthUser, partner: Any) -> bool:
    """Name, address and contact: the partner's admins and the coordinators of a network it belongs to."""
    from network.models import NetworkMembership

    scope = scope_for(user)
    if scope.administers(partner.pk):
        return True
    return NetworkMembership.objects.filter(partner=partner, network_id__in=scope.coordinated_network_ids).exists()


def can_manage_services(user: AuthUser, partner: Any) -> bool:
    """The service catalogue: the partner's admins and the coordinators of a network it belongs to."""
    return can_edit_partner_profile(user, partner)


def get_partner_to_manage(user: AuthUser, pk: Any) -> Any:
    partner = get_partner_for(user, pk)
    if not can_manage_partner(user, partner):
        raise PermissionDenied
    return partner


# --- services -------------------------------------------------------------------------------------


def services_visible_to(user: AuthUser) -> ServiceQuerySet:
    from partners.models import Service

    scope = scope_for(user)
    if scope.user_id is None:
        return Service.objects.none()
    if scope.sees_every_network:
        return Service.objects.all()
    return Service.objects.filter(partner__in=partners_visible_to(user).values("id"))


def get_service_for(user: AuthUser, pk: Any) -> Any:
    from partners.models import Service

    return _get_or_404(services_visible_to(user), pk, Service)


def _get_or_404(queryset: QuerySet[Any], pk: Any, model: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    except Exception as exc:  # a malformed UUID surfaces as ValidationError from the field
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise Http404 from None
        raise


def get_day_off_for(user: AuthUser, pk: Any) -> Any:
    """A day off of a network the user coordinates; 404 otherwise."""
    from network.models import DayOff

    return _get_or_404(DayOff.objects.filter(network_id__in=list(scope_for(user).coordinated_network_ids)), pk, DayOff)
