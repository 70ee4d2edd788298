"""ASGI entry point: HTTP through Django, websockets through Channels (DESIGN §6)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.sockets import SessionSocketMiddleware  # noqa: E402
from core.request_limits import BodySizeLimit  # noqa: E402
from notifications.auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # An oversized body is refused before Django's handler spools it to disk (core/request_limits.py).
        "http": BodySizeLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            TokenOrSessionAuthMiddlewareStack(SessionSocketMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
