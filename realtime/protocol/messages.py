"""What a person reads for each error code, translated (zh-hans first).

Services raise ``DomainError`` with an English message that names values ("Page 9 does
not exist; it has 3"). On a Chinese interface such a message is replaced by the
translated sentence for its code (``localize``), the English kept as ``detail`` for the
log and the curious. A code added without a sentence here fails
``tests/realtime/test_messages.py``.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CJK = re.compile(r"[\u3400-\u9fff]")

MESSAGES = {
    "bad_json": _("The message is not valid JSON."),
    "frame_too_large": _("The message is too large."),
    "binary_not_supported": _("Binary messages are not supported."),
    "unknown_type": _("Unknown command."),
    "invalid": _("Some fields are missing or not valid."),
    "unsupported_version": _("This protocol version is not supported; reload the page."),
    "rate_limited": _("Too many commands; wait a moment."),
    "forbidden": _("You may not do this."),
    "key_reused": _("This request was already used for another command."),
    "not_found": _("Not found."),
    "not_on_roster": _("The member is not on the roster of this sitting."),
    "not_checked_in": _("The member is not checked in."),
    "bad_layout": _(
        "The seat layout is not valid (a seat no member holds, a seat twice, or too many "
        "rows or seats); nothing was saved."
    ),
    "sitting_ended": _("The sitting has ended."),
    "no_such_item": _("There is no agenda item in that direction."),
    "bad_order": _("The new order must list every agenda item exactly once."),
    "already_in_group": _("The member already sits in another deliberation group."),
    "wrong_term": _("These belong to different terms."),
    "not_component_member": _("Only component members may do this."),
    "conflict": _("Someone else changed this at the same moment; reload and try again."),
    "try_again": _("The server could not complete this now; nothing was changed. Try again."),
    "internal_error": _("The server failed; nothing was changed."),
    "not_logged_in": _("Log in first."),
    "recalled": _("The document was recalled."),
    "not_distributed": _("The document is not distributed yet."),
    "no_document_open": _("No document is being presented."),
    "no_such_page": _("That page does not exist."),
    "not_ready": _("The page is still being prepared; try again shortly."),
    "confidential_no_download": _("Confidential documents may only be read on screen."),
    "nothing_to_distribute": _("There are no draft documents to distribute."),
    "nothing_to_recall": _("There are no distributed documents to recall."),
    "not_pdf": _("Upload refused: the file is not a PDF."),
    "pdf_corrupt": _("Upload refused: the PDF is damaged."),
    "pdf_truncated": _("Upload refused: the PDF is incomplete."),
    "pdf_encrypted": _("Upload refused: the PDF is protected by a password."),
    "pdf_empty": _("Upload refused: the PDF has no pages."),
    "pdf_too_large": _("Upload refused: the file is over the size limit."),
    "pdf_too_many_pages": _("Upload refused: the PDF has too many pages."),
    "pdf_page_size": _("Upload refused: a page is too large, too small or too narrow."),
    "pdf_too_complex": _("Upload refused: the PDF's content is too large once unpacked."),
    "pdf_image_too_large": _("Upload refused: an image in the PDF is too large."),
    "pdf_restricted": _("Upload refused: the PDF's permissions forbid printing or copying."),
    "file_name_too_long": _("Upload refused: the file name is too long."),
    "bad_upload": _("The upload could not be read; send it again."),
    "body_too_large": _("The request is too large."),
    "render_failed": _("The document's pages could not be prepared; replace the file."),
    "uri_too_long": _("The address is too long."),
    "already_queued": _("You are already in the queue."),
    "not_queued": _("There is no request waiting in the queue."),
    "request_closed": _("This request was already handled."),
    "already_speaking": _("The member has the floor now."),
    "floor_full": _("As many members have the floor as the sitting allows."),
    "queue_empty": _("Nobody is waiting for the floor."),
    "wrong_mode": _("The floor mode of the sitting does not allow this."),
    "floor_closed": _("That floor has already ended."),
    "no_limit": _("That floor has no time limit."),
    "bad_sdp": _("The camera or microphone stream could not be set up."),
    "not_publisher": _("This login may not publish a stream in this sitting."),
    "publish_for_other": _("A tablet may publish only for the member logged in on it."),
    "not_group_sitting": _("Speeches are recorded in group sittings only."),
    "disk_full": _("The server's disk is full; the recording could not be written."),
    "stream_missing": _("No stream was there to record the speech."),
    "reason_required": _("Give a reason; nothing was deleted."),
    "bad_vote": _("The vote's definition is not acceptable."),
    "no_quorum": _("The vote cannot open without a quorum."),
    "vote_already_open": _("Another vote is open; close it first."),
    "vote_not_prepared": _("Only a prepared round can be opened."),
    "vote_not_open": _("The vote is not open; the ballot was not counted."),
    "vote_closed": _("The vote has closed."),
    "vote_time_up": _("The voting time is up; the ballot was not counted."),
    "vote_not_closed": _("Close or cancel the round first."),
    "bad_state": _("The vote does not allow this now."),
    "unknown_option": _("The ballot names an option the vote does not have."),
    "unknown_question": _("The ballot answers a question the vote does not have."),
    "incomplete_ballot": _("Answer every question of the ballot."),
    "already_voted": _("You have already voted in this round."),
    "codec_not_recorded": _(
        "This device's audio/video codec cannot be recorded; the room camera records the speech instead."
    ),
    "invalid_stroke": _(
        "The stroke is not valid (tool, colour, width or points); it was not saved."
    ),
    "query_empty": _("Type the words to search for (punctuation alone cannot be searched)."),
    "query_too_long": _("The search is too long: at most 100 characters."),
    "role_changed": _("Your role in this sitting has changed; reconnecting."),
    "stale_version": _("The document has a newer version; reload the page to annotate it."),
    "stroke_out_of_page": _("The stroke goes outside the page; it was not saved."),
    "too_many_strokes": _("This page holds the most strokes allowed; undo some first."),
    "notice_empty": _("Write the notice first; nothing was sent."),
    "notice_too_long": _("The notice is too long; nothing was sent."),
    "unknown_service_kind": _("No such service: choose tea, technical support or other."),
    "call_note_too_long": _("The note is too long: at most 60 characters; nothing was sent."),
    "call_already_open": _(
        "You already have a call of this kind waiting or being handled; nothing new was sent."
    ),
    "call_not_waiting": _("This call was already taken, done or withdrawn."),
    "call_closed": _("This call is already done or withdrawn."),
    "calls_too_often": _("You have called several times just now; wait a minute."),
    # 审议意见 (realtime/protocol/opinions.py)
    "not_in_sitting": _("This document is not one of this sitting's papers."),
    "not_your_opinion": _("This opinion is another member's; only its author may change it."),
    "opinion_submitted": _("This opinion was submitted and can no longer be changed."),
    "opinion_empty": _("Write the opinion first; nothing was saved."),
    "opinion_too_long": _("The opinion is too long: at most 5,000 characters."),
}


# Codes only the browser raises (no server reply to carry a sentence).
CLIENT_MESSAGES = {
    "offline": _("Not connected to the server; try again in a moment."),
    "disconnected": _("The connection was lost; try again in a moment."),
}

# The numbers a person needs, appended from an error's ``details`` (str.format names).
DETAIL_SENTENCES = {
    "bad_layout": _("Seats concerned: {seats}."),
    "notice_too_long": _("At most {limit} characters; this one has {length}."),
    "no_quorum": _(
        "Component members: {roster_size}; present: {present}; more than half needs {required}."
    ),
}


def page_table() -> dict:
    """The sentences every page carries (``<script id="yiting-errors">``), in the active
    language: the one map the browser reads for a code its reply did not translate and
    for its own codes (offline); frontend/static/yiting/errors.js holds none."""
    return {
        "messages": {code: str(m) for code, m in (MESSAGES | CLIENT_MESSAGES).items()},
        "details": {code: str(m) for code, m in DETAIL_SENTENCES.items()},
    }


def localize(code: str, message: str) -> tuple[str, str | None]:
    """(message for people, the original when it was replaced) in the active language."""
    if not (get_language() or "").startswith("zh") or CJK.search(message or ""):
        return message, None
    people = MESSAGES.get(code)
    if people is None:
        return message, None
    return str(people), message
