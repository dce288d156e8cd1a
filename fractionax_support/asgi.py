"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fractionax_support.settings")

# Django must be set up before anything imports models (the websocket routing does).
django.setup(set_prefix=False)

from fractionax_support.asgi_http import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.auth import WebSocketAuthMiddleware  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

from fractionax_support import collector  # noqa: E402

collector.settle()  # what loading made, out of the collector's way (fractionax_support/collector.py)
