"""Merging two records of one person (a duplicate registered twice): the coordinator keeps one, and everything of the
other moves to it — consents, cases, plans, assessments, activities, group memberships and attendance, and through
the registered share keepers (people.shares) the referrals and placement candidacies of the domains above.

The access log is append-only (a trigger refuses UPDATE and DELETE, core/db_roles.py), and history must not be
rewritten: its rows stay on the merged record as they were written. The merged record is marked ``merged_into``
the kept one and hidden everywhere; the kept record's log reads (``record_ids``) include the merged one's rows, so
"who saw this person" and the data export show the whole history. The merge itself is one PersonMerge row (shown on
the kept record) and one access-log row on each record. Grants are recomputed for both, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core import grants
from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from partners.models import User
from people.models import (
    AccessAction,
    AccessLog,
    Activity,
    Assessment,
    Attendance,
    Case,
    Consent,
    GroupMembership,
    Person,
    PersonMerge,
)
from people.shares import keepers, lock_person


def log_of(person: Person) -> Q:
    """The access-log rows of the person: their own and those of the records merged into them (no extra query)."""
    return Q(person_id=person.pk) | Q(person_id__in=Person.objects.filter(merged_into_id=person.pk).values("pk"))


def _label(person: Person) -> str:
    born = person.birth_date.strftime("%d.%m.%Y") if person.birth_date else (person.birth_year or "")
    pesel = f", PESEL …{person.pesel[-4:]}" if person.pesel else ""
    return f"{person.first_name} {person.last_name} {born}{pesel}".strip()


@dataclass(frozen=True)
class MergeSide:
    person: Person
    counts: dict[str, int]


def merge_preview(person: Person) -> MergeSide:
    """What a record holds, for the side-by-side confirmation (one query per kind; the domains above are counted by
    their related names, so people imports none of them)."""
    counts = Person.objects.filter(pk=person.pk).aggregate(
        consents=Count("consents", distinct=True),
        cases=Count("cases", distinct=True),
        referrals=Count("referrals", distinct=True),
        assessments=Count("assessments", distinct=True),
        activities=Count("activities", distinct=True),
        group_memberships=Count("group_memberships", distinct=True),
        placement_applications=Count("placement_applications", distinct=True),
    )
    return MergeSide(person, {k: v or 0 for k, v in counts.items()})


def merge_candidates(person: Person) -> list[Person]:
    """Other records of the person's network that may be the same person: same PESEL, or same name and birth date
    (or birth year), not merged, not anonymised."""
    others = Person.objects.unmerged().active().filter(network_id=person.network_id).exclude(pk=person.pk)
    same_name = others.filter(normalised_name=person.normalised_name)
    if person.birth_date:
        same_name = same_name.filter(birth_date=person.birth_date)
    found = list(same_name[:10])
    if person.pesel:
        found += [p for p in others.filter(pesel=person.pesel) if p not in found]
    return found


@transaction.atomic
def person_merge(*, actor: User, kept: Person, merged: Person, reason: str, channel: str = "page") -> PersonMerge:
    """Move everything of ``merged`` to ``kept`` and mark ``merged`` as merged into it. Only the coordinator of the
    network both belong to. 409 when the two cannot be one record as they stand (both with an open case, both in one
    group now)."""
    if not scope_for(actor).coordinates(kept.network_id):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason of the merge.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("The reason can have at most 500 characters.")]})
    if kept.pk == merged.pk:
        raise ValidationError({"merged": [_("Choose another record than the one kept.")]})
    if merged.network_id != kept.network_id:
        raise ValidationError({"merged": [_("Both records must belong to the same network.")]})
    # Both rows locked, in a fixed order so two merges of the same pair never deadlock.
    first, second = sorted([kept.pk, merged.pk], key=str)
    locked = {first: lock_person(first), second: lock_person(second)}
    kept, merged = locked[kept.pk], locked[merged.pk]
    if kept.merged_into_id or merged.merged_into_id:
        raise Conflict(_("One of the records was merged already."), code="already_merged")
    if kept.anonymised_at or merged.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    if Case.objects.open().filter(person=kept).exists() and Case.objects.open().filter(person=merged).exists():
        raise Conflict(
            _("Both records have an open case: close or transfer one of them first."), code="both_open_cases"
        )
    open_groups = set(GroupMembership.objects.filter(person=kept, left_on__isnull=True).values_list("group", flat=True))
    if GroupMembership.objects.filter(person=merged, left_on__isnull=True, group__in=open_groups).exists():
        raise Conflict(
            _("Both records are members of the same group now: end one of the memberships first."),
            code="both_in_group",
        )

    moved: dict[str, int] = {}
    for name, model in (
        ("consents", Consent),
        ("cases", Case),
        ("assessments", Assessment),
        ("activities", Activity),
        ("group_memberships", GroupMembership),
    ):
        moved[name] = model.objects.filter(person=merged).update(person=kept)
    # One attendance per meeting and person: where both records were marked present, the kept one's row stays.
    both = Attendance.objects.filter(person=kept).values("meeting_id")
    Attendance.objects.filter(person=merged, meeting_id__in=both).delete()
    moved["attendance"] = Attendance.objects.filter(person=merged).update(person=kept)
    for keeper in keepers():
        moved[keeper.name] = keeper.merge(merged, kept, actor)

    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = PersonMerge.objects.create(
        kept=kept, merged=merged, actor=actor, reason=reason, moved=moved, merged_label=_label(merged)
    )
    grants.sync(kept)
    grants.sync(merged)
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=actor, person=kept, action=AccessAction.CHANGE, view="person-merge", channel=channel,
                detail=f"merge:kept:{merged.pk}",
            ),
            AccessLog(
                user=actor, person=merged, action=AccessAction.CHANGE, view="person-merge", channel=channel,
                detail=f"merge:into:{kept.pk}",
            ),
        ]
    )  # fmt: skip
    return merge
