"""Writes for networks: coordinators, partner memberships and functions, the cooperation agreement."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, PermissionDenied
from core.scope import forget_scope, scope_for
from network.calendar import public_holiday
from network.models import (
    AgreementKind,
    CooperationAgreement,
    DayOff,
    Network,
    NetworkCoordinator,
    NetworkMembership,
)
from partners.choices import PartnerFunction, PathStage
from partners.models import Partner, User

NETWORK_FIELDS = ["name", "teryt", "territory_name", "coordinating_partner", "start_date", "description", "stages"]
MEMBERSHIP_FIELDS = [
    "functions",
    "coordinating_person",
    "contact_name",
    "contact_phone",
    "contact_email",
    "since",
    "until",
]
AGREEMENT_FIELDS = [
    "title",
    "procedures",
    "communication_means",
    "contact_persons",
    "funding_sources",
    "valid_from",
    "valid_to",
    "signed_on",
    "changes",
]


def _require_coordinator(actor: User, network: Network) -> None:
    if not scope_for(actor).coordinates(network.pk):
        raise PermissionDenied


def _validate_functions(functions: list[str]) -> list[str]:
    unknown = [f for f in functions if f not in PartnerFunction.values]
    if unknown:
        raise ValidationError({"functions": _("Unknown function: %(codes)s") % {"codes": ", ".join(unknown)}})
    return sorted(set(functions), key=PartnerFunction.values.index)


def _validate_stages(stages: Any) -> list[dict[str, str]]:
    if not isinstance(stages, list) or not stages:
        raise ValidationError({"stages": _("Give at least one stage.")})
    clean: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in stages:
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code.strip():
            raise ValidationError({"stages": _("Every stage needs a code.")})
        code = code.strip()
        if code in seen:
            raise ValidationError({"stages": _("Stage %(code)s is given twice.") % {"code": code}})
        seen.add(code)
        name = str(item.get("name") or "").strip()
        if code not in PathStage.values and not name:
            raise ValidationError({"stages": _("A stage of your own needs a name: %(code)s.") % {"code": code}})
        clean.append({"code": code, "name": name})
    return clean


@transaction.atomic
def network_create(*, actor: User, data: dict[str, Any], coordinators: list[User] | None = None) -> Network:
    """The operator sets up a network and names its first coordinators."""
    if not actor.is_superuser:
        raise PermissionDenied
    network = Network(**{k: v for k, v in data.items() if k in NETWORK_FIELDS})
    if "stages" in data:
        network.stages = _validate_stages(data["stages"])
    network.coordinators_group = Group(name=f"network-coordinators:{network.id}")
    network.full_clean(exclude=["coordinators_group"])
    network.coordinators_group.save()
    network.save()
    for user in coordinators or []:
        coordinator_add(actor=actor, network=network, user=user)
    return network


@transaction.atomic
def network_update(*, actor: User, network: Network, data: dict[str, Any]) -> Network:
    _require_coordinator(actor, network)
    unknown = set(data) - set(NETWORK_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    network = Network.objects.select_for_update().get(pk=network.pk)
    for name, value in data.items():
        setattr(network, name, _validate_stages(value) if name == "stages" else value)
    network.full_clean(exclude=["coordinators_group"])
    network.save()
    return network


@transaction.atomic
def coordinator_add(*, actor: User, network: Network, user: User) -> NetworkCoordinator:
    _require_coordinator(actor, network)
    coordinator, created = NetworkCoordinator.objects.get_or_create(network=network, user=user)
    if not created:
        raise Conflict(_("%(user)s already coordinates this network.") % {"user": user}, code="already_coordinator")
    user.groups.add(network.coordinators_group)
    forget_scope(user)
    from notifications.groups import refresh_user_groups

    refresh_user_groups(user.pk)
    return coordinator


@transaction.atomic
def coordinator_remove(*, actor: User, network: Network, user: User) -> None:
    _require_coordinator(actor, network)
    deleted, _rows = NetworkCoordinator.objects.filter(network=network, user=user).delete()
    if not deleted:
        raise Conflict(_("%(user)s does not coordinate this network.") % {"user": user}, code="not_coordinator")
    user.groups.remove(network.coordinators_group)
    forget_scope(user)
    from notifications.groups import refresh_user_groups

    refresh_user_groups(user.pk)


@transaction.atomic
def membership_add(
    *,
    actor: User,
    network: Network,
    partner: Partner,
    functions: list[str],
    since: datetime.date | None = None,
    **extra: Any,
) -> NetworkMembership:
    _require_coordinator(actor, network)
    existing = NetworkMembership.objects.select_for_update().filter(network=network, partner=partner).first()
    if existing is not None and existing.until is None:
        raise Conflict(
            _("%(partner)s is already a member of this network.") % {"partner": partner}, code="already_member"
        )
    membership = existing or NetworkMembership(network=network, partner=partner)
    membership.functions = _validate_functions(functions)
    membership.since = since or timezone.localdate()
    membership.until = None
    for name, value in extra.items():
        if name not in MEMBERSHIP_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(membership, name, value)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_update(*, actor: User, membership: NetworkMembership, data: dict[str, Any]) -> NetworkMembership:
    _require_coordinator(actor, membership.network)
    membership = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    for name, value in data.items():
        if name not in MEMBERSHIP_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(membership, name, _validate_functions(value) if name == "functions" else value)
    person = membership.coordinating_person
    if (
        person is not None
        and not person.staff_memberships.filter(partner_id=membership.partner_id, is_active=True).exists()
    ):
        raise ValidationError({"coordinating_person": _("The coordinating person must work for this partner.")})
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def agreement_save(
    *,
    actor: User,
    network: Network,
    data: dict[str, Any],
    agreement: CooperationAgreement | None = None,
    document: Any = None,
) -> CooperationAgreement:
    _require_coordinator(actor, network)
    if agreement is None:
        agreement = CooperationAgreement(network=network)
    elif agreement.network_id != network.pk:
        raise PermissionDenied
    for name, value in data.items():
        if name not in AGREEMENT_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(agreement, name, value)
    if document is not None:
        _attach_document(agreement, document)
    agreement.full_clean()
    agreement.save()
    return agreement


def _attach_document(agreement: CooperationAgreement, document: Any) -> None:
    from partners.uploads import generated_name, validate_document

    content_type = validate_document(document)
    # The stored name takes the extension of what the content is, not of what the uploader called it.
    document.name = generated_name(content_type)
    agreement.document = document


@transaction.atomic
def agreement_add(
    *,
    actor: User,
    network: Network,
    data: dict[str, Any],
    amends: CooperationAgreement | None = None,
    document: Any = None,
) -> CooperationAgreement:
    """A new version of the cooperation agreement, or (with ``amends``) an annex to a version.

    A new version takes over from the day it is valid: the version before it ends the day before (its history
    stays). An annex amends one version of this network, from a day within that version's validity."""
    _require_coordinator(actor, network)
    unknown = set(data) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one history change at a time
    agreement = CooperationAgreement(network=network)
    for name, value in data.items():
        setattr(agreement, name, value)
    errors: dict[str, list[str]] = {}
    if amends is not None:
        if amends.network_id != network.pk or amends.kind != AgreementKind.AGREEMENT:
            raise ValidationError({"amends": [_("Choose a version of this network's agreement.")]})
        agreement.kind = AgreementKind.ANNEX
        agreement.amends = amends
        if agreement.valid_from and (
            agreement.valid_from < amends.valid_from or (amends.valid_to and agreement.valid_from > amends.valid_to)
        ):
            errors["valid_from"] = [_("An annex applies from a day on which the version it amends is valid.")]
    else:
        previous = network.agreements.versions().filter(valid_from__lt=agreement.valid_from).order_by("-valid_from")
        later = network.agreements.versions().filter(valid_from__gte=agreement.valid_from).exists()
        if later:
            errors["valid_from"] = [_("A new version starts after the latest one.")]
        elif previous.exists():
            before = previous.first()
            assert before is not None
            # What the new version does not restate carries over from the one it replaces.
            for name in ("procedures", "communication_means", "contact_persons", "funding_sources"):
                if name not in data:
                    setattr(agreement, name, getattr(before, name))
            end = agreement.valid_from - datetime.timedelta(days=1)
            if before.valid_to is None or before.valid_to > end:
                before.valid_to = end
                before.save(update_fields=["valid_to", "updated_at"])
    if agreement.signed_on and agreement.signed_on > timezone.localdate():
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    if document is not None:
        _attach_document(agreement, document)
    agreement.full_clean()
    agreement.save()
    return agreement


# --- the network's own days off ---------------------------------------------------------------------


@transaction.atomic
def day_off_add(*, actor: User, network: Network, day: datetime.date | None, name: str) -> DayOff:
    """A day the network's partners do not work (network/calendar.py counts answer times without it)."""
    _require_coordinator(actor, network)
    day_off = DayOff(network=network, name=(name or "").strip())
    if day is not None:
        day_off.day = day
    errors: dict[str, list[str]] = {}
    if day is not None and public_holiday(day):
        errors["day"] = [_("This day is a public holiday already: %(name)s.") % {"name": public_holiday(day)}]
    if day is not None and DayOff.objects.filter(network=network, day=day).exists():
        errors.setdefault("day", []).append(_("This day is already a day off of the network."))
    try:
        day_off.full_clean(exclude=["network"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    day_off.save()
    return day_off


@transaction.atomic
def day_off_remove(*, actor: User, day_off: DayOff) -> None:
    _require_coordinator(actor, day_off.network)
    day_off.delete()
