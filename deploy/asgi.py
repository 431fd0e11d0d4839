"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Sockets are authenticated by the login session cookie (read in the database pool,
``realtime/wsauth.py``) and must come from an allowed
origin (``ALLOWED_HOSTS``); a foreign origin is refused at the handshake (HTTP 403).
Static files are served here unless ``YITING_SERVE_STATIC=false`` (nginx serves them
in production). The socket's peer address is kept apart from ``X-Forwarded-For``
(deploy/peer.py). A non-DEBUG start with the development ``SECRET_KEY`` refuses to
start (core/hardening.py). Background work starts in this process when
``YITING_INPROCESS_WORKERS`` is true (the single-process default, see deploy/background.py).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from core.hardening import refuse_insecure_start  # noqa: E402

refuse_insecure_start()  # a non-DEBUG process with the development SECRET_KEY stops here

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.exceptions import SuspiciousOperation  # noqa: E402
from django.http import Http404  # noqa: E402

from deploy.background import start_background  # noqa: E402
from deploy.logs import LogContextMiddleware  # noqa: E402
from deploy.peer import PeerAddressMiddleware  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402
from realtime.wsauth import SocketAuthMiddlewareStack  # noqa: E402


class StaticFiles(ASGIStaticFilesHandler):
    """Django's static handler, with a path that cannot be a file answered 404.

    An encoded traversal (``/static/..%2f..``) makes ``safe_join`` raise
    ``SuspiciousFileOperation``, which the stock handler turns into a 500 and a logged
    traceback (no file leaks, but no precise answer either).
    """

    def serve(self, request):
        try:
            return super().serve(request)
        except (SuspiciousOperation, ValueError, OSError) as exc:
            raise Http404("No such static file.") from exc


http_app = StaticFiles(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app

application = LogContextMiddleware(
    PeerAddressMiddleware(
        ProtocolTypeRouter(
            {
                "http": http_app,
                "websocket": AllowedHostsOriginValidator(
                    SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                ),
            }
        )
    )
)

start_background()

from deploy.heap import settle_after_startup  # noqa: E402

settle_after_startup()  # last: what startup made is never walked by the collector again
