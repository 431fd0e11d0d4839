"""The demo's second reading (二审) of its first agenda item, 《某省数据条例（草案）》.

In the recorded past session (``meeting.briefs.demo``, 第十九次会议) the draft is the
first agenda item's paper: version 1 is the first-reading text (一审稿), version 2 the
revised draft (二次审议稿), marked "compare with" version 1 (修改对照). The revision
inserts an article in chapter one (every later article renumbers), rewords two
(第八条 on sharing, 第十二条 on small firms), and deletes one (the old 第九条). Three
members of three groups submitted opinions on three articles; two of the recorded
speeches are tied to articles (one whole, one by a stretch of its clip); and 简报 第2期
is compiled for the item across the groups, by article (left a draft for a second staff
member to check). The PDFs are laid out like printed drafts (``docs_store.drafts.sample``)
and read article by article as an upload is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from core.models import AgendaItem, Member, Role, Session, Sitting
from core.policy import Acting

TITLE = "某省数据条例（草案）"
ONE = "为了规范数据处理活动，保障数据安全，促进数据依法有序自由流动，保护个人、组织的合法权益，根据有关法律、行政法规，结合本省实际，制定本条例。"
GENERAL = [
    ONE,
    "本省行政区域内的数据处理及其安全监管等活动，适用本条例。",
    "本条例所称数据，是指任何以电子或者其他方式对信息的记录。",
]
INSERTED = (
    "数据处理活动应当遵循合法、正当、必要和诚信原则，不得危害国家安全、公共利益，"
    "不得损害个人、组织的合法权益。"
)
GENERAL_REST = [
    "县级以上人民政府应当加强对数据工作的领导，将数据发展纳入国民经济和社会发展规划，"
    "所需经费列入本级预算。",
    "省人民政府数据主管部门负责统筹全省数据工作。\n"
    "网信、公安、国家安全等部门在各自职责范围内负责数据安全监管工作。",
]
SHARING_V1 = [
    "公共数据实行目录管理。公共管理机构应当编制本单位公共数据目录，并按照规定及时更新。",
    "公共管理机构应当共享公共数据，不得以任何理由拒绝其他公共管理机构的共享请求。",
    "公共数据开放实行分类分级管理。\n公共数据分为无条件开放、有条件开放和不予开放三类。",
    "公共管理机构应当每年向本级人民政府报告公共数据共享情况。",
]
SHARING_V2 = [
    SHARING_V1[0],
    "公共管理机构应当依法共享公共数据，不得拒绝其他公共管理机构依法提出的共享请求；"
    "不予共享的，应当说明理由。",
    SHARING_V1[2],
]
MARKET_V1 = [
    "支持数据交易场所建设，规范数据交易行为，培育数据要素市场。",
    "鼓励企业、科研机构等主体开展数据开发利用，依法保护数据开发利用形成的财产权益。",
    "中小企业开展数据合规建设的，县级以上人民政府应当给予指导和支持。",
]
MARKET_V2 = [
    *MARKET_V1[:2],
    "中小企业开展数据合规建设的，县级以上人民政府应当给予指导和支持，并可以给予一定的过渡期。",
]
SECURITY = [
    "数据处理者应当建立健全全流程数据安全管理制度，采取相应的技术措施和其他必要措施，"
    "保障数据安全。",
    "重要数据的处理者应当明确数据安全负责人和管理机构，定期开展风险评估，"
    "并向有关主管部门报送风险评估报告。",
]
LIABILITY = [
    "违反本条例规定的，由有关部门依法处理；构成犯罪的，依法追究刑事责任。",
    "本条例自　年　月　日起施行。",
]
# (member's group order, article of version 2, opinion) — three members, three articles
OPINIONS = [
    (1, "第八条", "建议明确不予共享的情形由省人民政府数据主管部门统一规定，避免各部门自行其是。"),
    (2, "第十二条", "过渡期的期限建议在条文中写明，例如不超过两年，给企业稳定的预期。"),
    (3, "第十五条", "建议对违规使用公共数据的行为单列罚则，明确处罚的种类和幅度。"),
]


def _blocks(second: bool) -> list:
    from docs_store.drafts.sample import articles

    general = [*GENERAL, INSERTED, *GENERAL_REST] if second else [*GENERAL, *GENERAL_REST]
    sharing = SHARING_V2 if second else SHARING_V1
    market = MARKET_V2 if second else MARKET_V1
    n = 1
    out: list = []
    for heading, texts in (
        ("第一章　总　　则", general),
        ("第二章　公共数据", sharing),
        ("第三章　数据要素市场", market),
        ("第四章　数据安全", SECURITY),
        ("第五章　法律责任与附则", LIABILITY),
    ):
        out.append(("chapter", heading))
        out += articles(texts, start=n)
        n += len(texts)
    return out


def draft_pdfs() -> tuple[Path, Path]:
    """The first-reading text and the revised draft as PDFs (made once, in the data folder)."""
    from docs_store.drafts.sample import draft_pdf

    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for second, name, title in (
        (False, "draft-data-1.pdf", f"{TITLE}"),
        (True, "draft-data-2.pdf", "某省数据条例（草案二次审议稿）"),
    ):
        path = folder / name
        if not path.exists():
            path.write_bytes(draft_pdf(title, _blocks(second), header=""))
        paths.append(path)
    return paths[0], paths[1]


def load_second_reading(session: Session, staff, speeches: list) -> dict:
    """Attach, read and compare the two versions under item 1 of ``session``; opinions,
    ties and the brief by article. Idempotent: a session that has the draft is left."""
    from docs_store.drafts.models import DraftArticle
    from docs_store.drafts.services import mark_comparison, read_version
    from docs_store.models import Document
    from docs_store.services import distribution, placement
    from docs_store.services.upload import Upload, replace_version, upload_documents

    if Document.objects.filter(session=session, title=TITLE).exists():
        return {}
    clerk = get_user_model().objects.get(username="clerk")
    acting_clerk = Acting(role=Role.CLERK, user_id=clerk.pk)
    plenary_item = AgendaItem.objects.get(
        sitting__session=session, sitting__kind=Sitting.Kind.PLENARY, order=1
    )
    first, second = draft_pdfs()
    [doc] = upload_documents(
        session, [Upload(first.name, first.read_bytes(), TITLE)], by=clerk, item=plenary_item
    )
    old = doc.current
    new = replace_version(doc, Upload(second.name, second.read_bytes(), TITLE), by=clerk)
    distribution.distribute(session, actor=acting_clerk, by=clerk, ids=[doc.pk])
    for item in AgendaItem.objects.filter(
        sitting__session=session, sitting__kind=Sitting.Kind.GROUP, order=1
    ):
        placement.place(session, document_id=doc.pk, item_id=item.pk, actor=acting_clerk, by=clerk)
    read_version(old)
    read_version(new)
    mark_comparison(acting_clerk, new, old)
    articles = {a.label: a for a in DraftArticle.objects.filter(version=new)}
    opinions = _opinions(session, doc, articles)
    ties = _ties(staff, speeches, articles)
    brief = _brief(session, staff, new)
    return {"document": doc.pk, "opinions": opinions, "ties": ties, "brief": brief}


def _opinions(session: Session, doc, articles: dict) -> int:
    """Three members of three groups write and submit an opinion each (the tablet's path)."""
    from meeting.opinions.models import Opinion
    from meeting.opinions.services import submit_opinion, write_opinion

    done = 0
    for group_order, label, text in OPINIONS:
        sitting = Sitting.objects.get(
            session=session, kind=Sitting.Kind.GROUP, group__order=group_order
        )
        member = (
            Member.objects.filter(group=sitting.group, role=Role.MEMBER, active=True)
            .order_by("-seat")
            .first()
        )
        if member is None or label not in articles:
            continue
        out = write_opinion(
            member.user,
            articles[label],
            text,
            f"demo-opinion-{group_order}",
            sitting,
            document=doc.pk,  # as the tablet names it: read afresh (distributed now)
        )
        submit_opinion(member.user, out["id"])
        # written in the past session: dated the evening of its group sittings, not today
        at = sitting.starts_at + dt.timedelta(hours=3, minutes=10 * group_order)
        Opinion.objects.filter(pk=out["id"]).update(created_at=at, updated_at=at, submitted_at=at)
        done += 1
    return done


def _ties(staff, speeches: list, articles: dict) -> int:
    """The first recorded speech on the item, whole, to 第十五条 (罚则); the second by the
    stretch holding its quote to 第十二条 (过渡期)."""
    from meeting.opinions.staff import tie_speech

    on_item = [sp for sp in speeches if sp.agenda_item and sp.agenda_item.order == 1]
    plan = [("第十五条", None, None), ("第十二条", 2.0, 4.0)]
    for sp, (label, start, end) in zip(on_item, plan, strict=False):
        tie_speech(staff, sp, articles[label], start, end)
    return min(len(on_item), len(plan))


def _brief(session: Session, staff, version) -> int:
    """简报 of item 1 across the groups, compiled by the articles of the revised draft."""
    from meeting.briefs.services.briefs import create_brief
    from meeting.briefs.services.by_article import arrange_by_article

    brief = create_brief(staff, session=session, item_order=1)
    arrange_by_article(staff, brief, version)
    return brief.number
