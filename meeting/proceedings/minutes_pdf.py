"""The minutes as a PDF (reportlab), in Chinese, rendered from the collected record.

Chinese text uses the embedded TrueType font of ``core/pdffont.py``: reportlab's
non-embedded STSong-Light left every reader to substitute a font and printed "·" as
"�"; an embedded font prints the same everywhere and the text stays extractable.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from core.durations import format_duration
from core.pdffont import cjk_font
from meeting.proceedings.pdfwrap import CJKParagraph

FONT = cjk_font()

STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=1),
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=14, leading=20, spaceBefore=10),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=17, spaceBefore=6),
    "p": ParagraphStyle("p", fontName=FONT, fontSize=10, leading=15),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11),
}
KIND_ZH = {"speech": "发言", "reply": "答复", "point_of_order": "程序性发言"}
VOTE_KIND_ZH = {"named": "记名表决", "secret": "无记名表决"}
SITTING_KIND_ZH = {"plenary": "全体会议", "group": "分组会议"}
DOC_STATE_ZH = {"draft": "草稿", "distributed": "已分发", "recalled": "已撤回"}
VOTE_STATE_ZH = {
    "prepared": "已准备",
    "open": "进行中",
    "closed": "已结束",
    "announced": "已宣布",
    "cancelled": "已取消",
}


def _p(text: object, style: str = "p") -> CJKParagraph:
    """Plain text (escaped by the wrapper), wrapped so that no number breaks."""
    return CJKParagraph(str(text), STYLES[style])


def _time(iso: str | None) -> str:
    if not iso:
        return "—"
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%H:%M:%S")


SHORT = 14  # characters that always fit a cell on one line; longer text is wrapped


def _cell(c: object) -> object:
    """Short text is drawn as is (fast); longer text becomes a wrapping paragraph."""
    if isinstance(c, Flowable):
        return c
    text = str(c)
    return text if len(text) <= SHORT else _p(text, "small")


def _table(rows: list[list], widths: list[float] | None = None) -> Table:
    t = Table([[_cell(c) for c in r] for r in rows], colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _attendance(s: dict) -> list:
    a, q = s["attendance"], s["attendance"]["quorum"]
    absent = "、".join(m["name"] for m in a["absent"]) or "无"
    return [
        _p(
            f"应出席{q['roster_size']}人，实到{len(a['present'])}人，"
            f"缺席{len(a['absent'])}人（{absent}）。法定人数需{q['required']}人。"
        )
    ]


def _speeches(speeches: list[dict]) -> list:
    if not speeches:
        return [_p("无发言。", "small")]
    rows = [["序号", "发言人", "类型", "开始", "结束", "时长", "录像"]]
    for n, sp in enumerate(speeches, start=1):
        rows.append(
            [
                n,
                f"{sp['name']}（{sp['seat']}）" if sp["seat"] else sp["name"],
                KIND_ZH.get(sp["kind"], sp["kind"]),
                _time(sp["started_at"]),
                _time(sp["ended_at"]),
                format_duration(sp["duration_s"], "zh-hans"),
                sp["clip"] or "—",
            ]
        )
    return [_table(rows, [12 * mm, 32 * mm, 22 * mm, 20 * mm, 20 * mm, 18 * mm, 48 * mm])]


def _labels(vote: dict) -> dict[str, str]:
    return {o["key"]: o["label"] for o in vote["options"]}


def _vote(vote: dict) -> list:
    out = [
        _p(
            f"表决：{vote['question']}（{VOTE_KIND_ZH.get(vote['kind'], vote['kind'])}，"
            f"第{vote['round']}轮）",
            "h2",
        ),
        _p(f"表决规则：{vote['rule'].get('label_zh') or vote['rule']['words_zh']}。"),
    ]
    res = vote["result"]
    if res is None:
        return [*out, _p(f"未计票（状态：{VOTE_STATE_ZH.get(vote['state'], vote['state'])}）。")]
    labels = _labels(vote)
    for q in res["questions"]:
        counts = "，".join(f"{labels.get(k, k)}{n}票" for k, n in q["counts"].items())
        out.append(
            _p(f"{q['text']}：{counts}；未按键{res['did_not_vote']}人，缺席{res['absent']}人。")
        )
        out.append(_p(q["outcome"]["explanation_zh"]))
    out.append(_p(f"表决结果：{'通过' if res['passed'] else '未通过'}。"))
    if res.get("named"):
        qtext = {str(q["id"]): q["text"] for q in res["questions"]}
        rows = [["座位", "姓名", "选择"]]
        for m in res["named"]:
            choice = "；".join(
                (f"{qtext[qid]}：" if len(qtext) > 1 else "") + labels.get(o, o)
                for qid, o in m["choices"].items()
            )
            rows.append([m["seat"], m["name"], choice])
        out += [_p("记名表决名单：", "small"), _table(rows, [20 * mm, 40 * mm, 110 * mm])]
    return out


def _sitting(s: dict) -> list:
    head = f"{s['title']}（{SITTING_KIND_ZH.get(s['kind'], s['kind'])}）"
    when = timezone.localtime(dt.datetime.fromisoformat(s["starts_at"])).strftime("%Y-%m-%d %H:%M")
    out = [
        _p(head, "h1"),
        _p(f"时间：{when}　地点：{s['room'] or '—'}　主持人：{s['chair'] or '—'}"),
    ]
    out += _attendance(s)
    for item in s["agenda"]:
        out.append(_p(f"议程{item['order']}：{item['title']}", "h2"))
        if item["presenter"]:
            out.append(_p(f"汇报人：{item['presenter']}"))
        out += _speeches(item["speeches"])
        for v in item["votes"]:
            out += _vote(v)
    if s["other_speeches"]:
        out += [_p("其他发言", "h2"), *_speeches(s["other_speeches"])]
    return out


def _documents(docs: list[dict]) -> list:
    if not docs:
        return [_p("本次会议未分发文件。")]
    rows = [["文件", "会议", "版本", "页数", "分发时间", "状态"]]
    for d in docs:
        sent = d.get("distributed_at")
        when = (
            f"{timezone.localtime(dt.datetime.fromisoformat(sent)):%Y-%m-%d %H:%M}" if sent else ""
        )
        rows.append(
            [
                d.get("title", ""),
                d.get("sitting") or "整个会议",
                d.get("version", ""),
                d.get("pages", ""),
                when,
                DOC_STATE_ZH.get(d.get("state", ""), d.get("state", "")),
            ]
        )
    return [_table(rows, [55 * mm, 35 * mm, 12 * mm, 12 * mm, 32 * mm, 18 * mm])]


def render(record: dict) -> bytes:
    """The PDF bytes of the minutes."""
    buf = io.BytesIO()
    s = record["session"]
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"{s['title']} 会议纪要",
        author=record["committee"],
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    story: list = [
        _p(f"{record['committee']}", "h2"),
        _p(f"{s['title']}会议纪要", "title"),
        _p(f"{record['term']}　第{s['number']}次会议　{s['starts_on']} 至 {s['ends_on'] or '—'}"),
        Spacer(1, 6 * mm),
    ]
    for sitting in record["sittings"]:
        story += _sitting(sitting)
    story += [_p("分发文件", "h1"), *_documents(record["documents"])]
    made = timezone.localtime(dt.datetime.fromisoformat(record["generated_at"]))
    story += [Spacer(1, 8 * mm), _p(f"生成时间：{made:%Y-%m-%d %H:%M:%S}", "small")]
    doc.build(story)
    return buf.getvalue()
