"""The main navigation, by role. Items appear as the capabilities behind them exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str


def navigation_for(user: Any) -> list[NavItem]:
    items = [NavItem(_("Start"), reverse("home"), "home")]
    if user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    return items
