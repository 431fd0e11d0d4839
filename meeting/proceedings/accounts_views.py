"""The clerk's page of the term's logins (成员账号): who must still change a password, and
the reset to a one-time code (``meeting.proceedings.accounts``). Thin: parse, ask, show.

The code appears only in the answer to the POST that made it (never stored in clear, never
in a redirect or the audit trail), with ``Cache-Control: no-store`` so no back button or
cache shows it again.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core import policy
from core.errors import DomainError
from core.models import Member, Session
from core.roster import term_role
from meeting.proceedings import access, accounts
from meeting.proceedings.models import PasswordChangeRequired

# The refusals of a reset, as the clerk reads them (the English stays in the log).
REFUSALS = {
    "forbidden": _("Only the clerk of this member's term may reset their password."),
    "own_login": _("Your own password is changed with “Change password” at the top of the page."),
    "protected_login": _("An administrator's password is not reset here."),
    "wrong_term": _("This member belongs to another term."),
}


def _session(request: HttpRequest, session_id: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("term"), pk=session_id)
    access.require_session_clerk(request.user, session.term)
    return session


def _page(request, session: Session, *, issued=None, error=None, status=200) -> HttpResponse:
    role = term_role(request.user, session.term)
    members = (
        Member.objects.filter(term=session.term)
        .select_related("user", "group")
        .order_by("-active", "seat", "full_name")
    )
    must = set(
        PasswordChangeRequired.objects.filter(user__memberships__term=session.term).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        {
            "m": m,
            "must_change": m.user_id in must,
            "no_password": not m.user.has_usable_password() and m.user_id not in must,
            "may_reset": policy.can_reset_password(
                role, own=m.user_id == request.user.pk, target_superuser=m.user.is_superuser
            ),
        }
        for m in members
    ]
    resp = render(
        request,
        "proceedings/accounts.html",
        {"session": session, "rows": rows, "issued": issued, "error": error},
        status=status,
    )
    resp["Cache-Control"] = "no-store"
    return resp


@login_required
@require_GET
def accounts_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _page(request, _session(request, session_id))


@login_required
@require_POST
def reset_password(request: HttpRequest, session_id: int, member_id: int) -> HttpResponse:
    session = _session(request, session_id)
    member = get_object_or_404(
        Member.objects.select_related("user", "term"), pk=member_id, term=session.term
    )
    try:
        code = accounts.reset_password(member, by=request.user, session=session)
    except DomainError as exc:
        error = {"code": exc.code, "message": str(REFUSALS.get(exc.code, exc.message))}
        return _page(request, session, error=error, status=403 if exc.code == "forbidden" else 409)
    return _page(request, session, issued={"member": member, "code": code})
