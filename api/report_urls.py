"""Monitoring reports under /api/v1/ (included from api/urls.py). Untyped <pk>: a malformed id answers a JSON 404."""

from django.urls import path

from api import reports

urlpatterns = [
    path(
        "networks/<pk>/reports/monitoring/",
        reports.NetworkMonitoringReportView.as_view(),
        name="api-network-monitoring-report",
    ),
    path("reports/regional/", reports.RegionalReportView.as_view(), name="api-regional-report"),
]
