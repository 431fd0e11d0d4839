"""The clerk's leave page (请假) of one sitting: the roster with each member's attendance
and leave, a form per member to enter, change or withdraw leave.

Thin: the rulebook decides who opens it (``leave.record``: the clerk of the sitting or
the session clerk; anyone else gets the 403 page), ``services.leave`` does the rest. A
refusal is shown on the page with its code (400 bad input, 409 a rule refused, 403 not
allowed); nothing was changed. A change answers with a redirect to the page (a reload
never repeats it) and a line saying what was done.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import policy
from core.errors import DomainError
from core.inputs import IdField, TextField, parse, parse_id
from core.models import Member, Sitting
from core.roster import sitting_role, term_role
from meeting.briefs.services import leave

BAD_INPUT = {"invalid", "reason_required"}


class LeaveForm(forms.Form):
    """One change of one member's leave; the reason is checked by the service."""

    member = IdField()
    action = forms.ChoiceField(choices=[(a, a) for a in ("enter", "change", "withdraw")])
    reason = TextField(required=False, strip=True)


def _status(exc: DomainError) -> int:
    if exc.code == "forbidden":
        return 403
    return 400 if exc.code in BAD_INPUT else 409


def _page(
    request: HttpRequest, sitting: Sitting, *, error=None, focus=None, status=200
) -> HttpResponse:
    """The page; ``focus`` is the member whose row says what just happened (the page
    opens at that row, ``#m<id>``: on a long roster the clerk stays where they were)."""
    term = sitting.session.term
    lines = leave.roster(sitting)
    counts = {
        s: sum(1 for line in lines if line.status == s)
        for s in ("present", "left", "leave", "absent")
    }
    context = {
        "sitting": sitting,
        "lines": lines,
        "counts": counts,
        "expected": len(lines),
        "reasons": leave.COMMON_REASONS,
        "max_reason": leave.MAX_REASON,
        "editable": sitting.session.state != sitting.session.State.CLOSED,
        "prepares": policy.may(term_role(request.user, term), "sessions.prepare"),
        "member": Member.objects.filter(user=request.user, term=term).first(),
        "error": error,
        "focus": focus,
        "done": [str(m) for m in messages.get_messages(request)],
    }
    return render(request, "briefs/leave.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def leave_page(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """GET: the page. POST ``member``, ``action`` (enter | change | withdraw), ``reason``."""
    sitting = get_object_or_404(
        Sitting.objects.select_related("session__term", "group"), pk=sitting_id
    )
    actor = policy.Acting(sitting_role(request.user, sitting), user_id=request.user.pk)
    if not policy.may(actor, "leave.record"):
        raise PermissionDenied("Only the clerk of the sitting records leave.")
    if request.method == "GET":
        try:
            focus = parse_id("m", request.GET.get("m"))
        except DomainError:  # a hand-made address: no row to open at
            focus = None
        return _page(request, sitting, focus=focus)
    member_id = None
    try:
        fields = parse(LeaveForm, request.POST)
        member_id, action, reason = fields["member"], fields["action"], fields["reason"]
        if action == "enter":
            done = leave.enter(sitting.pk, member_id, reason, actor=actor, by=request.user)
            said = _("%(member)s is on leave: %(reason)s.")
        elif action == "change":
            done = leave.change(sitting.pk, member_id, reason, actor=actor, by=request.user)
            said = _("The reason of %(member)s's leave is now: %(reason)s.")
        else:
            leave.withdraw(sitting.pk, member_id, actor=actor, by=request.user)
            done, said = None, _("The leave of %(member)s was withdrawn.")
    except DomainError as exc:
        return _page(request, sitting, error=exc.as_dict(), focus=member_id, status=_status(exc))
    name = Member.objects.filter(pk=member_id).values_list("full_name", flat=True).first()
    messages.success(request, said % {"member": name, "reason": done.reason if done else ""})
    return redirect(f"{request.path}?m={member_id}#m{member_id}")
