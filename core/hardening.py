"""Refusals at start-up: a production process does not start with development defaults.

Every serving entry point (``deploy/asgi.py``, ``manage.py worker``, ``manage.py
floor_sweeper``, ``./yiting stack``) calls ``refuse_insecure_start()``. A refusal names
the environment variable to set (or the Debian package to install), so an operator knows
what to change; a warning in a log nobody reads would let a committee run on a key that
is published in this repository, print QR codes that open this machine's loopback on a
member's phone, or fail at the first minutes with no font to print them in.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The key in deploy/settings.py when SECRET_KEY is unset; public, so it signs nothing real.
DEV_SECRET_KEY = "yiting-insecure-development-key-change-me"


def startup_problems(settings) -> list[str]:
    """What makes these settings unfit for a non-DEBUG process (empty when fit)."""
    if settings.DEBUG:
        return []
    problems = []
    if not settings.SECRET_KEY or settings.SECRET_KEY == DEV_SECRET_KEY:
        problems.append(
            "SECRET_KEY is the development key: set the SECRET_KEY environment variable "
            "to a long random value (or DEBUG=true on a development machine)"
        )
    problems += public_url_problems(settings)
    problems += font_problems()
    return problems


def public_url_problems(settings) -> list[str]:
    """Links printed for devices (briefs' QR codes) must not point at this machine.

    Only when the server admits a host other than loopback: a rehearsal reached at
    ``127.0.0.1`` may print loopback links, a committee's server may not.
    """
    # "testserver": the host Django's test client adds for itself, never a device's.
    admitted = [h for h in settings.ALLOWED_HOSTS if not is_loopback(h) and h != "testserver"]
    if not admitted:
        return []
    url = settings.PUBLIC_URL
    host = urlsplit(url).hostname or ""
    if host and not is_loopback(host) and host not in ("0.0.0.0", "::"):
        return []
    example = next((h.lstrip(".") for h in admitted if h != "*"), "yiting.example.gov.cn")
    return [
        f"YITING_PUBLIC_URL is unset or this machine's loopback ({url or 'empty'}) while "
        f"ALLOWED_HOSTS admits {', '.join(admitted)}: links and QR codes printed for "
        "members' devices would open nothing; set YITING_PUBLIC_URL to the address "
        f"tablets and phones reach, e.g. https://{example}"
    ]


def font_problems() -> list[str]:
    """No CJK font: every PDF (minutes, vote sheet, brief, book, watermark) would fail."""
    from core.pdffont import FontMissing, font_path

    try:
        font_path()
    except FontMissing as exc:
        return [str(exc)]
    return []


def refuse_insecure_start() -> None:
    """Raise ``ImproperlyConfigured`` naming each variable to set; return when fit."""
    from django.conf import settings

    problems = startup_problems(settings)
    if problems:
        raise ImproperlyConfigured("; ".join(problems))


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``[::1]`` or ``localhost``; a name or ``0.0.0.0`` is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def stack_problems(settings, bind: str) -> list[str]:
    """What ``./yiting stack`` refuses besides ``startup_problems`` when not on loopback.

    On loopback only this machine reaches the stack (a rehearsal, the tests); anywhere
    else ``ALLOWED_HOSTS=*`` accepts forged Host headers (password-reset links, cache
    poisoning) and cookies without ``Secure`` travel in clear over any plain-HTTP hop.
    """
    problems = list(startup_problems(settings))
    if is_loopback(bind):
        return problems
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            f"ALLOWED_HOSTS contains '*' while bound to {bind}: "
            "set ALLOWED_HOSTS to the host names the committee uses"
        )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        problems.append(
            f"cookies are not secure while bound to {bind}: set YITING_SECURE_COOKIES=true "
            "(behind HTTPS)"
        )
    return problems
