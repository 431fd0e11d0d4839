"""Documents on the socket: presenter mode (page flips), distribution, recall.

Commands: ``presenter.open`` / ``presenter.flip`` / ``presenter.close`` (clerk, chair,
or the member presenting the current item), ``documents.distribute`` /
``documents.recall`` (clerk). Events: ``presenter.page`` (every presenter change, with
the whole state), ``documents.changed`` (distributed, new version, recalled: refetch
the list; on ``recalled`` drop cached pages), ``documents.progress`` (rendering, to
clerks and chairs). Upload, page images, notes and reading times are HTTP (docs/).
"""

from __future__ import annotations

from pydantic import Field

from realtime.protocol.base import CommandData, command, event

ERRORS: dict[str, str] = {  # installed by realtime.registration
    "not_logged_in": "Log in first (HTTP only).",
    "recalled": "The document was recalled; it may no longer be read.",
    "not_distributed": "The document is not distributed yet.",
    "no_document_open": "No document is being presented; open one first.",
    "no_such_page": "The page number is outside the document.",
    "not_ready": "The page image is still being rendered; try again shortly (HTTP 409).",
    "confidential_no_download": "Confidential documents are read as watermarked pages only.",
    "nothing_to_distribute": "There are no draft documents to distribute.",
    "nothing_to_recall": "There are no distributed documents to recall.",
    "not_pdf": "Upload refused: the file is not a PDF.",
    "pdf_corrupt": "Upload refused: the PDF is damaged.",
    "pdf_truncated": "Upload refused: the PDF is cut short.",
    "pdf_encrypted": "Upload refused: the PDF needs a password.",
    "pdf_empty": "Upload refused: the PDF has no pages.",
    "pdf_too_large": "Upload refused: the file is over the size limit (both stated).",
    "pdf_too_many_pages": "Upload refused: the PDF has more pages than allowed (both stated).",
    "query_empty": "Search refused: the query has nothing to search for (HTTP only).",
    "query_too_long": "Search refused: the query is over 100 characters (HTTP only).",
    "invalid_stroke": "Annotation refused: tool, colour, width, id or points are not valid.",
    "stroke_out_of_page": "Annotation refused: a point of the stroke lies outside the page.",
    "too_many_strokes": "Annotation refused: the page holds the most strokes allowed.",
    "stale_version": "Annotation refused: the document has a newer version; reload it.",
    "pdf_page_size": "Upload refused: a page is too small, too large or too narrow to render "
    "(3–14,400 points a side, at most 50 times as long as wide).",
    "pdf_too_complex": "Upload refused: the PDF's content inflates beyond the limit "
    "(decompression bomb; YITING_DOCS_MAX_INFLATED, 512 MB by default).",
    "pdf_image_too_large": "Upload refused: one embedded image is over 200 megapixels.",
    "pdf_restricted": "Upload refused: the PDF's permissions forbid printing or copying "
    "(an encrypted file that opens without a password is accepted otherwise).",
    "file_name_too_long": "Upload refused: a file name is over 200 characters (HTTP 400).",
    "bad_upload": "The upload's form could not be read (malformed multipart body, too many "
    "fields) (HTTP 400).",
    "body_too_large": "A JSON request body is over 2.5 MB (HTTP 413).",
    "render_failed": "The document's pages could not be rendered and will not be; the "
    "clerk's console was told (HTTP 422). Replace the file.",
    "uri_too_long": "The address (query string) is over 8 KiB (HTTP 414).",
}


@command("presenter.open", example={"document": 7, "page": 1})
class PresenterOpen(CommandData):
    """Present a distributed document of this sitting at ``page``; answer: the state."""

    document: int
    page: int = Field(default=1, ge=1)


@command("presenter.flip", example={"page": 3})
class PresenterFlip(CommandData):
    """Turn the presented document to ``page`` (same page again: no event)."""

    page: int = Field(ge=1)


@command("presenter.close", example={})
class PresenterClose(CommandData):
    """Stop presenting; following tablets stay where they are."""


@command("documents.distribute", example={"documents": []}, idempotent=True)
class Distribute(CommandData):
    """Distribute the session's drafts (all, or the ids listed); answer: ``{"documents": [...]}``."""

    documents: list[int] = Field(default_factory=list, max_length=500)


@command("documents.recall", example={"documents": []}, idempotent=True)
class Recall(CommandData):
    """Recall the session's distributed documents (all, or the ids listed)."""

    documents: list[int] = Field(default_factory=list, max_length=500)


PRESENTER_PAGE = event(
    "presenter.page",
    "The presenter opened a document, flipped a page, or stopped (document null). "
    "Carries the whole state; following tablets show this page.",
    {
        "document": 7,
        "version": 2,
        "page": 3,
        "pages": 24,
        "title": "关于条例草案的说明",
        "at": "2026-11-24T09:12:03+08:00",
    },
)
DOCUMENTS_CHANGED = event(
    "documents.changed",
    "Documents were distributed, got a new version, or were recalled, or were placed on "
    "(`placed`) or taken off (`unplaced`) one of this sitting's agenda items from another "
    "sitting (同时列入); refetch the list (GET /docs/sittings/<id>/). On `recalled`, drop "
    "every cached page of them.",
    {"reason": "distributed", "documents": [7, 8]},
)
DOCUMENTS_PROGRESS = event(
    "documents.progress",
    "Page rendering progress of a document (sent while it renders); ``failed: true`` "
    "once its rendering failed for good (readers then get ``render_failed``).",
    {"document": 7, "pages_ready": 40, "pages": 300, "failed": False},
    sequenced=False,
    audience="clerks and chairs of the sitting",
)
DOCUMENTS_COMPARED = event(
    "documents.compared",
    'The clerk marked a document version "compare with" another version (修改对照), took '
    "the mark off (`status` `none`), or its comparison was computed: `status` `pending` "
    "(the versions are being read), `ready`, `not_comparable`. Refetch the comparison "
    "(GET /docs/d/<document>/v/<version>/comparison/).",
    {"document": 9, "version": 2, "old_document": 7, "old_version": 1, "status": "ready"},
)
