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
from core.models import Member, Session, Sitting
from core.roster import sitting_role, term_role


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
    landing = policy.landing(member.role)
    if landing == "review":
        return redirect("review")
    if landing == "console-index":
        return redirect("console-index")
    mine = [s for s in _current_sittings(member) if sitting_role(request.user, s, member)]
    if landing == "display" and mine:
        return redirect("display", sitting_id=mine[0].pk)
    land = _sitting_to_land_in(mine)
    if land is not None:
        return redirect("tablet", sitting_id=land.pk)
    return render(request, "frontend/home.html", {"member": member, "sittings": mine})


def _sitting_to_land_in(sittings: list[Sitting]) -> Sitting | None:
    """The one sitting in progress, else the only sitting; None when the member must choose.

    A member who logs in during a sitting goes straight to it (issue 25, item 9), even
    when the session lists others (a plenary after this group sitting).
    """
    live = [s for s in sittings if s.state == Sitting.State.LIVE]
    if len(live) == 1:
        return live[0]
    return sittings[0] if len(sittings) == 1 else None


def _page(
    request: HttpRequest, sitting_id: int, template: str, action: str, *, record: bool = False
) -> HttpResponse:
    """A sitting's page for a login whose role there may open it (``action``).

    ``may`` is the role's answers (``policy.answers``) for the template; ``record``
    adds whether the login reads the term's record (the console's audit-trail link).
    """
    sitting = get_object_or_404(
        Sitting.objects.select_related("session__term", "group"), pk=sitting_id
    )
    member = Member.objects.filter(user=request.user, term=sitting.session.term).first()
    role = sitting_role(request.user, sitting, member)
    if not policy.may(role, action):
        raise PermissionDenied("No role in this sitting for this page.")
    context = {
        "sitting": sitting,
        "role": role,
        "may": policy.for_templates(policy.answers(role, pages=True)),
        "member": member,
        "ws_path": f"/ws/sittings/{sitting.pk}/",
    }
    if record:
        in_term = term_role(request.user, sitting.session.term, member)
        context["reads_record"] = policy.may(in_term, "record.read")
    return render(request, template, context)


@login_required
def tablet(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(request, sitting_id, "frontend/tablet.html", "page.tablet")


@login_required
def console(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(request, sitting_id, "frontend/console.html", "page.console", record=True)


@login_required
def display(request: HttpRequest, sitting_id: int) -> HttpResponse:
    return _page(request, sitting_id, "frontend/display.html", "page.display")


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
    """The sittings not closed that this login runs (``page.console_index``)."""
    member = _memberships(request.user).first()
    sittings = Sitting.objects.select_related("session__term", "group").exclude(
        session__state=Session.State.CLOSED
    )
    visible = [
        s for s in sittings if policy.may(sitting_role(request.user, s), "page.console_index")
    ]
    if not visible and not request.user.is_superuser:
        return forbidden(
            request, _("Clerk console"), _("the clerk and the chair of a sitting"), member
        )
    return render(request, "frontend/console_index.html", {"sittings": visible, "member": member})


@login_required
def review(request: HttpRequest) -> HttpResponse:
    member = _memberships(request.user).first()
    if not policy.reviewer_may(request.user, "page.review"):
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
