"""No ``Cross-Origin-Opener-Policy`` where the browser would only complain about it.

Django's SecurityMiddleware sends ``Cross-Origin-Opener-Policy: same-origin`` on every
answer. Browsers apply it only to potentially trustworthy origins (HTTPS, loopback); on
plain HTTP at a LAN address — a mis-set room — Chromium ignores it and logs a console
*error* on every page, which buries the one message that matters there (the tablet's
"not over HTTPS" banner) and fails the rule that no page logs an error. The header is
dropped exactly where it has no effect, so nothing is lost.
"""

from __future__ import annotations

from django.http.request import split_domain_port

from core.hardening import is_loopback


class CoopOnlyWhereTrustworthy:
    """Outermost middleware: removes COOP from answers to untrustworthy origins."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cross-Origin-Opener-Policy" in response and not request.is_secure():
            # the raw Host: get_host() raises for a host not allowed, and this runs on
            # that refusal's answer too
            raw = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
            host, _ = split_domain_port(raw)
            if not (is_loopback(host) or host.endswith(".localhost")):
                del response["Cross-Origin-Opener-Policy"]
        return response
