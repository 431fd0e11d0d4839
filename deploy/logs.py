"""One log configuration: structlog formatting every stdlib log record.

Code logs with ``logging.getLogger(__name__)`` (or ``structlog.get_logger()``); both
end in the one console handler of ``settings.LOGGING``, whose formatter is built here.
``YITING_LOG_JSON=true`` (production) writes one JSON object per line, for a log
shipper; otherwise one readable ``key=value`` line. Every line carries the ids bound
for the connection it belongs to: ``request_id`` for an HTTP request, ``socket_id``
(and the sitting's path) for a WebSocket, bound by ``LogContextMiddleware`` around the
ASGI connection, so a command's database thread and its callbacks carry them too.
Behind nginx (``proxy_set_header X-Request-ID $request_id``) ``request_id`` is nginx's
id, on a socket's lines too: nginx's access line of the request and ours share it.
"""

from __future__ import annotations

import logging
import re
import uuid

import structlog

_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
_configured = False


def _configure_structlog() -> None:
    """structlog's own loggers hand their events to stdlib logging (once)."""
    global _configured
    if _configured:
        return
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_PRE_CHAIN,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured = True


def formatter(json: bool = False) -> logging.Formatter:
    """The formatter of ``settings.LOGGING`` (dictConfig factory ``deploy.logs.formatter``)."""
    _configure_structlog()
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_PRE_CHAIN,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class LogContextMiddleware:
    """ASGI middleware: bind ``request_id`` / ``socket_id`` for the connection's lines.

    nginx's ``X-Request-ID`` is kept when it looks like an id, so its access log and
    ours join; otherwise a new id is made. A socket's lines carry ``socket_id`` (nginx's
    id or a new one) and, when nginx sent one, ``request_id`` too: one key to search
    for whatever the connection was. The ids are contextvars of the connection's task,
    so concurrent connections never see each other's.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        given = _header(scope, b"x-request-id")
        ident = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        if kind == "http":
            ids = {"request_id": ident}
        else:
            ids = {"socket_id": ident} | ({"request_id": given} if ident == given else {})
        with structlog.contextvars.bound_contextvars(**ids, path=scope.get("path", "")):
            return await self.app(scope, receive, send)
