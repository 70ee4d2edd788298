"""The day's work under /api/v1/: the worklist, printable documents, the agreement's history (from api/urls.py).

Untyped <pk>: a malformed id reaches the access function and answers a JSON 404 like a missing one.
"""

from django.urls import path

from api import agreements, documents

urlpatterns = [
    path("networks/<pk>/agreements/", agreements.NetworkAgreementsView.as_view(), name="api-network-agreements"),
    path("agreements/<pk>/", agreements.AgreementDetailView.as_view(), name="api-agreement"),
    path("agreements/<pk>/document/", agreements.AgreementDocumentView.as_view(), name="api-agreement-document"),
    path("me/worklist/", documents.WorklistView.as_view(), name="api-worklist"),
    path("persons/<pk>/documents/consent-form/", documents.ConsentFormView.as_view(), name="api-consent-form"),
    path("persons/<pk>/documents/support-plan/", documents.SupportPlanView.as_view(), name="api-support-plan-pdf"),
    path(
        "networks/<pk>/documents/consent-form/", documents.BlankConsentFormView.as_view(), name="api-consent-form-blank"
    ),
    path("meetings/<pk>/documents/attendance-list/", documents.AttendanceListView.as_view(), name="api-attendance-pdf"),
    path("referrals/<pk>/documents/letter/", documents.ReferralLetterView.as_view(), name="api-referral-letter"),
]
