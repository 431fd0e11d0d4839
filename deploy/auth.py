"""The login throttle's authentication backend (django-axes), tolerant of no request.

axes' backend refuses an ``authenticate()`` call without a request. Every login a
person makes (the login page, the admin) passes one and is throttled; a call without
one (a management command, Django's test ``Client.login``) is not a guessable login
form, so it is left to ``ModelBackend`` rather than failing.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
