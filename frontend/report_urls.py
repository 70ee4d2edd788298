"""Pages of the dashboard, the monitoring reports and a person's path; included from frontend/urls.py."""

from django.urls import path

from frontend import report_views as views

urlpatterns = [
    path("networks/<uuid:network_id>/dashboard/", views.dashboard, name="report-dashboard"),
    path("networks/<uuid:network_id>/dashboard/tiles/", views.dashboard_tiles, name="report-dashboard-tiles"),
    path("networks/<uuid:network_id>/report/", views.monitoring, name="report-monitoring"),
    path("reports/regional/", views.regional, name="report-regional"),
    path("people/<uuid:person_id>/path/", views.person_path, name="person-path"),
]
