"""HTTP side of a member's opinions (审议意见), for the tablet: JSON, thin.

The tablet saves opinions the way it saves notes and ink: small JSON POSTs (with
``keepalive``) that it may resend after a dropped connection, each carrying the
opinion's ``client_id``. Every refusal is ``{"code", "message"[, "details"]}`` with an
HTTP status that fits the code; the message is the service's Chinese sentence.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.inputs import MAX_INT, bad_value
from meeting.opinions import services

STATUS = {
    "not_logged_in": 401,
    "forbidden": 403,
    "not_in_sitting": 403,
    "not_your_opinion": 403,
    "not_found": 404,
    "opinion_submitted": 409,
    "key_reused": 409,
    "stale_version": 409,
    "recalled": 410,
    "body_too_large": 413,
}


def json_errors(view: Callable) -> Callable:
    """Turn a ``DomainError`` into its JSON answer (and ids past any row into 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            if any(isinstance(v, int) and v > MAX_INT for v in kwargs.values()):
                raise DomainError("not_found", _("Not found."))
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return JsonResponse(exc.as_dict(), status=STATUS.get(exc.code, 400))

    return wrapped


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        raise DomainError("body_too_large", _("The request is too large.")) from None
    except ValueError:
        raise DomainError("bad_json", _("The message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise DomainError("bad_json", _("The message is not valid JSON."))
    if bad_value(data) is not None:
        raise DomainError("invalid", _("Some fields are missing or not valid."))
    return data


@require_http_methods(["GET", "POST"])
@json_errors
def document_opinions(request: HttpRequest, sitting_id: int, document_id: int) -> HttpResponse:
    """GET: the paper as the tablet's reader needs it (``services.reading``: articles,
    comparison, the login's opinions). POST ``{"article", "text", "client_id"}``: write
    (create or edit) the login's draft on that article; a resend is harmless."""
    if request.method == "POST":
        data = _body(request)
        opinion = services.write_opinion(
            request.user,
            data.get("article"),
            data.get("text"),
            data.get("client_id"),
            sitting_id,
            document=document_id,
        )
        return JsonResponse({"opinion": opinion})
    return JsonResponse(services.reading(request.user, sitting_id, document_id))


@require_GET
@json_errors
def mine(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """Every opinion the login wrote in the sitting, by paper (recalled papers too)."""
    return JsonResponse(services.my_opinions(request.user, sitting_id))


@require_POST
@json_errors
def submit(request: HttpRequest, opinion_id: int) -> HttpResponse:
    """Submit the login's own draft to staff (again: answered unchanged)."""
    return JsonResponse({"opinion": services.submit_opinion(request.user, opinion_id)})


@require_POST
@json_errors
def delete(request: HttpRequest, opinion_id: int) -> HttpResponse:
    """Delete the login's own draft; a submitted opinion is final."""
    return JsonResponse(services.delete_draft(request.user, opinion_id))
