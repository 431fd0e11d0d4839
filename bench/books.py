"""Briefs and books: 一人一册, 一届一本 and a 20-speech 简报, each beside bare reportlab.

Builds, on a fresh SQLite database under a temporary data folder, a term of
``--members`` component members (the demo committee's 4 groups) with ``--sittings``
sittings (sessions of one plenary and four group sittings, all ended), every member
checked in at the sittings they belong to (one in 23 on leave), and ``--speeches``
finished speeches with a clip row and a summary with a time-coded quote each; one group
sitting holds exactly 20 speeches. Then it times, through the real code:

- the member's book (``books.write_member_book_file``: collection + PDF) of the member
  with the most speeches;
- the term book (``books.write_term_book_file`` with its progress callback);
- the brief of the 20-speech sitting (``create_brief`` + PDF export).

The baseline, in the same run: reportlab laying out a bare document of the same pages
(the text pypdf extracts from each page of the real output, one paragraph per page, in
the same embedded CJK font), with no database, tables, charts or QR codes.

    python bench/books.py [--members 175 --sittings 60 --speeches 1200] [--json]

Figures only: this never fails on a slow result. The machine is shared; the load
average is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_term(members: int, sittings: int, speeches: int):
    """The term, in bulk (the bench measures the books, not the set-up)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from core.models import COMPONENT_ROLES, AgendaItem, Attendance, Member, Session, Sitting
    from media.models import Clip, Recording
    from meeting.briefs.models import Leave, Summary, SummaryVersion
    from meeting.demo import load_demo
    from meeting.floor.models import Speech

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # set-up only
    demo = load_demo(members=members, with_documents=False)
    term = demo.session.term
    staff = get_user_model().objects.get(username="staff")
    roster = list(Member.objects.filter(term=term, role__in=COMPONENT_ROLES).order_by("seat"))
    groups = list(term.groups.order_by("order"))
    per_session = 1 + len(groups)
    with transaction.atomic():
        Session.objects.filter(pk=demo.session.pk).delete()
        all_sittings, group_sittings = [], []
        day0 = dt.date(2024, 1, 10)
        for n in range(sittings // per_session):
            day = day0 + dt.timedelta(days=60 * n)
            session = Session.objects.create(
                term=term, number=n + 1, title=f"第{n + 1}次会议", starts_on=day, state="closed"
            )
            t = dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)
            all_sittings.append(
                Sitting.objects.create(
                    session=session, kind="plenary", title="全体会议", starts_at=t, state="ended"
                )
            )
            for g in groups:
                s = Sitting.objects.create(
                    session=session,
                    kind="group",
                    group=g,
                    title=f"分组会议 · {g.name}",
                    starts_at=t + dt.timedelta(hours=5),
                    state="ended",
                )
                all_sittings.append(s)
                group_sittings.append(s)
        for s in all_sittings:
            AgendaItem.objects.bulk_create(
                [AgendaItem(sitting=s, order=k, title=f"审议议题{k}", state="done") for k in (1, 2)]
            )
        items = {s.pk: list(s.agenda_items.order_by("order")) for s in all_sittings}
        att, leaves = [], []
        for i, m in enumerate(roster):
            for s in all_sittings:
                if s.kind == "group" and s.group_id != m.group_id:
                    continue
                if (i + s.pk) % 23 == 0:
                    leaves.append(Leave(sitting=s, member=m, reason="因公出差"))
                else:
                    att.append(
                        Attendance(sitting=s, member=m, checked_in_at=s.starts_at, method="tablet")
                    )
        Attendance.objects.bulk_create(att, batch_size=2000)
        Leave.objects.bulk_create(leaves)
        by_group = {g.pk: [m for m in roster if m.group_id == g.pk] for g in groups}
        plan = [group_sittings[0]] * 20
        rest = group_sittings[1:]
        plan += [rest[k % len(rest)] for k in range(speeches - 20)]
        counters: dict[int, int] = {}
        rows = []
        for s in plan:
            k = counters[s.pk] = counters.get(s.pk, 0) + 1
            pool = by_group[s.group_id]
            m = pool[(k * 7 + s.pk) % len(pool)]
            start = s.starts_at + dt.timedelta(minutes=4 * k)
            rows.append(
                Speech(
                    sitting=s,
                    member=m,
                    agenda_item=items[s.pk][k % 2],
                    kind="speech",
                    started_at=start,
                    ended_at=start + dt.timedelta(seconds=180),
                    ended_how="finished",
                )
            )
        Speech.objects.bulk_create(rows, batch_size=500)
        made = list(
            Speech.objects.filter(sitting__session__term=term).select_related("sitting__session")
        )
        recs = Recording.objects.bulk_create(
            [
                Recording(
                    sitting=sp.sitting, member=sp.member, agenda_item=sp.agenda_item,
                    floor_entry_id=sp.pk, source="member", state="done",
                    started_at=sp.started_at, ended_at=sp.ended_at,
                )
                for sp in made
            ],
            batch_size=500,
        )  # fmt: skip
        Clip.objects.bulk_create(
            [
                Clip(
                    recording=r, member=sp.member, term=term, session=sp.sitting.session,
                    sitting=sp.sitting, agenda_item=sp.agenda_item, floor_entry_id=sp.pk,
                    source="member", started_at=sp.started_at, ended_at=sp.ended_at,
                    duration_s=180, size=0, sha256="0" * 64, path=f"clips/bench/{sp.pk}.mp4",
                )
                for sp, r in zip(made, recs, strict=True)
            ],
            batch_size=500,
        )  # fmt: skip
        text = "建议进一步明确责任主体和罚则，加强对基层落实情况的监督，经费保障要落到实处。"
        sums = Summary.objects.bulk_create(
            [
                Summary(
                    speech=sp, text=text, version=1, updated_by=staff,
                    quotes=[{"at": 42.0, "text": "经费保障要落到实处"}],
                )
                for sp in made
            ],
            batch_size=500,
        )  # fmt: skip
        SummaryVersion.objects.bulk_create(
            [
                SummaryVersion(summary=s, number=1, text=s.text, quotes=s.quotes, by=staff)
                for s in sums
            ],
            batch_size=500,
        )
    from collections import Counter

    busiest = Counter(sp.member_id for sp in made).most_common(1)[0][0]
    return term, Member.objects.get(pk=busiest), group_sittings[0], staff


def bare(data: bytes) -> float:
    """reportlab laying out the same pages' text, one paragraph per page, nothing else."""
    from pypdf import PdfReader
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from core.pdffont import cjk_font

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    style = ParagraphStyle("p", fontName=cjk_font(), fontSize=8, leading=10)
    t0 = time.perf_counter()
    story = []
    for text in pages:
        story += [
            Paragraph(
                text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>"), style
            ),
            PageBreak(),
        ]
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)
    return time.perf_counter() - t0


def measure(members: int, sittings: int, speeches: int) -> dict:
    from meeting.briefs.services import books
    from meeting.briefs.services.briefs import create_brief
    from meeting.briefs.services.exports import export_brief

    t0 = time.perf_counter()
    term, member, sitting, staff = build_term(members, sittings, speeches)
    setup_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    member_pdf = Path(books.write_member_book_file(member.pk)).read_bytes()
    member_s = time.perf_counter() - t0

    progress = []
    t0 = time.perf_counter()
    term_pdf = Path(
        books.write_term_book_file(term.pk, lambda d, t: progress.append((d, t)))
    ).read_bytes()
    term_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    brief = create_brief(staff, sitting=sitting)
    brief_pdf = export_brief(brief, "pdf")
    brief_s = time.perf_counter() - t0

    from pypdf import PdfReader

    def pages(d: bytes) -> int:
        return len(PdfReader(io.BytesIO(d)).pages)

    base = {"member": bare(member_pdf), "term": bare(term_pdf), "brief": bare(brief_pdf)}
    return {
        "member_book_s": round(member_s, 3),
        "term_book_s": round(term_s, 3),
        "brief_s": round(brief_s, 3),
        "baseline_s": round(base["term"], 3),
        "baseline_member_book_s": round(base["member"], 3),
        "baseline_brief_s": round(base["brief"], 3),
        "pages": {
            "member_book": pages(member_pdf),
            "term_book": pages(term_pdf),
            "brief": pages(brief_pdf),
        },
        "member_speeches": member.speeches.count(),
        "progress_reports": len(progress),
        "setup_s": round(setup_s, 1),
        "members": members,
        "sittings": sittings,
        "speeches": speeches,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=175)
    ap.add_argument("--sittings", type=int, default=60)
    ap.add_argument("--speeches", type=int, default=1200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="yiting-books-") as tmp:
        from bench.common import setup_django

        setup_django(Path(tmp))
        out = measure(args.members, args.sittings, args.speeches)
    if args.json:
        print(json.dumps(out))
        return
    p = out["pages"]
    print(f"load average {out['loadavg']} (shared 2-core machine: figures inflated)")
    print(
        f"term: {args.members} members, {args.sittings} sittings, {args.speeches} speeches (set-up {out['setup_s']} s)"
    )
    print(
        f"member's book  {out['member_book_s']:7.2f} s  {p['member_book']:4d} pages  (bare reportlab {out['baseline_member_book_s']:.2f} s)"
    )
    print(
        f"term book      {out['term_book_s']:7.2f} s  {p['term_book']:4d} pages  (bare reportlab {out['baseline_s']:.2f} s, {out['progress_reports']} progress reports)"
    )
    print(
        f"20-speech brief{out['brief_s']:7.2f} s  {p['brief']:4d} pages  (bare reportlab {out['baseline_brief_s']:.2f} s)"
    )


if __name__ == "__main__":
    main()
