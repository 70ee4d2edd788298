"""The day's work (included from frontend/urls.py): the worklist, printable documents, the agreement's history,
waitlists, the network's days off, meeting corrections, instruments and merges."""

from django.urls import path

from frontend import calendar_views, instrument_views, meeting_views, merge_views, waitlist_views, work_views
from frontend import document_views as docs

urlpatterns = [
    path("my-work/", work_views.worklist, name="worklist"),
    path("people/<uuid:person_id>/consent-form.pdf", docs.consent_form, name="consent-form"),
    path("networks/<uuid:network_id>/consent-form.pdf", docs.blank_consent_form, name="consent-form-blank"),
    path("people/<uuid:person_id>/plan.pdf", docs.support_plan, name="support-plan-pdf"),
    path("meetings/<uuid:meeting_id>/attendance.pdf", docs.attendance_list, name="attendance-list-pdf"),
    path("referrals/<uuid:referral_id>/letter.pdf", docs.referral_letter, name="referral-letter-pdf"),
]
urlpatterns += [
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
