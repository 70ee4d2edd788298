"""The one module that writes per-object permissions (django-guardian's direct-FK grant tables).

Grants are never edited by hand: they follow from domain state. Each domain registers, at start-up, a
``GrantPolicy`` for every grant table it owns: which (group, permission) pairs one object should have, and which
objects can have any. A service that changes that state calls ``sync(obj)`` in the same transaction; ``manage.py
access_check [--fix]`` walks every registered policy and reports (or repairs) the drift, table by table.

The policies are registered by the apps that own the tables (``ReferralsConfig.ready``, ``EmploymentConfig.ready``),
so a lower layer (``people`` closing a case, recording a consent) re-computes a person's grants through this module
without importing the referral rules that produce them.

Reading stays with the domains (``referrals_visible_to``, ``placements_visible_to``): they use ``permission_id`` and
``granted_in`` from here, so every list narrows by partner ids first and keeps the grant as the authority.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

Pair = tuple[int, int]  # (group id, permission id)


@cache
def _permission_id(app_label: str, model: str, codename: str) -> int:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label=app_label, content_type__model=model, codename=codename).pk


def permission_id(model: type[Model], codename: str) -> int:
    """The id of ``codename`` on ``model``, cached per process (the cache is cleared on post_migrate)."""
    return _permission_id(model._meta.app_label, model._meta.model_name or "", codename)


def forget_permission_ids(**_kwargs: object) -> None:
    """A flush or migrate (tests) re-creates permissions with new ids."""
    _permission_id.cache_clear()


def granted_in(table: type[Model], group_ids: Iterable[int], permission: int, *, per_row: bool = False) -> Exists:
    """EXISTS a grant of ``permission`` to one of ``group_ids`` on the outer row (lists: one index probe a row).

    ``per_row`` keeps PostgreSQL from turning the EXISTS into a join (``OFFSET 0`` is its documented fence): it
    checks the grant of each row it reads, and guesses that half of the rows pass. For a page read newest first
    from an index that is the right plan: the planner cannot know that a partner's referrals carry that partner's
    grant, so as a join it multiplies the two conditions' selectivities (4 rows expected where 1,178 pass), and
    then reads, joins and sorts every row instead of stopping at the page (docs/performance.md). A count, which
    reads every row anyway, is faster as the join.
    """
    grants = table._default_manager.filter(
        content_object=OuterRef("pk"), group_id__in=list(group_ids), permission_id=permission
    )
    if per_row:
        return Exists(grants, template="EXISTS(%(subquery)s OFFSET 0)")
    return Exists(grants)


def holds(table: type[Model], obj: Model, group_ids: Iterable[int], permission: int) -> bool:
    """Does one of the groups hold ``permission`` on this one object."""
    return table._default_manager.filter(
        content_object=obj, group_id__in=list(group_ids), permission_id=permission
    ).exists()


def codenames_held(table: type[Model], obj: Model, group_ids: Iterable[int]) -> set[str]:
    """The codenames of every permission the groups hold on this object."""
    return set(
        table._default_manager.filter(content_object=obj, group_id__in=list(group_ids)).values_list(
            "permission__codename", flat=True
        )
    )


# --- policies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantPolicy:
    """How one grant table follows from domain state.

    ``desired(obj)``: the (group id, permission id) pairs the object should have now.
    ``sources()``: the objects whose state can give grants (access_check also walks every object that has rows).
    ``prepare(queryset)``: select_related/prefetch for ``desired`` when access_check walks objects in batches.
    """

    name: str
    model: type[Model]
    table: type[Model]
    desired: Callable[[Any], set[Pair]]
    sources: Callable[[], QuerySet[Any]]
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda queryset: queryset


_policies: dict[type[Model], GrantPolicy] = {}


def register(policy: GrantPolicy) -> None:
    _policies[policy.model] = policy


def policies() -> list[GrantPolicy]:
    return list(_policies.values())


def policy_for(model: type[Model]) -> GrantPolicy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"No grant policy is registered for {model._meta.label}") from None


# --- writing --------------------------------------------------------------------------------------


def _apply(table: type[Model], obj: Model, desired: set[Pair], *, apply: bool) -> tuple[set[Pair], set[Pair]]:
    rows = table._default_manager.filter(content_object=obj)
    actual = set(rows.values_list("group_id", "permission_id"))
    missing, extra = desired - actual, actual - desired
    if apply and extra:
        condition = Q()
        for group_id, permission in extra:
            condition |= Q(group_id=group_id, permission_id=permission)
        rows.filter(condition).delete()
    if apply and missing:
        table._default_manager.bulk_create(
            [table(group_id=group, permission_id=permission, content_object=obj) for group, permission in missing],
            ignore_conflicts=True,
        )
    return missing, extra


def sync(obj: Model, *, apply: bool = True) -> tuple[set[Pair], set[Pair]]:
    """Make the object's grant rows equal to what its policy gives; return (missing, extra) as found."""
    policy = policy_for(type(obj))
    return _apply(policy.table, obj, policy.desired(obj), apply=apply)


def check(policy: GrantPolicy, *, fix: bool = False, batch: int = 2000) -> Iterator[tuple[Any, set[Pair], set[Pair]]]:
    """Every object of the policy's table with what it misses and what it has too much (fixing it with ``fix``)."""
    from django.db import transaction

    ids = set(policy.sources().values_list("pk", flat=True))
    ids |= set(policy.table._default_manager.values_list("content_object_id", flat=True).distinct())
    ordered = sorted(ids, key=str)
    for start in range(0, len(ordered), batch):
        with transaction.atomic():
            chunk = policy.prepare(policy.model._default_manager.filter(pk__in=ordered[start : start + batch]))
            for obj in chunk.order_by("pk"):
                missing, extra = _apply(policy.table, obj, policy.desired(obj), apply=fix)
                yield obj.pk, missing, extra
