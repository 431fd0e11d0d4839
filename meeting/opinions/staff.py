"""The staff side of opinions (审议意见): what members submitted, and speeches tied to articles.

Staff reviewers read the **submitted** opinions of a draft, article by article; a member's
opinion not yet submitted never leaves them (``submitted_opinions`` filters on the state,
whatever the caller asks). An opinion on a recalled paper stays readable here, marked.

In review, beside a speech's clip, staff **tie** the speech, or a stretch of it (seconds
into the clip, ``start_s``–``end_s``), to articles of its agenda item's draft
(``tie_speech``; ``untie``). The ties feed the brief compiled by article
(``meeting.briefs.services.by_article``) and the export for the drafters
(``meeting.opinions.export``). Each tie and untie is a row of the audit trail, in words.

Rules: ``opinions.read_submitted`` and ``opinions.tie_speech`` (``core.policy``), staff only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import audit, policy
from core.errors import DomainError
from core.models import AgendaItem, Member
from docs_store.drafts.models import DraftArticle, DraftComparison, DraftStructure
from docs_store.models import Document, DocumentVersion
from media.models import Clip
from meeting.floor.models import Speech
from meeting.opinions.models import Opinion, SpeechArticle


# -- a clock face for stretches ---------------------------------------------------------------
def mmss(seconds: float | None) -> str:
    """00:31 (minutes:seconds into the clip), as the player and the chips show it."""
    s = int(seconds or 0)
    return f"{s // 60:02d}:{s % 60:02d}"


def stretch_label(tie: SpeechArticle) -> str:
    """The stretch as 00:31–01:05, or the words for the whole speech."""
    if tie.start_s is None:
        return _("whole speech")
    return f"{mmss(tie.start_s)}–{mmss(tie.end_s)}"


def chip_label(tie: SpeechArticle) -> str:
    """What a chip says, e.g. 第十二条 00:31–01:05."""
    return f"{tie.article.label} {stretch_label(tie)}"


# -- the drafts of an agenda item ---------------------------------------------------------------
def _parsed(version_ids) -> set[int]:
    return set(
        DraftStructure.objects.filter(
            version_id__in=version_ids, status=DraftStructure.Status.PARSED
        ).values_list("version_id", flat=True)
    )


def item_documents(item: AgendaItem) -> list[Document]:
    """The papers read under ``item`` (its own, and those placed on it, 同时列入) whose
    current version was read as a draft with articles, in the item's order."""
    docs = list(
        Document.objects.filter(Q(item=item) | Q(placements__item=item))
        .exclude(current=None)
        .select_related("current", "session")
        .distinct()
        .order_by("order", "id")
    )
    parsed = _parsed([d.current_id for d in docs])
    return [d for d in docs if d.current_id in parsed]


def item_articles(item: AgendaItem | None) -> list[dict]:
    """The articles a speech under ``item`` may be tied to: each draft of the item with
    the articles of its current version."""
    if item is None:
        return []
    out = []
    for doc in item_documents(item):
        rows = DraftArticle.objects.filter(version_id=doc.current_id).only(
            "id", "label", "chapter", "text", "ordinal"
        )
        out.append(
            {
                "document": doc,
                "recalled": doc.state == Document.State.RECALLED,
                "articles": list(rows.order_by("ordinal")),
            }
        )
    return out


def document_articles(document: Document) -> list[DraftArticle]:
    """The articles of the document's current version (the staff page's filter)."""
    if document.current_id is None:
        return []
    return list(DraftArticle.objects.filter(version_id=document.current_id).order_by("ordinal"))


def versions_of(document: Document) -> list[int]:
    """The versions whose articles carry opinions on ``document``: the current one and the
    one it is compared with (a member may write on an article the new version deleted)."""
    if document.current_id is None:
        return []
    old = DraftComparison.objects.filter(new_version_id=document.current_id).values_list(
        "old_version_id", flat=True
    )
    return [document.current_id, *old]


def old_to_new(version: DocumentVersion) -> dict[int, DraftArticle | None]:
    """Articles of the version ``version`` is compared with → the article each became in
    ``version`` (None when deleted), from the comparison's pairs (by label)."""
    comparison = DraftComparison.objects.filter(
        new_version=version, status=DraftComparison.Status.READY
    ).first()
    if comparison is None:
        return {}
    old = {a.label: a for a in DraftArticle.objects.filter(version_id=comparison.old_version_id)}
    new = {
        a.label: a for a in DraftArticle.objects.filter(version=version).select_related("version")
    }
    out: dict[int, DraftArticle | None] = {}
    for pair in comparison.pairs:
        if pair.get("old") and pair["old"] in old:
            out[old[pair["old"]].pk] = new.get(pair.get("new") or "")
    return out


# -- submitted opinions -------------------------------------------------------------------------
@dataclass
class OpinionFilter:
    """What the staff page narrows by; every field optional."""

    article: int | None = None
    member: int | None = None
    group: int | None = None
    text: str = ""


@dataclass
class ArticleOpinions:
    """One article with the opinions submitted on it and the speeches tied to it.

    ``place``: ``current`` (an article of the current version), ``deleted`` (of the
    version the current one is compared with, and dropped by it) or ``earlier`` (of
    another earlier version, with no comparison to map it). An opinion written on the
    compared version's article carries ``on_old`` (that article's label) and stands
    under the article it became."""

    article: DraftArticle
    place: str = "current"
    opinions: list[Opinion] = field(default_factory=list)
    ties: list[SpeechArticle] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.place == "deleted"

    @property
    def earlier(self) -> bool:
        return self.place == "earlier"


PLACES = {"current": 0, "deleted": 1, "earlier": 2}


def submitted(document: Document | None = None, versions=None):
    """Submitted opinions only: a draft is its author's until they submit it."""
    qs = Opinion.objects.filter(state=Opinion.State.SUBMITTED)
    if document is not None:
        qs = qs.filter(document=document)
    if versions is not None:
        qs = qs.filter(article__version_id__in=list(versions))
    return qs.select_related("member__group", "article", "document", "sitting")


def by_article(document: Document, flt: OpinionFilter | None = None) -> list[ArticleOpinions]:
    """Every submitted opinion on ``document`` (on any of its versions) and the speeches
    tied to its articles, by article: the current version's in its order, then the
    articles it deleted, then those of versions before the one it is compared with."""
    flt = flt or OpinionFilter()
    current = document.current_id
    compared = set(versions_of(document)) - {current}
    moved = old_to_new(document.current) if document.current_id else {}
    qs = submitted(document)
    ties = SpeechArticle.objects.filter(article__version__document=document).select_related(
        "speech__member", "speech__sitting", "article__version"
    )
    if flt.article:
        # an article of the current version also gathers what was said on its earlier form
        earlier = [old for old, new in moved.items() if new is not None and new.pk == flt.article]
        qs = qs.filter(article_id__in=[flt.article, *earlier])
        ties = ties.filter(article_id__in=[flt.article, *earlier])
    if flt.member:
        qs = qs.filter(member_id=flt.member)
        ties = ties.filter(speech__member_id=flt.member)
    if flt.group:
        qs = qs.filter(member__group_id=flt.group)
        ties = ties.filter(speech__member__group_id=flt.group)
    if flt.text.strip():
        qs = qs.filter(text__icontains=flt.text.strip())
        ties = ties.none()  # a text search is over the opinions' words
    rows: dict[int, ArticleOpinions] = {}

    def row(article: DraftArticle) -> tuple[ArticleOpinions, str]:
        """The article's row, or the row of the article it became in the current version."""
        on_old, place = "", "current"
        if article.version_id != current:
            target = moved.get(article.pk)
            if target is not None:
                on_old, article = article.label, target
            else:
                place = "deleted" if article.version_id in compared else "earlier"
        if article.pk not in rows:
            rows[article.pk] = ArticleOpinions(article, place=place)
        return rows[article.pk], on_old

    for o in qs.select_related("article__version").order_by("submitted_at", "id"):
        found, o.on_old = row(o.article)
        found.opinions.append(o)
    ties = list(ties.order_by("speech__started_at", "start_s", "id"))
    clips = {  # the playable clip of each tied speech: the page links the stretch's start
        c.floor_entry_id: str(c.public_id)
        for c in Clip.objects.filter(
            floor_entry_id__in=[t.speech_id for t in ties], deleted_at__isnull=True
        )
    }
    for t in ties:
        found, t.on_old = row(t.article)
        t.chip, t.clip = chip_label(t), clips.get(t.speech_id)
        found.ties.append(t)
    return sorted(
        rows.values(),
        key=lambda r: (PLACES[r.place], -r.article.version.number, r.article.ordinal),
    )


def submitted_opinions(
    user, document: Document, flt: OpinionFilter | None = None
) -> list[ArticleOpinions]:
    """``by_article`` for a staff reviewer (``opinions.read_submitted``), refused to others."""
    policy.check_staff_opinions(user, "opinions.read_submitted")
    return by_article(document, flt)


def authors(document: Document) -> list[Member]:
    """Members who submitted an opinion on ``document`` (the filter's choices)."""
    ids = submitted(document).values_list("member_id", flat=True)
    return list(Member.objects.filter(pk__in=ids).select_related("group").order_by("seat", "id"))


# -- speeches tied to articles ------------------------------------------------------------------
def clip_of(speech: Speech) -> Clip | None:
    """The speech's clip (deleted or not), found by its speaking-log row."""
    return Clip.objects.filter(floor_entry_id=speech.pk).order_by("-created_at").first()


def _seconds(value, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("%(name)s must be seconds.") % {"name": name}) from None
    if not math.isfinite(out):
        raise DomainError("invalid", _("%(name)s must be seconds.") % {"name": name})
    return round(out, 1)


def _check_stretch(speech: Speech, start_s, end_s) -> tuple[float | None, float | None]:
    start, end = _seconds(start_s, "start_s"), _seconds(end_s, "end_s")
    if start is None and end is None:
        return None, None  # the whole speech
    if start is None or end is None:
        raise DomainError(
            "bad_stretch",
            _("A stretch needs both its start and its end (or neither, for the whole speech)."),
        )
    clip = clip_of(speech)
    if clip is None or clip.deleted_at is not None:
        raise DomainError(
            "no_clip", _("This speech has no playable clip: tie the whole speech instead.")
        )
    if start < 0 or end > clip.duration_s + 0.5 or end <= start:
        raise DomainError(
            "bad_stretch",
            _("The stretch %(start)s–%(end)s does not lie within the clip (00:00–%(length)s).")
            % {"start": mmss(start), "end": mmss(end), "length": mmss(math.ceil(clip.duration_s))},
            start_s=start,
            end_s=end,
            duration_s=round(clip.duration_s, 1),
        )
    return start, min(end, round(clip.duration_s, 1))


def _check_article(speech: Speech, article: DraftArticle) -> None:
    """The article must be of the current version of a draft read under the speech's item."""
    docs = item_documents(speech.agenda_item) if speech.agenda_item_id else []
    if not any(d.current_id == article.version_id for d in docs):
        raise DomainError(
            "not_item_article",
            _("%(label)s is not an article of a draft of this speech's agenda item.")
            % {"label": article.label},
            article=article.pk,
        )


def _words(tie: SpeechArticle, verb: str) -> str:
    doc = tie.article.version.document
    return _("%(verb)s: %(member)s's speech (%(stretch)s) — %(label)s of “%(document)s”") % {
        "verb": verb,
        "member": tie.speech.member.full_name,
        "stretch": stretch_label(tie),
        "label": tie.article.label,
        "document": doc.title,
    }


def _audit(actor, action: str, tie: SpeechArticle, verb: str) -> None:
    audit.record(
        actor,
        action,
        session=tie.speech.sitting.session,
        sitting=tie.speech.sitting,
        role="staff",
        summary=_words(tie, verb),
        data={
            "speech": tie.speech_id,
            "article": tie.article_id,
            "start_s": tie.start_s,
            "end_s": tie.end_s,
        },
    )


def _speech(speech: Speech | int) -> Speech:
    if isinstance(speech, Speech):
        speech_id = speech.pk
    elif isinstance(speech, int) and not isinstance(speech, bool):
        speech_id = speech
    else:
        raise DomainError("invalid", _("Name the speech by its id."), field="speech")
    found = (
        Speech.objects.select_related("member", "sitting__session", "agenda_item")
        .filter(pk=speech_id)
        .first()
    )
    if found is None:
        raise DomainError("not_found", _("No such speech."))
    if found.ended_at is None:
        raise DomainError("bad_state", _("The speech is still going on: tie it once it ended."))
    return found


def _article(article: DraftArticle | int) -> DraftArticle:
    article_id = article.pk if isinstance(article, DraftArticle) else article
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise DomainError("invalid", _("Name the article by its id."), field="article")
    found = DraftArticle.objects.select_related("version__document").filter(pk=article_id).first()
    if found is None:
        raise DomainError("not_found", _("No such article."), field="article")
    return found


@transaction.atomic
def tie_speech(
    actor, speech: Speech | int, article: DraftArticle | int, start_s=None, end_s=None
) -> SpeechArticle:
    """Tie ``speech`` (or its stretch ``start_s``–``end_s``, seconds into the clip) to
    ``article``; tying the same stretch to the same article again answers the tie."""
    policy.check_staff_opinions(actor, "opinions.tie_speech")
    sp, art = _speech(speech), _article(article)
    _check_article(sp, art)
    start, end = _check_stretch(sp, start_s, end_s)
    same = SpeechArticle.objects.filter(speech=sp, article=art, start_s=start)
    if start is None:
        same = SpeechArticle.objects.filter(speech=sp, article=art, start_s__isnull=True)
    found = same.select_related("article__version__document", "speech__member").first()
    if found is not None:
        if found.end_s != end:
            found.end_s = end
            found.save(update_fields=["end_s"])
            _audit(actor, "speech.tie", found, _("Speech tied to an article"))
        return found
    tie = SpeechArticle.objects.create(speech=sp, article=art, start_s=start, end_s=end, by=actor)
    tie.speech, tie.article = sp, art
    _audit(actor, "speech.tie", tie, _("Speech tied to an article"))
    return tie


@transaction.atomic
def tie_many(actor, speech: Speech | int, articles: list, start_s=None, end_s=None) -> list:
    """``tie_speech`` for each article picked at once: all tied, or none (one refusal
    undoes the others)."""
    return [tie_speech(actor, speech, a, start_s, end_s) for a in articles]


@transaction.atomic
def untie(actor, tie: SpeechArticle | int) -> None:
    """Remove a tie (a speech no longer counted under that article)."""
    policy.check_staff_opinions(actor, "opinions.tie_speech")
    tie_id = tie.pk if isinstance(tie, SpeechArticle) else tie
    found = (
        SpeechArticle.objects.select_for_update(of=("self",))
        .select_related("speech__member", "speech__sitting__session", "article__version__document")
        .filter(pk=tie_id)
        .first()
    )
    if found is None:
        raise DomainError("not_found", _("No such tie."))
    _audit(actor, "speech.untie", found, _("Speech untied from an article"))
    found.delete()


def ties_of(speech: Speech) -> list[SpeechArticle]:
    """The speech's ties, in the article's order, then the stretch's."""
    return list(
        SpeechArticle.objects.filter(speech=speech)
        .select_related("article__version__document")
        .order_by("article__version_id", "article__ordinal", "start_s", "id")
    )


def tie_dict(tie: SpeechArticle) -> dict:
    """One tie as the review page's script reads it."""
    return {
        "id": tie.pk,
        "article": tie.article_id,
        "label": tie.article.label,
        "start_s": tie.start_s,
        "end_s": tie.end_s,
        "chip": chip_label(tie),
    }
