"""The site's URLs plus two pages that refuse (tests/frontend/test_site_pages.py): the 403 page is seen as a
view's PermissionDenied reaches it, with and without a message."""

from django.urls import path

from config.urls import handler403, handler404, handler500, urlpatterns
from tests.frontend.test_site_pages import refusing_view

urlpatterns = [
    path("refused/", refusing_view(""), name="refused"),
    path("refused-with-reason/", refusing_view("Tylko koordynator systemu może zamknąć sprawę."), name="refused-why"),
    *urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
