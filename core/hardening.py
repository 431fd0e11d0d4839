"""Refusals at start-up: a production process does not start with development defaults.

Every serving entry point (``deploy/asgi.py``, ``manage.py worker``, ``manage.py
floor_sweeper``, ``./yiting stack``) calls ``refuse_insecure_start()``. A refusal names
the environment variable to set, so an operator knows what to change; a warning in a
log nobody reads would let a committee run on a key that is published in this repository.
"""

from __future__ import annotations

import ipaddress

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
    return problems


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
