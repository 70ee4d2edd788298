from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DISCONTINUED = "discontinued", _("discontinued")


class Priority(models.TextChoices):
    # Highest first. A discharge from a psychiatric ward must not wait: it goes before urgent everywhere.
    WARD_DISCHARGE = "ward_discharge", _("discharge from a psychiatric ward")
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("normal")


# The one order of priorities: a waitlist and the inbox sort by it (0 first), and the answer time in working days
# applies to every priority above normal.
PRIORITY_RANK = {Priority.WARD_DISCHARGE: 0, Priority.URGENT: 1, Priority.NORMAL: 2}
URGENT_PRIORITIES = (Priority.WARD_DISCHARGE, Priority.URGENT)


class ReasonCode(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("no places")
    NOT_ELIGIBLE = "not_eligible", _("the person does not meet the criteria")
    PERSON_DECLINED = "person_declined", _("the person resigned")
    PERSON_UNREACHABLE = "person_unreachable", _("no contact with the person")
    DUPLICATE = "duplicate", _("duplicate referral")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("the consent was withdrawn or expired")
    NO_ANSWER = "no_answer", _("no answer in time")
    OTHER = "other", _("other reason")


class ReasonOrigin(models.TextChoices):
    PARTNER = "partner", _("the institution")
    PERSON = "person", _("the person")


class OutcomeCode(models.TextChoices):
    GOAL_ACHIEVED = "goal_achieved", _("goal achieved")
    PARTIALLY_ACHIEVED = "partially_achieved", _("goal partly achieved")
    NOT_ACHIEVED = "not_achieved", _("goal not achieved")
    REFERRED_ONWARD = "referred_onward", _("referred onward")
    OTHER = "other", _("other outcome")


# Reasons only the system records (a consent's end, a redirect for no answer): no one picks them in a form.
SYSTEM_REASONS = (ReasonCode.CONSENT_WITHDRAWN, ReasonCode.NO_ANSWER)
CHOSEN_REASONS = [(code, label) for code, label in ReasonCode.choices if code not in SYSTEM_REASONS]

OPEN_STATES = (State.SENT, State.ACCEPTED, State.IN_PROGRESS)
TERMINAL_STATES = (State.COMPLETED, State.DECLINED, State.WITHDRAWN, State.DISCONTINUED)

# action -> (states it may start from, state it leads to). One table, next to the model (CONVENTIONS).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "send": ((State.DRAFT,), State.SENT),
    "check_in": ((State.SENT,), State.SENT),
    "accept": ((State.SENT,), State.ACCEPTED),
    "start": ((State.ACCEPTED,), State.IN_PROGRESS),
    "complete": ((State.IN_PROGRESS,), State.COMPLETED),
    "decline": ((State.SENT,), State.DECLINED),
    "withdraw": ((State.DRAFT, State.SENT, State.ACCEPTED, State.IN_PROGRESS), State.WITHDRAWN),
    "discontinue": ((State.ACCEPTED, State.IN_PROGRESS), State.DISCONTINUED),
}


# Notes the services write as codes (never shown as they are): what the timeline says instead.
NOTE_LABELS = {"waitlist": _("on the waitlist")}
