"""The referrals section of a person's data export (GDPR art. 15): to which partners the data went, which
categories, when and on what basis. Registered with ``people.export`` by ``ReferralsConfig.ready``.

The partners' own notes (reasons and outcomes in free text, timeline notes) are not part of it: what is shown
is who received what and when, with the coded reasons as their labels.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from people.export import Section, choice, choices, label, name_of
from people.models import DataCategory, Person
from referrals.choices import OutcomeCode, ReasonCode, ReasonOrigin, State
from referrals.models import Referral


def referrals_section(person: Person) -> Section:
    fields = {
        "created_at": _("created"),
        "from_partner": _("referred by"),
        "to_partner": _("recipient"),
        "service": label(Referral, "service"),
        "categories": label(Referral, "categories"),
        "state": label(Referral, "state"),
        "sent_at": label(Referral, "sent_at"),
        "answered_at": label(Referral, "answered_at"),
        "closed_at": label(Referral, "closed_at"),
        "legal_basis": label(Referral, "legal_basis"),
        "reason": _("reason for declining or ending"),
        "reason_origin": label(Referral, "reason_origin"),
        "outcome": label(Referral, "outcome_code"),
    }
    referrals = (
        Referral.objects.filter(person=person)
        .select_related("from_partner", "to_partner", "service")
        .order_by("created_at", "id")
    )
    rows = [
        {
            "created_at": r.created_at,
            "from_partner": name_of(r.from_partner) or _("the network's coordinator"),
            "to_partner": name_of(r.to_partner),
            "service": name_of(r.service),
            "categories": choices(DataCategory, r.categories),
            "state": choice(State, r.state),
            "sent_at": r.sent_at,
            "answered_at": r.answered_at,
            "closed_at": r.closed_at,
            "legal_basis": r.legal_basis,
            "reason": choice(ReasonCode, r.reason_code),
            "reason_origin": choice(ReasonOrigin, r.reason_origin),
            "outcome": choice(OutcomeCode, r.outcome_code),
        }
        for r in referrals
    ]
    return Section(_("Referrals: to whom the data went"), fields, rows)
