"""The site's URLs plus pages that fail (tests/frontend/test_site_pages.py, tests/browser/test_browser_styleguide.py):
the 403 page as a view's PermissionDenied reaches it, with and without a message, and the 500 page as a bug does."""

from django.urls import path

from config.urls import handler403, handler404, handler500, urlpatterns
from tests.frontend.test_site_pages import refusing_view


def broken_view(request: object) -> None:
    raise RuntimeError("a bug, for the 500 page")


urlpatterns = [
    path("refused/", refusing_view(""), name="refused"),
    path("refused-with-reason/", refusing_view("Tylko koordynator systemu może zamknąć sprawę."), name="refused-why"),
    path("broken/", broken_view, name="broken"),
    *urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
