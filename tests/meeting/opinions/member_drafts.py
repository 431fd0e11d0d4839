"""A draft read in two versions, made directly as rows (no parsing): for the member's
opinion tests (test_member_*.py).

Version 1 has 第一条…第七条; version 2 keeps 第一条, rewords 第二条 ("应当" → "可以"),
deletes 第三条, inserts two articles (so the old 第四条 is now 第五条), moves the old
第五条 from 第三章 to 第二章 (now 第六条) and keeps the last two unchanged (renumbered).
The clerk compared version 2 with version 1; the comparison's ``pairs`` are written by
hand in the format of ``docs_store.drafts.compare`` (new version's order, the deleted
article where it stood).
"""

from __future__ import annotations

A1 = "为了规范数据活动，保护个人信息，制定本条例。"
A4 = "任何组织不得非法买卖个人信息。"
A5 = "个人有权查阅、复制其个人信息。"
A6 = "违反本条例规定的，由有关部门责令改正。"
A7 = "本条例自公布之日起施行。"
OLD = [
    ("第一条", "第一章 总则", A1, 1),
    ("第二条", "第一章 总则", "处理个人信息应当遵循合法、正当、必要原则。", 1),
    ("第三条", "第一章 总则", "数据处理者应当每年报告一次处理情况。", 1),
    ("第四条", "第二章 保护", A4, 2),
    ("第五条", "第三章 权利", A5, 2),
    ("第六条", "第四章 附则", A6, 3),
    ("第七条", "第四章 附则", A7, 3),
]
NEW = [
    ("第一条", "第一章 总则", A1, 1),
    ("第二条", "第一章 总则", "处理个人信息可以遵循合法、正当、必要原则。", 1),
    ("第三条", "第一章 总则", "县级以上人民政府应当加强数据安全工作。", 1),
    ("第四条", "第一章 总则", "网信部门负责统筹协调数据安全工作。", 2),
    ("第五条", "第二章 保护", A4, 2),
    ("第六条", "第二章 保护", A5, 2),
    ("第七条", "第四章 附则", A6, 3),
    ("第八条", "第四章 附则", A7, 3),
]


def _pair(old, new, status, oi, nj, ops):
    return {"old": old, "new": new, "status": status, "ops": ops,
            "edited": any(op != "=" for op, _ in ops), "old_ordinal": oi, "new_ordinal": nj}  # fmt: skip


PAIRS = [
    _pair("第一条", "第一条", "unchanged", 1, 1, [["=", A1]]),
    _pair("第二条", "第二条", "modified", 2, 2,
          [["=", "处理个人信息"], ["-", "应当"], ["+", "可以"], ["=", "遵循合法、正当、必要原则。"]]),
    _pair("第三条", None, "deleted", 3, None, [["-", "数据处理者应当每年报告一次处理情况。"]]),
    _pair(None, "第三条", "added", None, 3, [["+", "县级以上人民政府应当加强数据安全工作。"]]),
    _pair(None, "第四条", "added", None, 4, [["+", "网信部门负责统筹协调数据安全工作。"]]),
    _pair("第四条", "第五条", "unchanged", 4, 5, [["=", A4]]),
    _pair("第五条", "第六条", "moved", 5, 6, [["=", A5]]),
    _pair("第六条", "第七条", "unchanged", 6, 7, [["=", A6]]),
    _pair("第七条", "第八条", "unchanged", 7, 8, [["=", A7]]),
]  # fmt: skip


def articles(version, rows) -> list:
    """DraftArticle rows for ``version`` (a DocumentVersion), numbered in order."""
    from docs_store.drafts.models import DraftArticle, DraftStructure

    DraftArticle.objects.filter(version=version).delete()
    made = [
        DraftArticle.objects.create(
            version=version,
            ordinal=n,
            number=n,
            label=label,
            chapter=chapter,
            text=text,
            paragraphs=[text],
            page=page,
        )
        for n, (label, chapter, text, page) in enumerate(rows, start=1)
    ]
    DraftStructure.objects.update_or_create(
        version=version, defaults={"status": "parsed", "articles": len(made)}
    )
    return made


def compared(doc, clerk_user, old_version, new_version) -> object:
    """The clerk's "compare with": ``new_version`` beside ``old_version``, ready."""
    from django.utils import timezone

    from docs_store.drafts.models import DraftComparison

    comparison, _ = DraftComparison.objects.update_or_create(
        new_version=new_version,
        defaults={
            "old_version": old_version,
            "status": "ready",
            "pairs": PAIRS,
            "aligned_share": 1.0,
            "by": clerk_user,
            "computed_at": timezone.now(),
        },
    )
    return comparison


def build_bill(committee):
    """A bill on the plenary's first item in two versions, version 2 compared with 1 (the
    pairs above); and a paper of group B's sitting. ``committee`` is tests/conftest.py's."""
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, replace_version, upload_documents
    from harness.actors import CLERK
    from tests.docs_store.conftest import make_pdf

    clerk = committee.clerk.user
    item = committee.plenary.agenda_items.get(order=1)
    [doc] = upload_documents(
        committee.session,
        [Upload("bill.pdf", make_pdf(2), "数据条例（草案）")],
        by=clerk,
        item=item,
    )
    distribute(committee.session, actor=CLERK, by=clerk, ids=[doc.pk])
    v1 = doc.current
    old = articles(v1, OLD)
    v2 = replace_version(doc, Upload("bill2.pdf", make_pdf(2, "v2")), by=clerk)
    new = articles(v2, NEW)
    compared(doc, clerk, v1, v2)
    doc.refresh_from_db()
    item_b = committee.group_b_sitting.agenda_items.get(order=1)
    [other] = upload_documents(
        committee.session, [Upload("b.pdf", make_pdf(1), "乙组文件")], by=clerk, item=item_b
    )
    distribute(committee.session, actor=CLERK, by=clerk, ids=[other.pk])
    other_articles = articles(other.current, OLD[:1])
    ns = type("Bill", (), {})()
    ns.doc, ns.v1, ns.v2, ns.old, ns.new, ns.item = doc, v1, v2, old, new, item
    ns.other, ns.other_articles = other, other_articles
    ns.plenary = committee.plenary
    ns.member = committee.members[0]  # m1, group A
    ns.member2 = committee.members[1]  # m2, group B
    return ns
