"""HTTP side of documents: upload, listings, page images, PDF download, notes, reading.

Views are thin: they resolve the login's access through ``services.access`` and call
one service. Every refusal is JSON ``{"code", "message"[, "details"]}`` with an HTTP
status that fits the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import policy
from core.errors import DomainError
from core.exports import attach, document_name
from core.inputs import IdField, bad_value, parse, valid_text
from core.models import AgendaItem, Session, Sitting
from core.roster import session_role, sitting_role
from docs_store import storage, watermark
from docs_store.models import Access, Document, Rendition
from docs_store.services import catalog, distribution, notes, placement, receipts
from docs_store.services.access import get_readable, may_download_pdf
from docs_store.services.upload import Upload, replace_version, upload_documents
from docs_store.validation import MAX_FILENAME

STATUS = {
    "not_logged_in": 401,
    "forbidden": 403,
    "confidential_no_download": 403,
    "not_component_member": 403,
    "not_found": 404,
    "no_such_page": 404,
    "not_ready": 409,
    "recalled": 410,
    "render_failed": 422,
    "pdf_too_large": 413,
    "body_too_large": 413,
    "already_in_sitting": 409,
}


def json_errors(view: Callable) -> Callable:
    """Turn a ``DomainError`` into its JSON answer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            resp = JsonResponse(exc.as_dict(), status=STATUS.get(exc.code, 400))
            if exc.code == "not_ready":
                resp["Retry-After"] = "1"
            return resp

    return wrapped


def _require_clerk(user, session: Session) -> None:
    """documents.manage: the session clerk or the clerk of one of the session's sittings."""
    if not user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to upload documents.")
    if not policy.may(session_role(user, session), "documents.manage"):
        raise DomainError("forbidden", "Only the session's clerks manage documents.")


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        raise DomainError(
            "body_too_large",
            _("The request body is over the limit of %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        ) from None
    except ValueError:
        raise DomainError("bad_json", _("The request body is not JSON.")) from None
    if not isinstance(data, dict):
        raise DomainError("bad_json", _("The request body must be a JSON object."))
    if bad_value(data) == "unicode":
        raise DomainError("invalid", _("The request holds a string that is not valid Unicode."))
    return data


class UploadForm(forms.Form):
    """The non-file fields of an upload, parsed with bounds (the files come separately)."""

    item = IdField(required=False)
    access = forms.ChoiceField(choices=Access.choices, required=False)


def _name_too_long(**details) -> DomainError:
    return DomainError(
        "file_name_too_long",
        _("A file name is too long; rename the file (at most %(limit)s characters).")
        % {"limit": MAX_FILENAME},
        limit=MAX_FILENAME,
        **details,
    )


def _files(request: HttpRequest, name: str) -> tuple[list, list[str]]:
    """The uploaded files and titles, or the documented refusal of the request itself."""
    try:
        files = request.FILES.getlist(name)
        titles = request.POST.getlist("titles")
    except MultiPartParserError as exc:
        if "header size" in str(exc):  # a part's headers (the file name) over 1 KiB
            raise _name_too_long() from None
        raise DomainError("bad_upload", _("The upload could not be read; send it again.")) from None
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        raise DomainError(
            "bad_upload", _("The upload has too many or too large form fields.")
        ) from None
    unreadable = getattr(request, "upload_unreadable", None)  # parsed before the view
    if unreadable == "file_name_too_long":
        raise _name_too_long()
    if unreadable:
        raise DomainError("bad_upload", _("The upload could not be read; send it again."))
    refused = getattr(request, "upload_refused", None)
    if refused:
        raise DomainError(
            "pdf_too_large",
            _("%(file)s: the upload is over the limit of %(limit)s MB; it was not stored.")
            % {"file": refused["file"] or _("the upload"), "limit": refused["limit"] // 2**20},
            **refused,
        )
    for title in titles:
        if len(title) > 300 or not valid_text(title):
            raise DomainError(
                "invalid", _("A title is too long or not valid text."), field="titles"
            )
    return files, titles


def _read(f) -> bytes:
    """The file's bytes (bounded by the upload handler), refusing names we cannot keep."""
    name = f.name or ""
    if len(name) > MAX_FILENAME:
        raise _name_too_long(file=name[:60])
    if not valid_text(name) or "\x00" in name:
        raise DomainError("invalid", _("A file name holds characters that are not allowed."))
    return f.read()


@require_POST
@json_errors
def upload(request: HttpRequest, session_id: int) -> HttpResponse:
    """Several PDFs at once: ``files`` (repeated), ``titles`` (repeated, optional),
    ``item`` (optional agenda item id), ``access`` (public|committee|confidential)."""
    session = Session.objects.select_related("term").filter(pk=session_id).first()
    if session is None:
        raise DomainError("not_found", f"No session {session_id}.")
    _require_clerk(request.user, session)
    files, titles = _files(request, "files")
    fields = parse(UploadForm, request.POST)
    uploads = [
        Upload(f.name, _read(f), titles[i] if i < len(titles) else "") for i, f in enumerate(files)
    ]
    item = None
    if fields["item"] is not None:
        item = AgendaItem.objects.filter(pk=fields["item"]).select_related("sitting").first()
        if item is None:
            raise DomainError("not_found", f"No agenda item {fields['item']}.", field="item")
    access = fields["access"] or Access.COMMITTEE
    docs = upload_documents(session, uploads, by=request.user, item=item, access=access)
    return JsonResponse({"documents": [d.pk for d in docs]}, status=201)


@require_POST
@json_errors
def new_version(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, reader = get_readable(request.user, document_id)
    _require_clerk(request.user, doc.session)
    files, _titles = _files(request, "file")
    if not files:
        raise DomainError("invalid", _("Choose the PDF file of the new version."), field="file")
    version = replace_version(doc, Upload(files[0].name, _read(files[0])), by=request.user)
    return JsonResponse({"document": doc.pk, "version": version.number}, status=201)


class PlacementForm(forms.Form):
    """Place a document on an agenda item of another sitting, or take it off (同时列入)."""

    document = IdField()
    item = IdField()
    remove = forms.BooleanField(required=False)


@require_http_methods(["GET", "POST"])
@json_errors
def placements(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET: the session's sittings with their agenda items, and where its documents are
    also placed. POST ``{"document": id, "item": id[, "remove": true]}``: place the
    document on that item (or take it off); answers the same as GET. The clerk of the
    session or of one of its sittings (``documents.place``: who may upload there)."""
    session = Session.objects.select_related("term").filter(pk=session_id).first()
    if session is None:
        raise DomainError("not_found", f"No session {session_id}.")
    if not request.user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to manage documents.")
    actor = policy.Acting(role=session_role(request.user, session), user_id=request.user.pk)
    policy.require(actor, "documents.place")
    if request.method == "POST":
        fields = parse(PlacementForm, _body(request))
        change = placement.unplace if fields["remove"] else placement.place
        change(
            session,
            document_id=fields["document"],
            item_id=fields["item"],
            actor=actor,
            by=request.user,
        )
    return JsonResponse(placement.overview(session, actor=actor))


@require_GET
@json_errors
def sitting_list(request: HttpRequest, sitting_id: int) -> HttpResponse:
    sitting = Sitting.objects.select_related("session__term").filter(pk=sitting_id).first()
    if not request.user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to read documents.")
    if sitting is None or sitting_role(request.user, sitting) is None:
        raise DomainError("not_found", f"No sitting {sitting_id}.")
    return JsonResponse(catalog.listing(sitting, request.user.pk))


@require_GET
@json_errors
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, reader = get_readable(request.user, document_id)
    out = catalog.payload(doc, reader)
    if reader.is_clerk:
        out["record"] = distribution.record(doc)
        out["versions"] = [
            {"number": v.number, "filename": v.filename, "pages": v.pages, "sha256": v.sha256}
            for v in doc.versions.all()
        ]
    return JsonResponse(out)


def _version(doc: Document, reader, number: int):
    if doc.current is not None and doc.current.number == number:
        return doc.current
    version = doc.versions.filter(number=number).first()
    if version is None or not reader.is_clerk:  # readers see the current version only
        raise DomainError("not_found", f"No version {number} of “{doc.title}”.")
    return version


@require_GET
@json_errors
def page_image(
    request: HttpRequest, document_id: int, version: int, page: int, width: int
) -> HttpResponse:
    doc, reader = get_readable(request.user, document_id)
    v = _version(doc, reader, version)
    if not 1 <= page <= v.pages:
        raise DomainError("no_such_page", f"Page {page} does not exist; it has {v.pages}.")
    if width not in storage.WIDTHS:
        raise DomainError("not_found", f"Pages come in widths {list(storage.WIDTHS)}.")
    path = storage.page_path(v.sha256, page, width)
    if not path.exists():
        if Rendition.objects.filter(sha256=v.sha256).exclude(failed="").exists():
            raise DomainError(
                "render_failed",
                _("The pages of “%(title)s” could not be rendered; the clerk has been told.")
                % {"title": doc.title},
            )
        raise DomainError("not_ready", _("Page %(page)s is still being prepared.") % {"page": page})
    if doc.access == Access.CONFIDENTIAL and not reader.is_clerk:
        text = _mark_for(request.user, reader)
        resp = HttpResponse(watermark.watermark_image(path.read_bytes(), text), "image/jpeg")
        resp["Cache-Control"] = "private, no-store"
        return resp
    etag = f'"{v.sha256[:16]}-{page}-{width}"'
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        # the tablet's copy is current (a page's bytes never change under its hash): a
        # 65-tablet room revalidating over Wi-Fi downloads nothing again
        resp = HttpResponse(status=304)
    elif settings.X_ACCEL:  # behind nginx: it sends the file, the access check was ours
        resp = HttpResponse(content_type="image/jpeg")
        resp["X-Accel-Redirect"] = storage.page_accel_uri(v.sha256, page, width)
    else:
        resp = FileResponse(path.open("rb"), content_type="image/jpeg")
    resp["Cache-Control"] = "private, no-cache"  # revalidate: a recall must stop reads
    resp["ETag"] = etag
    return resp


def _etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 13.1.2) or is ``*``."""
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in {t.removeprefix("W/") for t in tags}


def _mark_for(user, reader) -> str:
    name = reader.member.full_name if reader.member else user.get_username()
    seat = reader.member.seat if reader.member else ""
    return watermark.mark_text(name, seat, user.get_username(), timezone.localdate())


@require_GET
@json_errors
def pdf(request: HttpRequest, document_id: int, version: int) -> HttpResponse:
    doc, reader = get_readable(request.user, document_id)
    may_download_pdf(reader, doc)
    v = _version(doc, reader, version)
    data = watermark.stamp_pdf(storage.original_path(v.sha256), _mark_for(request.user, reader))
    resp = HttpResponse(data, content_type="application/pdf")
    attach(resp, document_name(doc.pk, doc.title, v.number))
    resp["Cache-Control"] = "private, no-store"
    return resp


@json_errors
def page_notes(request: HttpRequest, document_id: int) -> HttpResponse:
    """GET: the reader's notes by page. POST ``{"page": n, "text": "…"}``: save one."""
    doc, reader = get_readable(request.user, document_id)
    if request.method == "POST":
        data = _body(request)
        page, text = data.get("page"), data.get("text", "")
        if not isinstance(page, int) or not isinstance(text, str):
            raise DomainError("invalid", "A note needs an integer page and a text.")
        return JsonResponse(notes.save_note(reader, doc, page, text))
    return JsonResponse({"notes": notes.notes_of(reader, doc)})


@require_POST
@json_errors
def reading(request: HttpRequest, document_id: int) -> HttpResponse:
    """``{"seconds": n, "opened": bool}``: a slice of reading time.

    A slice for a paper recalled since the tablet last heard (the recall's event is on
    its way) is answered ``{"recorded": false, "recalled": true}``, not 410: the tablet
    did nothing wrong, and a refused request is an error in its console. Nothing is
    recorded, and every other refusal stays one.
    """
    try:
        doc, reader = get_readable(request.user, document_id)
    except DomainError as exc:
        if exc.code != "recalled":
            raise
        return JsonResponse({"recorded": False, "recalled": True})
    data = _body(request)
    seconds, opened = data.get("seconds", 0), data.get("opened", False)
    if not isinstance(seconds, int) or not isinstance(opened, bool):
        raise DomainError("invalid", "seconds must be an integer and opened a boolean.")
    return JsonResponse(receipts.record_reading(reader, doc, seconds=seconds, opened=opened))
