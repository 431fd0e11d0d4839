"""Two versions of a small draft with known changes, laid out as real PDFs at test time.

OLD (12 articles, 4 chapters) → NEW: an article added after 第一条 (every later one
renumbered until 第四条 is deleted), 第二条 and 第五条 reworded, 第七条 moved from 第二章
to 第三章 (and reworded), 第六条之一 kept; NEW's 第三章 heading is split across a page
break; every page after the first has the title as running header and "— n —" at the
foot.
"""

from __future__ import annotations

from docs_store.drafts.sample import draft_pdf

A = "为了规范行政许可的设定和实施，保护公民、法人和其他组织的合法权益，维护公共利益和社会秩序，根据宪法，制定本法。"
B = "本法所称行政许可，是指行政机关根据公民、法人或者其他组织的申请，经依法审查，准予其从事特定活动的行为。"
B2 = "本法所称行政许可，是指行政机关根据自然人、法人或者非法人组织的申请，经依法审查，准予其从事特定活动的行为。"
C = "设定和实施行政许可，应当遵循公开、公平、公正、非歧视的原则。\n有关行政许可的规定应当公布；未经公布的，不得作为实施行政许可的依据。"
D = "行政许可收取的费用，应当全部上缴国库，任何机关或者个人不得截留、挪用、私分。"
E = "行政机关应当对申请人提交的申请材料进行审查，并在二十日内作出决定。"
E2 = "行政机关可以对申请人提交的申请材料进行审查，并在十五个工作日内作出书面决定。"
F = "有下列情形之一的，行政机关不予受理：\n（一）申请事项依法不需要取得行政许可的；\n（二）申请事项依法不属于本行政机关职权范围的；\n（三）申请人隐瞒有关情况或者提供虚假材料的。"
G = "行政机关应当建立健全行政许可的电子政务系统，推行网上办理。"
H = "违反本法规定，擅自设定行政许可的，由有权机关责令改正。"
H2 = "违反本法规定，擅自设定行政许可的，由有权机关责令限期改正。"
I_ = "行政机关作出准予行政许可决定，需要颁发行政许可证件的，应当向申请人颁发加盖本行政机关印章的行政许可证件。"
J = "行政机关工作人员办理行政许可，索取或者收受他人财物的，依法给予处分；构成犯罪的，依法追究刑事责任。"
K = "被许可人以欺骗、贿赂等不正当手段取得行政许可的，行政机关应当依法给予行政处罚。"
L = "本法自公布之日起施行。"
N1 = "国家推进行政许可标准化建设，制定行政许可事项清单并向社会公布。"

TITLE_OLD = "中华人民共和国行政许可测试法（草案）"
TITLE_NEW = "中华人民共和国行政许可测试法（草案二次审议稿）"


def old_blocks() -> list:
    return [
        ("chapter", "第一章　总　　则"),
        ("article", "第一条", A),
        ("article", "第二条", B),
        ("article", "第三条", C),
        ("article", "第四条", D),
        ("chapter", "第二章　许可的实施"),
        ("article", "第五条", E),
        ("article", "第六条", F),
        ("article", "第六条之一", G),
        ("article", "第七条", H),
        ("article", "第八条", I_),
        ("chapter", "第三章　法律责任"),
        ("article", "第九条", J),
        ("article", "第十条", K),
        ("chapter", "第四章　附　　则"),
        ("article", "第十一条", L),
    ]


def new_blocks() -> list:
    return [
        ("chapter", "第一章　总　　则"),
        ("article", "第一条", A),
        ("article", "第二条", N1),
        ("article", "第三条", B2),
        ("article", "第四条", C),
        ("chapter", "第二章　许可的实施"),
        ("article", "第五条", E2),
        ("article", "第六条", F),
        ("article", "第六条之一", G),
        ("article", "第七条", I_),
        ("line", "第三章"),
        ("pagebreak",),
        ("line", "法律责任"),
        ("article", "第八条", J),
        ("article", "第九条", H2),
        ("article", "第十条", K),
        ("chapter", "第四章　附　　则"),
        ("article", "第十一条", L),
    ]


def old_pdf(**kw) -> bytes:
    return draft_pdf(TITLE_OLD, old_blocks(), lines_per_page=14, **kw)


def new_pdf(**kw) -> bytes:
    return draft_pdf(TITLE_NEW, new_blocks(), lines_per_page=14, **kw)


def report_pdf() -> bytes:
    """A report with no article in it (关于……的报告): not a draft."""
    from docs_store.drafts.sample import _Layout

    out = _Layout("工作报告", "工作报告", "dash", 14, 20)
    out.centred("关于2026年度行政许可工作情况的报告", 18)
    for _ in range(3):
        out.paragraph(
            "一年来，各级行政机关认真贯彻实施行政许可法，深化放管服改革，第一批事项已经完成，"
            "群众满意度明显提升。下一步将继续推进行政许可标准化、规范化、便利化。"
        )
    return out.done()
