"""The demo network (DESIGN §10), built from the source documents. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.db import transaction

from partners.models import User

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password, refused when DEBUG is off


def _user(username: str, first: str, last: str, **extra: object) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo() -> str:
    _user("admin", "Administrator", "Systemu", is_staff=True, is_superuser=True)
    _user("koordynator", "Katarzyna", "Nowak")
    _user("mopr", "Marek", "Wiśniewski")
    _user("sds", "Sylwia", "Zielińska")
    _user("pup", "Paweł", "Urbański")
    _user("pracodawca", "Piotr", "Kowalczyk")
    _user("monitor", "Monika", "Wojewódzka", is_regional_monitor=True)
    return f"{User.objects.count()} users"
