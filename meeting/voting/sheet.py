"""The result sheet (表决结果单) of a round, as CSV rows (for Excel) and as a PDF.

Built from the stored ``Result`` alone, so a sheet printed a year later says exactly
what was announced. Named lists appear only where the viewer may see them.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from core.pdffont import cjk_font
from meeting.proceedings.pdfwrap import wrap_lines
from meeting.voting.models import Vote

KIND_ZH = {"named": "记名表决", "secret": "无记名表决"}


def _labels(vote: Vote) -> dict[str, str]:
    return {o["key"]: o["label"] for o in vote.options}


def csv_rows(vote: Vote, *, with_named: bool) -> list[list]:
    """The sheet for a spreadsheet: the round's figures one per row (label, value), one
    row per ballot line with its counts, then (if allowed) each member's choice.

    In words (是/否, 通过/未通过, 记名表决) and local time; ``core.exports`` writes it.
    The headings have their own context: "Present" here is 实到人数."""
    res, labels = vote.result, _labels(vote)
    outcome = _("passed") if res.passed else _("not passed")
    kind = _("named vote") if vote.kind == "named" else _("secret ballot")
    rows: list[list] = [
        [pgettext("vote sheet", "Question"), vote.question],
        [pgettext("vote sheet", "Where"), _where(vote)],
        [pgettext("vote sheet", "Opened at"), vote.opened_at or res.closed_at],
        [pgettext("vote sheet", "Closed at"), res.closed_at],
        [pgettext("vote sheet", "Kind of vote"), kind],
        [pgettext("vote sheet", "Round"), vote.round],
        [pgettext("vote sheet", "Rule"), vote.rule.label_zh],
        [pgettext("vote sheet", "Members in all"), res.roster_size],
        [pgettext("vote sheet", "Present"), res.present],
        [pgettext("vote sheet", "Voted"), res.cast],
        [pgettext("vote sheet", "Present, did not vote"), res.did_not_vote],
        [pgettext("vote sheet", "Absent"), res.absent],
        [pgettext("vote sheet", "Result"), outcome],
        [],
        [
            pgettext("vote sheet", "Line"),
            pgettext("vote sheet", "Text"),
            *[labels[k] for k in vote.option_keys],
            pgettext("vote sheet", "Votes needed"),
            pgettext("vote sheet", "Passed"),
        ],
    ]
    for n, q in enumerate(res.questions, start=1):
        counts = [q["counts"].get(k, 0) for k in vote.option_keys]
        rows.append([n, q["text"], *counts, q["outcome"]["required"], q["outcome"]["passed"]])
    if with_named and res.named is not None:
        lines = [str(q["id"]) for q in res.questions]
        rows.append([])
        line_words = [
            pgettext("vote sheet", "Line %(n)s") % {"n": n} for n in range(1, len(lines) + 1)
        ]
        rows.append([pgettext("vote sheet", "Seat"), pgettext("vote sheet", "Name"), *line_words])
        for entry in res.named:
            choices = [labels.get(entry["choices"].get(q, ""), "") for q in lines]
            rows.append([entry["seat"], entry["name"], *choices])
    return rows


def _font() -> str:
    """The embedded CJK font (core/pdffont.py): STSong-Light printed "·" as "�"."""
    return cjk_font()


def _day(at) -> str:
    """A date as the committee writes it: 2026年12月6日 (no leading zeros), in TIME_ZONE."""
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日"


def _when(vote: Vote) -> str:
    """表决时间: the day and the minutes the round was open, in TIME_ZONE."""
    closed = vote.result.closed_at
    opened = vote.opened_at or closed
    start, end = timezone.localtime(opened), timezone.localtime(closed)
    span = f"{start:%H:%M}—{end:%H:%M}"
    if start.date() != end.date():
        span = f"{start:%H:%M}—{_day(closed)} {end:%H:%M}"
    return f"表决时间：{_day(opened)} {span}"


def _where(vote: Vote) -> str:
    """会议、场次: the session and the sitting the round belongs to."""
    sitting = vote.sitting
    return f"{sitting.session.title} · {sitting.title}"


def people_lines(vote: Vote) -> list[str]:
    """未表决 and 缺席 with names (seat order), as stored with the result at the close.

    Participation only (a secret round keeps it too, docs/voting.md): never a choice.
    """
    people = vote.result.people
    if people is None:  # a result counted before the names were kept
        return ["未按表决器、缺席人员名单未随本结果保存。"]
    out = []
    for key, label in (("did_not_vote", "未按表决器"), ("absent", "缺席")):
        rows = people.get(key, [])
        names = "、".join(
            f"{p['name']}（{p['seat']}）" if p.get("seat") else p["name"] for p in rows
        )
        out.append(f"{label}（{len(rows)}人）：{names or '无'}")
    return out


def pdf_bytes(vote: Vote, *, with_named: bool) -> bytes:
    """An A4 sheet: heading, figures, one line per question, then the named list."""
    res, labels, font = vote.result, _labels(vote), _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"表决结果 {vote.question}")
    width, height = A4
    y = height - 70

    def line(text: str, size: int = 11, x: float = 60) -> None:
        """Wrapped to the page (a long question was cut at 80 characters), numbers whole."""
        nonlocal y
        for part in wrap_lines(text, font, size, width - x - 50):
            if y < 60:
                c.showPage()
                y = height - 60
            c.setFont(font, size)
            c.drawString(x, y, part)
            y -= size + 8

    line(f"表决结果  {vote.question}", 16)
    line(_where(vote), 12)
    line(_when(vote))
    line(f"{KIND_ZH[vote.kind]} · 第{vote.round}轮 · 规则：{vote.rule.label_zh}")
    line(
        f"应到{res.roster_size}人  实到{res.present}人  投票{res.cast}人  "
        f"未按表决器{res.did_not_vote}人  缺席{res.absent}人"
    )
    for n, q in enumerate(res.questions, start=1):
        counts = "  ".join(f"{labels[k]}{q['counts'].get(k, 0)}" for k in vote.option_keys)
        line(f"{n}. {q['text']}", 12)
        line(counts, 11, 80)
        line(q["outcome"]["explanation_zh"], 11, 80)
    line("结果：通过" if res.passed else "结果：未通过", 14)
    for text in people_lines(vote):
        line(text, 11)
    if with_named and res.named is not None:
        line("记名表决明细", 13)
        lines = [str(q["id"]) for q in res.questions]
        for entry in res.named:
            picks = " ".join(labels.get(entry["choices"].get(q, ""), "—") for q in lines)
            line(f"{entry['seat']}  {entry['name']}  {picks}", 10, 70)
    c.showPage()
    c.save()
    return buf.getvalue()
