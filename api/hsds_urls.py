"""Open Referral HSDS 3.0 export (api/hsds/). Paths as in api/hsds_schema/openapi.json, which has no trailing
slashes; one is tolerated."""

from django.urls import re_path

from api.hsds import views

urlpatterns = [
    re_path(r"^$", views.RootView.as_view(), name="hsds-root"),
    re_path(r"^organizations/?$", views.OrganizationListView.as_view(), name="hsds-organizations"),
    re_path(r"^organizations/(?P<pk>[^/]+)/?$", views.OrganizationDetailView.as_view(), name="hsds-organization"),
    re_path(r"^services/?$", views.ServiceListView.as_view(), name="hsds-services"),
    re_path(r"^services/(?P<pk>[^/]+)/?$", views.ServiceDetailView.as_view(), name="hsds-service"),
    re_path(r"^locations/?$", views.LocationListView.as_view(), name="hsds-locations"),
    re_path(r"^locations/(?P<pk>[^/]+)/?$", views.LocationDetailView.as_view(), name="hsds-location"),
    re_path(r"^service_at_locations/?$", views.ServiceAtLocationListView.as_view(), name="hsds-service-at-locations"),
    re_path(
        r"^service_at_locations/(?P<pk>[^/]+)/?$",
        views.ServiceAtLocationDetailView.as_view(),
        name="hsds-service-at-location",
    ),
    re_path(r"^taxonomies/?$", views.TaxonomyListView.as_view(), name="hsds-taxonomies"),
    re_path(r"^taxonomies/(?P<pk>[^/]+)/?$", views.TaxonomyDetailView.as_view(), name="hsds-taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.TaxonomyTermListView.as_view(), name="hsds-taxonomy-terms"),
    re_path(r"^taxonomy_terms/(?P<pk>[^/]+)/?$", views.TaxonomyTermDetailView.as_view(), name="hsds-taxonomy-term"),
]
