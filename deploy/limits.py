"""Requests too large to be anyone's: answered up front with a code, before any view.

A query string over ``MAX_QUERY_BYTES`` (nginx's default request-line buffer is 8 KiB
too) answers ``414 uri_too_long`` in JSON. Without this, an anonymous request with a
long query string reached the login redirect, which Django refuses as an unsafe
redirect with a logged traceback.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _

MAX_QUERY_BYTES = 8192


class RequestLimitsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        size = len(request.META.get("QUERY_STRING", ""))
        if size > MAX_QUERY_BYTES:
            return JsonResponse(
                {
                    "code": "uri_too_long",
                    "message": _("The address is too long (%(size)s bytes; at most %(limit)s).")
                    % {"size": size, "limit": MAX_QUERY_BYTES},
                },
                status=414,
            )
        return self.get_response(request)
