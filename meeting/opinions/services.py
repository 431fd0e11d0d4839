"""A member's opinions on a draft's articles (审议意见), the member's side.

A member seated in a sitting writes an opinion on an article of one of the sitting's
papers (``core.policy.check_write_opinion``): in the reader, on an article of the page,
or in the comparison (对照), on an article of the new version or a deleted one of the
old. The opinion is the member's own draft, saved as they type (``write_opinion``,
idempotent by the tablet's ``client_id``: a resend after a dropped connection changes
nothing twice), until they submit it (``submit_opinion``); then it has reached staff and
is final (``core.policy.check_edit_opinion``). A draft may be deleted by its author.

A recalled paper takes no new opinion and no edit (its text may no longer be read), but
what was written stays with its author and staff: the member still lists, submits or
deletes their own opinions on it (without the article's text), each saying so.

Every refusal is a ``DomainError`` whose message is the precise Chinese sentence (on the
zh-hans interface); the codes are in ``realtime/protocol/opinions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock, policy
from core.errors import DomainError
from core.inputs import MAX_INT, valid_text
from core.models import Member, Sitting
from core.roster import member_for, sitting_role
from docs_store.drafts.models import DraftArticle, DraftComparison
from docs_store.models import Document, DocumentVersion
from docs_store.services.access import reader_for
from meeting.opinions.models import Opinion

MAX_TEXT = 5_000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


@dataclass(frozen=True)
class Writer:
    """A login as the author of opinions in one sitting: its member row and role there."""

    user: object
    member: Member | None
    sitting: Sitting
    role: str | None


def recalled_note() -> str:
    """What the reader shows beside an opinion on a recalled paper."""
    return _("This document was recalled; your opinion stays with you and the staff.")


# -- who writes where ---------------------------------------------------------------------------
def writer_in(user, sitting: Sitting | int) -> Writer:
    """The login's member row and role in ``sitting`` (``not_found`` for an unknown id)."""
    if user is None or not user.is_authenticated:
        raise DomainError("not_logged_in", _("Log in first."))
    if not isinstance(sitting, Sitting):
        found = (
            Sitting.objects.select_related("session__term").filter(pk=sitting).first()
            if _an_id(sitting)
            else None
        )
        if found is None:
            raise DomainError("not_found", _("There is no such sitting."))
        sitting = found
    member = None if user.is_superuser else member_for(user, sitting.session.term)
    return Writer(user, member, sitting, sitting_role(user, sitting, member))


def in_sitting(document: Document, sitting: Sitting) -> bool:
    """Whether ``document`` is one of the sitting's papers: its item's, placed on one of
    its items (同时列入), or session-wide in the sitting's session."""
    if document.session_id != sitting.session_id:
        return False
    if document.item_id is None or document.item.sitting_id == sitting.pk:
        return True
    return document.placements.filter(sitting=sitting).exists()


def _document(document: Document | int) -> Document:
    if isinstance(document, Document):
        return document
    found = (
        Document.objects.select_related("session__term", "item__sitting", "current")
        .filter(pk=document)
        .first()
        if _an_id(document)
        else None
    )
    if found is None:
        raise DomainError("not_found", _("There is no such document."))
    return found


def _check_writer(writer: Writer, document: Document) -> Member:
    """The rulebook, then the paper's own readability (state, access level)."""
    policy.check_write_opinion(writer.role, in_sitting=in_sitting(document, writer.sitting))
    if writer.member is None:  # a superuser playing the clerk has no seat: refused above
        raise DomainError("forbidden", _("Only members write opinions."))
    if document.state == Document.State.RECALLED:
        raise DomainError(
            "recalled",
            _(
                "This document was recalled: no new opinion or change can be written on it; "
                "the opinions already written stay with you and the staff."
            ),
        )
    try:
        reader_for(writer.user, document)
    except DomainError as exc:
        if exc.code == "not_found":
            raise DomainError("not_found", _("There is no such document.")) from None
        raise DomainError(
            exc.code, _("You may not read this document, so you cannot write on it.")
        ) from None
    return writer.member


def versions_open_to_opinions(document: Document) -> set[int]:
    """Ids of the versions whose articles take opinions: the current one, and the one it
    is compared with (对照), whose deleted articles a member may want kept."""
    if document.current_id is None:
        return set()
    old = DraftComparison.objects.filter(new_version_id=document.current_id).values_list(
        "old_version_id", flat=True
    )
    return {document.current_id, *old}


def _article(article: DraftArticle | int, document: Document) -> DraftArticle:
    if not isinstance(article, DraftArticle):
        article = _article_row(article)
    if article.version_id in versions_open_to_opinions(document):
        return article
    if article.version.document_id == document.pk:
        raise DomainError(
            "stale_version",
            _(
                "This article is from an earlier version of the document; reopen the "
                "document and write on the current version's article."
            ),
        )
    raise DomainError("not_found", _("This article is not in this document."), field="article")


def _text(text: object) -> str:
    if not isinstance(text, str) or not valid_text(text) or "\x00" in text:
        raise DomainError("invalid", _("The opinion's text is not valid text."), field="text")
    if not text.strip():
        raise DomainError("opinion_empty", _("Write the opinion first; nothing was saved."))
    if len(text) > MAX_TEXT:
        raise DomainError(
            "opinion_too_long",
            _("An opinion holds at most %(limit)s characters; this one has %(length)s.")
            % {"limit": MAX_TEXT, "length": len(text)},
            limit=MAX_TEXT,
            length=len(text),
        )
    return text


def _client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise DomainError(
            "invalid",
            _("An opinion needs a client id of 8–40 letters, digits, - or _."),
            field="client_id",
        )
    return client_id


# -- writing ------------------------------------------------------------------------------------
def write_opinion(
    user,
    article: DraftArticle | int,
    text: str,
    client_id: str,
    sitting: Sitting | int,
    *,
    document: Document | int | None = None,
) -> dict:
    """Create or edit the login's own draft opinion on ``article``; answers the opinion.

    Idempotent by ``client_id`` (one per opinion, made by the tablet): the same id again
    edits that draft; a resend of text already saved, even after the opinion was
    submitted, answers it unchanged. ``document`` is the paper being read (by default
    the article's own); the article must be of its current version or of the version
    that one is compared with.
    """
    client_id = _client_id(client_id)
    text = _text(text)
    writer = writer_in(user, sitting)
    if document is None:
        if not isinstance(article, DraftArticle):
            article = _article_row(article)
        document = article.version.document_id
    doc = _document(document)
    existing = _own(writer, client_id)
    article_id = article.pk if isinstance(article, DraftArticle) else article
    if existing is not None and existing.text == text and existing.article_id == article_id:
        return as_dict(existing)  # a resend: nothing to do (submitted or not)
    member = _check_writer(writer, doc)
    art = _article(article, doc)
    now = clock.now()
    with transaction.atomic():
        opinion = (
            Opinion.objects.select_for_update().filter(member=member, client_id=client_id).first()
        )
        if opinion is None:
            try:
                with transaction.atomic():
                    opinion = Opinion.objects.create(
                        member=member,
                        article=art,
                        document=doc,
                        sitting=writer.sitting,
                        item=_item_here(doc, writer.sitting),
                        text=text,
                        client_id=client_id,
                        created_at=now,
                        updated_at=now,
                    )
                    return as_dict(opinion, doc)
            except IntegrityError:  # the same id at the same moment (a retry racing)
                opinion = Opinion.objects.select_for_update().get(
                    member=member, client_id=client_id
                )
        if opinion.article_id != art.pk:
            raise DomainError(
                "key_reused",
                _("This client id belongs to an opinion on another article; nothing was saved."),
            )
        if opinion.text == text:
            return as_dict(opinion, doc)
        policy.check_edit_opinion(
            member_id=member.pk,
            author_id=opinion.member_id,
            submitted=opinion.state == Opinion.State.SUBMITTED,
        )
        opinion.text = text
        opinion.updated_at = now
        opinion.save(update_fields=["text", "updated_at"])
    return as_dict(opinion, doc)


def _an_id(value: object) -> bool:
    """A row id a client may name: a whole number the database can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_INT


def _article_row(article_id: object) -> DraftArticle:
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise DomainError("invalid", _("Name the article by its id."), field="article")
    found = (
        DraftArticle.objects.select_related("version").filter(pk=article_id).first()
        if _an_id(article_id)
        else None
    )
    if found is None:
        raise DomainError("not_found", _("No such article."), field="article")
    return found


def _item_here(document: Document, sitting: Sitting):
    """The agenda item the paper is read under in this sitting (placed or its own)."""
    if document.item_id is not None and document.item.sitting_id == sitting.pk:
        return document.item
    placed = document.placements.filter(sitting=sitting).select_related("item").first()
    return placed.item if placed else None


def _own(writer: Writer, client_id: str) -> Opinion | None:
    if writer.member is None:
        return None
    return (
        Opinion.objects.select_related("article", "document")
        .filter(member=writer.member, client_id=client_id)
        .first()
    )


def _authored(user, opinion_id: object) -> tuple[Opinion, Member]:
    """The opinion by id, checked to be the login's own (``not_your_opinion`` if not)."""
    if isinstance(opinion_id, bool) or not isinstance(opinion_id, int):
        raise DomainError("invalid", _("Name the opinion by its id."), field="opinion")
    opinion = (
        Opinion.objects.select_for_update()
        .select_related("article", "document__session__term")
        .filter(pk=opinion_id)
        .first()
        if _an_id(opinion_id)
        else None
    )
    if opinion is None:
        raise DomainError("not_found", _("No such opinion."))
    if user is None or not user.is_authenticated:
        raise DomainError("not_logged_in", _("Log in first."))
    member = member_for(user, opinion.document.session.term)
    if member is None or member.pk != opinion.member_id:
        policy.check_edit_opinion(
            member_id=None, author_id=opinion.member_id, submitted=False
        )  # raises not_your_opinion
    return opinion, member


@transaction.atomic
def submit_opinion(user, opinion_id: int) -> dict:
    """Submit the login's own draft to staff; submitting it again answers it unchanged.

    A draft on a recalled paper may still be submitted: it is the member's own words,
    and the opinion stays with them and staff.
    """
    opinion, member = _authored(user, opinion_id)
    if opinion.state == Opinion.State.SUBMITTED:
        return as_dict(opinion)
    policy.check_edit_opinion(member_id=member.pk, author_id=opinion.member_id, submitted=False)
    now = clock.now()
    opinion.state = Opinion.State.SUBMITTED
    opinion.submitted_at = now
    opinion.updated_at = now
    opinion.save(update_fields=["state", "submitted_at", "updated_at"])
    return as_dict(opinion)


@transaction.atomic
def delete_draft(user, opinion_id: int) -> dict:
    """Delete the login's own draft (a submitted opinion is final: ``opinion_submitted``)."""
    opinion, member = _authored(user, opinion_id)
    policy.check_edit_opinion(
        member_id=member.pk,
        author_id=opinion.member_id,
        submitted=opinion.state == Opinion.State.SUBMITTED,
    )
    out = {"id": opinion.pk, "client_id": opinion.client_id, "deleted": True}
    opinion.delete()
    return out


withdraw_draft = delete_draft  # the tablet's word for it ("撤回草稿")


# -- reading --------------------------------------------------------------------------------------
def as_dict(opinion: Opinion, document: Document | None = None) -> dict:
    """One opinion as the member's tablet shows it. On a recalled paper the article's
    text is left out (the paper may no longer be read) and ``note`` says why."""
    doc = document or opinion.document
    recalled = doc.state == Document.State.RECALLED
    art = opinion.article
    out = {
        "id": opinion.pk,
        "client_id": opinion.client_id,
        "document": opinion.document_id,
        "document_title": doc.title,
        "article": opinion.article_id,
        "version": art.version_id,
        "label": art.label,
        "ordinal": art.ordinal,
        "text": opinion.text,
        "state": opinion.state,
        "updated_at": opinion.updated_at.isoformat(),
        "submitted_at": opinion.submitted_at.isoformat() if opinion.submitted_at else None,
        "recalled": recalled,
    }
    if recalled:
        out["note"] = recalled_note()
    return out


def opinions_of(member: Member, version: DocumentVersion) -> list[dict]:
    """The member's opinions on the articles of ``version`` and of the version it is
    compared with (deleted articles), in article order, drafts and submitted alike."""
    versions = [version.pk]
    old = DraftComparison.objects.filter(new_version=version).values_list("old_version", flat=True)
    versions += list(old)
    rows = (
        Opinion.objects.filter(member=member, article__version__in=versions)
        .select_related("article", "document")
        .order_by("article__version", "article__ordinal", "created_at", "id")
    )
    return [as_dict(o) for o in rows]


def my_opinions(user, sitting: Sitting | int) -> dict:
    """Every opinion the login wrote in ``sitting``, grouped by paper (recalled ones too:
    they stay with their author), newest paper first in the sitting's order of papers."""
    writer = writer_in(user, sitting)
    policy.check_write_opinion(writer.role, in_sitting=True)
    if writer.member is None:
        return {"documents": []}
    rows = (
        Opinion.objects.filter(member=writer.member, sitting=writer.sitting)
        .select_related("article", "document")
        .order_by("document__order", "document_id", "article__ordinal", "created_at", "id")
    )
    by_doc: dict[int, dict] = {}
    for o in rows:
        entry = by_doc.get(o.document_id)
        if entry is None:
            recalled = o.document.state == Document.State.RECALLED
            entry = by_doc[o.document_id] = {
                "document": o.document_id,
                "title": o.document.title,
                "recalled": recalled,
                "note": recalled_note() if recalled else "",
                "opinions": [],
            }
        entry["opinions"].append(as_dict(o))
    return {"documents": list(by_doc.values())}


# -- what the tablet's reader needs of a draft ----------------------------------------------------
def _article_dict(a: DraftArticle, *, text: bool = True) -> dict:
    out = {
        "id": a.pk,
        "ordinal": a.ordinal,
        "label": a.label,
        "chapter": a.chapter,
        "page": a.page,
    }
    if text:
        out["text"] = a.text
        out["paragraphs"] = a.paragraphs
    return out


def _pairs_with_ids(pairs: list[dict], new: list[DraftArticle], old: list[DraftArticle]) -> list:
    """Each pair with its articles' ids and the new version's page it stands on (a
    deleted article: the page of the next article), for opinions and following."""
    new_by = {a.ordinal: a for a in new}
    old_by = {a.ordinal: a for a in old}
    new_label = {a.label: a for a in new}
    old_label = {a.label: a for a in old}

    def find(by: dict, by_label: dict, ordinal, label):
        return by.get(ordinal) if ordinal else by_label.get(label) if label else None

    out = []
    for p in pairs:
        n = find(new_by, new_label, p.get("new_ordinal"), p.get("new"))
        o = find(old_by, old_label, p.get("old_ordinal"), p.get("old"))
        out.append({**p, "new_id": n.pk if n else None, "old_id": o.pk if o else None,
                    "page": n.page if n else None})  # fmt: skip
    page = new[-1].page if new else 1
    for p in reversed(out):  # a deleted article stands before the next one
        if p["page"] is None:
            p["page"] = page
        page = p["page"]
    return out


def _reads_earlier(user, doc: Document, comparison: DraftComparison) -> bool:
    """A comparison shows the earlier version's text too: when that is another paper, its
    reader must be able to read that paper as well (as ``docs_store.drafts.views``)."""
    old_doc_id = comparison.old_version.document_id
    if old_doc_id == doc.pk:
        return True
    old_doc = _document(old_doc_id)
    try:
        reader_for(user, old_doc)
    except DomainError:
        return False
    return True


def reading(user, sitting: Sitting | int, document: Document | int) -> dict:
    """One paper as the tablet's reader and its 对照 view need it, in one answer: the
    articles of its current version, the comparison the clerk marked (its pairs with
    the articles' ids and pages), and the login's own opinions on it.

    Whoever reads the paper in the sitting gets the articles and the comparison; only a
    seat (``opinions.write``) has opinions. A recalled paper answers its author's
    opinions alone (no text of the paper), with the note that they stay.
    """
    from docs_store.drafts import services as drafts

    writer = writer_in(user, sitting)
    if writer.role is None:
        raise DomainError("forbidden", _("You have no role in this sitting."))
    doc = _document(document)
    if not in_sitting(doc, writer.sitting):
        # taken off this sitting while a tablet had it open (a placement removed): an
        # answer that says so and tells nothing of the paper, not a 404 the browser
        # would log as an error on every tablet that had it open
        return {
            "document": doc.pk,
            "in_sitting": False,
            "draft": None,
            "comparison": None,
            "opinions": [],
            "may_write": False,
        }
    seat = writer.member is not None and policy.may(writer.role, "opinions.write")
    recalled = doc.state == Document.State.RECALLED
    mine = []
    if seat:
        rows = (
            Opinion.objects.filter(member=writer.member, document=doc)
            .select_related("article", "document")
            .order_by("article__version", "article__ordinal", "created_at", "id")
        )
        mine = [as_dict(o, doc) for o in rows]
    out = {
        "document": doc.pk,
        "in_sitting": True,
        "title": doc.title,
        "version": doc.current.number if doc.current else 0,
        "recalled": recalled,
        "note": recalled_note() if recalled else "",
        "may_write": seat and not recalled,
        "opinions": mine,
        "draft": None,
        "comparison": None,
    }
    try:
        reader_for(user, doc)
    except DomainError as exc:
        if exc.code == "recalled" and seat:
            return out  # the author's own opinions stay readable; the paper does not
        raise
    version = doc.current
    if version is None:
        return out
    structure = drafts.structure_of(version)
    new = drafts.articles_of(version)
    out["draft"] = {
        "status": structure.status if structure else "pending",
        "message": structure.message if structure else "",
        "articles": [_article_dict(a) for a in new],
    }
    comparison = drafts.comparison_for(version)
    if comparison is not None and not _reads_earlier(user, doc, comparison):
        comparison = None  # the earlier paper is not this reader's: no 对照 for them
    if comparison is not None:
        data = drafts.comparison_json(comparison)
        old = drafts.articles_of(comparison.old_version)
        data["pairs"] = _pairs_with_ids(data["pairs"], new, old)
        data["old_list"] = [_article_dict(a, text=False) for a in old]
        out["comparison"] = data
    return out
