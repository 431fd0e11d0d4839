"""Every login's own password (修改密码), and the forced change before any other page.

The pages are Django's ``PasswordChangeView`` and ``PasswordChangeDoneView`` under their
usual names (``password_change``, ``password_change_done``; templates
``registration/password_change.html`` and ``password_changed.html``, as the admin app
holds Django's default names), checked by ``AUTH_PASSWORD_VALIDATORS``. Two additions:

- a login whose password someone else chose (an imported roster's initial password, the
  clerk's one-time code: ``meeting.proceedings.accounts``) has that password spent at its
  first page, so it sets a new one without typing the old (Django's ``SetPasswordForm``);
  setting it lifts the requirement;
- ``ForcedPasswordChangeMiddleware`` sends such a login to ``password_change`` from every
  page but the few it needs on the way (below). The sitting's WebSocket is not an HTTP
  page and is not gated here: its only door, the tablet or console page, is never
  reached, so no socket is opened by the pages before the password is the member's own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext_lazy

from meeting.proceedings import accounts

# Django 5.2 reworded MinimumLengthValidator's refusal ("%d", no longer "%(min_length)d")
# and its own zh_Hans catalogue has no translation of the new words: the page showed them
# in English. Marked here so the project's catalogue (locale/parts/accounts.po) has them.
TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; without the old password once a given password was spent."""

    # not Django's default name: the admin app ships a template by that name, found first
    template_name = "registration/password_change.html"

    def get_form_class(self):
        if self.request.user.has_usable_password():
            return PasswordChangeForm
        return SetPasswordForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["forced"] = accounts.must_change(self.request.user)
        return ctx

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, keeps this session logged in
        accounts.password_changed(form.user)
        self.request.session[CHECKED] = form.user.pk
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """Django's page, saying where to go next."""

    template_name = "registration/password_changed.html"


def _open_paths() -> tuple[str, ...]:
    """What a login that must change its password may still open (prefixes)."""
    return (
        reverse("password_change"),
        reverse("password_change_done"),
        reverse("logout"),
        reverse("login"),
        reverse("healthz"),
        reverse("favicon"),
        reverse("tls"),  # the room's certificate page, before HTTPS is trusted
        "/i18n/",  # the language choice in the top bar
        settings.STATIC_URL,
    )


# The session remembers that its login owes no change, so the pages and page images a
# tablet loads at every flip cost no query for it. A clerk's reset changes the password,
# which ends the member's sessions (Django's session hash), so the next login asks again.
CHECKED = "yiting_password_checked_for"


def _must_change(request: HttpRequest, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.get(CHECKED) == user.pk:
        return False
    if accounts.must_change(user):
        return True
    if session is not None:
        session[CHECKED] = user.pk
    return False


class ForcedPasswordChangeMiddleware:
    """Send a login that must choose its own password to ``password_change``.

    After ``AuthenticationMiddleware``. The first request of such a login spends the
    given password (it logs no one in again) and keeps this session valid.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and _must_change(request, user):
            if accounts.spend_given_password(user):
                update_session_auth_hash(request, user)
            if not request.path.startswith(_open_paths()):
                return redirect("password_change")
        return self.get_response(request)
