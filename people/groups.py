"""Support groups (open groups people join and leave at any time), their meetings and attendance, and the
activities (contacts and sessions) recorded for a person. Writes are services, reads are selectors.

Who may do what:
- A group belongs to a network and to the partner that runs it. The network's coordinators and the running
  partner's staff manage it and see its people; everyone else who sees the network sees only that the group
  exists, its schedule and anonymous yearly totals.
- An activity is recorded for a person the actor can see, by the person's network coordinator, their case
  manager, or staff of the partner whose service it is; always in the name of the actor's own partner.

Every change that touches a person writes an AccessLog row in the same transaction.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from core.types import AuthUser
from network.models import Network, NetworkMembership
from partners.models import Partner, Service, User
from people.access import PersonAccess, access_to_person
from people.models import (
    AccessAction,
    AccessLog,
    Activity,
    ActivityKind,
    Attendance,
    GroupMembership,
    Meeting,
    Person,
    SupportGroup,
)

GROUP_FIELDS = [
    "name",
    "description",
    "service",
    "weekday",
    "start_time",
    "duration_minutes",
    "place",
    "leader",
    "is_active",
]

_HOURS = Decimal("0.01")

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


def partners_that_may_run_groups(user: AuthUser, network: Network) -> QuerySet[Partner]:
    """Partners in whose name the user may create a group in this network (current members only)."""
    scope = scope_for(user)
    members = NetworkMembership.objects.current().filter(network=network)
    if network.pk not in scope.coordinated_network_ids:
        members = members.filter(partner_id__in=scope.staff_partner_ids)
    return Partner.objects.filter(id__in=members.values("partner_id")).order_by("name")


def _require_manager(actor: User, group: SupportGroup) -> None:
    if not can_manage_group(actor, group):
        raise PermissionDenied


def _not_future(field: str, day: datetime.date | None, errors: dict[str, list[str]]) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))


def _merge_clean(instance: Any, errors: dict[str, list[str]], exclude: list[str] | None = None) -> None:
    """Run the model's own validation and raise it together with the service's errors, by field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _log_people(*, actor: User, people: list[Any], action: str, view: str, channel: str, detail: str = "") -> None:
    """One access-log row per person, in one INSERT; ``detail`` names what was touched, never its content."""
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=actor, person_id=getattr(p, "pk", p), action=action, view=view, channel=channel, detail=detail
            )
            for p in people
        ]
    )


# --- groups ---------------------------------------------------------------------------------------


def _check_group_service(group: SupportGroup, errors: dict[str, list[str]]) -> None:
    if group.service_id is not None and group.service is not None and group.service.partner_id != group.partner_id:
        errors.setdefault("service", []).append(_("The service must be one of the running partner's services."))


@transaction.atomic
def group_create(*, actor: User, network: Network, partner: Partner, data: dict[str, Any]) -> SupportGroup:
    scope = scope_for(actor)
    if network.pk not in scope.coordinated_network_ids and partner.pk not in scope.staff_partner_ids:
        raise PermissionDenied
    unknown = set(data) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if not NetworkMembership.objects.current().filter(network=network, partner=partner).exists():
        errors["partner"] = [_("The partner must be a member of this network.")]
    group = SupportGroup(network=network, partner=partner)
    for name, value in data.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    _check_group_service(group, errors)
    _merge_clean(group, errors)
    group.save()
    return group


@transaction.atomic
def group_update(*, actor: User, group: SupportGroup, data: dict[str, Any]) -> SupportGroup:
    _require_manager(actor, group)
    unknown = set(data) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    group = SupportGroup.objects.select_for_update().select_related("network", "partner").get(pk=group.pk)
    for name, value in data.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    _check_group_service(group, errors)
    _merge_clean(group, errors)
    group.save()
    return group


def _lock_group(group: SupportGroup) -> SupportGroup:
    # Membership changes of one group are serialised on the group row, so two people adding the same
    # person at once get a clear conflict rather than a constraint error.
    return SupportGroup.objects.select_for_update().get(pk=group.pk)


@transaction.atomic
def group_join(
    *,
    actor: User,
    group: SupportGroup,
    person: Person,
    joined_on: datetime.date | None = None,
    channel: str = "page",
) -> GroupMembership:
    """Add a person to an open group. Rejoining later starts a new membership; the old one stays as history."""
    _require_manager(actor, group)
    locked = _lock_group(group)
    if person.network_id != group.network_id or access_to_person(actor, person) is None:
        # Someone the actor cannot see is answered like someone who does not exist.
        raise ValidationError({"person": _("Choose a person of this group's network whom you support.")})
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    if not locked.is_active:
        raise Conflict(_("This group no longer meets; reopen it before adding people."), code="group_inactive")
    joined_on = joined_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _not_future("joined_on", joined_on, errors)
    history = list(GroupMembership.objects.filter(group=group, person=person).order_by("-joined_on"))
    if any(m.left_on is None for m in history):
        raise Conflict(_("This person is already a member of the group."), code="already_member")
    last_left = max((m.left_on for m in history if m.left_on), default=None)
    if last_left is not None and joined_on < last_left:
        errors.setdefault("joined_on", []).append(
            _("The person left the group on %(date)s; they can rejoin on that day or later.")
            % {"date": last_left.strftime("%d.%m.%Y")}
        )
    membership = GroupMembership(group=group, person=person, joined_on=joined_on)
    _merge_clean(membership, errors, exclude=["group", "person"])
    membership.save()
    _log_people(
        actor=actor,
        people=[person],
        action=AccessAction.CHANGE,
        view="group-join",
        channel=channel,
        detail=f"group-join:{group.pk}",
    )
    return membership


@transaction.atomic
def group_leave(
    *,
    actor: User,
    group: SupportGroup,
    person: Person,
    left_on: datetime.date | None = None,
    channel: str = "page",
) -> GroupMembership:
    """Close a person's current membership; it stays in the group's history."""
    _require_manager(actor, group)
    _lock_group(group)
    try:
        membership = GroupMembership.objects.get(group=group, person=person, left_on__isnull=True)
    except GroupMembership.DoesNotExist:
        raise Conflict(_("This person is not a member of the group."), code="not_member") from None
    left_on = left_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _not_future("left_on", left_on, errors)
    if left_on < membership.joined_on:
        errors.setdefault("left_on", []).append(
            _("The person joined on %(date)s; they cannot leave before that.")
            % {"date": membership.joined_on.strftime("%d.%m.%Y")}
        )
    later = (
        Attendance.objects.filter(meeting__group=group, person=person, meeting__held_on__gt=left_on)
        .order_by("-meeting__held_on")
        .values_list("meeting__held_on", flat=True)
        .first()
    )
    if later is not None:
        errors.setdefault("left_on", []).append(
            _("The person attended a meeting on %(date)s, after this date.") % {"date": later.strftime("%d.%m.%Y")}
        )
    membership.left_on = left_on
    _merge_clean(membership, errors, exclude=["group", "person"])
    membership.save(update_fields=["left_on"])
    _log_people(
        actor=actor,
        people=[person],
        action=AccessAction.CHANGE,
        view="group-leave",
        channel=channel,
        detail=f"group-leave:{group.pk}",
    )
    return membership


def _parse_ids(values: Any) -> list[uuid.UUID] | None:
    ids: list[uuid.UUID] = []
    for value in values or []:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (ValueError, TypeError, AttributeError):
            return None
    return list(dict.fromkeys(ids))


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    group: SupportGroup,
    held_on: datetime.date,
    duration_minutes: int | None,
    topic: str = "",
    place: str = "",
    leader: str = "",
    attendee_ids: list[Any] | None = None,
    channel: str = "page",
) -> Meeting:
    """A meeting that took place, with who attended. Only people who were members on that day can attend.

    Without a duration the group's usual one is taken; without a place or leader, the group's.
    """
    _require_manager(actor, group)
    errors: dict[str, list[str]] = {}
    _not_future("held_on", held_on, errors)
    ids = _parse_ids(attendee_ids)
    if ids is None:
        errors.setdefault("attendees", []).append(_("Unknown person."))
        ids = []
    members: set[uuid.UUID] = set()
    if ids and held_on is not None:
        members = set(
            GroupMembership.objects.filter(group=group, person_id__in=ids, joined_on__lte=held_on)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=held_on))
            .values_list("person_id", flat=True)
        )
    if set(ids) - members:
        errors.setdefault("attendees", []).append(
            _("Only people who were members of the group on the day of the meeting can be marked present.")
        )
    meeting = Meeting(
        group=group,
        held_on=held_on,
        duration_minutes=group.duration_minutes if duration_minutes is None else duration_minutes,
        topic=(topic or "").strip(),
        place=(place or "").strip() or group.place,
        leader=(leader or "").strip() or group.leader,
    )
    _merge_clean(meeting, errors, exclude=["group"])
    meeting.save()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=pid) for pid in ids])
    _log_people(
        actor=actor,
        people=ids,
        action=AccessAction.CHANGE,
        view="meeting-record",
        channel=channel,
        detail=f"meeting:{meeting.pk}",
    )
    return meeting


# --- activities -----------------------------------------------------------------------------------


def activity_partner_ids(actor: AuthUser, person: Person) -> set[Any]:
    """Partners in whose name the actor records: their own; a coordinator also the network's coordinating one."""
    scope = scope_for(actor)
    ids: set[Any] = set(scope.staff_partner_ids)
    if person.network_id in scope.coordinated_network_ids and person.network.coordinating_partner_id:
        ids.add(person.network.coordinating_partner_id)
    return ids


def can_record_activity(actor: AuthUser, person: Person, access: PersonAccess | None = None) -> bool:
    """Whether to offer the form at all; the service decides for the given service and partner.
    Pass the ``access`` already read for this actor and person to save reading it again."""
    access = access or access_to_person(actor, person)
    if access is None or not activity_partner_ids(actor, person):
        return False
    return access.can_change_path or bool(scope_for(actor).staff_partner_ids)


@transaction.atomic
def activity_record(
    *,
    actor: User,
    person: Person,
    minutes: int,
    occurred_on: datetime.date | None = None,
    kind: str = ActivityKind.INDIVIDUAL,
    partner: Partner | None = None,
    service: Service | None = None,
    topic: str = "",
    channel: str = "page",
) -> Activity:
    """A contact or session with a person, in minutes, always in the name of the actor's own partner."""
    access = access_to_person(actor, person)
    if access is None:
        raise PermissionDenied
    scope = scope_for(actor)
    provides_service = service is not None and service.partner_id in scope.staff_partner_ids
    if not (access.can_change_path or provides_service):
        raise PermissionDenied
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    errors: dict[str, list[str]] = {}
    allowed = activity_partner_ids(actor, person)
    if partner is None:
        if service is not None and service.partner_id in allowed:
            partner = service.partner
        elif len(allowed) == 1:
            partner = Partner.objects.get(pk=next(iter(allowed)))
    if partner is None:
        errors["partner"] = [_("Choose the institution in whose name you record this.")]
    elif partner.pk not in allowed:
        errors["partner"] = [_("You can record activities only in the name of your own institution.")]
    elif service is not None and service.partner_id != partner.pk:
        errors["service"] = [_("The service must be one of the partner's services.")]
    occurred_on = occurred_on or timezone.localdate()
    _not_future("occurred_on", occurred_on, errors)
    activity = Activity(
        person=person,
        partner=partner,
        service=service,
        kind=kind,
        occurred_on=occurred_on,
        minutes=minutes,
        topic=(topic or "").strip(),
        recorded_by=actor,
    )
    _merge_clean(activity, errors, exclude=["person", "partner", "recorded_by"])
    activity.save()
    _log_people(
        actor=actor,
        people=[person],
        action=AccessAction.CHANGE,
        view="activity-record",
        channel=channel,
        detail=f"activity:{activity.pk}",
    )
    return activity


# --- selectors ------------------------------------------------------------------------------------


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
    meetings = Meeting.objects.filter(group=group, held_on__year=year).aggregate(
        count=Count("id"), minutes=Sum("duration_minutes")
    )
    attendance = Attendance.objects.filter(meeting__group=group, meeting__held_on__year=year).aggregate(
        people=Count("person_id", distinct=True), minutes=Sum("meeting__duration_minutes")
    )
    return YearFigures(
        year=year,
        people=attendance["people"] or 0,
        meetings=meetings["count"] or 0,
        minutes=meetings["minutes"] or 0,
        person_minutes=attendance["minutes"] or 0,
    )


def group_years(group: SupportGroup) -> list[int]:
    """The years in which the group met, newest first (one query)."""
    return [d.year for d in Meeting.objects.filter(group=group).dates("held_on", "year", order="DESC")]


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
    """The person's group memberships with the meetings attended and hours per group (two queries);
    like activities, only the reader's own partners' groups unless they see the whole path."""
    person = access.person
    partner_ids = _own_partner_ids(access, user)
    memberships_qs = GroupMembership.objects.filter(person=person)
    attendance_qs = Attendance.objects.filter(person=person)
    if partner_ids is not None:
        memberships_qs = memberships_qs.filter(group__partner_id__in=partner_ids)
        attendance_qs = attendance_qs.filter(meeting__group__partner_id__in=partner_ids)
    memberships = list(memberships_qs.select_related("group", "group__partner").order_by("-joined_on", "-id"))
    totals = {
        row["meeting__group_id"]: row
        for row in attendance_qs.values("meeting__group_id")
        .annotate(meetings=Count("id"), minutes=Sum("meeting__duration_minutes"))
        .order_by()
    }
    rows: list[PersonGroupRow] = []
    seen: set[Any] = set()
    for membership in memberships:
        # Totals belong to the group, so they are shown once, on its latest membership.
        first = membership.group_id not in seen
        seen.add(membership.group_id)
        total = totals.get(membership.group_id, {}) if first else {}
        rows.append(PersonGroupRow(membership, total.get("meetings") or 0, total.get("minutes") or 0))
    return rows
