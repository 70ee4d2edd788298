"""Pages of supported employment (issue 7); included from frontend/urls.py."""

from django.urls import path

from frontend import employment_views as views

urlpatterns = [
    path("placements/", views.placement_list, name="placement-list"),
    path("placements/new/", views.placement_create, name="placement-create"),
    path("placements/<uuid:placement_id>/", views.placement_detail, name="placement-detail"),
    path("placements/<uuid:placement_id>/edit/", views.placement_edit, name="placement-edit"),
    path("placements/<uuid:placement_id>/close/", views.placement_close, name="placement-close"),
    path("placements/<uuid:placement_id>/propose/", views.placement_propose, name="placement-propose"),
    path(
        "placements/<uuid:placement_id>/candidates.csv",
        views.placement_candidates_csv,
        name="placement-candidates-csv",
    ),
    path("applications/<uuid:application_id>/", views.application_detail, name="application-detail"),
    path("applications/<uuid:application_id>/move/", views.application_move, name="application-move"),
    path("applications/<uuid:application_id>/coach/", views.application_coach, name="application-coach"),
    path("applications/<uuid:application_id>/contacts/", views.application_contact, name="application-contact"),
    path("job-coaches/caseload/", views.coach_caseload, name="coach-caseload"),
]
