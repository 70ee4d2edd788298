"""Pages of the dashboard, the monitoring reports and a person's path; included from frontend/urls.py."""

from django.urls import path

from frontend import report_period_views as period_views
from frontend import report_views as views

urlpatterns = [
    path("networks/<uuid:network_id>/dashboard/", views.dashboard, name="report-dashboard"),
    path("networks/<uuid:network_id>/dashboard/tiles/", views.dashboard_tiles, name="report-dashboard-tiles"),
    path("networks/<uuid:network_id>/report/", views.monitoring, name="report-monitoring"),
    path("networks/<uuid:network_id>/report/close/", period_views.report_close, name="report-close"),
    path("networks/<uuid:network_id>/report/reopen/", period_views.report_reopen, name="report-reopen"),
    path("networks/<uuid:network_id>/report/sent.pdf", period_views.report_closed_pdf, name="report-closed-pdf"),
    path("networks/<uuid:network_id>/report/list/<str:figure>/", period_views.figure_list, name="report-figure-list"),
    path("networks/<uuid:network_id>/funding/", period_views.funding, name="report-funding"),
    path(
        "networks/<uuid:network_id>/funding/<uuid:funding_id>/remove/",
        period_views.funding_remove,
        name="report-funding-remove",
    ),
    path("reports/regional/", views.regional, name="report-regional"),
    path("reports/submissions/", period_views.submissions, name="report-submissions"),
    path("people/<uuid:person_id>/path/", views.person_path, name="person-path"),
]
