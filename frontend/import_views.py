"""Bulk import page for coordinators: filled in by the import work."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def network_import(request: HttpRequest, network_id: str) -> HttpResponse:
    raise Http404
