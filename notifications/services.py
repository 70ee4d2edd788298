"""Write Notification rows in the caller's transaction; push them to open sockets after commit. Mark them read
for their recipient (the notification centre and the API alike).

A push is a hint (the channel layer delivers at most once); the rows are the record clients re-sync from.
A failing channel layer never blocks or rolls back the work that caused the notification.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from core.types import AuthUser
from notifications.emails import defer_email
from notifications.groups import user_group
from notifications.models import Notification
from notifications.selectors import get_notification_for

log = logging.getLogger(__name__)


def one_full_stop(text: str) -> str:
    """A sentence whose last word is an abbreviation (a person's initials "K. J.", "Sp. z o.o.") ends with that
    word's own dot, not a second one: "… dla K. J.." reads as a typo. An ellipsis stays."""
    text = text.rstrip()
    if text.endswith("..") and not text.endswith("..."):
        return text[:-1]
    return text


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    text: Callable[[], str],
    obj: Any = None,
    url: str = "",
) -> list[Notification]:
    """``text`` is called once per recipient language, so each reads it in their own language.

    It must never include health data: name the person and the action, nothing about their condition.
    """
    rows = []
    seen: set[Any] = set()
    texts: dict[str, str] = {}
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        if language not in texts:
            with translation.override(language):
                texts[language] = one_full_stop(str(text()))
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                object_type=obj._meta.model_name if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                url=url,
                text=texts[language][:500],
            )
        )
    created = Notification.objects.bulk_create(rows)
    for row in created:
        defer_email(row.recipient)  # in this transaction: the e-mail's job commits with its notification
    if created:
        transaction.on_commit(lambda: push(created))
    return created


def push(notifications: list[Notification]) -> None:
    """Send every push of one transaction concurrently, so the last recipient does not wait for the first."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None or not notifications:
        return

    async def send_all() -> None:
        results = await asyncio.gather(
            *(layer.group_send(user_group(note.recipient_id), _message(note)) for note in notifications),
            return_exceptions=True,
        )
        for note, result in zip(notifications, results, strict=True):
            if isinstance(result, BaseException):  # the record is safe; the client re-syncs
                log.warning("push of notification %s failed: %s", note.pk, result)

    try:
        async_to_sync(send_all)()
    except Exception as exc:
        log.warning("pushes failed: %s", exc)


def _message(note: Notification) -> dict[str, Any]:
    return {
        "type": "notification.message",
        "id": note.pk,
        "kind": note.kind,
        "object": {"type": note.object_type, "id": note.object_id, "url": note.url},
        "text": note.text,
    }


# --- marking read ---------------------------------------------------------------------------------
# Each is one UPDATE (atomic on its own), conditional on the row still being unread, so a second click or a
# parallel request never moves the first read time.


def notification_mark_read(*, actor: AuthUser, notification_id: Any) -> Notification:
    """Mark one of the actor's notifications read; someone else's id is a 404, like a missing one."""
    note = get_notification_for(actor, notification_id)
    if note.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=now)
        note.read_at = now
    return note


def notifications_mark_read_about(*, actor: AuthUser, objects: Iterable[tuple[str, Any]]) -> int:
    """Mark the actor's unread notifications about these objects read (opening an object answers them), in one
    UPDATE. Each object is named as the rows name it, ``(model name, pk)`` as ``notify``'s ``obj`` writes it, so
    no domain model is imported here. Returns how many."""
    ids_by_type: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        ids_by_type.setdefault(object_type, []).append(str(object_id))
    about = Q()
    for object_type, ids in ids_by_type.items():
        about |= Q(object_type=object_type, object_id__in=ids)
    if not about:
        return 0
    return (
        Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
        .filter(about)
        .update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, actor: AuthUser) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
