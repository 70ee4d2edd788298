"""The project's routes plus the supported-employment routes, for tests until frontend/urls.py and api/urls.py
include them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("api.employment_urls")),
    path("", include("frontend.employment_urls")),
    *project_urlpatterns,
]
