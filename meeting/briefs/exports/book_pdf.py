"""一人一册 / 一届一本 as PDF: cover, attendance, speeches with QR codes, votes, reading, charts.

Charts are drawn with reportlab.graphics (vector, no image files): attendance per
session across the term, and the member's speeches per session beside the committee's
median. The term book adds the committee's statistics (per member and per group) and
reports its progress member by member while it is laid out.
"""

from __future__ import annotations

import io
from collections import defaultdict

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from core.durations import format_duration
from core.pdffont import cjk_font
from meeting.briefs.exports.common import (
    QR_SIZE,
    esc,
    moment_url,
    para,
    qr,
    quote_markup,
)

BLUE, GREY = colors.HexColor("#2b6cb0"), colors.HexColor("#a0aec0")
WIDTH = A4[0] - 40 * mm


def _table(rows: list[list], widths=None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), cjk_font(), 8),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#edf2f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _bars(title: str, labels: list[str], series: list[list[float]], names: list[str], top=None):
    font = cjk_font()
    d = Drawing(WIDTH, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, WIDTH - 45 * mm, 40 * mm
    chart.data = series or [[0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if top is not None:
        chart.valueAxis.valueMax = top
    else:
        highest = max([max(row) for row in series if row] or [0])
        chart.valueAxis.valueMax = max(1, highest)
        chart.valueAxis.valueStep = max(1, -(-highest // 5))  # whole speeches on the axis
    for i, color in enumerate((BLUE, GREY)):
        if i < len(series):
            chart.bars[i].fillColor = color
    d.add(chart)
    d.add(String(12 * mm, 54 * mm, title, fontName=font, fontSize=9))
    if len(names) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 30 * mm, 45 * mm
        legend.fontName, legend.fontSize = font, 7
        legend.colorNamePairs = list(zip((BLUE, GREY), names, strict=False))
        d.add(legend)
    return d


def attendance_chart(book: dict) -> Drawing:
    rows = book["per_session"]
    rates = [round(100 * r["attended"] / r["expected"]) if r["expected"] else 0 for r in rows]
    return _bars(
        "各次会议出席率（%）", [f"第{r['session']}次" for r in rows], [rates], ["出席率"], top=100
    )


def speeches_chart(book: dict, medians: dict) -> Drawing:
    rows = book["per_session"]
    mine = [r["speeches"] for r in rows]
    median = [float(medians.get(r["session"], medians.get(str(r["session"]), 0))) for r in rows]
    return _bars(
        "各次会议发言次数（与全体组成人员中位数对比）",
        [f"第{r['session']}次" for r in rows],
        [mine, median],
        ["本人", "中位数"],
    )


def _speech(sp: dict) -> list:
    head = esc(f"{sp['date']}　{sp['session']}　{sp['sitting']}　{sp['item']}")
    body = [para(head, "small"), para(esc(sp["text"]) if sp["text"] else "（发言要点待整理）")]
    for q in sp["quotes"]:
        body.append(para(quote_markup(sp["clip"], q, not sp["clip"]), "quote"))
    if sp["clip_removed"]:
        body.append(para(esc(f"（录像已删除，原因：{sp['clip_removed']}）"), "note"))
    at = sp["quotes"][0]["at"] if sp["quotes"] else 0
    code = qr(moment_url(sp["clip"], at), 16 * mm) if sp["clip"] else ""
    t = Table([[body, code]], colWidths=[WIDTH - QR_SIZE, QR_SIZE])
    t.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.2, GREY)]
        )
    )
    return [t]


def member_section(book: dict, medians: dict, term_name: str) -> list:
    """The member's part: heading, charts, attendance, speeches, votes, documents read."""
    att = book["attendance"]
    present = sum(a["status"] == "出席" for a in att)
    out = [
        para(esc(f"{book['name']}{book['title']}"), "h1"),
        para(
            esc(
                f"{term_name}　{book['group']}　座位{book['seat'] or '—'}　"
                f"应出席{len(att)}次，出席{present}次，发言{len(book['speeches'])}次，"
                f"记名表决{len(book['votes'])}项"
            )
        ),
        attendance_chart(book),
        speeches_chart(book, medians),
        para("出席情况", "h2"),
        _table(
            [["日期", "会议", "状态", "请假事由"]]
            + [
                [
                    a["date"],
                    para(esc(f"{a['session']} {a['sitting']}"), "small"),
                    a["status"],
                    para(esc(a["reason"] or "—"), "small"),
                ]
                for a in att
            ],
            [22 * mm, 95 * mm, 14 * mm, 39 * mm],
        ),
        para("发言", "h2"),
    ]
    if not book["speeches"]:
        out.append(para("本届暂无发言记录。"))
    for sp in book["speeches"]:
        out += _speech(sp)
    out.append(para("记名表决", "h2"))
    if book["votes"]:
        out.append(
            _table(
                [["会议", "表决事项", "表决意见"]]
                + [
                    [
                        para(esc(v["sitting"]), "small"),
                        para(esc(v["question"]), "small"),
                        v["option"],
                    ]
                    for v in book["votes"]
                ],
                [45 * mm, 105 * mm, 20 * mm],
            )
        )
    else:
        out.append(para("无。"))
    out.append(para("阅读文件", "h2"))
    if book["documents"]:
        out.append(
            _table(
                [["文件", "打开次数", "阅读时长"]]
                + [
                    [
                        para(esc(d["title"]), "small"),
                        d["opens"],
                        format_duration(d["seconds"], "zh-hans"),
                    ]
                    for d in book["documents"]
                ],
                [120 * mm, 20 * mm, 30 * mm],
            )
        )
    else:
        out.append(para("无。"))
    return out


def _cover(title: str, subtitle: str, data: dict) -> list:
    return [
        Spacer(1, 60 * mm),
        para(esc(data["term"]["committee"]), "title"),
        Spacer(1, 10 * mm),
        para(esc(title), "cover"),
        Spacer(1, 8 * mm),
        para(esc(subtitle), "title"),
        Spacer(1, 40 * mm),
        para(esc(f"生成于 {data['generated_at']}"), "issue"),
        PageBreak(),
    ]


def _doc(buf, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buf, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=16 * mm, bottomMargin=16 * mm,
    )  # fmt: skip


def _page_number(canvas, doc) -> None:
    canvas.setFont(cjk_font(), 8)
    canvas.drawCentredString(A4[0] / 2, 8 * mm, f"第 {doc.page} 页")


def render_member_book(data: dict) -> bytes:
    """一人一册: one member's term."""
    [book] = data["members"]
    buf = io.BytesIO()
    name = f"{book['name']}履职档案"
    story = _cover(name, f"{data['term']['name']}　一人一册", data)
    story += member_section(book, data["median_speeches"], data["term"]["name"])
    _doc(buf, name).build(story, onLaterPages=_page_number)
    return buf.getvalue()


class _Mark(Flowable):
    """A zero-size flowable that reports layout progress when it is drawn."""

    def __init__(self, n: int, report) -> None:
        super().__init__()
        self.n, self.report = n, report
        self.width = self.height = 0

    def wrap(self, *_):
        return 0, 0

    def draw(self) -> None:
        self.report(self.n)


def committee_statistics(data: dict) -> list:
    books = data["members"]
    rows = [["组成人员", "小组", "应出席", "出席", "请假", "发言"]]
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    order = {b["group"] or "—": b["group_order"] for b in books}
    for b in books:
        att = b["attendance"]
        present = sum(a["status"] == "出席" for a in att)
        leave = sum(a["status"] == "请假" for a in att)
        rows.append([b["name"], b["group"] or "—", len(att), present, leave, len(b["speeches"])])
        g = groups[b["group"] or "—"]
        g[0] += 1
        g[1] += len(att)
        g[2] += present
        g[3] += len(b["speeches"])
    grows = [["小组", "人数", "出席率", "发言"]] + [
        [name, g[0], f"{100 * g[2] / g[1]:.0f}%" if g[1] else "—", g[3]]
        for name, g in sorted(groups.items(), key=lambda kv: order[kv[0]])
    ]
    names = sorted(groups, key=lambda n: order[n])
    chart = _bars("各小组发言次数", names, [[groups[n][3] for n in names]], ["发言"])
    return [
        para("常委会统计", "h1"),
        para(
            esc(
                f"本届共{len(data['sessions'])}次会议、{data['sittings']}场次，"
                f"组成人员{len(books)}人，发言{sum(len(b['speeches']) for b in books)}次。"
            )
        ),
        para("按小组", "h2"),
        _table(grows),
        chart,
        para("按组成人员", "h2"),
        _table(rows, [40 * mm, 40 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm]),
        PageBreak(),
    ]


def render_term_book(data: dict, report=None) -> bytes:
    """一届一本: the committee's statistics, then one section per member."""
    buf = io.BytesIO()
    title = f"{data['term']['name']}履职档案"
    story = _cover(title, "一届一本", data) + committee_statistics(data)
    for n, book in enumerate(data["members"], start=1):
        story += member_section(book, data["median_speeches"], data["term"]["name"])
        if report:
            story.append(_Mark(n, report))
        story.append(PageBreak())
    _doc(buf, title).build(story, onLaterPages=_page_number)
    return buf.getvalue()
