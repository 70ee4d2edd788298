"""Pages of the site itself (issue 16): the accessibility statement, the staff style guide, the error pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The deklaracja dostępności the digital accessibility act requires, generated from settings."""
    return render(request, "site/accessibility.html", {"statement": settings.ACCESSIBILITY_STATEMENT})
