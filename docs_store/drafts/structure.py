"""The structure of a draft law read from its text: 编、章、节 and articles (条).

``read_draft(pages)`` takes the text of each page with its line breaks, as extracted
from the PDF (``docs_store.drafts.extract``), and returns the title and the articles in
order. It is pure: no database, no file.

What printed drafts do, and how each is met:

- **Page headers, footers, page numbers.** A line at the same place at the top or the
  bottom of half the pages or more (digits aside: "草案 第3页" and "草案 第4页" are the
  same line), not ending a sentence, is the running header or footer and is dropped; page numbers ("— 3 —", "-3-",
  "第 3 页", "3/20", "3") at the top or bottom of a page always are.
- **Lines wrapped at the margin.** A line continues the paragraph above unless it
  starts an article, a heading or an item, or starts a new paragraph: indented (the
  extraction writes a line's indent as leading full-width spaces), or — for a file
  whose lines carry no indent at all — after a line ending a sentence (。：；) that
  stops short of the margin.
- **Article labels.** "第十二条", "第十二条之一", "第１２条", "第 12 条"; numerals up to
  the thousands. A label counts only at the start of a line and followed by a space
  or the end of the line, or — when the file lost the space — when it is the next
  number and the line starts a paragraph; and only when its number follows the last
  article's (so a wrapped line starting "第十二条规定的……" is text, not an article).
- **Headings.** "第二章　行政许可的设定", also written "第二章" on one line and the
  title on the next (or the next page), or a long title wrapped over two lines; spaced
  titles ("总　　则") are closed up. A table of contents before the first article
  does no harm: the headings standing right before the first article win.
- **Items.** "（一）……" lines are items (项) of the paragraph (款) they follow.

A text with no recognisable article gives a ``ParsedDraft`` with no articles and a
``reason`` saying why: such a document is not a draft, and is never compared.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

NUMERALS = "零〇一二三四五六七八九十百千两0123456789０１２３４５６７８９"
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACE = " \t\u3000\u00a0\u2002\u2003"

_ARTICLE = re.compile(
    rf"^第[{_SPACE}]*([{NUMERALS}]+)[{_SPACE}]*条"
    rf"(?:[{_SPACE}]*之[{_SPACE}]*([{NUMERALS}]+))?"
)
_HEADING = re.compile(rf"^第[{_SPACE}]*([{NUMERALS}]+)[{_SPACE}]*(编|章|节)(?![\w])?")
_ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_SENTENCE_END = tuple("。：；！？;:")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－‐_~·•\s]*\d{1,4}[-—–－‐_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[-—–－‐\s]*[ivxlcIVXLC]{1,6}[-—–－‐\s]*)$"
)
_TOC = re.compile(rf"^目[{_SPACE}]*录$")
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")

NO_TEXT = "no_text"  # no text layer at all: a scan
NO_ARTICLES = "no_articles"  # text, but no 第…条: a report, a letter


@dataclass
class ParsedArticle:
    """One article as read: ``label`` as printed (spaces closed up), ``text`` its
    paragraphs and items one per line, ``paragraphs`` ``[{"text", "items"}]``."""

    number: int
    sub: int
    label: str
    part: str
    chapter: str
    section: str
    text: str
    paragraphs: list[dict]
    page: int


@dataclass
class ParsedDraft:
    """A draft's title and articles; no articles means not a draft (``reason`` says why:
    ``NO_TEXT`` or ``NO_ARTICLES``)."""

    title: str
    articles: list[ParsedArticle] = field(default_factory=list)
    reason: str = ""

    @property
    def is_draft(self) -> bool:
        return bool(self.articles)


def cn_number(text: str) -> int:
    """The value of an article or chapter number: 十二 → 12, 一百零五 → 105, １２ → 12."""
    text = text.translate(_FULLWIDTH)
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or (1 if ch == "十" else 0)) * _UNITS[ch]
            digit = 0
        elif ch.isdigit():
            digit = digit * 10 + int(ch)
    return total + digit


def close_up(text: str) -> str:
    """Whitespace removed where Chinese text has none; kept (single) between Latin words."""
    parts = re.split(rf"[{_SPACE}]+", text.strip(_SPACE))
    out = parts[0] if parts else ""
    for part in parts[1:]:
        if not part:
            continue
        if _CJK.search(out[-1:]) or _CJK.search(part[:1]):
            out += part
        else:
            out += " " + part
    return out


@dataclass
class _Line:
    text: str  # whitespace closed up
    indent: bool
    page: int
    label_spaced: bool = False  # an article label followed by a space as printed


def _lines_of(page_text: str, page: int) -> list[_Line]:
    out = []
    for raw in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.rstrip(_SPACE + "\n")
        content = close_up(stripped)
        if not content:
            continue
        body = stripped.lstrip(_SPACE)
        m = _ARTICLE.match(body)
        spaced = bool(m) and (m.end() == len(body) or body[m.end()] in _SPACE)
        out.append(_Line(content, len(stripped) > len(body), page, spaced))
    return out


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _drop_running(pages: list[list[_Line]], title: str = "") -> list[list[_Line]]:
    """Page numbers and lines repeated at the top or bottom of pages are not the draft's.

    A running line is the same (digits aside) at the same place — first or second line,
    last or last but one — on at least half the pages, and does not end a sentence (a
    wrapped line of the text, "的规定。", can stand at the foot of two pages). The
    draft's title at the top of a page after the first is its running header too."""
    places = (0, 1, -1, -2)
    seen: Counter[tuple[int, str]] = Counter()
    for lines in pages:
        for place in places:
            if -len(lines) <= place < len(lines):
                key = _running_key(lines[place].text)
                if not key.endswith(_SENTENCE_END + ("，",)):
                    seen[(place, key)] += 1
    threshold = max(2, (len(pages) + 1) // 2)
    running = {pk for pk, n in seen.items() if n >= threshold} if len(pages) >= 2 else set()
    if title:
        running |= {(0, _running_key(title)), (1, _running_key(title))}
    out = []
    for lines in pages:
        n = len(lines)
        keep = []
        for i, ln in enumerate(lines):
            at = [p for p in places if (p if p >= 0 else n + p) == i]
            if at and (
                _PAGE_NUMBER.match(ln.text)
                or any((p, _running_key(ln.text)) in running for p in at)
            ):
                continue
            keep.append(ln)
        out.append(keep)
    return out


def _title(first_page: list[_Line]) -> str:
    """The lines above the first heading, article or table of contents on page one."""
    parts: list[str] = []
    for ln in first_page:
        if _ARTICLE.match(ln.text) or _HEADING.match(ln.text) or _TOC.match(ln.text):
            break
        if _PAGE_NUMBER.match(ln.text):
            continue
        if parts and ln.text.startswith(("（", "(")) and not re.search("草案|稿", ln.text):
            break
        if len(ln.text) > 60 or any(p in ln.text for p in "。；，") or parts and ln.indent:
            break
        parts.append(ln.text)
        if len(parts) == 3:
            break
    return "".join(parts)[:300]


@dataclass
class _Article:
    number: int
    sub: int
    label: str
    part: str
    chapter: str
    section: str
    page: int
    paragraphs: list[dict] = field(default_factory=list)


class _Reader:
    """The state of reading line after line: headings in force, the article being read."""

    def __init__(self, indented: bool, full_width: int):
        self.indented = indented
        self.full_width = full_width
        self.part = self.chapter = self.section = ""
        self.numbers = {"编": 0, "章": 0, "节": 0}
        self.heading: str | None = None  # the level whose title may continue on the next line
        self.articles: list[_Article] = []
        self.prev: _Line | None = None

    # -- what a line is ---------------------------------------------------------------
    def _starts_paragraph(self, ln: _Line) -> bool:
        if self.indented:
            return ln.indent
        prev = self.prev
        return (
            prev is None
            or prev.text.endswith(_SENTENCE_END)
            and len(prev.text) < self.full_width - 1
        )

    def _article(self, ln: _Line) -> tuple[int, int, str] | None:
        m = _ARTICLE.match(ln.text)
        if not m:
            return None
        number, sub = cn_number(m.group(1)), cn_number(m.group(2)) if m.group(2) else 0
        spaced = ln.label_spaced
        last = self.articles[-1] if self.articles else None
        if last is not None:
            if (number, sub) <= (last.number, last.sub) or number > last.number + 5:
                return None
            expected = (number == last.number + 1 and sub == 0) or (
                number == last.number and sub == last.sub + 1
            )
        else:
            expected = True
        if not spaced and not (expected and self._starts_paragraph(ln)):
            return None
        label = re.sub(rf"[{_SPACE}]", "", ln.text[: m.end()]).translate(_FULLWIDTH)
        return number, sub, label

    def _heading(self, ln: _Line) -> tuple[str, str] | None:
        m = _HEADING.match(ln.text)
        if not m or len(ln.text) > 50 or any(p in ln.text for p in "。，；、"):
            return None
        level, number = m.group(2), cn_number(m.group(1))
        if self.articles:  # inside the articles, headings follow each other in order
            current = self.numbers[level]
            if not current < number <= current + 3:
                return None
        return level, ln.text

    # -- reading --------------------------------------------------------------------------
    def feed(self, ln: _Line) -> None:
        heading = self._heading(ln)
        if heading is not None:
            self._set_heading(*heading)
        elif (found := self._article(ln)) is not None:
            self._start_article(ln, *found)
        elif self.heading is not None and len(ln.text) <= 30 and not _ITEM.match(ln.text):
            self._continue_heading(ln.text)
        elif self.articles:
            self._body(ln)
        self.prev = ln

    def _set_heading(self, level: str, text: str) -> None:
        m = _HEADING.match(text)
        assert m is not None
        number = cn_number(m.group(1))
        label = re.sub(rf"[{_SPACE}]", "", text[: m.end()])
        rest = text[m.end() :]
        title = f"{label}\u3000{rest}" if rest else label
        self.numbers[level] = number
        if level == "编":
            self.part, self.chapter, self.section = title, "", ""
            self.numbers["章"] = self.numbers["节"] = 0
        elif level == "章":
            self.chapter, self.section = title, ""
            self.numbers["节"] = 0
        else:
            self.section = title
        self.heading = level

    def _continue_heading(self, text: str) -> None:
        attr = {"编": "part", "章": "chapter", "节": "section"}[self.heading or "章"]
        current = getattr(self, attr)
        joiner = "" if "\u3000" in current else "\u3000"
        if len(current) + len(text) <= 80:
            setattr(self, attr, current + joiner + text)

    def _start_article(self, ln: _Line, number: int, sub: int, label: str) -> None:
        m = _ARTICLE.match(ln.text)
        assert m is not None
        first = ln.text[m.end() :].strip(_SPACE)
        art = _Article(number, sub, label, self.part, self.chapter, self.section, ln.page)
        art.paragraphs.append({"text": first, "items": []})
        self.articles.append(art)
        self.heading = None

    def _body(self, ln: _Line) -> None:
        art = self.articles[-1]
        para = art.paragraphs[-1]
        if _ITEM.match(ln.text) and (self._starts_paragraph(ln) or not self.indented):
            para["items"].append(ln.text)
        elif self._starts_paragraph(ln):
            art.paragraphs.append({"text": ln.text, "items": []})
        elif para["items"]:
            para["items"][-1] = _join(para["items"][-1], ln.text)
        else:
            para["text"] = _join(para["text"], ln.text)


def _join(a: str, b: str) -> str:
    if a and b and not _CJK.search(a[-1]) and not _CJK.search(b[0]):
        return f"{a} {b}"
    return a + b


def read_draft(pages: list[str]) -> ParsedDraft:
    """The title and articles of a draft from the text of its pages (see the module doc)."""
    lines = [_lines_of(text, n) for n, text in enumerate(pages, start=1)]
    if not any(lines):
        return ParsedDraft(title="", articles=[], reason=NO_TEXT)
    title = _title(lines[0])
    lines = _drop_running(lines, title)
    flat = [ln for page in lines for ln in page]
    starts = [ln for ln in flat if _ARTICLE.match(ln.text)]
    indented = bool(starts) and sum(ln.indent for ln in starts) >= 0.5 * len(starts)
    lengths = sorted(len(ln.text) for ln in flat)
    full = int(statistics.quantiles(lengths, n=10)[-1]) if len(lengths) >= 2 else 0
    reader = _Reader(indented, full)
    for ln in flat:
        reader.feed(ln)
    articles = [_finish(a) for a in reader.articles]
    if not articles:
        return ParsedDraft(title=title, articles=[], reason=NO_ARTICLES)
    return ParsedDraft(title=title, articles=articles)


def _finish(a: _Article) -> ParsedArticle:
    paragraphs = [p for p in a.paragraphs if p["text"] or p["items"]]
    lines = [line for p in paragraphs for line in ([p["text"]] if p["text"] else []) + p["items"]]
    return ParsedArticle(
        number=a.number,
        sub=a.sub,
        label=a.label,
        part=a.part,
        chapter=a.chapter,
        section=a.section,
        text="\n".join(lines),
        paragraphs=paragraphs,
        page=a.page,
    )
