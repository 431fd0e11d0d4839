"""A brief compiled by article (按条文编排): "关于第十二条：张三委员认为……".

The option is set on a draft brief (``arrange_by_article``) with the draft version whose
articles it follows, one of the drafts read under the brief's agenda items. When set,
``arrange`` (called where the brief's content is compiled) puts first, for each article
of that version that has them, a section with:

- the **opinions** members submitted on it (never a draft: an opinion is its author's
  until submitted); an opinion written on the compared, earlier version's article is
  put under the article it became, or under the deleted article;
- the **speeches** of the brief tied to it in review (``meeting.opinions.staff``): the
  whole speech with its points and quotes, or a stretch with the quotes inside it and a
  link to the clip at the stretch's start.

Then follow the speeches not tied to any article, as the brief has them without the
option (a speech tied only by a stretch stays there too: the rest of it may be about
something else). A sitting's brief gathers the opinions of the sitting's group, an
item's brief every submitted opinion on the draft. Each opinion names the member with a
link to their deputy record, each quote the clip at its second.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, clock, policy
from core.errors import DomainError
from core.models import AgendaItem, Sitting
from docs_store.drafts.models import DraftArticle
from docs_store.models import Document, DocumentVersion
from meeting.briefs.models import Brief
from meeting.briefs.services.speakers import speaker_name, speaker_title
from meeting.opinions.models import ArticleBrief, SpeechArticle
from meeting.opinions.staff import item_documents, mmss, old_to_new, submitted


def record_path(member_id: int) -> str:
    """The member's deputy record page (代表履职档案)."""
    return f"/media/members/{member_id}/record/"


def brief_items(brief: Brief):
    """The agenda items a brief covers: its sitting's, or item N of every group sitting."""
    if brief.sitting_id:
        return AgendaItem.objects.filter(sitting_id=brief.sitting_id)
    return AgendaItem.objects.filter(
        sitting__session_id=brief.session_id,
        sitting__kind=Sitting.Kind.GROUP,
        order=brief.item_order,
    )


def drafts_for(brief: Brief) -> list[Document]:
    """The drafts (papers read as articles) under the brief's items, once each."""
    seen: dict[int, Document] = {}
    for item in brief_items(brief).select_related("sitting"):
        for doc in item_documents(item):
            seen.setdefault(doc.pk, doc)
    return list(seen.values())


def arrangement(brief: Brief) -> ArticleBrief | None:
    if brief.pk is None:
        return None
    return ArticleBrief.objects.select_related("version__document").filter(brief=brief).first()


@transaction.atomic
def arrange_by_article(actor, brief: Brief, version: DocumentVersion | None) -> Brief:
    """Compile ``brief`` by the articles of ``version`` (None: back to speaking order).

    Only a draft brief changes; the check freezes what it shows."""
    policy.require_that(
        policy.reviewer_may(actor, "briefs.compile"),
        "briefs.compile",
        _("Only staff reviewers compile briefs."),
    )
    brief = (
        Brief.objects.select_for_update(of=("self",))
        .select_related("session", "sitting")
        .get(pk=brief.pk)
    )
    if brief.state != Brief.State.DRAFT:
        raise DomainError("bad_state", _("Only a draft brief changes its arrangement."))
    if version is None:
        ArticleBrief.objects.filter(brief=brief).delete()
        words = _("Brief no. %(n)s arranged in speaking order") % {"n": brief.number}
    else:
        if version.pk not in {d.current_id for d in drafts_for(brief)}:
            raise DomainError(
                "not_item_article",
                _("That version is not the current draft of an agenda item of this brief."),
                field="version",
            )
        ArticleBrief.objects.update_or_create(
            brief=brief, defaults={"version": version, "by": actor, "at": clock.now()}
        )
        words = _("Brief no. %(n)s arranged by the articles of “%(title)s”") % {
            "n": brief.number,
            "title": version.document.title,
        }
    audit.record(
        actor,
        "brief.arrange",
        session=brief.session,
        sitting=brief.sitting,
        role="staff",
        summary=words,
        data={"brief": brief.pk, "version": version.pk if version else None},
    )
    return brief


# -- the articles' sections ---------------------------------------------------------------------
def _member_titles(member) -> tuple[str, str]:
    return speaker_name(member), speaker_title(member)


def _opinion_entry(o, on_old: str) -> dict:
    name, title = _member_titles(o.member)
    at = timezone.localtime(o.submitted_at) if o.submitted_at else None
    return {
        "opinion": o.pk,
        "member": name,
        "title": title,
        "member_id": o.member_id,
        "record": record_path(o.member_id),
        "group": o.member.group.name if o.member.group_id else "",
        "text": o.text,
        "date": f"{at.year}年{at.month}月{at.day}日" if at else "",
        "on_old": on_old,
        "recalled": o.document.state == Document.State.RECALLED,
    }


def _tied_entry(sp: dict, tie: SpeechArticle, member_id: int) -> dict:
    whole = tie.start_s is None
    quotes = sp["quotes"]
    if not whole:
        quotes = [q for q in quotes if tie.start_s <= q["at"] <= (tie.end_s or tie.start_s)]
    return {
        **sp,
        "text": sp["text"] if whole else "",
        "quotes": quotes,
        "stretch": None if whole else [tie.start_s, tie.end_s],
        "stretch_label": "" if whole else f"{mmss(tie.start_s)}–{mmss(tie.end_s)}",
        "member_id": member_id,
        "record": record_path(member_id),
    }


def arrange(brief: Brief, sections: list[dict]) -> list[dict]:
    """The brief's sections by article when the option is set, else ``sections`` as they are."""
    row = arrangement(brief)
    if row is None:
        return sections
    version = row.version
    doc = version.document
    articles = list(DraftArticle.objects.filter(version=version).order_by("ordinal"))
    moved = old_to_new(version)
    # opinions: on this version's articles, or on the compared version's (mapped)
    opinions = submitted().filter(article__version=version) | submitted().filter(
        article_id__in=list(moved)
    )
    if brief.sitting_id:
        group_id = Sitting.objects.filter(pk=brief.sitting_id).values_list("group_id", flat=True)
        opinions = opinions.filter(member__group_id__in=list(group_id))
    under: dict[int, dict] = {}  # article id (of this version, or a deleted old one) → section
    deleted: dict[int, DraftArticle] = {}

    def section(article: DraftArticle, gone: bool = False) -> dict:
        if article.pk not in under:
            label = article.label + ("（修改稿已删除）" if gone else "")
            under[article.pk] = {
                "heading": f"关于{label}",
                "article": {
                    "id": article.pk,
                    "label": article.label,
                    "chapter": article.chapter,
                    "deleted": gone,
                    "document": doc.title,
                },
                "opinions": [],
                "speeches": [],
            }
        return under[article.pk]

    for o in opinions.select_related("member__group", "article", "document").order_by(
        "submitted_at", "id"
    ):
        if o.article.version_id == version.pk:
            section(o.article)["opinions"].append(_opinion_entry(o, ""))
            continue
        target = moved.get(o.article_id)
        if target is None:
            deleted[o.article_id] = o.article
            section(o.article, gone=True)["opinions"].append(_opinion_entry(o, o.article.label))
        else:
            section(target)["opinions"].append(_opinion_entry(o, o.article.label))

    speeches = {sp["speech"]: sp for sec in sections for sp in sec["speeches"]}
    ties = (
        SpeechArticle.objects.filter(speech_id__in=list(speeches), article__version=version)
        .select_related("article", "speech")
        .order_by("speech__started_at", "start_s", "id")
    )
    wholly_tied: set[int] = set()
    for tie in ties:
        sp = speeches[tie.speech_id]
        section(tie.article)["speeches"].append(_tied_entry(sp, tie, tie.speech.member_id))
        if tie.start_s is None:
            wholly_tied.add(tie.speech_id)

    ordered = [under[a.pk] for a in articles if a.pk in under]
    ordered += [under[pk] for pk in sorted(deleted, key=lambda pk: deleted[pk].ordinal)]
    rest = []
    for sec in sections:
        left = [sp for sp in sec["speeches"] if sp["speech"] not in wholly_tied]
        if left:
            rest.append({**sec, "speeches": left})
    out = [{"heading": f"《{doc.title}》审议意见（按条文编排）", "speeches": []}] if ordered else []
    out += ordered
    if rest:
        if ordered:
            out.append({"heading": "其他审议意见（未涉及具体条文）", "speeches": []})
        out += rest
    return out


def versions_for_choice(brief: Brief) -> list[DocumentVersion]:
    """The versions the option may follow: the current version of each draft of the items."""
    ids = [d.current_id for d in drafts_for(brief)]
    return list(
        DocumentVersion.objects.filter(pk__in=ids).select_related("document").order_by("pk")
    )


__all__ = [
    "arrange",
    "arrange_by_article",
    "arrangement",
    "drafts_for",
    "record_path",
    "versions_for_choice",
]
