"""Assessment routes of API v1; included under /api/v1/ from api/urls.py."""

from django.urls import path

from api import assessments as views

urlpatterns = [
    path("instruments/", views.InstrumentListView.as_view(), name="api-instruments"),
    # Untyped <pk>: a malformed id reaches the access function and answers a JSON 404.
    path("instruments/<pk>/", views.InstrumentDetailView.as_view(), name="api-instrument"),
    path("persons/<pk>/assessments/", views.PersonAssessmentsView.as_view(), name="api-person-assessments"),
]
