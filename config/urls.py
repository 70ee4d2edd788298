from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from frontend import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/hsds/", include("api.hsds_urls")),
    path("fhir/", include("api.fhir.urls")),
    path("", include("frontend.urls")),
]

admin.site.site_header = "LSW — Lokalny System Współdziałania"
if settings.DEBUG:
    admin.site.site_title = "LSW (DEBUG)"

# The error pages: Polish (the visitor's language), styled, saying who can do this and offering a way back; under
# /api/ the API's own JSON shape (frontend/site_views.py).
handler403 = "frontend.site_views.permission_denied"
handler404 = "frontend.site_views.page_not_found"
handler500 = "frontend.site_views.server_error"
