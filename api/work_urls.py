"""API v1 routes of issue 15's daily work: days off, waitlists, meeting corrections, instruments, merges."""

from django.urls import path

from api import calendar, instruments, meetings, merges

urlpatterns = [
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
