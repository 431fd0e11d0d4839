"""A demo committee to try Yiting with: 65 component members in 4 deliberation groups.

``load_demo()`` is idempotent: every object is found by its natural key first, so
running it twice changes nothing. Passwords of demo logins are all ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from core import policy
from core.models import (
    AgendaItem,
    Committee,
    DeliberationGroup,
    Member,
    Role,
    Session,
    Sitting,
    Term,
)
from meeting.demo_login import DEMO_PASSWORD

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "海峰",
    "晓燕",
    "国平",
    "玉兰",
    "永红",
    "文斌",
    "春梅",
    "德明",
    "淑珍",
    "立新",
    "红霞",
]
GROUP_NAMES = ["第一审议组", "第二审议组", "第三审议组", "第四审议组"]
ITEMS = [
    ("审议《某省数据条例（草案）》", "法制工作委员会关于条例草案的说明"),
    ("审议《某省生态环境保护条例（修订草案）》", "环境与资源保护委员会的审议意见"),
    ("审议省人民政府关于2026年上半年国民经济和社会发展计划执行情况的报告", "计划执行情况报告"),
]


@dataclass
class DemoResult:
    logins: dict[str, str] = field(default_factory=dict)
    session: Session | None = None
    sittings: list[Sitting] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)


def _user(username: str, *, staff: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _member(term: Term, username: str, name: str, role: str, seat: str = "", group=None) -> Member:
    user = _user(username, staff=policy.may(role, "admin.enter"))
    if not user.first_name:  # the admin site greets a login by it, not by "CLERK"
        user.first_name = name[:150]
        user.save(update_fields=["first_name"])
    member, _ = Member.objects.get_or_create(
        user=user,
        term=term,
        defaults={
            "full_name": name,
            "role": role,
            "seat": seat,
            # the demo's card numbers: 88 and the seat (m003's card is 880003)
            "card_number": f"88{int(seat):04d}" if seat.isdigit() else "",
            "group": group,
        },
    )
    return member


def member_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)]


@transaction.atomic
def load_demo(members: int = 65, with_documents: bool = True) -> DemoResult:
    """Create (or find) the demo committee, its session and its logins."""
    out = DemoResult()
    committee, _ = Committee.objects.get_or_create(
        name="某省人民代表大会常务委员会", defaults={"short_name": "省人大常委会"}
    )
    term, _ = Term.objects.get_or_create(
        committee=committee,
        name="第十四届",
        defaults={"starts_on": dt.date(2023, 1, 15), "is_current": True},
    )
    groups = [
        DeliberationGroup.objects.get_or_create(term=term, name=n, defaults={"order": i})[0]
        for i, n in enumerate(GROUP_NAMES, start=1)
    ]
    chair = _member(term, "chair", "主任 " + member_name(0), Role.CHAIR, "001", groups[0])
    out.logins["chair"] = "chair"
    seated, vice_chairs = [chair], []
    # Hashing a password per login takes most of the demo's start (PBKDF2): show it.
    # tqdm draws only on a terminal (disable=None), so tests and logs stay clean.
    for n in tqdm(range(1, members), desc="demo members", unit="member", disable=None):
        role = Role.VICE_CHAIR if n <= 4 else Role.MEMBER
        group = groups[n % len(groups)]
        seat = f"{n + 1:03d}"
        seated.append(_member(term, f"m{n + 1:03d}", member_name(n), role, seat, group))
        if n <= 4:
            vice_chairs.append(seated[-1])  # the groups' conveners come from these
    out.logins["members"] = f"m002 … m{members:03d}"
    clerk = _member(term, "clerk", "会务组 秘书", Role.CLERK)
    out.logins["clerk"] = clerk.user.username
    _member(term, "staff", "机关 审查员", Role.STAFF)
    out.logins["staff"] = "staff"
    _member(term, "display", "会场大屏", Role.DISPLAY)
    out.logins["display"] = "display"

    session, _ = Session.objects.get_or_create(
        term=term,
        number=20,
        defaults={
            "title": "第十四届常务委员会第二十次会议",
            "starts_on": timezone.localdate(),
            "state": Session.State.OPEN,
        },
    )
    out.session = session
    start = timezone.make_aware(dt.datetime.combine(session.starts_on, dt.time(9, 0)))
    plenary, _ = Sitting.objects.get_or_create(
        session=session,
        kind=Sitting.Kind.PLENARY,
        defaults={
            "title": "第一次全体会议",
            "room": "第一会议室",
            "starts_at": start,
            "chair": chair,
        },
    )
    out.sittings.append(plenary)
    for i, group in enumerate(groups):
        conveners = [m for m in vice_chairs if m.group_id == group.pk]
        sitting, _ = Sitting.objects.get_or_create(
            session=session,
            kind=Sitting.Kind.GROUP,
            group=group,
            defaults={
                "title": f"分组会议 · {group.name}",
                "room": f"第{i + 2}会议室",
                "starts_at": start + dt.timedelta(hours=5),
                "chair": conveners[0] if conveners else None,
            },
        )
        out.sittings.append(sitting)
    for sitting in out.sittings:
        for order, (title, _doc) in enumerate(ITEMS, start=1):
            group_sitting = sitting.kind == Sitting.Kind.GROUP
            AgendaItem.objects.get_or_create(
                sitting=sitting,
                order=order,
                defaults={
                    "title": title,
                    "first_speech_limit_s": 600 if group_sitting else 900,
                    "second_speech_limit_s": 480 if group_sitting else 600,
                },
            )
    if with_documents:
        out.documents = demo_pdfs()
        _attach_documents(out)
    return out


def demo_pdfs() -> list[Path]:
    """Generate the demo's multi-page PDFs (once) under the data folder."""
    from meeting.demo_pdf import write_bill

    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (title, subtitle) in enumerate(ITEMS, start=1):
        path = folder / f"item-{n}.pdf"
        if not path.exists():
            write_bill(path, title, subtitle, pages=6 + 2 * n)
        paths.append(path)
    return paths


def _attach_documents(out: DemoResult) -> None:
    """Attach the PDFs to the agenda items through the documents service."""
    from meeting.demo_documents import attach_demo_documents

    attach_demo_documents(out, [paper for _item, paper in ITEMS])
