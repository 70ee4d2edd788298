"""Messages to the person (or their guardian) by SMS or e-mail: the invitation to their own account, reminders of
group meetings and of a referral's first appointment, and the news that a referral was accepted (issue 18).

Whoever reads the phone over the person's shoulder must learn nothing: no health word, no kind of institution (a
ward, a mental-health centre), no partner's name — a date, a time and a link to the person's own pages, where they
sign in to read the rest. The texts are the fixed ones below, in the account's language; nothing typed by staff
goes into them. Nothing is sent without the person's consent to be contacted that way (``PersonAccount.contact_by``,
set by them on their own pages); each message goes once (``PersonMessage``), after the transaction it is about
commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.account_kinds import PERSON_HOME
from people.models import (
    ContactBy,
    GroupMembership,
    InvitationChannel,
    Meeting,
    Person,
    PersonAccount,
    PersonInvitation,
    PersonMessage,
)

MEETING_REMINDER = "meeting.reminder"
APPOINTMENT_REMINDER = "appointment.reminder"
REFERRAL_ACCEPTED = "referral.accepted"


def _own_url() -> str:
    return f"{settings.SITE_URL}{PERSON_HOME}"


def when_params(moment: datetime.date | datetime.datetime) -> dict[str, str]:
    if isinstance(moment, datetime.datetime):
        local = timezone.localtime(moment)
        return {"date": formats.date_format(local.date(), "SHORT_DATE_FORMAT"), "time": local.strftime("%H:%M")}
    return {"date": formats.date_format(moment, "SHORT_DATE_FORMAT"), "time": ""}


def message_text(kind: str, **params: Any) -> str:
    """The text of a message of ``kind`` in the active language. Only these texts are ever sent."""
    params = {"url": _own_url(), **params}
    if kind == MEETING_REMINDER:
        if params.get("time"):
            return _("Hello. Reminder: meeting on %(date)s at %(time)s. Details: %(url)s") % params
        return _("Hello. Reminder: meeting on %(date)s. Details: %(url)s") % params
    if kind == APPOINTMENT_REMINDER:
        return _("Hello. Reminder: your first appointment is on %(date)s at %(time)s. Details: %(url)s") % params
    if kind == REFERRAL_ACCEPTED:
        return _("Hello. Good news: your request was accepted. Details: %(url)s") % params
    if kind == "invitation":
        return _("Hello. Here is your link to set up your own account. It works once, for 3 days: %(url)s") % params
    raise ValueError(f"unknown message kind {kind!r}")


def _deliver(channel: str, address: str, subject: str, text: str) -> bool:
    if channel == ContactBy.SMS or channel == InvitationChannel.SMS:
        from notifications.sms import send_sms

        return send_sms(address, text)
    if address:
        return bool(send_mail(subject, text, None, [address], fail_silently=True))
    return False


def send_invitation(invitation: PersonInvitation, token: str, *, base_url: str = "") -> None:
    """The one-time link, after commit, by the invitation's channel and in its language."""
    from django.urls import reverse

    url = f"{(base_url or settings.SITE_URL).rstrip('/')}{reverse('own-invitation', args=[token])}"
    with translation.override(invitation.language):
        text = message_text("invitation", url=url)
        subject = _("Your own account")
    channel, address = invitation.channel, invitation.address
    transaction.on_commit(lambda: _deliver(channel, address, subject, text))


def _address(account: PersonAccount) -> str:
    person = account.person
    if account.contact_by == ContactBy.SMS:
        return account.phone or person.phone
    return account.email or account.user.email or person.email


def tell_person(person: Person, kind: str, key: str, *, params: Callable[[], dict[str, Any]] | None = None) -> int:
    """Send ``kind`` once (per ``key``) to each account of the person that agreed to messages; after commit.
    Returns how many messages were queued."""
    accounts = PersonAccount.objects.filter(person=person, user__is_active=True).exclude(contact_by="")
    count = 0
    for account in accounts.select_related("user", "person"):
        if _queue(account, kind, key, params):
            count += 1
    return count


def _queue(account: PersonAccount, kind: str, key: str, params: Callable[[], dict[str, Any]] | None) -> bool:
    address = _address(account)
    if not address:
        return False
    try:
        with transaction.atomic():
            PersonMessage.objects.create(account=account, kind=kind, key=key[:100], channel=account.contact_by)
    except IntegrityError:
        return False  # already sent
    with translation.override(account.user.language or settings.LANGUAGE_CODE):
        text = message_text(kind, **(params() if params else {}))
        subject = _("News from your own account")
    channel = account.contact_by
    transaction.on_commit(lambda: _deliver(channel, address, subject, text))
    return True


def meeting_reminders(now: datetime.datetime | None = None) -> int:
    """The job: tomorrow's group meetings, to each member who agreed to messages; once per meeting and account."""
    today = timezone.localtime(now or timezone.now()).date()
    tomorrow = today + datetime.timedelta(days=1)
    count = 0
    meetings = Meeting.objects.filter(held_on=tomorrow).select_related("group")
    for meeting in meetings:
        members = GroupMembership.objects.filter(group=meeting.group, joined_on__lte=tomorrow).exclude(
            left_on__lt=tomorrow
        )
        people = Person.objects.filter(pk__in=members.values("person_id"), accounts__isnull=False).distinct()
        at: datetime.date | datetime.datetime = meeting.held_on
        if meeting.group.start_time:
            at = timezone.make_aware(datetime.datetime.combine(meeting.held_on, meeting.group.start_time))
        for person in people:
            with transaction.atomic():
                count += tell_person(person, MEETING_REMINDER, str(meeting.pk), params=partial(when_params, at))
    return count
