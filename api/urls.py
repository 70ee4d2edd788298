from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import docs, views

router = SimpleRouter()
router.register("networks", views.NetworkViewSet, basename="api-network")
router.register("memberships", views.MembershipViewSet, basename="api-membership")
router.register("partners", views.PartnerViewSet, basename="api-partner")
router.register("staff", views.StaffViewSet, basename="api-staff")
router.register("services", views.ServiceViewSet, basename="api-service")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    # Untyped <pk>: a malformed id reaches the access function and answers a JSON 404.
    path("networks/<pk>/memberships/", views.NetworkMembershipsView.as_view(), name="api-network-memberships"),
    path("partners/<pk>/staff/", views.PartnerStaffView.as_view(), name="api-partner-staff"),
    *router.urls,
    path("", include("api.people_urls")),
    path("", include("api.assessment_urls")),
    path("", include("api.group_urls")),
    path("", include("api.employment_urls")),
    path("", include("api.report_urls")),
    path("schema/", docs.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
