"""The day's work: the worklist, printable documents and the agreement's history (included from frontend/urls.py)."""

from django.urls import path

from frontend import document_views as docs
from frontend import work_views

urlpatterns = [
    path("my-work/", work_views.worklist, name="worklist"),
    path("people/<uuid:person_id>/consent-form.pdf", docs.consent_form, name="consent-form"),
    path("networks/<uuid:network_id>/consent-form.pdf", docs.blank_consent_form, name="consent-form-blank"),
    path("people/<uuid:person_id>/plan.pdf", docs.support_plan, name="support-plan-pdf"),
    path("meetings/<uuid:meeting_id>/attendance.pdf", docs.attendance_list, name="attendance-list-pdf"),
    path("referrals/<uuid:referral_id>/letter.pdf", docs.referral_letter, name="referral-letter-pdf"),
]
