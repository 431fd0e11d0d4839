"""Document search: index N pages (text extraction + indexing), then query 2,000 pages.

Runs the real code on a fresh database (SQLite under a temporary folder by default,
``--database-url postgres://…`` for PostgreSQL): generated bill-like Chinese PDFs (the
embedded CJK font, random sentences from a legal vocabulary) are uploaded through
``upload_documents`` and their ``docs_store.index`` jobs run in this process.

- index: the first document's N pages through ``extract_all`` (pypdfium2 text + tokens
  + rows + FTS), ms per page, beside a bare pypdfium2 text extraction of the same file
  in the same run;
- query: ``search_sitting`` as a member (access check, index query, snippets) over
  2,000 indexed pages, p50/p99 of ``--queries`` queries (words of the corpus, pairs of
  words, and phrases that occur nowhere), beside a plain in-memory substring scan of the
  same 2,000 page texts.

    python bench/search.py [--pages 300] [--total-pages 2000] [--queries 1000] [--json]

With ``--json`` one object: ``{"pages", "index_ms_per_page", "baseline_ms_per_page",
"query_p50_ms", "query_p99_ms", …}``. Target (DESIGN.md): p99 ≤ 50 ms. Figures only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "数据",
    "安全",
    "个人信息",
    "保护",
    "处理者",
    "国家机关",
    "监督管理",
    "法律责任",
    "行政处罚",
    "网络",
    "平台",
    "未成年人",
    "监护人",
    "教育",
    "卫生",
    "健康",
    "医疗机构",
    "药品",
    "食品",
    "环境",
    "生态",
    "污染",
    "防治",
    "水资源",
    "土地",
    "规划",
    "城乡",
    "建设",
    "住房",
    "交通",
    "道路",
    "运输",
    "安全生产",
    "应急",
    "管理",
    "突发事件",
    "预案",
    "财政",
    "预算",
    "审计",
    "税收",
    "金融",
    "市场",
    "监管",
    "企业",
    "公平竞争",
    "消费者",
    "权益",
    "劳动者",
    "工资",
    "社会保险",
    "养老",
    "托育",
    "文化",
    "文物",
    "旅游",
    "体育",
    "科技",
    "创新",
    "知识产权",
    "农业",
    "农村",
    "粮食",
    "耕地",
    "乡村振兴",
    "人民代表大会",
    "常务委员会",
    "代表",
    "议案",
    "建议",
    "审议",
    "表决",
    "通过",
    "公布",
    "施行",
    "修改",
    "废止",
    "条例",
    "规定",
    "办法",
    "细则",
    "第一条",
    "第二条",
    "第三条",
    "本法",
    "本条例",
    "县级以上",
    "人民政府",
    "有关部门",
    "职责",
]
ABSENT = ["量子纠缠", "星际航行", "火星基地", "深海采矿权", "恐龙化石"]


def sentence(rng: random.Random) -> str:
    return "，".join("".join(rng.sample(WORDS, 3)) for _ in range(2)) + "。"


def make_pdf(pages: int, rng: random.Random) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from core.pdffont import cjk_font

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont(cjk_font(), 11)
        for line in range(36):
            c.drawString(60, 780 - 20 * line, f"第{n}页 " + sentence(rng))
        c.showPage()
    c.save()
    return buf.getvalue()


def setup(database_url: str | None, data_dir: Path) -> None:
    from bench.common import setup_django

    setup_django(data_dir, database_url)
    if database_url:  # a PostgreSQL database of its own, emptied
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def committee():
    """A committee with a clerk and a member, a session, a plenary sitting."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from core.models import Committee, Member, Role, Session, Sitting, Term

    c = Committee.objects.create(name="bench")
    term = Term.objects.create(committee=c, name="t", starts_on=dt.date(2026, 1, 1))
    users = get_user_model().objects
    clerk = Member.objects.create(
        user=users.create_user("bench-clerk"), term=term, full_name="clerk", role=Role.CLERK
    )
    member = Member.objects.create(
        user=users.create_user("bench-member"), term=term, full_name="委员", role=Role.MEMBER
    )
    session = Session.objects.create(
        term=term, number=1, title="bench", starts_on=dt.date(2026, 1, 1), state="open"
    )
    sitting = Sitting.objects.create(
        session=session, kind="plenary", title="全体会议", starts_at=dt.datetime.now(dt.UTC)
    )
    return clerk, member, session, sitting


def upload(session, clerk, data: bytes, name: str):
    from core.models import Role
    from core.policy import Acting
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents

    [doc] = upload_documents(session, [Upload(name, data)], by=clerk.user)
    distribute(session, actor=Acting(role=Role.CLERK), by=clerk.user, ids=[doc.pk])
    return doc


def bare_extract_ms(pdf: Path) -> float:
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    doc = pdfium.PdfDocument(str(pdf))
    pages = len(doc)
    for i in range(pages):
        page = doc[i]
        textpage = page.get_textpage()
        textpage.get_text_bounded()
        textpage.close()
        page.close()
    doc.close()
    return (time.perf_counter() - t0) * 1000 / pages if pages else 0.0


def index_first(session, clerk, pages: int, rng) -> tuple[float, float]:
    """Index time of one document, measured on the function the index job runs."""
    from docs_store import storage
    from docs_store.search.extract import extract_all

    doc = upload(session, clerk, make_pdf(pages, rng), "bench-0.pdf")
    sha = doc.current.sha256
    pdf = storage.original_path(sha)
    baseline = bare_extract_ms(pdf)
    t0 = time.perf_counter()
    extract_all(pdf, sha)
    return (time.perf_counter() - t0) * 1000 / pages, baseline


def fill_to(session, clerk, total: int, first: int, rng) -> None:
    from docs_store import storage
    from docs_store.search.extract import extract_all

    made, n = first, 1
    while made < total:
        pages = min(300, total - made)
        doc = upload(session, clerk, make_pdf(pages, rng), f"bench-{n}.pdf")
        extract_all(storage.original_path(doc.current.sha256), doc.current.sha256)
        made, n = made + pages, n + 1
    from docs_store.search.backend import refresh_statistics

    refresh_statistics()  # as the index job does after each document


def queries(count: int, rng) -> list[str]:
    out = []
    for i in range(count):
        kind = i % 10
        if kind < 7:
            out.append(rng.choice(WORDS))
        elif kind < 9:
            out.append(" ".join(rng.sample(WORDS, 2)))
        else:
            out.append(rng.choice(ABSENT))
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_queries(member, sitting, qs: list[str]) -> tuple[list[float], int]:
    from docs_store.search.services import search_sitting

    times, found = [], 0
    for q in qs:
        t0 = time.perf_counter()
        found += bool(search_sitting(member.user, sitting, q))
        times.append((time.perf_counter() - t0) * 1000)
    return times, found


def baseline_scan(qs: list[str]) -> list[float]:
    """A plain substring scan of every page's normalised text, in memory."""
    from docs_store.models import PageText

    texts = list(PageText.objects.values_list("text", flat=True))
    times = []
    for q in qs:
        terms = q.split()
        t0 = time.perf_counter()
        [t for t in texts if all(term in t for term in terms)][:50]
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--total-pages", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL (emptied first)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rng = random.Random(7)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="yiting-search-") as tmp:
        setup(args.database_url, Path(tmp))
        from django.db import connection

        clerk, member, session, sitting = committee()
        index_ms, base_ms = index_first(session, clerk, args.pages, rng)
        fill_to(session, clerk, args.total_pages, args.pages, rng)
        qs = queries(args.queries, rng)
        run_queries(member, sitting, qs[:20])  # warm caches
        times, found = run_queries(member, sitting, qs)
        scan = baseline_scan(qs)
        result = {
            "database": connection.vendor,
            "pages": args.pages,
            "indexed_pages": args.total_pages,
            "index_ms_per_page": round(index_ms, 2),
            "baseline_ms_per_page": round(base_ms, 2),
            "queries": len(qs),
            "queries_with_results": found,
            "query_p50_ms": round(statistics.median(times), 2),
            "query_p99_ms": round(pct(times, 99), 2),
            "baseline_scan_p50_ms": round(statistics.median(scan), 2),
            "baseline_scan_p99_ms": round(pct(scan, 99), 2),
            "load_average": [round(x, 2) for x in load],
        }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
