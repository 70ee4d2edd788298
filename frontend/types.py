"""Request types for views behind @login_required (django-stubs cannot narrow request.user by itself)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from partners.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
