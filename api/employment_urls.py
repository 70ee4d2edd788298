"""Supported employment under /api/v1/ (issue 7). Untyped <pk>: a malformed id answers a JSON 404."""

from django.urls import path

from api import employment

urlpatterns = [
    path("placements/", employment.PlacementListView.as_view(), name="api-placements"),
    path("placements/<pk>/", employment.PlacementDetailView.as_view(), name="api-placement"),
    path(
        "placements/<pk>/applications/",
        employment.PlacementApplicationsView.as_view(),
        name="api-placement-applications",
    ),
    path("applications/<pk>/", employment.ApplicationDetailView.as_view(), name="api-application"),
    path("applications/<pk>/advance/", employment.ApplicationAdvanceView.as_view(), name="api-application-advance"),
    path("applications/<pk>/coach/", employment.CoachAssignView.as_view(), name="api-application-coach"),
    path("applications/<pk>/contacts/", employment.FollowAlongView.as_view(), name="api-application-contacts"),
]
