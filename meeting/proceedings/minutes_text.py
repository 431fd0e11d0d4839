"""The words of the minutes (会议纪要), shared by the PDF and the DOCX renderings.

Both files are written from the collected record (``minutes.collect``) and must say the
same thing: every sentence, table row and heading is made here, once, as plain text;
``minutes_pdf`` and ``minutes_docx`` only lay it out. The minutes are a record of a
Chinese committee, so they are written in Chinese whoever asked for them; times are in
``TIME_ZONE``.
"""

from __future__ import annotations

from core.durations import format_duration
from core.exports import local_time

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
SPEECH_HEADER = ["序号", "发言人", "类型", "开始", "结束", "时长", "录像"]
NAMED_HEADER = ["座位", "姓名", "选择"]
DOCUMENT_HEADER = ["文件", "会议", "版本", "页数", "分发时间", "状态"]
NO_SPEECH = "无发言。"
NO_DOCUMENTS = "本次会议未分发文件。"
OTHER_SPEECHES = "其他发言"
DOCUMENTS = "分发文件"


def clock_time(iso: str | None) -> str:
    """An hour of the day (12:50:32) in TIME_ZONE; "—" for none."""
    return local_time(iso, "%H:%M:%S") or "—"


def heading(record: dict) -> tuple[str, str, str]:
    """The committee, the title, and the line under it."""
    s = record["session"]
    return (
        record["committee"],
        f"{s['title']}会议纪要",
        f"{record['term']}　第{s['number']}次会议　{s['starts_on']} 至 {s['ends_on'] or '—'}",
    )


def document_title(record: dict) -> str:
    return f"{record['session']['title']} 会议纪要"


def generated(record: dict) -> str:
    return f"生成时间：{local_time(record['generated_at'])}"


def sitting_head(s: dict) -> tuple[str, str]:
    """The sitting's heading and its time, room and chair."""
    head = f"{s['title']}（{SITTING_KIND_ZH.get(s['kind'], s['kind'])}）"
    when = local_time(s["starts_at"], "%Y-%m-%d %H:%M")
    return head, f"时间：{when}　地点：{s['room'] or '—'}　主持人：{s['chair'] or '—'}"


def attendance(s: dict) -> str:
    a, q = s["attendance"], s["attendance"]["quorum"]
    absent = "、".join(m["name"] for m in a["absent"]) or "无"
    return (
        f"应出席{q['roster_size']}人，实到{len(a['present'])}人，"
        f"缺席{len(a['absent'])}人（{absent}）。法定人数需{q['required']}人。"
    )


def item_head(item: dict) -> str:
    return f"议程{item['order']}：{item['title']}"


def presenter(item: dict) -> str | None:
    return f"汇报人：{item['presenter']}" if item["presenter"] else None


def speech_rows(speeches: list[dict]) -> list[list]:
    """The speaking log of an item as a table, header first."""
    rows: list[list] = [list(SPEECH_HEADER)]
    for n, sp in enumerate(speeches, start=1):
        rows.append(
            [
                n,
                f"{sp['name']}（{sp['seat']}）" if sp["seat"] else sp["name"],
                KIND_ZH.get(sp["kind"], sp["kind"]),
                clock_time(sp["started_at"]),
                clock_time(sp["ended_at"]),
                format_duration(sp["duration_s"], "zh-hans"),
                sp["clip"] or "—",
            ]
        )
    return rows


def _labels(vote: dict) -> dict[str, str]:
    return {o["key"]: o["label"] for o in vote["options"]}


def vote_head(vote: dict) -> str:
    kind = VOTE_KIND_ZH.get(vote["kind"], vote["kind"])
    return f"表决：{vote['question']}（{kind}，第{vote['round']}轮）"


def vote_lines(vote: dict) -> list[str]:
    """The rule, the counts of each ballot line and its outcome, and the result."""
    out = [f"表决规则：{vote['rule'].get('label_zh') or vote['rule']['words_zh']}。"]
    res = vote["result"]
    if res is None:
        state = VOTE_STATE_ZH.get(vote["state"], vote["state"])
        return [*out, f"未计票（状态：{state}）。"]
    labels = _labels(vote)
    for q in res["questions"]:
        counts = "，".join(f"{labels.get(k, k)}{n}票" for k, n in q["counts"].items())
        out.append(f"{q['text']}：{counts}；未按键{res['did_not_vote']}人，缺席{res['absent']}人。")
        out.append(q["outcome"]["explanation_zh"])
    out.append(f"表决结果：{'通过' if res['passed'] else '未通过'}。")
    return out


def named_rows(vote: dict) -> list[list] | None:
    """Who chose what (named votes only), header first; None for a secret ballot."""
    res = vote["result"]
    if not res or not res.get("named"):
        return None
    labels = _labels(vote)
    qtext = {str(q["id"]): q["text"] for q in res["questions"]}
    rows: list[list] = [list(NAMED_HEADER)]
    for m in res["named"]:
        choice = "；".join(
            (f"{qtext[qid]}：" if len(qtext) > 1 else "") + labels.get(o, o)
            for qid, o in m["choices"].items()
        )
        rows.append([m["seat"], m["name"], choice])
    return rows


NAMED_LIST = "记名表决名单："


def document_rows(docs: list[dict]) -> list[list]:
    rows: list[list] = [list(DOCUMENT_HEADER)]
    for d in docs:
        rows.append(
            [
                d.get("title", ""),
                d.get("sitting") or "整个会议",
                d.get("version", ""),
                d.get("pages", ""),
                local_time(d.get("distributed_at"), "%Y-%m-%d %H:%M"),
                DOC_STATE_ZH.get(d.get("state", ""), d.get("state", "")),
            ]
        )
    return rows
