"""The roster from an Excel workbook (.xlsx, made here with openpyxl) and Chinese headers.

The same checks and row messages as a CSV; the rows named as Excel numbers them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from core.errors import DomainError
from core.models import Member
from meeting.proceedings import roster_import
from meeting.proceedings.models import PasswordChangeRequired
from meeting.proceedings.roster_import import import_members

pytestmark = pytest.mark.django_db


def xlsx(*rows, title: str | None = None, sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])  # a title line above the header, as clerks make them
    for row in rows:
        sheet.append(list(row))
    for n in range(1, sheets):
        book.create_sheet(f"其他{n}").append(["登录名", "姓名", "身份"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_workbook_with_chinese_headers_is_imported(committee):
    raw = xlsx(
        ("用户名", "姓名", "角色", "座位号", "分组", "卡号", "是否在任", "初始密码"),
        ("x1", "新委员甲", "委员", 301, "第一组", 880001, "是", "first-Pass-1"),
        ("x2", "新委员乙", "副主任", "302", "第二组", None, True, None),
        (None, None, None, None, None, None, None, None),  # a blank line is skipped
        ("x3", "新工作人员", "工作人员", None, None, None, None, None),
        title="第十四届常委会组成人员名单",
        sheets=2,
    )
    rep = import_members(committee.term, raw)
    assert rep.applied and rep.created == ["x1", "x2", "x3"] and rep.no_password == ["x2", "x3"]
    x1 = Member.objects.select_related("user", "group").get(user__username="x1")
    assert (x1.full_name, x1.role, x1.seat, x1.group.name, x1.card_number) == (
        "新委员甲",
        "member",
        "301",  # Excel's number 301 (301.0 inside), not "301.0"
        "第一组",
        "880001",
    )
    assert x1.user.check_password("first-Pass-1")
    assert PasswordChangeRequired.objects.get(user=x1.user).reason == "imported"
    assert Member.objects.get(user__username="x2").role == "vice_chair"


def test_bad_rows_are_named_by_their_excel_row_and_nothing_is_written(committee):
    before = Member.objects.count()
    raw = xlsx(
        ("登录名", "姓名", "身份", "座位号", "审议组", "排"),
        ("ok1", "好人", "委员", 301, "第一组", 1),  # row 3: fine
        ("bad user", "名字", "委员", 302, "第一组", None),  # row 4: login name
        ("n4", None, "委员", 303, "第一组", None),  # row 5: empty name
        ("n5", "某某", "部长", 304, "第一组", None),  # row 6: unknown role
        ("n6", "某某", "委员", 301, "第九组", None),  # row 7: seat twice, unknown group
        ("n7", "某某", "委员", 305, None, "前排"),  # row 8: bad row number
        title="名单",
    )
    with pytest.raises(DomainError) as e:
        import_members(committee.term, raw)
    assert e.value.code == "bad_rows"
    got = [(x["line"], x["column"], x["code"]) for x in e.value.details["errors"]]
    assert got == [
        (4, "username", "bad_username"),
        (5, "full_name", "required"),
        (6, "role", "bad_role"),
        (7, "group", "unknown_group"),
        (7, "seat", "duplicate"),
        (8, "row", "bad_value"),
    ]
    by_code = {x["code"]: x for x in e.value.details["errors"]}
    assert by_code["duplicate"]["message"] == "“301”与第 3 行重复。"  # the Excel row
    assert by_code["bad_role"]["column_label"] == "身份"
    assert Member.objects.count() == before


def test_the_same_row_messages_as_the_csv(committee):
    rows = [
        ("登录名", "姓名", "身份", "座位号"),
        ("n1", "某某", "部长", "401"),
        ("n1", "", "委员", ""),
    ]
    csv = "\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(DomainError) as from_csv:
        import_members(committee.term, csv)
    with pytest.raises(DomainError) as from_xlsx:
        import_members(committee.term, xlsx(*rows))
    assert from_xlsx.value.details == from_csv.value.details
    assert from_xlsx.value.message == from_csv.value.message


def test_chinese_header_aliases_work_in_a_csv_too(committee):
    text = "帐号,名字,角色,座号,组别\ny1,某甲,委员,501,第一组\n"
    rep = import_members(committee.term, text.encode())
    m = Member.objects.get(user__username="y1")
    assert rep.created == ["y1"] and (m.full_name, m.seat, m.group.name) == (
        "某甲",
        "501",
        "第一组",
    )


def test_missing_columns_are_named_in_chinese(committee):
    with pytest.raises(DomainError) as e:
        import_members(committee.term, xlsx(("姓名", "座位号"), ("某某", 1)))
    assert e.value.code == "bad_csv" and "缺少列：登录名、身份" in e.value.message


@pytest.mark.parametrize(
    "raw,needle",
    [
        (b"PK\x03\x04 not really a zip", "无法读取该电子表格文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版电子表格文件（.xls）"),
    ],
)
def test_unreadable_workbooks_are_refused_in_chinese(committee, raw, needle):
    with pytest.raises(DomainError) as e:
        import_members(committee.term, raw)
    assert e.value.code == "bad_csv" and needle in e.value.message


def test_a_workbook_that_unpacks_huge_is_refused_unread(committee, monkeypatch):
    monkeypatch.setattr(roster_import, "MAX_XLSX_UNPACKED", 10_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", "x" * 20_000)
    with pytest.raises(DomainError) as e:
        import_members(committee.term, buf.getvalue())
    assert e.value.code == "bad_csv" and "解压后超过" in e.value.message


def test_cells_read_as_typed():
    assert roster_import._cell_text(401.0) == "401"
    assert roster_import._cell_text(2.5) == "2.5"
    assert roster_import._cell_text(None) == ""
    assert roster_import._cell_text(dt.datetime(2026, 11, 24)) == "2026-11-24"
    assert roster_import._cell_text(False) == "false"


def test_the_help_lists_every_column_with_chinese_and_english_names():
    cols = {c["key"]: c for c in roster_import.help_columns()}
    assert set(cols) == set(roster_import.COLUMNS)
    assert cols["full_name"]["chinese"][0] == "姓名" and "name" in cols["full_name"]["english"]
    assert {"登录名", "用户名"} <= set(cols["username"]["chinese"])
    assert cols["username"]["required"] and not cols["seat"]["required"]
    assert all(c["chinese"] and c["english"] for c in cols.values())
