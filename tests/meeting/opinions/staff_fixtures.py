"""A draft read under an agenda item, in two versions compared, with speeches to tie.

Rows are made directly (no PDF): the staff side reads what the drafts and the members'
opinions left in the database, whichever way it came there.

The document 《数据条例（草案）》 is on the plenary's item 1 and placed on group A's
item 1. Version 1 has 第一条…第五条; version 2 (current) inserts a new 第二条, so the
old 第二条 is 第三条, rewords the old 第三条 (now 第四条), deletes the old 第四条 and
keeps the old 第五条 as 第五条 (it was renumbered back by the deletion).
"""

from __future__ import annotations

import datetime as dt
import itertools

V1 = [
    ("第一条", "第一章　总则", "为了规范数据处理活动，制定本条例。"),
    ("第二条", "第一章　总则", "本条例所称数据，是指任何以电子方式对信息的记录。"),
    ("第三条", "第二章　数据共享", "公共管理机构应当共享数据。"),
    ("第四条", "第二章　数据共享", "数据共享目录每年更新一次。"),
    ("第五条", "第三章　法律责任", "违反本条例规定的，依法追究责任。"),
]
V2 = [
    ("第一条", "第一章　总则", "为了规范数据处理活动，制定本条例。"),
    ("第二条", "第一章　总则", "数据工作坚持统筹发展和安全。"),
    ("第三条", "第一章　总则", "本条例所称数据，是指任何以电子方式对信息的记录。"),
    ("第四条", "第二章　数据共享", "公共管理机构可以依法共享数据。"),
    ("第五条", "第三章　法律责任", "违反本条例规定的，依法追究责任。"),
]
PAIRS = [
    {"old": "第一条", "new": "第一条", "status": "unchanged", "ops": [["=", V1[0][2]]]},
    {"old": None, "new": "第二条", "status": "added", "ops": [["+", V2[1][2]]]},
    {"old": "第二条", "new": "第三条", "status": "unchanged", "ops": [["=", V1[1][2]]]},
    {
        "old": "第三条",
        "new": "第四条",
        "status": "modified",
        "ops": [["=", "公共管理机构"], ["-", "应当"], ["+", "可以依法"], ["=", "共享数据。"]],
    },
    {"old": "第四条", "new": None, "status": "deleted", "ops": [["-", V1[3][2]]]},
    {"old": "第五条", "new": "第五条", "status": "unchanged", "ops": [["=", V1[4][2]]]},
]
_ids = itertools.count(1)


def _version(doc, number: int, rows, clerk):
    from docs_store.drafts.models import DraftArticle, DraftStructure
    from docs_store.models import DocumentVersion

    v = DocumentVersion.objects.create(
        document=doc,
        number=number,
        filename=f"draft-v{number}.pdf",
        sha256=f"{number:064d}",
        size=1000,
        pages=2,
        uploaded_by=clerk,
    )
    DraftStructure.objects.create(
        version=v,
        status="parsed",
        title=doc.title,
        articles=len(rows),
        parsed_at=dt.datetime.now(dt.UTC),
    )
    arts = [
        DraftArticle.objects.create(
            version=v,
            ordinal=n,
            number=n,
            label=label,
            chapter=chapter,
            text=text,
            paragraphs=[text],
        )
        for n, (label, chapter, text) in enumerate(rows, start=1)
    ]
    return v, {a.label: a for a in arts}


def make_opinion(member, article, text, *, submitted=True, sitting=None, at=None):
    from meeting.opinions.models import Opinion

    at = at or dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)  # 14:30 in Shanghai
    return Opinion.objects.create(
        member=member,
        article=article,
        document=article.version.document,
        sitting=sitting,
        text=text,
        state="submitted" if submitted else "draft",
        client_id=f"op-{next(_ids):08d}",
        created_at=at,
        updated_at=at,
        submitted_at=at if submitted else None,
    )


def build(committee, settings):
    """The committee with the compared draft and three finished speeches on group A's item 1
    (each test module's ``drafted`` fixture)."""
    from docs_store.drafts.models import DraftComparison
    from docs_store.models import Document, DocumentPlacement
    from meeting.briefs.history import file_speech

    ns = committee
    settings.PUBLIC_URL = "http://yiting.test"
    clerk = ns.clerk.user
    item = ns.plenary.agenda_items.get(order=1)
    ns.group_item = ns.group_a_sitting.agenda_items.get(order=1)
    doc = Document.objects.create(
        session=ns.session, item=item, title="数据条例（草案）", state="distributed"
    )
    ns.v1, ns.old = _version(doc, 1, V1, clerk)
    ns.v2, ns.new = _version(doc, 2, V2, clerk)
    doc.current = ns.v2
    doc.save(update_fields=["current"])
    ns.doc = doc
    DocumentPlacement.objects.create(
        document=doc, item=ns.group_item, sitting=ns.group_a_sitting, by=clerk
    )
    DraftComparison.objects.create(
        new_version=ns.v2,
        old_version=ns.v1,
        status="ready",
        pairs=PAIRS,
        aligned_share=0.8,
        by=clerk,
    )
    m = {x.full_name: x for x in ns.members}
    ns.m = m
    t0 = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
    s = ns.group_a_sitting
    ns.sp1 = file_speech(s, m["委员1"], ns.group_item, t0, 90)
    ns.sp3 = file_speech(s, m["委员3"], ns.group_item, t0 + dt.timedelta(minutes=5), 60)
    ns.sp5 = file_speech(
        s, m["委员5"], s.agenda_items.get(order=2), t0 + dt.timedelta(minutes=10), 30
    )
    for sitting in (ns.plenary, ns.group_a_sitting, ns.group_b_sitting):
        sitting.state = "ended"
        sitting.save(update_fields=["state"])
    return ns
