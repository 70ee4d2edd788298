"""The project's routes plus the assessment routes, for tests until frontend/urls.py and api/urls.py include them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("api.assessment_urls")),
    path("", include("frontend.assessment_urls")),
    *project_urlpatterns,
]
