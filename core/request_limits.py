"""The size limit of a request body, held before the body is read (issue 14: a 40 MB upload was read whole before
the 10 MB limit refused it).

Three walls, one limit (``settings.UPLOAD_MAX_SIZE``, 10 MB, plus ``UPLOAD_FORM_OVERHEAD`` for the form around the
file):

- ``BodySizeLimit`` wraps the ASGI application (``config/asgi.py``): Django's ASGI handler spools the whole body
  to a temporary file before any middleware runs, so the refusal must come before it. A ``Content-Length`` above
  the limit is answered 413 without one ``receive()``; a body without a length (chunked) or one longer than it
  said is counted as it arrives and cut off at the limit.
- ``RequestSizeMiddleware`` does the same ``Content-Length`` check for every other server (WSGI, the test client),
  and parses a multipart body before the view so that ``LimitedUploadHandler`` can stop it.
- ``LimitedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) counts the file bytes of a request as the parser
  streams them and stops at the limit: nothing beyond it reaches memory or disk, and the request is answered 413
  instead of going on without the file.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

Scope = dict[str, Any]
Message = Any
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def upload_limit() -> int:
    return int(settings.UPLOAD_MAX_SIZE)


def body_limit() -> int:
    """The largest body accepted: one upload at the limit and the form around it."""
    return upload_limit() + int(settings.UPLOAD_FORM_OVERHEAD)


def too_large_message() -> str:
    return _("The file is too large: at most %(limit)s MB can be sent at once.") % {
        "limit": upload_limit() // (1024 * 1024)
    }


def too_large_page() -> str:
    """A page of its own, not base.html: it is answered before sessions and users are known."""
    title = escape(_("The file is too large"))
    message = escape(too_large_message())
    back = escape(_("Go back, choose a smaller file (a scan at a lower resolution, or a PDF) and try again."))
    language = escape(translation.get_language() or settings.LANGUAGE_CODE)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><h1>{title}</h1><p>{message}</p><p>{back}</p></main></body></html>"
    )


def too_large_response(path: str) -> HttpResponse:
    if path.startswith("/api/"):
        return JsonResponse({"detail": too_large_message(), "code": "too_large"}, status=413)
    return HttpResponse(too_large_page(), status=413, content_type="text/html; charset=utf-8")


def declared_length(value: str | bytes | None) -> int | None:
    """The Content-Length as a number; None when absent or not a number (the server then refuses it anyway)."""
    if value is None:
        return None
    try:
        length = int(value)
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


# --- Django: the upload handler and the middleware ------------------------------------------------------------


def upload_limit_for(limit: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view that reads its upload with a lower limit of its own and says so on its own page (the import
    page): the middleware leaves the parsing to it. LimitedUploadHandler still stops anything above UPLOAD_MAX_SIZE."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.upload_max_size = limit  # type: ignore[attr-defined]
        return view

    return mark


class LimitedUploadHandler(FileUploadHandler):
    """Counts every file byte of the request and stops the upload at the limit, without reading the rest."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_limit():
            if self.request is not None:
                self.request.upload_too_large = True  # type: ignore[attr-defined]
            # connection_reset: the parser stops here instead of reading the rest of the body to its end.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class RequestSizeMiddleware:
    """A body whose Content-Length is above the limit is refused with 413 before anything reads it; a multipart
    body is parsed before the view, so that a file stopped at the limit answers 413 rather than reaching a view
    that would go on without it (a consent saved without its document)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > body_limit():
            return too_large_response(request.path)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        own_limit = getattr(view_func, "upload_max_size", None)
        if own_limit is not None:
            # The view parses its own upload with its own handler and tells the user on its page.
            return None
        if request.method not in BODY_METHODS or not (request.content_type or "").startswith("multipart/"):
            return None
        if request.path.startswith("/fhir/"):
            return None  # the FHIR face takes JSON only and refuses a form itself (415)
        try:
            request.FILES  # noqa: B018 - parsing now, with LimitedUploadHandler watching
        except MultiPartParserError as exc:
            message = _("The form could not be read: %(reason)s") % {"reason": exc}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid_form"}, status=400)
            return HttpResponse(escape(message), status=400, content_type="text/plain; charset=utf-8")
        if getattr(request, "upload_too_large", False):
            return too_large_response(request.path)
        return None


# --- ASGI: before Django spools the body -----------------------------------------------------------------------


class BodySizeLimit:
    """ASGI wrapper around Django's HTTP application (config/asgi.py)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method", "GET") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = body_limit()
        headers = dict(scope.get("headers") or [])
        length = declared_length(headers.get(b"content-length"))
        if length is not None and length > limit:
            await self._refuse(scope, send, headers)
            return
        received = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now and tell Django the client went away: it drops the body it spooled and sends
                    # nothing of its own.
                    refused = True
                    await self._refuse(scope, send, headers)
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted_receive, send)

    async def _refuse(self, scope: Scope, send: Send, headers: dict[bytes, bytes]) -> None:
        path = scope.get("path", "")
        language = _language(headers)
        with translation.override(language):
            if path.startswith("/api/"):
                body = json.dumps({"detail": too_large_message(), "code": "too_large"}).encode()
                content_type = b"application/json"
            else:
                body = too_large_page().encode()
                content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _language(headers: dict[bytes, bytes]) -> str:
    """The language the user chose (the cookie), else the site's: no session is loaded this early."""
    cookie_name = settings.LANGUAGE_COOKIE_NAME.encode()
    for part in headers.get(b"cookie", b"").split(b";"):
        name, _sep, value = part.strip().partition(b"=")
        if name == cookie_name:
            chosen = value.decode("latin-1").strip('"')
            if chosen in dict(settings.LANGUAGES):
                return chosen
    return str(settings.LANGUAGE_CODE)
