"""Writing the access log (DESIGN §5). Call inside the transaction of the work it records."""

from __future__ import annotations

from partners.models import User
from people.models import AccessAction, AccessLog, Person


def log_access(
    *, user: User, person: Person, action: str, view: str = "", channel: str = "page", detail: str = ""
) -> AccessLog:
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        person=person,
        action=action,
        view=view[:100],
        channel=channel,
        detail=detail[:255],
    )


def log_access_many(*, user: User, people: list[Person], action: str, view: str, channel: str = "page") -> None:
    """One row per person shown in a list, in one INSERT."""
    AccessLog.objects.bulk_create(
        [AccessLog(user=user, person=person, action=action, view=view[:100], channel=channel) for person in people]
    )
