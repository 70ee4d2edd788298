"""Support groups and activities under /api/v1/ (included from api/urls.py).

Untyped <pk>: a malformed id reaches the access function and answers a JSON 404 like a missing one.
"""

from django.urls import path

from api import groups as views

urlpatterns = [
    path("networks/<pk>/groups/", views.NetworkGroupsView.as_view(), name="api-network-groups"),
    path("groups/<pk>/", views.GroupDetailView.as_view(), name="api-group-detail"),
    path("groups/<pk>/meetings/", views.GroupMeetingsView.as_view(), name="api-group-meetings"),
    path("groups/<pk>/members/", views.GroupMembersView.as_view(), name="api-group-members"),
    path("groups/<pk>/members/leave/", views.GroupLeaveView.as_view(), name="api-group-leave"),
    path("persons/<pk>/activities/", views.PersonActivitiesView.as_view(), name="api-person-activities"),
]
