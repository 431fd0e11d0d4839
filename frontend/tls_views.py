"""``/tls/``: the room CA, and how to make a tablet trust it (issue 24).

A tablet reaches this page before it trusts the room's HTTPS, so nginx serves it over
plain HTTP as well (deploy/nginx/yiting.conf.in) and Django does not redirect it
(``SECURE_REDIRECT_EXEMPT``). The page stands alone — inline style, no script, no
``/static/`` — because the plain-HTTP server routes nothing else. The CA is read from
``$YITING_DATA_DIR/tls/ca.pem``, where ``./yiting stack --tls room`` keeps it
(deploy/tls.py); without a room CA (the institution's certificate, or no TLS at all) the
page is a 404 that says so.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from deploy import tls


def ca_path() -> Path:
    return Path(settings.DATA_DIR) / "tls" / tls.CA_CERT


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/tls_missing.html", status=404)


def _no_store(resp: HttpResponse) -> HttpResponse:
    # A renewed CA must be fetched again, never an old copy from a cache.
    resp["Cache-Control"] = "no-cache"
    return resp


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The CA's fingerprint and validity, the two downloads, install steps per system."""
    path = ca_path()
    if not path.exists():
        return _missing(request)
    cert = tls.load_cert(path)
    server = Path(settings.DATA_DIR) / "tls" / tls.SERVER_CERT
    names = tls.cert_names(tls.load_cert(server)) if server.exists() else ()
    public = urlsplit(settings.PUBLIC_URL)
    https_port = (public.port or 443) if public.scheme == "https" else 443
    return _no_store(
        render(
            request,
            "frontend/tls.html",
            {
                "fingerprint": tls.fingerprint(path),
                "subject": cert.subject.rfc4514_string(),
                "not_after": timezone.localtime(cert.not_valid_after_utc),
                "names": names,
                "https_urls": [f"{tls.origin(n, https_port)}/" for n in names],
                "secure": request.is_secure(),
            },
        )
    )


@require_GET
def ca_pem(request: HttpRequest) -> HttpResponse:
    """The CA in PEM (what ``curl --cacert`` and Linux take)."""
    path = ca_path()
    if not path.exists():
        return _missing(request)
    resp = HttpResponse(path.read_bytes(), content_type="application/x-pem-file")
    resp["Content-Disposition"] = 'attachment; filename="yiting-room-ca.pem"'
    return _no_store(resp)


@require_GET
def ca_der(request: HttpRequest) -> HttpResponse:
    """The CA in DER as ``.crt``: what iPadOS (as a profile), Android and Windows install."""
    path = ca_path()
    if not path.exists():
        return _missing(request)
    from cryptography.hazmat.primitives.serialization import Encoding

    der = tls.load_cert(path).public_bytes(Encoding.DER)
    resp = HttpResponse(der, content_type="application/x-x509-ca-cert")
    resp["Content-Disposition"] = 'attachment; filename="yiting-room-ca.crt"'
    return _no_store(resp)
