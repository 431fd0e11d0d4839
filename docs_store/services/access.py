"""Who may read a document, and how (阅文权限): the rulebook's ``documents.*`` rules.

A reader's capacity is the role they play where the document is read: for a paper of
an agenda item, their role in the item's sitting (``core.roster.sitting_role``), or in
the sitting of an item it is also placed on (同时列入, ``DocumentPlacement``): in a
sitting's listing the role in that sitting, elsewhere the first role found, its own
sitting first; for a session-wide paper, their role for the session
(``core.roster.session_role``). Then
``core.policy`` decides: ``documents.read.<access>`` which levels each role reads,
``documents.manage`` who reads every state and version and confidential papers whole
(the clerk of that sitting, or of the session). The table is in docs/policy.md.

Drafts exist only for that clerk (others get ``not_found``, as for a guessed id); a
recalled document answers ``recalled`` to everyone else. A login with no role there
gets ``not_found`` (another committee, a clerk of another sitting) or ``forbidden`` (a
member of another group's sitting).
"""

from __future__ import annotations

from dataclasses import dataclass

from core import policy
from core.errors import DomainError
from core.models import Member
from core.roster import member_for, session_role, sitting_role
from docs_store.models import Access, Document


@dataclass(frozen=True)
class Reader:
    """A login allowed to read one document, and in which capacity."""

    user: object
    member: Member | None
    role: str  # the role where the document is read: clerk | chair | member | staff | display

    @property
    def is_clerk(self) -> bool:
        """The clerk of this document (``documents.manage``): every state, version, level."""
        return policy.may(self.role, "documents.manage")


def not_found(document_id: object) -> DomainError:
    return DomainError("not_found", f"No document {document_id}.")


def reader_for(user, document: Document, memo: dict | None = None) -> Reader:
    """The capacity in which ``user`` may read ``document``; raises ``DomainError`` if none.

    ``memo`` (one dict per user) keeps the membership and the roles already looked up,
    so listing a sitting's documents costs a few queries, not a few per document.
    """
    memo = {} if memo is None else memo
    if user is None or not user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to read documents.")
    member = _member(user, document, memo)
    role = _role(user, member, document, memo)
    if not policy.may(role, "documents.manage"):
        if document.state == Document.State.DRAFT:
            raise not_found(document.pk)
        if document.state == Document.State.RECALLED and role is not None:
            raise DomainError(
                "recalled", f"“{document.title}” was recalled and may no longer be read."
            )
    if role is None:
        if member is not None and member.active and policy.is_component_member(member.role):
            raise DomainError(
                "forbidden", f"“{document.title}” belongs to a sitting you do not sit in."
            )
        raise not_found(document.pk)
    if not policy.may(role, f"documents.read.{document.access}"):
        raise DomainError(
            "forbidden", f"“{document.title}” is {document.access}; your role may not read it."
        )
    return Reader(user, member, role)


def _member(user, document: Document, memo: dict) -> Member | None:
    key = ("member", document.session.term_id)
    if key not in memo:
        memo[key] = None if user.is_superuser else member_for(user, document.session.term)
    return memo[key]


def _role(user, member: Member | None, document: Document, memo: dict) -> str | None:
    """The role where the document is read: its item's sitting (or a sitting it is also
    placed on), or its session."""
    if document.item_id is None:
        key = ("session", document.session_id)
        if key not in memo:
            memo[key] = session_role(user, document.session, member)
        return memo[key]
    here = getattr(document, "placed_in", None)
    if here is not None:
        # listed in a sitting it is placed on (catalog.sitting_documents): read in that
        # sitting's role, as the sitting's own papers are
        return _sitting_role(user, member, here, memo)
    role = _sitting_role(user, member, document.item.sitting, memo)
    if role is not None:
        return role
    # No role in its own sitting: a sitting it is placed on may give one (one query, and
    # only then: a login's role is the same kind in every sitting it has one, so a role
    # found in the first sitting is as good as any other for reading).
    key = ("placed", document.pk)
    if key not in memo:
        memo[key] = [
            p.sitting for p in document.placements.select_related("sitting").order_by("pk")
        ]
    for sitting in memo[key]:
        role = _sitting_role(user, member, sitting, memo)
        if role is not None:
            return role
    return None


def _sitting_role(user, member: Member | None, sitting, memo: dict) -> str | None:
    key = ("sitting", sitting.pk)
    if key not in memo:
        memo[key] = sitting_role(user, sitting, member)
    return memo[key]


def may_download_pdf(reader: Reader, document: Document) -> None:
    """Confidential papers leave the server only as watermarked page images."""
    if document.access == Access.CONFIDENTIAL and not reader.is_clerk:
        raise DomainError(
            "confidential_no_download",
            f"“{document.title}” is confidential: it can be read page by page, not downloaded.",
        )


def get_readable(user, document_id: int) -> tuple[Document, Reader]:
    """Load a document by id for ``user``; unknown ids and no-access look the same."""
    doc = (
        Document.objects.select_related("session__term", "item__sitting", "current")
        .filter(pk=document_id)
        .first()
    )
    if doc is None:
        raise not_found(document_id)
    return doc, reader_for(user, doc)
