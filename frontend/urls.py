from django.contrib.auth import views as auth_views
from django.urls import include, path

from frontend import account_views as factors
from frontend import directory_views as directory
from frontend import import_views, session_views, site_views, views
from frontend import notification_views as notes
from frontend import own_views as own
from frontend import people_views as people
from frontend import referral_views as referrals
from frontend import webhook_views as webhooks

urlpatterns = [
    path("", views.home, name="home"),
    path("deklaracja-dostepnosci/", site_views.accessibility_statement, name="accessibility-statement"),
    path("styleguide/", site_views.styleguide, name="styleguide"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor: the second step of signing in, and its settings on the account.
    path("login/second-step/", factors.second_step, name="mfa-verify"),
    path("account/second-factor/", factors.factors, name="mfa-enrol"),
    path("account/second-factor/app/", factors.app_setup, name="mfa-totp"),
    path("account/second-factor/code/", factors.code_setup, name="mfa-code"),
    path("account/second-factor/recovery-codes/", factors.recovery_codes, name="mfa-recovery-codes"),
    path("account/second-factor/passkey-registered/", factors.passkey_registered, name="mfa-passkey-registered"),
    path("account/second-factor/<str:kind>/<int:device_id>/remove/", factors.factor_remove, name="mfa-remove"),
    path("passkeys/", include("frontend.passkey_views")),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The network directory.
    path("networks/<uuid:network_id>/", directory.network_overview, name="network-overview"),
    path("networks/<uuid:network_id>/members/", directory.network_members, name="network-members"),
    path(
        "networks/<uuid:network_id>/members/<uuid:membership_id>/",
        directory.membership_edit,
        name="network-membership-edit",
    ),
    path("networks/<uuid:network_id>/agreement/", directory.agreement_edit, name="network-agreement-edit"),
    path(
        "networks/<uuid:network_id>/agreement/history/",
        directory.agreement_history,
        name="network-agreement-history",
    ),
    path(
        "networks/<uuid:network_id>/agreement/<uuid:agreement_id>/document/",
        directory.agreement_document,
        name="network-agreement-document",
    ),
    path("networks/<uuid:network_id>/import/", import_views.network_import, name="network-import"),
    path("partners/<uuid:partner_id>/", directory.partner_detail, name="partner-detail"),
    path("partners/<uuid:partner_id>/edit/", directory.partner_edit, name="partner-edit"),
    path("partners/<uuid:partner_id>/staff/", directory.staff_manage, name="partner-staff"),
    path("partners/<uuid:partner_id>/staff/<uuid:membership_id>/", directory.staff_change, name="partner-staff-change"),
    path(
        "staff/invitations/<uuid:membership_id>/accept/",
        directory.staff_invitation_answer,
        {"accept": True},
        name="staff-invitation-confirm",
    ),
    path(
        "staff/invitations/<uuid:membership_id>/decline/",
        directory.staff_invitation_answer,
        {"accept": False},
        name="staff-invitation-decline",
    ),
    path("partners/<uuid:partner_id>/services/new/", directory.service_create, name="service-create"),
    path("services/", directory.service_directory, name="service-directory"),
    # Webhooks of a partner (its admins) and of a network (its coordinators).
    path("partners/<uuid:partner_id>/webhooks/", webhooks.partner_webhooks, name="partner-webhooks"),
    path("networks/<uuid:network_id>/webhooks/", webhooks.network_webhooks, name="network-webhooks"),
    path("webhooks/<uuid:webhook_id>/", webhooks.webhook_detail, name="webhook-detail"),
    *[
        path(
            f"webhooks/<uuid:webhook_id>/{action}/",
            webhooks.webhook_action,
            {"action": action},
            name=f"webhook-{action}",
        )
        for action in ("test", "disable", "enable", "rotate", "delete")
    ],
    path("services/<uuid:service_id>/edit/", directory.service_edit, name="service-edit"),
    # People, consent, the case and the plan.
    path("people/", people.people_list, name="people-list"),
    path("networks/<uuid:network_id>/people/new/", people.person_register, name="person-register"),
    path("people/<uuid:person_id>/", people.person_detail, name="person-detail"),
    path("people/<uuid:person_id>/edit/", people.person_edit, name="person-edit"),
    path("people/<uuid:person_id>/dostep/", people.person_access_log, name="person-access-log"),
    path("people/<uuid:person_id>/consents/", people.consent_add, name="person-consent-add"),
    path(
        "people/<uuid:person_id>/consents/<uuid:consent_id>/withdraw/",
        people.consent_withdraw,
        name="person-consent-withdraw",
    ),
    path(
        "people/<uuid:person_id>/consents/<uuid:consent_id>/document/",
        people.consent_document,
        name="person-consent-document",
    ),
    path("people/<uuid:person_id>/case/", people.case_open, name="person-case-open"),
    path("people/<uuid:person_id>/case/<uuid:case_id>/stage/", people.case_stage, name="person-case-stage"),
    path("people/<uuid:person_id>/case/<uuid:case_id>/transfer/", people.case_transfer, name="person-case-transfer"),
    path("people/<uuid:person_id>/case/<uuid:case_id>/close/", people.case_close, name="person-case-close"),
    path("people/<uuid:person_id>/case/<uuid:case_id>/goals/", people.goal_add, name="person-goal-add"),
    path("people/<uuid:person_id>/goals/<uuid:goal_id>/review/", people.goal_review, name="person-goal-review"),
    path("people/<uuid:person_id>/export.json", people.person_export_json, name="person-export-json"),
    path("people/<uuid:person_id>/export/", people.person_export_print, name="person-export-print"),
    path("people/<uuid:person_id>/anonymise/", people.person_anonymise, name="person-anonymise"),
    path("people/<uuid:person_id>/own-account/", own.person_invite, name="person-invite"),
    # The person's own pages (issue 18).
    path("moje/", include("frontend.own_urls")),
    # Notifications and the account.
    path("notifications/", notes.notification_centre, name="notification-centre"),
    path("notifications/<int:notification_id>/read/", notes.notification_read, name="notification-read"),
    path("notifications/read-all/", notes.notification_read_all, name="notification-read-all"),
    path("account/", notes.account, name="account"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/session/", session_views.session_status, name="session-status"),
    # Referrals.
    path("referrals/", referrals.inbox, name="referral-inbox"),
    path("referrals/<uuid:referral_id>/", referrals.referral_detail, name="referral-detail"),
    path("referrals/<uuid:referral_id>/<str:action>/confirm/", referrals.referral_confirm, name="referral-confirm"),
    path("referrals/<uuid:referral_id>/<str:action>/", referrals.referral_action, name="referral-action"),
    path("people/<uuid:person_id>/refer/", referrals.refer, name="person-refer"),
    path("", include("frontend.assessment_urls")),
    path("", include("frontend.group_urls")),
    path("", include("frontend.employment_urls")),
    path("", include("frontend.report_urls")),
    path("", include("frontend.work_urls")),
]
