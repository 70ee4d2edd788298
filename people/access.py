"""Who sees which person, and which categories of their data (DESIGN §5).

- A network's coordinators see all its people and every category.
- A case manager sees the people of their open cases: identity, plus what live consents give their partner.
- A partner that received a referral reads what its guardian grants give (referrals/access.py).
- Nobody else, the operator and the regional monitor included, sees a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from core import grants
from core.scope import scope_for
from core.types import AuthUser
from partners.models import Partner
from people.models import (
    CATEGORY_PERMISSIONS,
    Case,
    Consent,
    DataCategory,
    Person,
    PersonGroupObjectPermission,
    PersonQuerySet,
)

ALL_CATEGORIES = frozenset(DataCategory.values)


@dataclass(frozen=True)
class PersonAccess:
    person: Person
    categories: frozenset[str]
    is_coordinator: bool = False
    is_case_manager: bool = False

    def can_read(self, category: str) -> bool:
        return category in self.categories

    @property
    def can_change_path(self) -> bool:
        return self.is_coordinator or self.is_case_manager


def persons_visible_to(user: AuthUser) -> PersonQuerySet:
    scope = scope_for(user)
    if not scope.reads_people:
        return Person.objects.none()
    condition = Q(network_id__in=scope.coordinated_network_ids)
    condition |= Q(id__in=Case.objects.open().filter(case_manager_id=scope.user_id).values("person_id"))
    condition |= persons_granted_condition(user)
    # A record merged into another is hidden: its data moved to the kept one (people/merging.py).
    return Person.objects.filter(condition, merged_into__isnull=True)


def consented_categories(person: Person, partner_ids: frozenset[Any]) -> frozenset[str]:
    """Categories that live consents of the person give to any of these partners (by name or by type)."""
    if not partner_ids:
        return frozenset()
    from partners.models import Partner

    types = list(Partner.objects.filter(id__in=partner_ids).values_list("type", flat=True))
    rows = (
        Consent.objects.live()
        .filter(person=person)
        .filter(Q(partners__in=partner_ids) | Q(partner_types__overlap=types))
        .values_list("categories", flat=True)
    )
    return frozenset(category for categories in rows for category in categories)


def access_to_person(user: AuthUser, person: Person) -> PersonAccess | None:
    scope = scope_for(user)
    if scope.user_id is None:
        return None
    if person.network_id in scope.coordinated_network_ids:
        return PersonAccess(person=person, categories=ALL_CATEGORIES, is_coordinator=True)
    if not scope.reads_people:
        return None  # an employer's staff: candidates through their placements only (employment/access.py)
    granted = person_categories_granted(user, person)
    manages = Case.objects.open().filter(person=person, case_manager_id=scope.user_id).exists()
    if manages:
        categories = {DataCategory.IDENTITY.value} | consented_categories(person, scope.staff_partner_ids) | granted
        return PersonAccess(person=person, categories=frozenset(categories), is_case_manager=True)
    if granted:
        return PersonAccess(person=person, categories=granted)
    return None


def get_person_for(user: AuthUser, pk: Any) -> PersonAccess:
    """The person and what the user may read of them; 404 for missing and not-yours alike."""
    try:
        # A record merged into another is gone for every door: its data live on the kept record (people/merging.py).
        person = Person.objects.unmerged().select_related("network").get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404 from None
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise Http404 from None
        raise
    access = access_to_person(user, person)
    if access is None or not access.categories:
        raise Http404
    return access


# --- grants (the person table of core.grants; referrals' policy fills it) ------------------------------


def person_categories_granted(user: AuthUser, person: Person) -> frozenset[str]:
    """Categories of the person the user's partner groups were granted through referrals."""
    scope = scope_for(user)
    if not scope.staff_group_ids:
        return frozenset()
    codenames = grants.codenames_held(PersonGroupObjectPermission, person, scope.staff_group_ids)
    return frozenset(category for category, codename in CATEGORY_PERMISSIONS.items() if codename in codenames)


def persons_granted_condition(user: AuthUser) -> Q:
    """A filter for Person querysets: people the user's groups hold any grant on."""
    scope = scope_for(user)
    if not scope.staff_group_ids:
        return Q(pk__in=[])
    return Q(
        Exists(
            PersonGroupObjectPermission.objects.filter(
                content_object=OuterRef("pk"), group_id__in=list(scope.staff_group_ids)
            )
        )
    )


def reads_employment(user: AuthUser) -> Q:
    """For Person querysets: people whose employment information the user reads themselves, decided as
    ``access_to_person(user, person).can_read(EMPLOYMENT)`` decides it for one person — a
    coordinator of the person's network; the manager of their open case when a live consent gives one of the
    manager's partners (by name or type) the category; a partner group holding the category's grant.

    A proposer cannot share with an employer what they cannot see; ``application_propose`` refuses that person
    with its own reason, and the propose page does not offer them."""
    scope = scope_for(user)
    if not scope.reads_people:
        return Q(pk__in=[])
    condition = Q(network_id__in=list(scope.coordinated_network_ids))
    if scope.staff_group_ids:
        condition |= Q(
            Exists(
                PersonGroupObjectPermission.objects.filter(
                    content_object=OuterRef("pk"),
                    group_id__in=list(scope.staff_group_ids),
                    permission__codename=CATEGORY_PERMISSIONS[DataCategory.EMPLOYMENT],
                )
            )
        )
    if scope.staff_partner_ids:
        partners = list(scope.staff_partner_ids)
        # The partners' types inside the same query (people.access.consented_categories reads them first).
        types = ArraySubquery(Partner.objects.filter(id__in=partners).values("type"))
        consented = (
            Consent.objects.live()
            .filter(person=OuterRef("pk"), categories__contains=[DataCategory.EMPLOYMENT])
            .filter(Q(partners__in=partners) | Q(partner_types__overlap=types))
        )
        manages = Case.objects.open().filter(person=OuterRef("pk"), case_manager_id=scope.user_id)
        condition |= Q(Exists(manages)) & Q(Exists(consented))
    return condition
