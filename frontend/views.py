"""Landing pages per role. Pages are thin shells: state arrives over the socket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from core import policy
from core.models import Member, Role, Session, Sitting
from core.roster import sitting_role
from media.services.access import is_archive_staff


def _memberships(user):
    return Member.objects.filter(user=user, active=True, term__is_current=True).select_related(
        "term", "group"
    )


def _current_sittings(member: Member):
    sessions = Session.objects.filter(term=member.term).exclude(state=Session.State.CLOSED)
    session = sessions.order_by("-starts_on", "-number").first()
    if session is None:
        return []
    return list(session.sittings.select_related("group").order_by("starts_at", "id"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each login to the page for its role; list the choices when there are several."""
    member = _memberships(request.user).first()
    if member is None:
        if request.user.is_superuser:
            return redirect("console-index")
        return render(request, "frontend/no_role.html", status=403)
    if member.role == Role.STAFF:
        return redirect("review")
    sittings = _current_sittings(member)
    mine = [s for s in sittings if sitting_role(request.user, s)]
    if member.role == Role.CLERK:
        return redirect("console-index")
    if member.role == Role.DISPLAY and mine:
        return redirect("display", sitting_id=mine[0].pk)
    if len(mine) == 1:
        return redirect("tablet", sitting_id=mine[0].pk)
    return render(request, "frontend/home.html", {"member": member, "sittings": mine})


def _page(request: HttpRequest, sitting_id: int, template: str, roles: set[str]) -> HttpResponse:
    sitting = get_object_or_404(
        Sitting.objects.select_related("session__term", "group"), pk=sitting_id
    )
    role = sitting_role(request.user, sitting)
    if role not in roles:
        raise PermissionDenied("No role in this sitting for this page.")
    member = Member.objects.filter(user=request.user, term=sitting.session.term).first()
    return render(
        request,
        template,
        {
            "sitting": sitting,
            "role": role,
            "member": member,
            "ws_path": f"/ws/sittings/{sitting.pk}/",
        },
    )


@login_required
def tablet(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(request, sitting_id, "frontend/tablet.html", {"member", "chair", "clerk"})


@login_required
def console(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(request, sitting_id, "frontend/console.html", policy.LIVE_ROLES)


@login_required
def display(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(
        request, sitting_id, "frontend/display.html", {"display", "clerk", "chair", "staff"}
    )


def forbidden(request: HttpRequest, page: str, for_whom: str, member=None) -> HttpResponse:
    """403 with a page a person can read: what this page is and whom it is for."""
    return render(
        request,
        "frontend/forbidden.html",
        {"page": page, "for_whom": for_whom, "member": member},
        status=403,
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page; send them to the static icon."""
    return redirect(static("yiting/favicon.svg"), permanent=True)


@login_required
def console_index(request: HttpRequest) -> HttpResponse:
    member = _memberships(request.user).first()
    if not request.user.is_superuser and (
        member is None or member.role not in (Role.CLERK, Role.CHAIR, Role.VICE_CHAIR)
    ):
        return forbidden(
            request, _("Clerk console"), _("the clerk and the chair of a sitting"), member
        )
    sittings = Sitting.objects.select_related("session", "group").exclude(
        session__state=Session.State.CLOSED
    )
    visible = [s for s in sittings if policy.is_live(sitting_role(request.user, s))]
    return render(request, "frontend/console_index.html", {"sittings": visible, "member": member})


@login_required
def review(request: HttpRequest) -> HttpResponse:
    member = _memberships(request.user).first()
    if not is_archive_staff(request.user):
        return forbidden(request, _("Staff review"), _("the committee's archive staff"), member)
    from core.models import Term
    from frontend.review_filters import options

    term = member.term if member else Term.objects.filter(is_current=True).first()
    return render(request, "frontend/review.html", {"member": member, "filters": options(term)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the launcher and load balancers."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        db = "ok"
    except Exception as exc:  # reported, not raised: this is the health endpoint
        db = f"error: {exc.__class__.__name__}"
    status = 200 if db == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "db": db}, status=status)


def login_locked_out(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """django-axes' refusal during a login cool-down: the login page, saying why (429)."""
    from django.conf import settings

    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(
        request,
        "registration/login.html",
        {"locked_out": True, "cooloff_minutes": minutes, "next": request.POST.get("next", "")},
        status=429,
    )
