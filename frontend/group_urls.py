"""Pages of support groups and of a person's recorded activities; included from frontend/urls.py."""

from django.urls import path

from frontend import group_views as views

urlpatterns = [
    path("networks/<uuid:network_id>/groups/", views.group_list, name="group-list"),
    path("networks/<uuid:network_id>/groups/new/", views.group_create, name="group-create"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group-detail"),
    path("groups/<uuid:group_id>/edit/", views.group_edit, name="group-edit"),
    path("groups/<uuid:group_id>/members/add/", views.group_join, name="group-join"),
    path("groups/<uuid:group_id>/members/<int:membership_id>/leave/", views.group_leave, name="group-leave"),
    path("groups/<uuid:group_id>/meetings/new/", views.meeting_create, name="group-meeting-create"),
    path("people/<uuid:person_id>/activities/", views.person_activities_page, name="person-activities"),
]
