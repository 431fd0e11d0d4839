"""Who may read a document, and how (the access matrix, 阅文权限).

| reader                               | public | committee | confidential        |
|--------------------------------------|--------|-----------|---------------------|
| clerk of the committee (any state)   | yes    | yes       | yes                 |
| component member on the roster       | yes    | yes       | watermarked images  |
| staff reviewer                       | yes    | yes       | no                  |
| wall display                         | yes    | no        | no                  |
| member of another group (group item) | no     | no        | no                  |
| another committee, anonymous         | not found                                  |

Drafts exist only for clerks (others get ``not_found``, as for a guessed id); a
recalled document answers ``recalled`` to everyone but clerks.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import policy
from core.errors import DomainError
from core.models import COMPONENT_ROLES, Member, Role
from core.roster import member_for, sitting_role
from docs_store.models import Access, Document

LEVELS_BY_ROLE = {
    "staff": {Access.PUBLIC, Access.COMMITTEE},
    "display": {Access.PUBLIC},
}


@dataclass(frozen=True)
class Reader:
    """A login allowed to read one document, and in which capacity."""

    user: object
    member: Member | None
    role: str  # clerk | member | staff | display

    @property
    def is_clerk(self) -> bool:
        return policy.is_clerk(self.role)


def not_found(document_id: object) -> DomainError:
    return DomainError("not_found", f"No document {document_id}.")


def reader_for(user, document: Document, memo: dict | None = None) -> Reader:
    """The capacity in which ``user`` may read ``document``; raises ``DomainError`` if none.

    ``memo`` (one dict per user) keeps the membership and sitting roles already looked
    up, so listing a sitting's documents costs a few queries, not a few per document.
    """
    memo = {} if memo is None else memo
    if user is None or not user.is_authenticated:
        raise DomainError("not_logged_in", "Log in to read documents.")
    if user.is_superuser:
        return Reader(user, None, "clerk")
    key = ("member", document.session.term_id)
    if key not in memo:
        memo[key] = member_for(user, document.session.term)
    member = memo[key]
    if member is None or not member.active:
        raise not_found(document.pk)
    if member.role == Role.CLERK:
        return Reader(user, member, "clerk")
    if document.state == Document.State.DRAFT:
        raise not_found(document.pk)
    if document.state == Document.State.RECALLED:
        raise DomainError("recalled", f"“{document.title}” was recalled and may no longer be read.")
    role = _role(user, member, document, memo)
    allowed = LEVELS_BY_ROLE.get(role)
    if allowed is not None and document.access not in allowed:
        raise DomainError(
            "forbidden", f"“{document.title}” is {document.access}; your role may not read it."
        )
    return Reader(user, member, role)


def _role(user, member: Member, document: Document, memo: dict) -> str:
    if member.role in (Role.STAFF, Role.DISPLAY):
        return member.role
    if member.role not in COMPONENT_ROLES:
        raise not_found(document.pk)
    if document.item_id is not None:
        key = ("sitting", document.item.sitting_id)
        if key not in memo:
            memo[key] = sitting_role(user, document.item.sitting)
        in_sitting = memo[key] in ("member", "chair")
        if not in_sitting:
            raise DomainError(
                "forbidden", f"“{document.title}” belongs to a sitting you do not sit in."
            )
    return "member"


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
