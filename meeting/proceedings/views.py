"""Preparation, closing, minutes and audit pages. Thin: parse, call a service, show.

A refusal is shown on the page it came from with its error code and an HTTP 4xx status
(400 bad input, 409 a rule of the committee refused); nothing was changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import exports
from core.errors import DomainError
from core.models import AgendaItem, Member, Role, Session, Sitting, Term
from docs_store.models import Document
from meeting.proceedings import access, closing, forms, minutes, preparation
from meeting.proceedings.audit import AuditFilter, action_choices, entries, trail_rows
from meeting.proceedings.audit import csv_rows as audit_csv_rows
from meeting.proceedings.errors import ERROR_CODES
from meeting.proceedings.models import MinutesRun
from meeting.proceedings.roster_import import import_members
from meeting.voting.models import Vote

BAD_INPUT = {"bad_csv", "bad_rows", "invalid", "bad_template", "bad_filter", "bad_vote"}


MINUTES_TYPES = {
    "pdf": "application/pdf",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _status(exc: DomainError) -> int:
    return 400 if exc.code in BAD_INPUT else 409


def _current_term() -> Term:
    term = Term.objects.filter(is_current=True).first()
    if term is None:
        raise Http404("No current term.")
    return term


def _form_error(form) -> DomainError:
    fields = {k: [str(e) for e in v] for k, v in form.errors.items()}
    return DomainError("invalid", "Some fields are missing or wrong.", fields=fields)


def _session_page(request, session: Session, *, error=None, report=None, status=200):
    term = session.term
    sittings = session.sittings.select_related("group", "chair", "clerk").order_by("starts_at")
    items = AgendaItem.objects.filter(sitting__session=session).select_related("presenter")
    votes = Vote.objects.filter(sitting__session=session).order_by("id")
    docs = list(Document.objects.filter(session=session).select_related("current"))
    ctx = {
        "session": session,
        "editable": session.state != Session.State.CLOSED,
        "sittings": [
            {
                "s": s,
                "items": [
                    {
                        "i": i,
                        "votes": [v for v in votes if v.item_id == i.pk],
                        "docs": [d for d in docs if d.item_id == i.pk],
                    }
                    for i in sorted(
                        (i for i in items if i.sitting_id == s.pk), key=lambda i: i.order
                    )
                ],
            }
            for s in sittings
        ],
        "session_docs": [d for d in docs if d.item_id is None],
        "groups": term.groups.all(),
        "component": Member.objects.filter(
            term=term, active=True, role__in=[Role.MEMBER, Role.CHAIR, Role.VICE_CHAIR]
        ).order_by("seat"),
        "clerks": Member.objects.filter(term=term, role=Role.CLERK, active=True),
        "rules": forms.RULE_LABELS,
        "run": closing.latest_run(session),
        "minutes_stages": _minutes_stages(),
        "error": error,
        "report": report,
        "member": access._member(request.user, term),
        # ending the session with a vote open is refused (vote_open): the page says so
        # once, naming the vote and its sitting, instead of a refusal after the question
        "open_votes": [v for v in votes if v.state == Vote.State.OPEN],
    }
    return render(request, "proceedings/session.html", ctx, status=status)


def _minutes_stages() -> str:
    """The minutes job's stage words (stored in English for logs) as people read them."""
    return json.dumps(
        {
            "queued": _("waiting to start"),
            "collecting": _("collecting the record"),
            "writing JSON": _("writing the structured export"),
            "rendering PDF": _("rendering the PDF"),
            "writing DOCX": _("writing the Word document"),
            "done": _("minutes ready"),
            "failed": _("generating the minutes failed"),
            "sitting": _("collecting sitting: "),
        },
        ensure_ascii=False,
    )


def _refused(request, session: Session, exc: DomainError) -> HttpResponse:
    return _session_page(request, session, error=exc.as_dict(), status=_status(exc))


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    term = _current_term()
    access.require_session_clerk(request.user, term)
    return render(
        request,
        "proceedings/sessions.html",
        {
            "term": term,
            "sessions": term.sessions.order_by("-starts_on", "-number"),
            "last": preparation.last_session(term),
            "next_number": preparation.next_number(term),
            "templates": preparation.TEMPLATES,
            "member": access._member(request.user, term),
        },
    )


@login_required
@require_POST
def new_session(request: HttpRequest) -> HttpResponse:
    term = _current_term()
    access.require_session_clerk(request.user, term)
    form = forms.NewSessionForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        d = form.cleaned_data
        if d["how"] == "copy":
            last = preparation.last_session(term)
            if last is None:
                raise DomainError("bad_template", _("There is no earlier session to copy."))
            s = preparation.copy_session(
                last,
                number=d["number"],
                title=d["title"],
                starts_on=d["starts_on"],
                by=request.user,
            )
        else:
            s = preparation.create_from_template(
                term,
                d["how"],
                number=d["number"],
                title=d["title"],
                starts_on=d["starts_on"],
                room=d["room"],
                tz=timezone.get_current_timezone(),
                by=request.user,
            )
    except DomainError as exc:
        return JsonResponse({"error": exc.as_dict()}, status=_status(exc))
    return redirect("proceedings:session", s.pk)


def _session_for_clerk(request, session_id: int) -> Session:
    session = get_object_or_404(Session.objects.select_related("term"), pk=session_id)
    access.require_session_clerk(request.user, session.term)
    return session


@login_required
@require_GET
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _session_page(request, _session_for_clerk(request, session_id))


def _member_or_none(term: Term, pk: int | None) -> Member | None:
    if pk is None:
        return None
    m = Member.objects.filter(pk=pk, term=term).first()
    if m is None:
        raise DomainError("wrong_term", f"No member {pk} in this term.")
    return m


@login_required
@require_POST
def add_sitting(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_clerk(request, session_id)
    form = forms.SittingForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        d = form.cleaned_data
        group = session.term.groups.filter(pk=d["group"]).first() if d["group"] else None
        if d["group"] and group is None:
            raise DomainError("wrong_term", f"No group {d['group']} in this term.")
        preparation.add_sitting(
            session,
            kind=d["kind"],
            title=d["title"],
            starts_at=d["starts_at"],
            room=d["room"],
            group=group,
            chair=_member_or_none(session.term, d["chair"]),
            clerk=_member_or_none(session.term, d["clerk"]),
            by=request.user,
        )
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


@login_required
@require_POST
def update_sitting(request: HttpRequest, sitting_id: int) -> HttpResponse:
    sitting = get_object_or_404(Sitting.objects.select_related("session__term"), pk=sitting_id)
    session = _session_for_clerk(request, sitting.session_id)
    form = forms.SittingEditForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        d = form.cleaned_data
        preparation.update_sitting(
            sitting,
            title=d["title"],
            starts_at=d["starts_at"],
            room=d["room"],
            chair=_member_or_none(session.term, d["chair"]),
            clerk=_member_or_none(session.term, d["clerk"]),
            by=request.user,
        )
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


def _item_fields(d: dict, term: Term) -> dict:
    out = {k: v for k, v in d.items() if k != "presenter" and v not in (None, "")}
    out["presenter"] = _member_or_none(term, d.get("presenter"))
    return out


@login_required
@require_POST
def add_item(request: HttpRequest, sitting_id: int) -> HttpResponse:
    sitting = get_object_or_404(Sitting.objects.select_related("session__term"), pk=sitting_id)
    session = _session_for_clerk(request, sitting.session_id)
    form = forms.ItemForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        fields = _item_fields(form.cleaned_data, session.term)
        preparation.add_item(sitting, fields.pop("title"), by=request.user, **fields)
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


def _item_for_clerk(request, item_id: int) -> tuple[AgendaItem, Session]:
    item = get_object_or_404(AgendaItem.objects.select_related("sitting__session"), pk=item_id)
    return item, _session_for_clerk(request, item.sitting.session_id)


@login_required
@require_POST
def update_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item, session = _item_for_clerk(request, item_id)
    form = forms.ItemForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        preparation.update_item(
            item, by=request.user, **_item_fields(form.cleaned_data, session.term)
        )
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


@login_required
@require_POST
def remove_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item, session = _item_for_clerk(request, item_id)
    try:
        preparation.remove_item(item, by=request.user)
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


@login_required
@require_POST
def prepare_vote(request: HttpRequest, item_id: int) -> HttpResponse:
    item, session = _item_for_clerk(request, item_id)
    form = forms.VoteForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        preparation.prepare_vote(item, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


def _plenary_room(session: Session) -> str:
    """The room whose seat layout a roster file's 排 column sets: the session's plenary."""
    plenary = session.sittings.filter(kind=Sitting.Kind.PLENARY).order_by("starts_at").first()
    return plenary.room if plenary else ""


@login_required
@require_POST
def import_roster(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_clerk(request, session_id)
    form = forms.ImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise _form_error(form)
        d = form.cleaned_data
        report = import_members(
            session.term,
            d["file"].read(),
            create_groups=d["create_groups"],
            move_groups=d["move_groups"],
            dry_run=d["dry_run"],
            by=request.user,
            room=_plenary_room(session),
        )
    except DomainError as exc:
        return _refused(request, session, exc)
    return _session_page(request, session, report=report.as_dict())


@login_required
@require_POST
def close(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_clerk(request, session_id)
    try:
        closing.close_session(session, by=request.user)
    except DomainError as exc:
        return _refused(request, session, exc)
    return redirect("proceedings:session", session.pk)


@login_required
def minutes_status(request: HttpRequest, session_id: int) -> JsonResponse:
    """GET: progress of the latest minutes run; POST: generate them again."""
    session = get_object_or_404(Session.objects.select_related("term"), pk=session_id)
    if request.method == "POST":
        access.require_session_clerk(request.user, session.term)
        try:
            run = closing.request_minutes(session, by=request.user)
        except DomainError as exc:
            return JsonResponse({"error": exc.as_dict()}, status=_status(exc))
        return JsonResponse({"run": run.as_dict()}, status=202)
    access.require_reader(request.user, session=session)
    run = closing.latest_run(session)
    return JsonResponse({"run": run.as_dict() if run else None})


@login_required
@require_GET
def minutes_file(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = get_object_or_404(MinutesRun.objects.select_related("session__term"), pk=run_id)
    access.require_reader(request.user, session=run.session)
    rel = {"pdf": run.pdf_path, "json": run.json_path, "docx": run.json_path}.get(fmt)
    if not rel or run.state != MinutesRun.State.DONE:
        err = DomainError("no_minutes", "These minutes are not finished.", run=run.as_dict())
        return JsonResponse({"error": err.as_dict()}, status=404)
    path = Path(settings.DATA_DIR) / rel
    if fmt == "docx":
        path = minutes.ensure_docx(path)
    resp = FileResponse(path.open("rb"), content_type=MINUTES_TYPES[fmt])
    name = exports.minutes_name(run.session.number, run.session.title, fmt)
    return exports.attach(resp, name)


def _audit_filter(request) -> AuditFilter:
    form = forms.AuditFilterForm(request.GET)
    if not form.is_valid():
        raise DomainError("bad_filter", "A filter is not valid.", fields=dict(form.errors))
    d = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return AuditFilter(**d)


@login_required
@require_GET
def audit_view(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    try:
        f = _audit_filter(request)
    except DomainError as exc:
        return render(
            request,
            "proceedings/audit.html",
            {"error": exc.as_dict(), "rows": [], "total": 0, "action_choices": action_choices()},
            status=400,
        )
    rows = entries(f)
    if request.GET.get("format") == "csv":
        return _audit_csv(rows)
    return render(
        request,
        "proceedings/audit.html",
        {
            "rows": trail_rows(rows[:500]),
            "action_choices": action_choices(),
            "total": rows.count(),
            "f": f,
            "sessions": Session.objects.filter(term__is_current=True),
            "sittings": Sitting.objects.filter(session__term__is_current=True),
            "query": request.GET.urlencode(),
            "member": access._member(request.user, None),
        },
    )


def _audit_csv(rows) -> HttpResponse:
    return exports.csv_response(exports.audit_name(timezone.now()), audit_csv_rows(rows))


def error_codes(request: HttpRequest) -> JsonResponse:
    """The error table of these pages, for clients and the docs."""
    return JsonResponse(ERROR_CODES)
