"""All opinions on a draft, article by article, for the drafters (审议意见汇总, DOCX).

Per article that drew an opinion or a tied speech, in the draft's order: its label and
chapter, the new text, and, when the clerk marked a comparison (修改对照), the old
article's text and the change (deletions struck through, insertions underlined); then
each **submitted** opinion with the member's name, group and the day and time it was
submitted (``TIME_ZONE``), and the quotes of the speeches tied to the article, each
linked to the clip at its second. Articles the new version deleted come last.
Only submitted opinions: what a member has not submitted is theirs alone.

python-docx; every run and style names the East Asian font (``core.docxfont``) so Word
and WPS show the Chinese in 宋体. The download's name is Chinese (RFC 6266,
``core.exports``).
"""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document as DocxDocument
from docx.shared import Pt

from core import policy
from core.docxfont import cjk_run, set_cjk_font, use_cjk_styles
from core.exports import FileName, book_title, safe_name
from docs_store.drafts.models import DraftArticle, DraftComparison
from docs_store.models import Document
from media.models import Clip
from meeting.briefs.exports.by_article import hyperlink
from meeting.briefs.exports.common import mmss, moment_url, public_url
from meeting.briefs.models import Summary
from meeting.briefs.services.speakers import speaker_name, speaker_title
from meeting.opinions.staff import ArticleOpinions, by_article, stretch_label

STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "List Number", "List Bullet")
STATUS_WORDS = {
    "unchanged": "未修改",
    "modified": "修改",
    "added": "新增",
    "deleted": "删除",
    "moved": "移动",
}


def export_name(document: Document) -> FileName:
    """The download's name, e.g. 《某省数据条例（草案）》审议意见（按条文）.docx."""
    name = safe_name(f"{book_title(document.title)}审议意见（按条文）.docx")
    return FileName(name, f"opinions-document-{document.pk}.docx")


def _pairs(document: Document) -> tuple[DraftComparison | None, dict, dict]:
    """The ready comparison of the current version, its pairs by new label and by old label."""
    comparison = (
        DraftComparison.objects.filter(
            new_version_id=document.current_id, status=DraftComparison.Status.READY
        )
        .select_related("old_version")
        .first()
    )
    if comparison is None:
        return None, {}, {}
    by_new = {p["new"]: p for p in comparison.pairs if p.get("new")}
    by_old = {p["old"]: p for p in comparison.pairs if p.get("old")}
    return comparison, by_new, by_old


def _heading(doc, text: str, level: int) -> None:
    """A heading whose run names the CJK font itself (as every run of the file does)."""
    run = doc.add_heading(level=level).add_run(text)
    set_cjk_font(run._element)


def _ops(par, ops: list) -> None:
    """The change inside a modified article: struck deletions, underlined insertions."""
    for op, text in ops:
        run = cjk_run(par, text, size=10.5)
        if op == "-":
            run.font.strike = True
        elif op == "+":
            run.font.underline = True


def _name(member) -> str:
    """The name, then the title, as the brief writes them (王建国主任, 韦立新委员)."""
    return speaker_name(member) + speaker_title(member)


def _local(moment) -> str:
    at = timezone.localtime(moment)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def _article_block(doc, row: ArticleOpinions, comparison, by_new, by_old, old_texts) -> None:
    art = row.article
    pair = by_old.get(art.label) if row.deleted else by_new.get(art.label)
    status = STATUS_WORDS.get(pair["status"], "") if pair else ""
    heading = art.label + (f"（{status}）" if status else "")
    if row.deleted:
        heading = f"{art.label}（修改稿已删除）"
    elif row.earlier:
        pair, heading = None, f"{art.label}（第{art.version.number}稿）"
    _heading(doc, heading, 2)
    if art.chapter:
        cjk_run(doc.add_paragraph(), art.chapter, size=9)
    p = doc.add_paragraph()
    if row.deleted or row.earlier:
        cjk_run(p, f"第{art.version.number}稿条文：" if row.earlier else "原条文：", bold=True)
        cjk_run(p, art.text)
    else:
        cjk_run(p, "修改后条文：" if comparison else "条文：", bold=True)
        cjk_run(p, art.text)
        old_label = pair.get("old") if pair else None
        if pair and pair["status"] == "unchanged":
            if old_label and old_label != art.label:
                cjk_run(doc.add_paragraph(), f"（原{old_label}，条文未修改）", size=10.5)
        elif old_label and old_label in old_texts:
            p = doc.add_paragraph()
            cjk_run(p, f"原条文（{old_label}）：", bold=True)
            cjk_run(p, old_texts[old_label])
            if pair["status"] in ("modified", "moved") and pair.get("ops"):
                p = doc.add_paragraph()
                cjk_run(p, "修改情况：", bold=True)
                _ops(p, pair["ops"])
    if row.opinions:
        cjk_run(doc.add_paragraph(), "审议意见：", bold=True)
    for o in row.opinions:
        p = doc.add_paragraph(style="List Number")
        hyperlink(p, public_url() + f"/media/members/{o.member_id}/record/", _name(o.member))
        group = f"（{o.member.group.name}）" if o.member.group_id else ""
        cjk_run(p, f"{group}　{_local(o.submitted_at)}：", size=10.5)
        cjk_run(p, o.text)
        if o.on_old:
            cjk_run(p, f"（就原{o.on_old}）", size=9)
        if o.document.state == Document.State.RECALLED:
            cjk_run(p, "（该文件已撤回，意见仍保留。）", size=9)
    if row.ties:
        cjk_run(doc.add_paragraph(), "会上发言：", bold=True)
    for t in row.ties:
        _tie_block(doc, t)


def _tie_block(doc, tie) -> None:
    sp = tie.speech
    summary = Summary.objects.filter(speech=sp).first()
    clip = Clip.objects.filter(floor_entry_id=sp.pk).order_by("-created_at").first()
    playable = clip is not None and clip.deleted_at is None
    p = doc.add_paragraph(style="List Bullet")
    hyperlink(p, public_url() + f"/media/members/{sp.member_id}/record/", _name(sp.member))
    cjk_run(p, f"（{_local(sp.started_at)}发言，{stretch_label(tie)}）", size=10.5)
    quotes = list(summary.quotes) if summary else []
    if tie.start_s is not None:
        quotes = [q for q in quotes if tie.start_s <= q["at"] <= (tie.end_s or tie.start_s)]
    elif summary and summary.text:
        cjk_run(p, "：" + summary.text)
    for q in quotes:
        qp = doc.add_paragraph()
        qp.paragraph_format.left_indent = Pt(21)
        cjk_run(qp, f"「{q['text']}」", size=10.5)
        stamp = f"（{mmss(q['at'])}）"
        if playable:
            hyperlink(qp, moment_url(str(clip.public_id), q["at"]), stamp, size=10.5)
        else:
            cjk_run(qp, stamp, size=10.5)
    if not quotes and playable:
        at = tie.start_s or 0
        hyperlink(
            doc.add_paragraph(), moment_url(str(clip.public_id), at), "观看发言录像", size=10.5
        )
    if clip is not None and clip.deleted_at is not None:
        cjk_run(doc.add_paragraph(), "（该发言录像已删除）", size=10)


def render(document: Document) -> bytes:
    """The DOCX of every submitted opinion on ``document``, by article (no rule asked:
    ``export_opinions`` asks it)."""
    rows = by_article(document)
    comparison, by_new, by_old = _pairs(document)
    old_texts = {}
    if comparison is not None:
        old_texts = dict(
            DraftArticle.objects.filter(version_id=comparison.old_version_id).values_list(
                "label", "text"
            )
        )
    doc = DocxDocument()
    use_cjk_styles(doc, STYLES)
    _heading(doc, f"{book_title(document.title)}审议意见汇总（按条文）", 1)
    opinions = sum(len(r.opinions) for r in rows)
    meta = [document.session.title, f"第{document.current.number}稿" if document.current else ""]
    if comparison is not None:
        meta.append(f"与第{comparison.old_version.number}稿对照")
    meta.append(f"共{opinions}条意见，涉及{len(rows)}个条文")
    meta.append(f"导出于{_local(timezone.now())}")
    cjk_run(doc.add_paragraph(), "　".join(x for x in meta if x), size=10)
    if document.state == Document.State.RECALLED:
        cjk_run(doc.add_paragraph(), "该文件已撤回；已提交的意见仍保留，供起草工作参考。", size=10)
    if not rows:
        cjk_run(doc.add_paragraph(), "尚未收到已提交的审议意见。")
    for row in rows:
        _article_block(doc, row, comparison, by_new, by_old, old_texts)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def export_opinions(user, document: Document) -> bytes:
    """``render`` for a staff reviewer (``opinions.read_submitted``), refused to others."""
    policy.check_staff_opinions(user, "opinions.read_submitted")
    return render(document)
