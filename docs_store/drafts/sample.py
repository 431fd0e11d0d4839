"""Draft laws laid out as real PDFs (reportlab, embedded CJK font), for tests, the bench
and the demo.

A draft is written the way printed drafts are: the title centred, 编/章/节 headings
centred, each article starting with a two-character indent and "第X条　", paragraphs
(款) indented, items (项) ``（一）…`` on their own lines, long lines wrapped at the
margin, a running header on every page but the first and a page number at the foot.
What Yiting reads back from such a PDF (``structure.read_draft``) is what a clerk's
real upload gives, so tests made with this module exercise the reading, not a shortcut.

Blocks (``draft_pdf(title, blocks)``):

- ``("part"|"chapter"|"section", "第一章　总则")`` a centred heading;
- ``("article", "第十二条之一", "第一款……\\n（一）……\\n第二款……")`` an article, one line
  of the text per paragraph or item;
- ``("line", "text")`` a raw centred line (to split a heading across lines or pages);
- ``("pagebreak",)`` the next block starts a new page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font

INDENT = "\u3000\u3000"
SEP = "\u3000"
FOOTERS = ("dash", "page", "hyphen", "none")

Block = tuple


def _footer(style: str, page: int) -> str:
    return {
        "dash": f"— {page} —",
        "page": f"第 {page} 页",
        "hyphen": f"-{page}-",
        "none": "",
    }[style]


class _Layout:
    """A page-by-page writer: lines at fixed leading, wrapping at the right margin."""

    def __init__(self, title: str, header: str, footer: str, size: float, lines_per_page: int):
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=A4)
        self.c.setTitle(title)
        self.font = cjk_font()
        self.size = size
        self.width, self.height = A4
        self.left, self.right = 72.0, self.width - 72.0
        self.top = self.height - 90.0
        self.leading = (self.top - 90.0) / lines_per_page
        self.header, self.footer = header, footer
        self.page, self.y = 1, self.top
        self._start_page()

    def _start_page(self) -> None:
        self.c.setFont(self.font, 10)
        if self.page > 1 and self.header:
            self.c.drawCentredString(self.width / 2, self.height - 50, self.header)
        text = _footer(self.footer, self.page)
        if text:
            self.c.drawCentredString(self.width / 2, 45, text)
        self.c.setFont(self.font, self.size)
        self.y = self.top

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self._start_page()

    def _room(self) -> None:
        if self.y < 90.0:
            self.new_page()

    def centred(self, text: str, size: float | None = None) -> None:
        self._room()
        self.c.setFont(self.font, size or self.size)
        self.c.drawCentredString(self.width / 2, self.y, text)
        self.c.setFont(self.font, self.size)
        self.y -= self.leading

    def paragraph(self, text: str) -> None:
        """``text`` wrapped at the margin; the first line carries the indent."""
        line = ""
        for ch in INDENT + text:
            if stringWidth(line + ch, self.font, self.size) > self.right - self.left:
                self._room()
                self.c.drawString(self.left, self.y, line)
                self.y -= self.leading
                line = ""
            line += ch
        if line:
            self._room()
            self.c.drawString(self.left, self.y, line)
            self.y -= self.leading

    def blank(self) -> None:
        self.y -= self.leading / 2

    def done(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def draft_pdf(
    title: str,
    blocks: Iterable[Block],
    *,
    header: str | None = None,
    footer: str = "dash",
    size: float = 14,
    lines_per_page: int = 30,
) -> bytes:
    """The PDF of a draft: ``title`` then ``blocks`` (see the module's docstring).

    ``header`` is the running header of pages 2… (the title by default, "" for none);
    ``footer`` the page number's form: ``dash`` "— 3 —", ``page`` "第 3 页", ``hyphen``
    "-3-" or ``none``.
    """
    if footer not in FOOTERS:
        raise ValueError(f"footer must be one of {FOOTERS}")
    out = _Layout(title, title if header is None else header, footer, size, lines_per_page)
    out.centred(title, size + 6)
    out.blank()
    for block in blocks:
        kind = block[0]
        if kind in ("part", "chapter", "section"):
            out.blank()
            out.centred(block[1])
            out.blank()
        elif kind == "line":
            out.centred(block[1])
        elif kind == "pagebreak":
            out.new_page()
        elif kind == "article":
            label, text = block[1], block[2]
            paragraphs = text.split("\n")
            out.paragraph(label + SEP + paragraphs[0])
            for para in paragraphs[1:]:
                out.paragraph(para)
        else:
            raise ValueError(f"unknown block {kind!r}")
    return out.done()


def numeral(n: int) -> str:
    """Chinese numeral of ``n`` as drafts write article numbers (1–9999): 十二, 一百零五."""
    digits = "零一二三四五六七八九"
    if n <= 0 or n >= 10000:
        raise ValueError("article numbers run from 1 to 9999")
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += digits[d] + unit
    return out


def articles(texts: Sequence[str], start: int = 1) -> list[Block]:
    """Article blocks numbered from ``start`` (第一条, 第二条, …) for ``texts``."""
    return [("article", f"第{numeral(start + i)}条", t) for i, t in enumerate(texts)]


# -- a long draft and its revision, with known changes (bench, tests) ---------------------------
_SUBJECTS = (
    "县级以上人民政府",
    "国务院有关部门",
    "行政机关",
    "申请人",
    "被许可人",
    "有关主管部门",
    "市场监督管理部门",
    "乡镇人民政府",
    "设区的市人民政府",
    "行业协会",
)
_MODALS = ("应当", "可以", "不得")
_ACTIONS = (
    "依法审查",
    "建立健全",
    "组织实施",
    "监督检查",
    "公开公布",
    "统筹协调",
    "定期评估",
    "如实报告",
    "妥善保存",
    "及时处理",
)
_OBJECTS = (
    "行政许可事项清单",
    "申请材料和有关证明",
    "许可证件的发放情况",
    "投诉举报的处理结果",
    "电子政务系统的运行",
    "有关数据和档案资料",
    "行政许可的收费标准",
    "听证会的组织程序",
    "许可条件的具体标准",
    "信用记录和奖惩措施",
)
_TAILS = (
    "具体办法由国务院规定。",
    "并向社会公布。",
    "法律、行政法规另有规定的，从其规定。",
    "不得收取任何费用。",
    "并将处理结果书面告知当事人。",
    "接受社会监督。",
)


def _sentence(rng) -> str:
    return (
        rng.choice(_SUBJECTS)
        + rng.choice(_MODALS)
        + rng.choice(_ACTIONS)
        + rng.choice(_OBJECTS)
        + "，"
        + rng.choice(_TAILS)
    )


def _article_text(rng, n: int) -> str:
    paras = [f"为了{rng.choice(_ACTIONS)}{rng.choice(_OBJECTS)}（事项{n}），" + _sentence(rng)]
    for _ in range(rng.randint(0, 2)):
        paras.append(_sentence(rng) + _sentence(rng))
    if rng.random() < 0.2:
        paras[-1] = (
            paras[-1].rstrip("。") + "：\n（一）" + _sentence(rng) + "\n（二）" + _sentence(rng)
        )
    return "\n".join(paras)


def _reword(text: str) -> str:
    for a, b in (("应当", "可以"), ("可以", "应当"), ("不得", "禁止")):
        if a in text:
            return text.replace(a, b, 1)
    return text.rstrip("。") + "，但有正当理由的除外。"


def revision_pair(
    articles: int = 150, chapters: int = 6, seed: int = 29
) -> tuple[list[Block], list[Block], list[tuple[int | None, int | None, str]]]:
    """A draft of ``articles`` articles in ``chapters`` chapters and its revision.

    The revision inserts three articles (every later one is renumbered), deletes two,
    rewords one article in ten ("应当" → "可以" …) and moves one article to a later
    chapter. Returns ``(old_blocks, new_blocks, expected)``, ``expected`` the pairs in
    the revision's order as ``(old ordinal, new ordinal, status)`` (1-based, None for
    none), as ``compare`` should find them.
    """
    import random

    rng = random.Random(seed)
    per = max(1, articles // chapters)
    old = []  # (chapter index, text)
    for n in range(articles):
        old.append((min(n // per, chapters - 1), _article_text(rng, n + 1)))
    moved_from = per // 2  # an article of the first chapter …
    moved_to_chapter = min(2, chapters - 1)  # … goes to the third
    deleted = {articles // 5, articles * 3 // 5}
    inserted_after = {5: 1, articles * 2 // 5: 1, articles * 4 // 5: 1}
    reworded = {n for n in range(3, articles, 10)} - deleted - {moved_from}
    new = []  # (chapter, text, old index | None, status)
    for n, (ch, text) in enumerate(old):
        if n in deleted or n == moved_from:
            if n in deleted:
                new.append((ch, None, n, "deleted"))
        else:
            status = "modified" if n in reworded else "unchanged"
            new.append((ch, _reword(text) if n in reworded else text, n, status))
        if n in inserted_after:
            new.append((ch, _article_text(rng, 1000 + n), None, "added"))
    # the moved article goes to the start of its new chapter (after that chapter's heading)
    at = next(k for k, row in enumerate(new) if row[0] == moved_to_chapter)
    new.insert(at, (moved_to_chapter, old[moved_from][1], moved_from, "moved"))

    def blocks(rows: list[tuple[int, str]]) -> list[Block]:
        out: list[Block] = []
        chapter = -1
        for number, (ch, text) in enumerate(rows, start=1):
            if ch != chapter:
                chapter = ch
                out.append(("chapter", f"第{numeral(ch + 1)}章\u3000第{numeral(ch + 1)}部分规定"))
            out.append(("article", f"第{numeral(number)}条", text))
        return out

    new_rows = [(ch, text) for ch, text, _i, status in new if status != "deleted"]
    expected: list[tuple[int | None, int | None, str]] = []
    ordinal = 0
    for _ch, _text, i, status in new:
        if status == "deleted":
            expected.append((i + 1, None, status))
            continue
        ordinal += 1
        expected.append((None if i is None else i + 1, ordinal, status))
    return blocks(old), blocks(new_rows), expected
