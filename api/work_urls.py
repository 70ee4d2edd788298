"""The day's work under /api/v1/ (from api/urls.py): the worklist, printable documents, the agreement's history,
days off, waitlists, meeting corrections, instruments and merges.

Untyped <pk> in the API: a malformed id reaches the access function and answers a JSON 404 like a missing one.
"""

from django.urls import path

from api import agreements, calendar, documents, instruments, meetings, merges

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
urlpatterns += [
    path("networks/<pk>/days-off/", calendar.NetworkDaysOffView.as_view(), name="api-network-days-off"),
    path("days-off/<pk>/", calendar.DayOffView.as_view(), name="api-day-off"),
    path("services/<pk>/waitlist/", calendar.ServiceWaitlistView.as_view(), name="api-service-waitlist"),
    path("groups/<group_pk>/meetings/<pk>/", meetings.MeetingView.as_view(), name="api-group-meeting"),
    path(
        "groups/<group_pk>/meetings/<pk>/correct/",
        meetings.MeetingCorrectView.as_view(),
        name="api-group-meeting-correct",
    ),
    path(
        "groups/<group_pk>/meetings/<pk>/cancel/", meetings.MeetingCancelView.as_view(), name="api-group-meeting-cancel"
    ),
]
urlpatterns += [
    path("persons/<pk>/merges/", merges.PersonMergesView.as_view(), name="api-person-merges"),
]
urlpatterns += [
    path("networks/<pk>/instruments/", instruments.NetworkInstrumentsView.as_view(), name="api-network-instruments"),
    path("instruments/<pk>/versions/", instruments.InstrumentVersionsView.as_view(), name="api-instrument-versions"),
]
