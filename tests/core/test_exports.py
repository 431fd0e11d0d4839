"""core/exports.py: download names (RFC 6266, ASCII and UTF-8) and CSV that Excel opens."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation

from core import exports
from tests.downloads import download_name

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_a_download_carries_the_chinese_name_and_an_ascii_fallback():
    resp = exports.attach(exports.HttpResponse(), exports.brief_name(3, "docx"))
    named = download_name(resp)
    assert named == ("attachment", "brief-3.docx", "简报第3期.docx")
    inline = exports.attach(exports.HttpResponse(), exports.brief_name(3, "pdf"), inline=True)
    assert download_name(inline).kind == "inline"


@pytest.mark.parametrize(
    ("file", "name"),
    [
        (exports.document_name(17, "某省数据条例（草案）", 1), "《某省数据条例（草案）》.pdf"),
        (exports.document_name(17, "《条例》", 2), "《条例》第2版.pdf"),
        (exports.annotations_name(17, "某省数据条例（草案）"), "《某省数据条例（草案）》批注.pdf"),
        (exports.minutes_name(20, "第二十次会议", "docx"), "第二十次会议纪要.docx"),
        (exports.minutes_name(20, "", "pdf"), "第20次会议纪要.pdf"),
        (exports.vote_sheet_name(4, "通过《条例》", 2, "csv"), "通过《条例》表决结果（第2轮）.csv"),
        (exports.speaking_log_name(6, "第二十次会议", "第一次全体会议"),
         "第二十次会议 第一次全体会议发言记录.csv"),
        (exports.member_book_name(5, "陈立新"), "陈立新履职档案（一人一册）.pdf"),
        (exports.term_book_name("第十四届"), "第十四届履职档案（一届一本）.pdf"),
    ],
)  # fmt: skip
def test_each_kind_of_file_has_a_chinese_name(file, name):
    assert exports.safe_name(file.name) == name
    assert file.fallback.isascii()


def test_a_clip_and_the_audit_trail_are_named_in_the_committees_time():
    clip = exports.clip_name(5, "陈立新", dt.datetime(2026, 12, 6, 4, 50, 32, tzinfo=UTC))
    assert clip.name == "陈立新发言录像20261206-125032.mp4"  # 12:50:32 in Asia/Shanghai
    late = dt.datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # already the 7th in Shanghai
    assert exports.audit_name(late) == ("操作日志2026-12-07.csv", "audit-2026-12-07.csv")


def test_names_lose_what_no_file_system_takes_and_stay_short():
    file = exports.vote_sheet_name(1, '第一条/第二条:"修正"?*<>|\x07', 1, "pdf")
    named = download_name(exports.attach(exports.HttpResponse(), file))
    assert named.name == "第一条_第二条_修正_表决结果.pdf"
    long = exports.document_name(1, "长" * 400, 1)
    assert len(exports.safe_name(long.name)) <= exports.STEM_CHARS + 4
    assert exports.safe_name(long.name).endswith(".pdf")
    # a name that is nothing but reserved characters falls back to the ASCII one
    empty = exports.FileName("///.pdf", "document-1-v1.pdf")
    assert download_name(exports.attach(exports.HttpResponse(), empty)).name == "document-1-v1.pdf"


def test_cells_are_words_local_times_and_never_formulas(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    at = dt.datetime(2026, 12, 6, 4, 50, 32, tzinfo=UTC)
    assert exports.cell(at) == "2026-12-06 12:50:32"
    assert exports.local_time("2026-12-06T04:50:32+00:00") == "2026-12-06 12:50:32"
    assert exports.local_time(None) == ""
    assert (exports.cell(True), exports.cell(False), exports.cell(None)) == ("是", "否", "")
    assert exports.cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and exports.cell(-3) == -3
    assert exports.cell("委员1") == "委员1"


def test_a_csv_download_has_a_bom_and_reads_back():
    at = dt.datetime(2026, 12, 6, 4, 50, 32, tzinfo=UTC)
    resp = exports.csv_response(
        exports.audit_name(at), [["时间", "通过"], [at, True], ["@SUM(A1)", None]]
    )
    assert resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows == [["时间", "通过"], ["2026-12-06 12:50:32", "是"], ["'@SUM(A1)", ""]]
    assert download_name(resp).name == "操作日志2026-12-06.csv"
