"""Event types a subscription may ask for, delivery statuses and why a subscription stopped."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Every event the domains raise (core.events.publish), with what it means to a subscriber; docs/webhooks.md lists
# the same. A subscription names types, or "<kind>.*" for every event of one kind.
EVENT_TYPES: dict[str, Promise] = {
    "referral.sent": _("a referral was sent to the receiving partner"),
    "referral.checked_in": _("the receiving partner confirmed contact with the person"),
    "referral.accepted": _("the receiving partner accepted a referral"),
    "referral.started": _("support under a referral started"),
    "referral.completed": _("a referral was completed"),
    "referral.declined": _("the receiving partner declined a referral"),
    "referral.withdrawn": _("a referral was withdrawn"),
    "referral.discontinued": _("support under a referral was discontinued"),
    "referral.redirected": _("the coordinator moved an overdue referral to another partner"),
    "placement.published": _("an employer published a supported job placement"),
    "placement.updated": _("a placement was changed"),
    "placement.closed": _("a placement was closed"),
    "placement.reopened": _("a placement was reopened"),
    "application.proposed": _("a candidate was proposed for a placement"),
    "application.interview": _("a candidate was invited to an interview"),
    "application.offered": _("a candidate was offered the job"),
    "application.hired": _("a candidate was hired"),
    "application.retained": _("a hired person is still employed at a checkpoint"),
    "application.declined": _("the employer declined a candidacy"),
    "application.withdrawn": _("a candidacy was withdrawn"),
    "application.ended": _("an employment through a placement ended"),
    "consent.withdrawn": _("a person withdrew a consent"),
    "consent.expired": _("a consent expired"),
}
KINDS = sorted({name.split(".", 1)[0] for name in EVENT_TYPES})
WILDCARDS = [f"{kind}.*" for kind in KINDS]
SUBSCRIBABLE = [*EVENT_TYPES, *WILDCARDS]
# Consent events are the network's: a partner's subscription cannot ask for them (people/access.py: partners do
# not see a person's consents).
NETWORK_ONLY_KINDS = ("consent",)
PING = "webhook.ping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed, will retry")
    GAVE_UP = "gave_up", _("given up")


RETRYING = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class DisabledReason(models.TextChoices):
    BY_OWNER = "by_owner", _("turned off by its owner")
    FAILING = "failing", _("every delivery failed for 24 hours")
    GONE = "gone", _("the receiver answered 410 Gone")
