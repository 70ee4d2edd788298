"""Pages of assessments; included from frontend/urls.py."""

from django.urls import path

from frontend import assessment_views as views

urlpatterns = [
    path("people/<uuid:person_id>/assessments/", views.assessment_history_page, name="person-assessments"),
    path("people/<uuid:person_id>/assessments/new/", views.assessment_new, name="assessment-new"),
]
