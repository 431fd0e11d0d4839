"""The brief (简报): compile, check by a second staff member, release as a session document.

States: draft → checked → released; ``revise`` opens revision N+1 of a released brief
as a new draft, and its release supersedes the earlier document (a new version of the
same document, so tablets are told it changed). Each step is one transaction with its
audit row; a refused step changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from core import audit, clock, policy
from core.errors import DomainError
from core.models import Role, Session, Sitting
from docs_store.models import Access, Document
from docs_store.services import distribution, upload
from meeting.briefs.models import Brief
from meeting.briefs.services import content as contents


def _audit(actor, action: str, brief: Brief, **data) -> None:
    audit.record(
        actor,
        action,
        session=brief.session,
        sitting=brief.sitting,
        role="staff",
        summary=f"{action} brief={brief.pk} 第{brief.number}期 r{brief.revision}",
        data={"brief": brief.pk, "number": brief.number, "revision": brief.revision, **data},
    )


def _next_number(session: Session) -> int:
    Session.objects.select_for_update().filter(pk=session.pk).first()  # one numbering at a time
    last = Brief.objects.filter(session=session).aggregate(m=Max("number"))["m"]
    return (last or 0) + 1


@transaction.atomic
def create_brief(
    actor, *, sitting: Sitting | None = None, session: Session | None = None, item_order=None
) -> Brief:
    """Start 简报 第N期 for a group sitting, or for agenda item ``item_order`` of a session."""
    policy.require_that(
        policy.reviewer_may(actor, "briefs.compile"),
        "briefs.compile",
        "Only staff reviewers compile briefs.",
    )
    if sitting is not None:
        if sitting.kind != Sitting.Kind.GROUP:
            raise DomainError("not_group_sitting", f"“{sitting.title}” is not a group sitting.")
        session, title = sitting.session, f"{sitting.title}审议情况"
    else:
        if session is None or item_order is None:
            raise DomainError("invalid", "Name a group sitting, or a session and an item.")
        item = (
            session.sittings.filter(kind=Sitting.Kind.GROUP)
            .values_list("agenda_items__title", flat=True)
            .filter(agenda_items__order=item_order)
            .first()
        )
        if item is None:
            raise DomainError("not_found", f"No agenda item {item_order} in the group sittings.")
        # "审议《…》" is how an item is titled: "分组审议审议《…》" would say it twice
        title = f"分组审议{item.removeprefix('审议')}的意见"
    brief = Brief(
        session=session,
        sitting=sitting,
        item_order=None if sitting else item_order,
        number=0,
        title=title[:300],
        compiled_by=actor,
    )
    if not contents.brief_speeches(brief):
        raise DomainError("no_speeches", "There are no finished speeches to brief.")
    brief.number = _next_number(session)
    brief.save()
    _audit(actor, "brief.create", brief)
    return brief


def _locked(brief: Brief) -> Brief:
    return (
        Brief.objects.select_for_update(of=("self",))
        .select_related("session__term__committee", "sitting__group", "compiled_by")
        .get(pk=brief.pk)
    )


@transaction.atomic
def check_brief(actor, brief: Brief) -> Brief:
    """A second staff member checks the draft; what they saw is frozen for the release."""
    brief = _locked(brief)
    if brief.state != Brief.State.DRAFT:
        raise DomainError("bad_state", f"The brief is {brief.state}, not a draft.")
    if actor.pk == brief.compiled_by_id:
        raise DomainError(
            "checker_is_author", "The compiler may not check their own brief; ask a colleague."
        )
    policy.require_that(
        policy.may_check_brief(actor, brief), "briefs.check", "Only staff reviewers check briefs."
    )
    brief.content = contents.compile_content(brief)
    brief.content["checked_by"] = contents.display_name(actor, brief.session.term_id)
    brief.state, brief.checked_by, brief.checked_at = Brief.State.CHECKED, actor, clock.now()
    brief.save()
    _audit(actor, "brief.check", brief)
    return brief


def _pdf_upload(brief: Brief) -> upload.Upload:
    from meeting.briefs.exports.brief_pdf import render_brief

    data = render_brief(brief.content, contents.clip_states(brief.content))
    name = f"brief-{brief.session_id}-{brief.number}-r{brief.revision}.pdf"
    return upload.Upload(filename=name, data=data, title=f"简报 第{brief.number}期 {brief.title}")


@transaction.atomic
def release_brief(actor, brief: Brief, access: str = Access.COMMITTEE) -> Brief:
    """Release a checked brief to the committee: it becomes (a new version of) a document."""
    policy.require_that(
        policy.reviewer_may(actor, "briefs.release"),
        "briefs.release",
        "Only staff reviewers release briefs.",
    )
    if access not in Access.values:
        raise DomainError("bad_access", f"Unknown access level {access!r}.", field="access")
    brief = _locked(brief)
    if brief.state == Brief.State.DRAFT:
        raise DomainError("not_checked", "A second staff member must check the brief first.")
    if brief.state != Brief.State.CHECKED:
        raise DomainError("bad_state", f"The brief is {brief.state}, not checked.")
    up = _pdf_upload(brief)
    doc = Document.objects.filter(pk=brief.document_id).first() if brief.document_id else None
    if doc is None:
        [doc] = upload.upload_documents(brief.session, [up], by=actor, access=access)
        distribution.distribute_brief(
            brief.session,
            actor=policy.Acting(role=Role.STAFF, user_id=actor.pk),
            by=actor,
            document_id=doc.pk,
        )
    else:
        if doc.access != access:
            Document.objects.filter(pk=doc.pk).update(access=access)
            doc.access = access
        upload.replace_version(doc, up, by=actor)
        Document.objects.filter(pk=doc.pk).update(title=up.title[:300])
    brief.state, brief.released_by, brief.released_at = Brief.State.RELEASED, actor, clock.now()
    brief.access, brief.document = access, doc
    brief.save()
    _audit(actor, "brief.release", brief, document=doc.pk, access=access)
    return brief


@transaction.atomic
def revise_brief(actor, brief: Brief) -> Brief:
    """Open revision N+1 of a released brief; its release will supersede the document."""
    policy.require_that(
        policy.reviewer_may(actor, "briefs.compile"),
        "briefs.compile",
        "Only staff reviewers revise briefs.",
    )
    brief = _locked(brief)
    if brief.state != Brief.State.RELEASED:
        raise DomainError("bad_state", "Only a released brief is revised.")
    brief.revision += 1
    brief.state, brief.content = Brief.State.DRAFT, None
    brief.compiled_by, brief.compiled_at = actor, clock.now()
    brief.checked_by = brief.checked_at = None
    brief.save()
    _audit(actor, "brief.revise", brief)
    return brief


@transaction.atomic
def refresh_document(brief_id: int, reason: str) -> bool:
    """Reprint a released brief (e.g. a clip it cites was deleted) as a new document version."""
    brief = _locked(Brief(pk=brief_id))
    if brief.state != Brief.State.RELEASED or brief.document_id is None:
        return False
    doc = Document.objects.filter(pk=brief.document_id).first()
    if doc is None or doc.state == Document.State.RECALLED:
        return False
    upload.replace_version(doc, _pdf_upload(brief), by=brief.released_by)
    audit.record(
        None,
        "brief.reprint",
        session=brief.session,
        sitting=brief.sitting,
        role="system",
        summary=f"brief.reprint brief={brief.pk} ({reason})"[:300],
        data={"brief": brief.pk, "reason": reason[:200]},
    )
    return True


def content_for_display(brief: Brief) -> dict:
    """The frozen content once checked, else the live draft."""
    return brief.content if brief.content else contents.compile_content(brief)
