"""The person's own pages (issue 18), under /moje/: Polish addresses, as the person reads them."""

from django.urls import path

from frontend import own_views as own

urlpatterns = [
    path("", own.own_home, name="own-home"),
    path("zgody/", own.own_consents, name="own-consents"),
    path("zgody/<uuid:consent_id>/wycofaj/", own.own_consent_withdraw, name="own-consent-withdraw"),
    path("kto-widzial/", own.own_access, name="own-access"),
    path("prosba/", own.own_request, name="own-request"),
    path("dane/", own.own_data, name="own-data"),
    path("dane/moje-dane.json", own.own_export_json, name="own-export-json"),
    path("dane/moje-dane.pdf", own.own_export_pdf, name="own-export-pdf"),
    path("zaproszenie/<str:token>/", own.own_invitation, name="own-invitation"),
]
