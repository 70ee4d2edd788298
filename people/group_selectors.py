"""Reads about support groups and recorded activities, for pages and the API: who sees and manages a group, the
choices the group, meeting, join and activity forms offer, a group's year, and a person's activities.

The choice lists are the ones the services in ``people.groups`` validate against: ``partners_that_may_run_groups``
and ``group_service_choices`` in ``group_create``/``group_update``, ``activity_partner_ids`` and
``activity_service_choices`` in ``activity_record``. A page offers exactly what the service accepts, and the API,
which sends ids, resolves them among the same choices and is refused by the same check.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.scope import scope_for
from core.types import AuthUser
from network.models import Network, NetworkMembership
from partners.models import Partner, Service
from people.access import PersonAccess, access_to_person, persons_visible_to
from people.models import (
    Activity,
    Attendance,
    GroupMembership,
    Meeting,
    MeetingCorrection,
    Person,
    PersonQuerySet,
    SupportGroup,
    normalise_name,
)

_HOURS = Decimal("0.01")

# The meeting form offers people who were members lately too, so a meeting can be entered a while after it.
RECENT_MEMBERS_DAYS = 92

# Whole phrases, because Polish puts the day in another case ("w każdą środę").
_EVERY_WEEKDAY = (
    gettext_lazy("every Monday"),
    gettext_lazy("every Tuesday"),
    gettext_lazy("every Wednesday"),
    gettext_lazy("every Thursday"),
    gettext_lazy("every Friday"),
    gettext_lazy("every Saturday"),
    gettext_lazy("every Sunday"),
)


def schedule_label(group: SupportGroup) -> str:
    """The schedule as people say it: "every Wednesday at 13:30"."""
    time = group.start_time.strftime("%H:%M") if group.start_time else ""
    if group.weekday is not None and 0 <= group.weekday <= 6:
        day = str(_EVERY_WEEKDAY[group.weekday])
        return _("%(day)s at %(time)s") % {"day": day, "time": time} if time else day
    if time:
        return _("at %(time)s, on changing days") % {"time": time}
    return _("no fixed schedule")


def last_scheduled_day(group: SupportGroup) -> datetime.date:
    """The latest day on which the group met by its schedule (today when it has no fixed day)."""
    today = timezone.localdate()
    if group.weekday is None:
        return today
    return today - datetime.timedelta(days=(today.weekday() - group.weekday) % 7)


# --- access ---------------------------------------------------------------------------------------


def groups_visible_to(user: AuthUser) -> QuerySet[SupportGroup]:
    """Groups of the networks the user sees, and the groups their own partners run."""
    scope = scope_for(user)
    if scope.user_id is None:
        return SupportGroup.objects.none()
    if scope.sees_every_network:
        return SupportGroup.objects.all()
    return SupportGroup.objects.filter(Q(network_id__in=scope.network_ids) | Q(partner_id__in=scope.staff_partner_ids))


def get_group_for(user: AuthUser, pk: Any) -> SupportGroup:
    """The group if the user may see it; 404 for missing and not-yours alike."""
    try:
        return groups_visible_to(user).select_related("network", "partner", "service").get(pk=pk)
    except (SupportGroup.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def can_manage_group(user: AuthUser, group: SupportGroup) -> bool:
    """Its network's coordinators and the running partner's staff. They alone see the group's people.

    The operator (superuser) is not among them: a group's people are person data.
    """
    scope = scope_for(user)
    return group.network_id in scope.coordinated_network_ids or group.partner_id in scope.staff_partner_ids


def can_create_group(user: AuthUser, network: Network) -> bool:
    """Whether to offer "new group": to the network's coordinators and to staff of its member partners.
    ``partners_that_may_run_groups`` then says in whose name; the scope alone answers here, without a query."""
    scope = scope_for(user)
    return network.pk in scope.coordinated_network_ids or network.pk in scope.member_network_ids


# --- the choices of the group forms ---------------------------------------------------------------


def partners_that_may_run_groups(user: AuthUser, network: Network) -> QuerySet[Partner]:
    """Partners in whose name the user may create a group in this network (current members only).

    The group form offers these, the API resolves ``partner`` among them, and ``group_create`` refuses any other.
    """
    scope = scope_for(user)
    members = NetworkMembership.objects.current().filter(network=network)
    if network.pk not in scope.coordinated_network_ids:
        members = members.filter(partner_id__in=scope.staff_partner_ids)
    return Partner.objects.filter(id__in=members.values("partner_id")).order_by("name")


def group_service_choices(partners: QuerySet[Partner] | Iterable[Any], *, keep: Any = None) -> QuerySet[Service]:
    """Active services of these partners (a queryset or ids); with ``keep``, that service too, so that editing a
    group need not drop the service it already has after the service was closed.

    The group forms offer these, the API resolves ``service`` among them, and ``group_create``/``group_update``
    refuse any other (and one of another partner than the one running the group).
    """
    ids = partners if isinstance(partners, QuerySet) else list(partners)
    offered = Q(partner__in=ids, is_active=True)
    if keep is not None:
        offered |= Q(pk=keep)
    return Service.objects.filter(offered).select_related("partner").order_by("name")


def choice_named(choices: QuerySet[Any], pk: Any) -> Any:
    """The object ``pk`` names among one of this module's choice lists, or None: how the API, which sends ids,
    takes exactly what the page's form offers."""
    try:
        return choices.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


# --- a group's people and meetings ----------------------------------------------------------------


def group_with_member_count(group: SupportGroup) -> SupportGroup:
    """The group again, with its running partner and the number of members now (one query)."""
    return (
        SupportGroup.objects.filter(pk=group.pk)
        .select_related("partner")
        .annotate(members_now=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .get()
    )


def network_groups(user: AuthUser, network: Network) -> QuerySet[SupportGroup]:
    """The network's groups the user sees, with the running partner and the number of members now."""
    return (
        groups_visible_to(user)
        .filter(network=network)
        .select_related("partner")
        .annotate(members_now=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("-is_active", "name", "id")
    )


def group_memberships(group: SupportGroup) -> QuerySet[GroupMembership]:
    """Every membership of the group, current and past, with the person."""
    return (
        GroupMembership.objects.filter(group=group)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id", "joined_on")
    )


def group_members_now(group: SupportGroup) -> QuerySet[GroupMembership]:
    """The current memberships of the group, with the person, by name."""
    return (
        GroupMembership.objects.filter(group=group, left_on__isnull=True)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "id")
    )


def get_group_membership(group: SupportGroup, membership_id: Any) -> GroupMembership:
    """One membership of this group, with the person; 404 for another group's or a missing one."""
    try:
        return GroupMembership.objects.select_related("person").get(pk=membership_id, group=group)
    except (GroupMembership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def meeting_candidates(group: SupportGroup) -> list[Person]:
    """Whom the meeting form offers as present: members now and those who left in the last months, so a
    meeting can be entered a while after it. ``meeting_record`` then accepts the members of the meeting's day."""
    since = timezone.localdate() - datetime.timedelta(days=RECENT_MEMBERS_DAYS)
    recent = group_memberships(group).filter(Q(left_on__isnull=True) | Q(left_on__gte=since))
    return list({m.person_id: m.person for m in recent}.values())


def group_meetings_of_year(group: SupportGroup, year: int, *, with_corrections: bool = False) -> QuerySet[Meeting]:
    """The group's meetings of a calendar year, newest first, with who attended (by name) in one more query, and
    with ``with_corrections`` the trace of their corrections in another. Cancelled meetings are listed too, as the
    trace of what was entered."""
    attendance = Attendance.objects.select_related("person").order_by("person__last_name", "person__first_name")
    prefetches: list[Any] = [Prefetch("attendance", queryset=attendance)]
    if with_corrections:
        corrections = MeetingCorrection.objects.select_related("actor").order_by("at", "id")
        prefetches.append(Prefetch("corrections", queryset=corrections))
    return (
        Meeting.objects.filter(group=group, held_on__year=year)
        .order_by("-held_on", "-created_at")
        .prefetch_related(*prefetches)
    )


def join_candidates(user: AuthUser, group: SupportGroup) -> PersonQuerySet:
    """People the user may add to the group: people of its network they support, not anonymised, not members."""
    members = GroupMembership.objects.filter(group=group, left_on__isnull=True).values("person_id")
    return (
        persons_visible_to(user).filter(network_id=group.network_id, anonymised_at__isnull=True).exclude(id__in=members)
    )


def join_candidate_search(user: AuthUser, group: SupportGroup, query: str, *, limit: int) -> list[Person]:
    """Join candidates whose name contains the query (as typed, with or without Polish letters)."""
    return list(join_candidates(user, group).filter(normalised_name__contains=normalise_name(query, ""))[:limit])


def join_candidate(user: AuthUser, group: SupportGroup, pk: Any) -> Person | None:
    """The chosen join candidate, or None when the id names nobody the user may add."""
    try:
        uuid.UUID(str(pk))
    except ValueError:
        return None
    return join_candidates(user, group).filter(pk=pk).first()


def group_network_person(group: SupportGroup, pk: Any) -> Person | None:
    """A person of the group's network by id, for the API; the services decide whether the actor may touch them."""
    return Person.objects.filter(pk=pk, network_id=group.network_id).first()


# --- a group's year -------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """A group's figures for one calendar year, as the yearly report asks for them."""

    year: int
    people: int  # distinct people who attended at least one meeting
    meetings: int
    minutes: int  # sum of the meetings' durations
    person_minutes: int  # sum over every attendance of its meeting's duration

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(_HOURS)

    @property
    def person_hours(self) -> Decimal:
        return (Decimal(self.person_minutes) / 60).quantize(_HOURS)


def group_year_figures(group: SupportGroup, year: int) -> YearFigures:
    """Two queries whatever the number of meetings: one over meetings, one over attendance."""
    meetings = (
        Meeting.objects.held()
        .filter(group=group, held_on__year=year)
        .aggregate(count=Count("id"), minutes=Sum("duration_minutes"))
    )
    attendance = Attendance.objects.filter(
        meeting__group=group, meeting__held_on__year=year, meeting__cancelled_at__isnull=True
    ).aggregate(people=Count("person_id", distinct=True), minutes=Sum("meeting__duration_minutes"))
    return YearFigures(
        year=year,
        people=attendance["people"] or 0,
        meetings=meetings["count"] or 0,
        minutes=meetings["minutes"] or 0,
        person_minutes=attendance["minutes"] or 0,
    )


def group_years(group: SupportGroup) -> list[int]:
    """The years in which the group met, newest first (one query)."""
    return [d.year for d in Meeting.objects.held().filter(group=group).dates("held_on", "year", order="DESC")]


# --- activities -----------------------------------------------------------------------------------


def activity_partner_ids(actor: AuthUser, person: Person) -> set[Any]:
    """Partners in whose name the actor records: their own; a coordinator also the network's coordinating one.

    ``activity_record`` refuses any other."""
    scope = scope_for(actor)
    ids: set[Any] = set(scope.staff_partner_ids)
    if person.network_id in scope.coordinated_network_ids and person.network.coordinating_partner_id:
        ids.add(person.network.coordinating_partner_id)
    return ids


def activity_partner_choices(actor: AuthUser, person: Person) -> QuerySet[Partner]:
    """The partners of ``activity_partner_ids``, by name: what the activity form offers and the API resolves."""
    return Partner.objects.filter(id__in=activity_partner_ids(actor, person)).order_by("name")


def activity_service_choices(actor: AuthUser, person: Person) -> QuerySet[Service]:
    """Active services of the partners the actor records for: what the activity form offers, what the API
    resolves ``service`` among, and what ``activity_record`` accepts."""
    return (
        Service.objects.filter(partner_id__in=activity_partner_ids(actor, person), is_active=True)
        .select_related("partner")
        .order_by("name")
    )


def can_record_activity(actor: AuthUser, person: Person, access: PersonAccess | None = None) -> bool:
    """Whether to offer the form at all; the service decides for the given service and partner.
    Pass the ``access`` already read for this actor and person to save reading it again."""
    access = access or access_to_person(actor, person)
    if access is None or not activity_partner_ids(actor, person):
        return False
    return access.can_change_path or bool(scope_for(actor).staff_partner_ids)


def person_activities(person: Person) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(person=person)
        .select_related("partner", "service", "recorded_by")
        .order_by("-occurred_on", "-created_at")
    )


def _own_partner_ids(access: PersonAccess, user: AuthUser | None) -> frozenset[Any] | None:
    """None when the reader sees the whole path; else the partners whose own records they may read.

    Which institutions a person sees (a psychiatric ward, a crisis point) tells about their health, so
    someone who reads the person only through a referral sees their own partner's records, not the others'.
    """
    if access.can_change_path:
        return None
    return scope_for(user).staff_partner_ids if user is not None else frozenset()


def person_activities_for(access: PersonAccess, user: AuthUser | None) -> QuerySet[Activity]:
    """The person's activities that this reader may see."""
    activities = person_activities(access.person)
    partner_ids = _own_partner_ids(access, user)
    return activities if partner_ids is None else activities.filter(partner_id__in=partner_ids)


@dataclass(frozen=True)
class PersonGroupRow:
    membership: GroupMembership
    meetings: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(_HOURS)


def person_group_attendance(access: PersonAccess, user: AuthUser | None = None) -> list[PersonGroupRow]:
    """The person's group memberships with the meetings attended and hours per group (one query);
    like activities, only the reader's own partners' groups unless they see the whole path."""
    person = access.person
    partner_ids = _own_partner_ids(access, user)
    memberships_qs = GroupMembership.objects.filter(person=person)
    attendance_qs = Attendance.objects.filter(person=person, meeting__cancelled_at__isnull=True)
    if partner_ids is not None:
        memberships_qs = memberships_qs.filter(group__partner_id__in=partner_ids)
        attendance_qs = attendance_qs.filter(meeting__group__partner_id__in=partner_ids)
    # The totals of each membership's group ride on the memberships' query as two subqueries (one query, not two).
    per_group = attendance_qs.filter(meeting__group_id=OuterRef("group_id")).order_by().values("meeting__group_id")
    memberships = list(
        memberships_qs.select_related("group", "group__partner")
        .annotate(
            group_meetings=Subquery(per_group.annotate(n=Count("id")).values("n")[:1]),
            group_minutes=Subquery(per_group.annotate(m=Sum("meeting__duration_minutes")).values("m")[:1]),
        )
        .order_by("-joined_on", "-id")
    )
    totals = {m.group_id: {"meetings": m.group_meetings, "minutes": m.group_minutes} for m in memberships}
    rows: list[PersonGroupRow] = []
    seen: set[Any] = set()
    for membership in memberships:
        # Totals belong to the group, so they are shown once, on its latest membership.
        first = membership.group_id not in seen
        seen.add(membership.group_id)
        total = totals.get(membership.group_id, {}) if first else {}
        rows.append(PersonGroupRow(membership, total.get("meetings") or 0, total.get("minutes") or 0))
    return rows


def get_meeting_for(group: SupportGroup, pk: Any) -> Meeting:
    """A meeting of this group (already reached through ``get_group_for``); 404 for any other id."""
    try:
        return Meeting.objects.select_related("group").get(group=group, pk=uuid.UUID(str(pk)))
    except (Meeting.DoesNotExist, ValueError):
        raise Http404 from None
