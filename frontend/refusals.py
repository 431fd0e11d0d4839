"""Refusal pages in the committee's language, whatever ``DEBUG`` says (issue 25, item 6).

Without ``DEBUG`` Django already renders ``403.html`` and ``404.html`` (both in
``frontend/templates``). With ``DEBUG`` (``./yiting run``) it renders ``403.html`` for a
``PermissionDenied`` too, but answers an ``Http404`` with its technical page: English,
listing every URL pattern of the staff pages to a member who followed a wrong link.
This middleware answers both kinds of 404 with ``404.html`` instead:

- an ``Http404`` a view raised (an object that is not there, or hidden from this login);
- under ``DEBUG`` only, an address no route matches (without ``DEBUG`` Django's own
  handler already renders ``404.html``). It sits after ``CommonMiddleware``, so that
  middleware still turns a missing trailing slash into a redirect.

The rule of the house: a page whose role the login lacks (a staff page, another member's
book) raises ``PermissionDenied`` (403, "无权访问"); a thing that stays hidden from the
login (a clip nobody cited, docs/media.md) or is not there raises ``Http404`` (404,
"未找到"). JSON endpoints answer their own ``{"error": …}`` bodies and are untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.views.defaults import page_not_found


class RefusalPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
