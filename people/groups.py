"""Support groups (open groups people join and leave at any time), their meetings and attendance, and the
activities (contacts and sessions) recorded for a person: the services that change them. Their reads, and the
choices the forms offer, are in ``people.group_selectors``; the services here accept exactly those choices.

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
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from network.models import Network
from partners.models import Partner, Service, User
from people.access import access_to_person
from people.group_selectors import (
    activity_partner_ids,
    activity_service_choices,
    can_manage_group,
    group_service_choices,
    partners_that_may_run_groups,
)
from people.group_selectors import group_year_figures as group_year_figures  # read from here before the split
from people.models import (
    AccessAction,
    AccessLog,
    Activity,
    ActivityKind,
    Attendance,
    GroupMembership,
    Meeting,
    MeetingCorrection,
    MeetingCorrectionKind,
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


def _check_group_service(group: SupportGroup, errors: dict[str, list[str]], *, kept: Any = None) -> None:
    """The service must be among ``group_service_choices`` of the running partner: an active one, or the one the
    group already had (``kept``), which an edit may keep after the service was closed."""
    if group.service_id is None or group.service_id == kept:
        return
    if not group_service_choices([group.partner_id]).filter(pk=group.service_id).exists():
        errors.setdefault("service", []).append(_("Choose an active service of the partner that runs the group."))


@transaction.atomic
def group_create(*, actor: User, network: Network, partner: Partner, data: dict[str, Any]) -> SupportGroup:
    scope = scope_for(actor)
    if network.pk not in scope.coordinated_network_ids and partner.pk not in scope.staff_partner_ids:
        raise PermissionDenied
    unknown = set(data) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if not partners_that_may_run_groups(actor, network).filter(pk=partner.pk).exists():
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
    kept = group.service_id
    for name, value in data.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    _check_group_service(group, errors, kept=kept)
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
        Attendance.objects.filter(
            meeting__group=group, person=person, meeting__held_on__gt=left_on, meeting__cancelled_at__isnull=True
        )
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
    confirm_same_day: bool = False,
    channel: str = "page",
) -> Meeting:
    """A meeting that took place, with who attended. Only people who were members on that day can attend.

    Without a duration the group's usual one is taken; without a place or leader, the group's. A second meeting of
    the group on one day is usually the same one entered twice: it is refused with 409 ``same_day_meeting`` unless
    ``confirm_same_day``.
    """
    _require_manager(actor, group)
    _lock_group(group)
    errors: dict[str, list[str]] = {}
    _not_future("held_on", held_on, errors)
    ids = _parse_ids(attendee_ids)
    if ids is None:
        errors.setdefault("attendees", []).append(_("Unknown person."))
        ids = []
    _check_attendees(group, held_on, ids, errors)
    if not errors:
        _refuse_same_day(group, held_on, confirm_same_day)
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


def _check_attendees(
    group: SupportGroup, held_on: datetime.date | None, ids: list[uuid.UUID], errors: dict[str, list[str]]
) -> None:
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


def _refuse_same_day(group: SupportGroup, held_on: datetime.date | None, confirmed: bool, exclude: Any = None) -> None:
    if held_on is None or confirmed:
        return
    others = Meeting.objects.held().filter(group=group, held_on=held_on).exclude(pk=exclude)
    if others.exists():
        raise Conflict(
            _(
                "The group already has a meeting on %(date)s. If it really met twice that day, confirm the second "
                "meeting."
            )
            % {"date": held_on.strftime("%d.%m.%Y")},
            code="same_day_meeting",
        )


# --- corrections with a trace ---------------------------------------------------------------------

MEETING_CORRECTABLE = ["held_on", "duration_minutes", "topic", "place", "leader"]


def _lock_meeting(meeting: Meeting) -> Meeting:
    _lock_group(meeting.group)
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason of the correction.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("The reason can have at most 500 characters.")]})
    return reason


def _as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


@transaction.atomic
def meeting_correct(
    *,
    actor: User,
    meeting: Meeting,
    reason: str,
    data: dict[str, Any] | None = None,
    attendee_ids: list[Any] | None = None,
    confirm_same_day: bool = False,
    channel: str = "page",
) -> Meeting:
    """Correct a meeting entered wrongly: its date, duration, topic, place or leader (``data``, only what changes)
    and, when ``attendee_ids`` is given, who was present (the whole list). The reason and what changed stay as a
    trace (MeetingCorrection); the yearly figures read the corrected meeting. Same rules as recording it."""
    _require_manager(actor, meeting.group)
    reason = _require_reason(reason)
    meeting = _lock_meeting(meeting)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting was cancelled and cannot be corrected."), code="meeting_cancelled")
    data = dict(data or {})
    unknown = set(data) - set(MEETING_CORRECTABLE)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    changes: dict[str, list[Any]] = {}
    for name, value in data.items():
        value = value.strip() if isinstance(value, str) else value
        if value != getattr(meeting, name):
            changes[name] = [_as_json(getattr(meeting, name)), _as_json(value)]
            setattr(meeting, name, value)
    _not_future("held_on", meeting.held_on, errors)
    present = set(meeting.attendance.values_list("person_id", flat=True))
    wanted = present
    if attendee_ids is not None:
        ids = _parse_ids(attendee_ids)
        if ids is None:
            errors.setdefault("attendees", []).append(_("Unknown person."))
            ids = []
        wanted = set(ids)
    # A new date or a new list: everyone present must have been a member on the (new) day.
    if "held_on" in changes or attendee_ids is not None:
        _check_attendees(meeting.group, meeting.held_on, sorted(wanted), errors)
    added, removed = sorted(wanted - present), sorted(present - wanted)
    if not changes and not added and not removed and not errors:
        raise ValidationError({"reason": [_("Nothing would change: the meeting already has these data.")]})
    _merge_clean(meeting, errors, exclude=["group"])
    if "held_on" in changes:
        _refuse_same_day(meeting.group, meeting.held_on, confirm_same_day, exclude=meeting.pk)
    meeting.save()
    Attendance.objects.filter(meeting=meeting, person_id__in=removed).delete()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=pid) for pid in added])
    MeetingCorrection.objects.create(
        meeting=meeting,
        kind=MeetingCorrectionKind.CORRECT,
        actor=actor,
        reason=reason,
        changes=changes,
        added=added,
        removed=removed,
    )
    _log_people(
        actor=actor,
        people=sorted(wanted | present),
        action=AccessAction.CHANGE,
        view="meeting-correct",
        channel=channel,
        detail=f"meeting-correct:{meeting.pk}",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str, channel: str = "page") -> Meeting:
    """A meeting entered by mistake (it did not take place, or is a double): it stays with its attendance as a trace,
    marked cancelled with the reason, and counts in no figure."""
    _require_manager(actor, meeting.group)
    reason = _require_reason(reason)
    meeting = _lock_meeting(meeting)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting was already cancelled."), code="meeting_cancelled")
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    MeetingCorrection.objects.create(meeting=meeting, kind=MeetingCorrectionKind.CANCEL, actor=actor, reason=reason)
    _log_people(
        actor=actor,
        people=list(meeting.attendance.values_list("person_id", flat=True)),
        action=AccessAction.CHANGE,
        view="meeting-cancel",
        channel=channel,
        detail=f"meeting-cancel:{meeting.pk}",
    )
    return meeting


# --- activities -----------------------------------------------------------------------------------


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
    if service is not None and not activity_service_choices(actor, person).filter(pk=service.pk).exists():
        errors["service"] = [_("Choose an active service of your institution.")]
    elif service is not None and partner is not None and service.partner_id != partner.pk:
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
