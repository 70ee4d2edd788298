"""Pages of issue 15's daily work: waitlists, the network's days off, meeting corrections, instruments, merges."""

from django.urls import path

from frontend import calendar_views, instrument_views, meeting_views, merge_views, waitlist_views

urlpatterns = [
    path("waitlists/", waitlist_views.waitlists, name="waitlists"),
    path("services/<uuid:service_id>/waitlist/", waitlist_views.waitlist, name="service-waitlist"),
    path("networks/<uuid:network_id>/days-off/", calendar_views.network_days_off, name="network-days-off"),
    path(
        "networks/<uuid:network_id>/days-off/<uuid:day_off_id>/remove/",
        calendar_views.network_day_off_remove,
        name="network-day-off-remove",
    ),
    path(
        "groups/<uuid:group_id>/meetings/<uuid:meeting_id>/correct/",
        meeting_views.meeting_correct,
        name="group-meeting-correct",
    ),
    path(
        "groups/<uuid:group_id>/meetings/<uuid:meeting_id>/cancel/",
        meeting_views.meeting_cancel,
        name="group-meeting-cancel",
    ),
]
urlpatterns += [
    path("people/<uuid:person_id>/merge/", merge_views.merge_choose, name="person-merge"),
    path("people/<uuid:person_id>/merge/<uuid:other_id>/", merge_views.merge_confirm, name="person-merge-confirm"),
]
urlpatterns += [
    path("networks/<uuid:network_id>/instruments/", instrument_views.instrument_list, name="instrument-list"),
    path("networks/<uuid:network_id>/instruments/new/", instrument_views.instrument_new, name="instrument-new"),
    path(
        "instruments/<uuid:instrument_id>/new-version/", instrument_views.instrument_version, name="instrument-version"
    ),
]
