"""Monitoring reports under /api/v1/ (included from api/urls.py). Untyped <pk>: a malformed id answers a JSON 404."""

from django.urls import path

from api import report_periods, reports

urlpatterns = [
    path(
        "networks/<pk>/reports/monitoring/",
        reports.NetworkMonitoringReportView.as_view(),
        name="api-network-monitoring-report",
    ),
    path("reports/regional/", reports.RegionalReportView.as_view(), name="api-regional-report"),
    path("networks/<pk>/funding/", report_periods.NetworkFundingView.as_view(), name="api-network-funding"),
    path(
        "networks/<pk>/funding/<funding_id>/",
        report_periods.FundingDetailView.as_view(),
        name="api-network-funding-detail",
    ),
    path("networks/<pk>/reports/close/", report_periods.ReportCloseView.as_view(), name="api-report-close"),
    path("networks/<pk>/reports/reopen/", report_periods.ReportReopenView.as_view(), name="api-report-reopen"),
    path("networks/<pk>/reports/sent-pdf/", report_periods.ReportSentPdfView.as_view(), name="api-report-sent-pdf"),
    path("reports/submissions/", report_periods.SubmissionsView.as_view(), name="api-report-submissions"),
]
