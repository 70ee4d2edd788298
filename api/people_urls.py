"""People, consents and referrals under /api/v1/. Untyped <pk>: a malformed id answers a JSON 404."""

from django.urls import path

from api import cases, notifications, people, referrals

urlpatterns = [
    path("persons/", people.PersonListView.as_view(), name="api-persons"),
    path("persons/<pk>/", people.PersonDetailView.as_view(), name="api-person"),
    path("persons/<pk>/consents/", people.PersonConsentsView.as_view(), name="api-person-consents"),
    path("persons/<pk>/access/", people.PersonReadersView.as_view(), name="api-person-access"),
    path("persons/<pk>/anonymise/", people.PersonAnonymiseView.as_view(), name="api-person-anonymise"),
    path("persons/<pk>/access-log/", people.PersonAccessLogView.as_view(), name="api-person-access-log"),
    path("persons/<pk>/export/", people.PersonExportView.as_view(), name="api-person-export"),
    path("persons/<pk>/case/", cases.PersonCaseView.as_view(), name="api-person-case"),
    path("cases/<pk>/stage/", cases.CaseStageView.as_view(), name="api-case-stage"),
    path("cases/<pk>/transfer/", cases.CaseTransferView.as_view(), name="api-case-transfer"),
    path("cases/<pk>/close/", cases.CaseCloseView.as_view(), name="api-case-close"),
    path("cases/<pk>/goals/", cases.CaseGoalsView.as_view(), name="api-case-goals"),
    path("goals/<pk>/reviews/", cases.GoalReviewsView.as_view(), name="api-goal-reviews"),
    path("consents/<pk>/withdraw/", people.ConsentWithdrawView.as_view(), name="api-consent-withdraw"),
    path("notifications/", notifications.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="api-notifications-read-all"),
    path("notifications/<pk>/read/", notifications.NotificationReadView.as_view(), name="api-notification-read"),
    path("referrals/", referrals.ReferralListView.as_view(), name="api-referrals"),
    path("referrals/<pk>/", referrals.ReferralDetailView.as_view(), name="api-referral"),
    *[
        path(f"referrals/<pk>/{name}/", view.as_view(), name=f"api-referral-{name}")
        for name, view in referrals.TRANSITION_VIEWS.items()
    ],
    path("referrals/<pk>/redirect/", referrals.ReferralRedirectView.as_view(), name="api-referral-redirect"),
]
