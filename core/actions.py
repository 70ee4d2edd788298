"""Which service function a front-door view performs.

A page view and an API view that change state name the service they call with ``@performs(service, ...)``.
``tests/api/test_page_api_parity.py`` reads these marks: every state-changing page route must name its services,
each of them must be named by an API view too, and both views' code must really reach the function named (the
test follows the code, so a mark cannot claim a call the view does not make). That is how "the page and the API
call the same service" stays true when a page is added later.

The mark is an attribute on the function. Put ``@performs`` closest to ``def``: Django's view decorators
(``login_required``, ``require_POST``...) copy a function's attributes to their wrapper, so the mark is read on
the view the URL resolver holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ATTRIBUTE = "performs"


def performs(*services: Callable[..., Any]) -> Callable[[F], F]:
    """Mark a view (or an API view's handler) as calling ``services``."""
    if not services:
        raise TypeError("performs() needs at least one service function")

    def mark(view: F) -> F:
        setattr(view, ATTRIBUTE, (*getattr(view, ATTRIBUTE, ()), *services))
        return view

    return mark


def performed_by(view: Any) -> tuple[Callable[..., Any], ...]:
    """The services a view (or handler) is marked with; () when none."""
    return tuple(getattr(view, ATTRIBUTE, ()))
