from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import auth, docs, imports, own, views, webhooks

router = SimpleRouter()
router.register("networks", views.NetworkViewSet, basename="api-network")
router.register("memberships", views.MembershipViewSet, basename="api-membership")
router.register("partners", views.PartnerViewSet, basename="api-partner")
router.register("staff", views.StaffViewSet, basename="api-staff")
router.register("services", views.ServiceViewSet, basename="api-service")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("auth/tokens/", auth.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:pk>/", auth.TokenDetailView.as_view(), name="api-token-detail"),
    path("auth/password/", auth.PasswordView.as_view(), name="api-password"),
    path("me/", views.MeView.as_view(), name="api-me"),
    # A person's own account (issue 18): these and the token door are all it reaches.
    path("me/person/", own.MePersonView.as_view(), name="api-me-person"),
    path("me/person/consents/", own.MeConsentsView.as_view(), name="api-me-person-consents"),
    path("me/person/requests/", own.MeRequestsView.as_view(), name="api-me-person-requests"),
    path("me/person/consents/<pk>/withdraw/", own.MeConsentWithdrawView.as_view(), name="api-me-person-withdraw"),
    path("me/person/access-log/", own.MeAccessLogView.as_view(), name="api-me-person-access-log"),
    path("me/person/export/", own.MeExportView.as_view(), name="api-me-person-export"),
    # Untyped <pk>: a malformed id reaches the access function and answers a JSON 404.
    path("persons/<pk>/own-account/", own.PersonOwnAccountView.as_view(), name="api-person-own-account"),
    path(
        "persons/<pk>/own-account/invitations/",
        own.PersonInvitationsView.as_view(),
        name="api-person-own-account-invitations",
    ),
    path("networks/<pk>/memberships/", views.NetworkMembershipsView.as_view(), name="api-network-memberships"),
    path("networks/<pk>/import/", imports.NetworkImportView.as_view(), name="api-network-import"),
    path("partners/<pk>/staff/", views.PartnerStaffView.as_view(), name="api-partner-staff"),
    *router.urls,
    path("webhooks/", webhooks.WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<pk>/", webhooks.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<pk>/deliveries/", webhooks.WebhookDeliveriesView.as_view(), name="api-webhook-deliveries"),
    path("webhooks/<pk>/test/", webhooks.WebhookTestView.as_view(), name="api-webhook-test"),
    *[
        path(f"webhooks/<pk>/{name}/", view.as_view(), name=f"api-webhook-{name}")
        for name, view in webhooks.ACTION_VIEWS.items()
    ],
    path("", include("api.people_urls")),
    path("", include("api.assessment_urls")),
    path("", include("api.group_urls")),
    path("", include("api.employment_urls")),
    path("", include("api.report_urls")),
    path("", include("api.work_urls")),
    path("schema/", docs.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
