"""The FHIR R4 paths under /fhir/ (docs/fhir.md). FHIR writes no trailing slash; one is tolerated. Anything else
under /fhir/ answers an OperationOutcome, not the site's HTML 404."""

from django.urls import re_path

from api.fhir import views

ID = r"(?P<pk>[^/]+)"

urlpatterns = [
    re_path(r"^metadata/?$", views.MetadataView.as_view(), name="fhir-metadata"),
    re_path(r"^ServiceRequest/?$", views.ServiceRequestTypeView.as_view(), name="fhir-servicerequests"),
    re_path(rf"^ServiceRequest/{ID}/?$", views.ServiceRequestView.as_view(), name="fhir-servicerequest"),
    re_path(r"^Task/?$", views.TaskTypeView.as_view(), name="fhir-tasks"),
    re_path(rf"^Task/{ID}/?$", views.TaskView.as_view(), name="fhir-task"),
    re_path(rf"^Patient/{ID}/?$", views.PatientView.as_view(), name="fhir-patient"),
    re_path(r"^Consent/?$", views.ConsentTypeView.as_view(), name="fhir-consents"),
    re_path(rf"^Consent/{ID}/?$", views.ConsentView.as_view(), name="fhir-consent"),
    re_path(r"^Organization/?$", views.OrganizationTypeView.as_view(), name="fhir-organizations"),
    re_path(rf"^Organization/{ID}/?$", views.OrganizationView.as_view(), name="fhir-organization"),
    re_path(r"^HealthcareService/?$", views.HealthcareServiceTypeView.as_view(), name="fhir-healthcareservices"),
    re_path(rf"^HealthcareService/{ID}/?$", views.HealthcareServiceView.as_view(), name="fhir-healthcareservice"),
    re_path(r"^.*$", views.UnknownView.as_view(), name="fhir-unknown"),
]
