"""Open Referral HSDS 3.0 export (api/hsds.py). Paths as in api/hsds_schema/openapi.json, which has no trailing
slashes; one is tolerated."""

from django.urls import re_path

from api import hsds

urlpatterns = [
    re_path(r"^$", hsds.RootView.as_view(), name="hsds-root"),
    re_path(r"^organizations/?$", hsds.OrganizationListView.as_view(), name="hsds-organizations"),
    re_path(r"^organizations/(?P<pk>[^/]+)/?$", hsds.OrganizationDetailView.as_view(), name="hsds-organization"),
    re_path(r"^services/?$", hsds.ServiceListView.as_view(), name="hsds-services"),
    re_path(r"^services/(?P<pk>[^/]+)/?$", hsds.ServiceDetailView.as_view(), name="hsds-service"),
    re_path(r"^locations/?$", hsds.LocationListView.as_view(), name="hsds-locations"),
    re_path(r"^locations/(?P<pk>[^/]+)/?$", hsds.LocationDetailView.as_view(), name="hsds-location"),
    re_path(r"^service_at_locations/?$", hsds.ServiceAtLocationListView.as_view(), name="hsds-service-at-locations"),
    re_path(
        r"^service_at_locations/(?P<pk>[^/]+)/?$",
        hsds.ServiceAtLocationDetailView.as_view(),
        name="hsds-service-at-location",
    ),
    re_path(r"^taxonomies/?$", hsds.TaxonomyListView.as_view(), name="hsds-taxonomies"),
    re_path(r"^taxonomies/(?P<pk>[^/]+)/?$", hsds.TaxonomyDetailView.as_view(), name="hsds-taxonomy"),
    re_path(r"^taxonomy_terms/?$", hsds.TaxonomyTermListView.as_view(), name="hsds-taxonomy-terms"),
    re_path(r"^taxonomy_terms/(?P<pk>[^/]+)/?$", hsds.TaxonomyTermDetailView.as_view(), name="hsds-taxonomy-term"),
]
