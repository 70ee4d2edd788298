"""The OpenAPI schema and its Swagger UI, for signed-in users only once DEBUG is off (issue 14).

Swagger UI is the split view: its start-up script is a separate, same-origin request instead of an inline
<script>, so it runs under the Content-Security-Policy without a nonce or 'unsafe-inline'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated

from api.permissions import SignedInUnlessDebug


class SchemaView(SpectacularAPIView):
    permission_classes = [SignedInUnlessDebug]


class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [SignedInUnlessDebug]
    # Ours: the same page without drf-spectacular's inline <style> (frontend/static/frontend/swagger.css).
    template_name = "api/swagger_ui.html"

    def handle_exception(self, exc: Exception) -> Any:
        # A person opening the docs in a browser is sent to sign in and back, instead of a bare 401.
        if isinstance(exc, NotAuthenticated) and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
