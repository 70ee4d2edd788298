"""The one place that grants and revokes per-object permissions for referrals and the people in them.

Grants follow from domain state; every service that changes state calls ``sync_referral`` (and, through it,
``sync_person``) in the same transaction. ``manage.py access_check`` recomputes everything and reports drift.

- The receiving partner's group: view + respond on an open referral; view once it is completed or discontinued
  (the closed loop keeps the history); nothing after decline or withdrawal.
- The sending partner's group: view, always (the sender learns the outcome).
- People: a receiving partner's group reads the categories that its open referrals share AND that a live consent
  still gives it (or all shared categories when the coordinator recorded a legal basis); only while the
  referral's case is open.
- People registered at a partner's door (``Person.door_partner``): that partner's group reads the categories
  live consents give it, as long as they do; a withdrawn or ended consent takes it away at once.
- Coordinators reach their network's referrals through the network, not through grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from core import grants
from core.scope import scope_for
from core.types import AuthUser
from people.models import CATEGORY_PERMISSIONS, Consent, Person, PersonGroupObjectPermission
from referrals.choices import OPEN_STATES, State
from referrals.models import Referral, ReferralGroupObjectPermission, ReferralQuerySet

VIEW = "view_referral"
RESPOND = "respond_referral"
KEEPS_VIEW = (State.COMPLETED, State.DISCONTINUED)


def permission_id(codename: str) -> int:
    """A referral permission (view, respond) or a person category permission, by codename."""
    model = Referral if codename in (VIEW, RESPOND) else Person
    return grants.permission_id(model, codename)


# --- desired state --------------------------------------------------------------------------------


def desired_referral_grants(referral: Referral) -> set[tuple[int, int]]:
    """(group id, permission id) pairs the referral should have."""
    grants: set[tuple[int, int]] = set()
    if referral.from_partner is not None:
        grants.add((referral.from_partner.group_id, permission_id(VIEW)))
    to_group = referral.to_partner.group_id
    if referral.state in OPEN_STATES:
        grants |= {(to_group, permission_id(VIEW)), (to_group, permission_id(RESPOND))}
    elif referral.state in KEEPS_VIEW:
        grants.add((to_group, permission_id(VIEW)))
    return grants


def consented_to(partner: Any, consents: list[Consent]) -> tuple[set[str], tuple[Any, ...]]:
    """The categories the live ``consents`` give this partner (by name or by type), and which consents give them."""
    categories: set[str] = set()
    ids: list[Any] = []
    for consent in consents:
        if partner.type in consent.partner_types or any(p.pk == partner.pk for p in consent.partners.all()):
            categories |= set(consent.categories)
            ids.append(consent.pk)
    return categories, tuple(ids)


def referral_share(referral: Referral, consents: list[Consent]) -> tuple[set[str], tuple[Any, ...]]:
    """What an open referral lets its receiving partner read of the person now, and the consents behind it: the
    shared categories a live consent still covers, or all of them on a recorded legal basis."""
    if referral.legal_basis:
        return set(referral.categories), ()
    consented, ids = consented_to(referral.to_partner, consents)
    return set(referral.categories) & consented, ids


def sharing_referrals(person: Person) -> QuerySet[Referral]:
    """The referrals that can give a partner the person's data: open, and their case (if any) still open."""
    return (
        Referral.objects.filter(person=person, state__in=OPEN_STATES)
        .filter(Q(case__isnull=True) | Q(case__closed_on__isnull=True))
        .select_related("to_partner")
    )


def door_share(person: Person, consents: list[Consent]) -> tuple[set[str], tuple[Any, ...]]:
    """What the partner that registered the person at its door reads of them now: what live consents give it."""
    if person.door_partner_id is None or person.anonymised_at is not None:
        return set(), ()
    return consented_to(person.door_partner, consents)


def desired_person_grants(person: Person) -> set[tuple[int, int]]:
    referrals = list(sharing_referrals(person))
    if not referrals and person.door_partner_id is None:
        return set()
    consents = list(Consent.objects.live().filter(person=person).prefetch_related("partners"))
    pairs: set[tuple[int, int]] = set()
    for referral in referrals:
        allowed, _ids = referral_share(referral, consents)
        for category in allowed:
            pairs.add((referral.to_partner.group_id, permission_id(CATEGORY_PERMISSIONS[category])))
    door, _ids = door_share(person, consents)
    if door and person.door_partner is not None:
        for category in door:
            pairs.add((person.door_partner.group_id, permission_id(CATEGORY_PERMISSIONS[category])))
    return pairs


def explain_person_shares(person: Person) -> list[Any]:
    """Who reads the person through a referral now, which categories, and why (``people.shares.Share`` rows)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from people.shares import Share

    consents = list(Consent.objects.live().filter(person=person).prefetch_related("partners"))
    rows = []
    door, door_ids = door_share(person, consents)
    if door:
        rows.append(
            Share(
                partner_id=person.door_partner_id,
                partner_name=str(person.door_partner),
                categories=frozenset(door),
                source="door",
                label=str(_("registered the person at its door, with their consent")),
                since=person.created_at,
                consents=door_ids,
            )
        )
    for referral in sharing_referrals(person).order_by("sent_at"):
        allowed, ids = referral_share(referral, consents)
        if not allowed:
            continue
        rows.append(
            Share(
                partner_id=referral.to_partner_id,
                partner_name=str(referral.to_partner),
                categories=frozenset(allowed),
                source="legal_basis" if referral.legal_basis else "referral",
                label=str(_("referral (legal basis: %(basis)s)") % {"basis": referral.legal_basis})
                if referral.legal_basis
                else str(_("referral covered by consent")),
                since=referral.sent_at,
                url=reverse("referral-detail", args=[referral.pk]),
                consents=ids,
            )
        )
    return rows


# --- applying it ----------------------------------------------------------------------------------


def sync_person(person: Person, *, apply: bool = True) -> tuple[set[Any], set[Any]]:
    return grants.sync(person, apply=apply)


def sync_referral(referral: Referral, *, apply: bool = True) -> tuple[set[Any], set[Any]]:
    result = grants.sync(referral, apply=apply)
    grants.sync(referral.person, apply=apply)
    return result


def merge_referrals(merged: Person, kept: Person, actor: Any) -> int:
    """A duplicate's referrals become the kept record's (people/merging.py); their grants follow the kept person's
    consents at once. The caller holds both people's row locks and syncs both people's grants afterwards."""
    moved = list(Referral.objects.select_for_update(of=("self",)).filter(person=merged))
    Referral.objects.filter(pk__in=[r.pk for r in moved]).update(person=kept)
    for referral in moved:
        referral.person = kept
        grants.sync(referral)
    return len(moved)


def resync_consent_dates(today: Any = None) -> int:
    """The job for consents that started or ended by date since the last days (no user action changes them)."""
    import datetime

    from django.utils import timezone

    today = today or timezone.localdate()
    window = (today - datetime.timedelta(days=3), today)
    people = (
        Person.objects.filter(
            Q(consents__valid_until__range=(window[0], window[1])) | Q(consents__valid_from__range=window),
        )
        .filter(Q(referrals__state__in=OPEN_STATES) | Q(door_partner__isnull=False))
        .distinct()
    )
    count = 0
    for person in people:
        missing, extra = sync_person(person)
        count += len(missing) + len(extra)
    return count


def register_policies() -> None:
    """The referral and person grant tables follow the rules above (called from ``ReferralsConfig.ready``)."""
    grants.register(
        grants.GrantPolicy(
            name="referral",
            model=Referral,
            table=ReferralGroupObjectPermission,
            desired=desired_referral_grants,
            sources=lambda: Referral.objects.all(),
            prepare=lambda queryset: queryset.select_related("to_partner", "from_partner"),
        )
    )
    grants.register(
        grants.GrantPolicy(
            name="person",
            model=Person,
            table=PersonGroupObjectPermission,
            desired=desired_person_grants,
            sources=lambda: Person.objects.filter(
                Q(referrals__state__in=OPEN_STATES) | Q(door_partner__isnull=False)
            ).distinct(),
            prepare=lambda queryset: queryset.select_related("door_partner"),
        )
    )


# --- reading --------------------------------------------------------------------------------------


def granted(group_ids: Iterable[int], codename: str, *, per_row: bool = False) -> Exists:
    return grants.granted_in(ReferralGroupObjectPermission, group_ids, permission_id(codename), per_row=per_row)


def referrals_visible_to(user: AuthUser) -> ReferralQuerySet:
    """Coordinators: their networks. Partner staff: referrals to or from their partners that they hold a grant on.

    The partner ids narrow by index first; the guardian grant stays the authority (CONVENTIONS).
    """
    scope = scope_for(user)
    if scope.user_id is None or (
        scope.is_monitor and not scope.coordinated_network_ids and not scope.staff_partner_ids
    ):
        return Referral.objects.none()
    condition = Q(network_id__in=scope.coordinated_network_ids)
    if scope.staff_partner_ids:
        partners = list(scope.staff_partner_ids)
        condition |= (Q(to_partner_id__in=partners) | Q(from_partner_id__in=partners)) & Q(
            granted(scope.staff_group_ids, VIEW)
        )
    return Referral.objects.filter(condition)


def get_referral_for(user: AuthUser, pk: Any) -> Referral:
    try:
        return (
            referrals_visible_to(user)
            .select_related("person", "to_partner", "from_partner", "service", "network", "created_by")
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValueError):
        raise Http404 from None
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise Http404 from None
        raise


def can_respond(user: AuthUser, referral: Referral) -> bool:
    """Act for the receiving partner: its staff holding the respond grant (coordinators may answer too)."""
    scope = scope_for(user)
    if scope.coordinates(referral.network_id) and referral.network_id in scope.coordinated_network_ids:
        return True
    if referral.to_partner_id not in scope.staff_partner_ids:
        return False
    return grants.holds(ReferralGroupObjectPermission, referral, scope.staff_group_ids, permission_id(RESPOND))


def is_sender(user: AuthUser, referral: Referral) -> bool:
    scope = scope_for(user)
    return referral.network_id in scope.coordinated_network_ids or (
        referral.from_partner_id is not None and referral.from_partner_id in scope.staff_partner_ids
    )


def is_own_outgoing(user: AuthUser, referral: Referral) -> bool:
    """The user sent this referral: they wrote it, or they work for the sending partner and not the receiving one.
    Its sender never answers it (accepts, declines, confirms contact) in the receiving partner's place."""
    if referral.created_by_id == user.pk:
        return True
    scope = scope_for(user)
    return (
        referral.from_partner_id is not None
        and referral.from_partner_id in scope.staff_partner_ids
        and referral.to_partner_id not in scope.staff_partner_ids
    )
