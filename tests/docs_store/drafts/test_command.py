"""``manage.py compare_drafts``: the JSON, the tables, and a file that is not a draft."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from harness.pdf import not_embedded
from tests.docs_store.drafts import samples


def test_json_pdf_and_docx(tmp_path):
    from docx import Document as Docx
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    old, new = tmp_path / "一审稿.pdf", tmp_path / "二审稿.pdf"
    old.write_bytes(samples.old_pdf())
    new.write_bytes(samples.new_pdf())
    out = io.StringIO()
    call_command(
        "compare_drafts",
        str(old),
        str(new),
        "--json",
        str(tmp_path / "c.json"),
        "--pdf",
        str(tmp_path / "c.pdf"),
        "--docx",
        str(tmp_path / "c.docx"),
        stdout=out,
    )
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert (data["old_articles"], data["new_articles"]) == (12, 12)
    assert data["counts"] == {"unchanged": 8, "modified": 2, "added": 1, "deleted": 1, "moved": 1}
    assert "2 modified, 1 added, 1 deleted, 1 moved" in out.getvalue()
    pdf = (tmp_path / "c.pdf").read_bytes()
    assert not_embedded(pdf) == []
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "原条文" in text and "修改后条文" in text
    assert "第六条至第七条 未修改" in text  # 第六条, 第六条之一, 第七条 folded
    assert "原文：《一审稿.pdf》；修改后：《二审稿.pdf》" in text
    doc = Docx(str(tmp_path / "c.docx"))
    runs = [
        r for row in doc.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    struck = {r.text for r in runs if r.font.strike}
    under = {r.text for r in runs if r.font.underline}
    assert {"应当", "公民", "其他", "二十"} <= struck
    assert {"可以", "自然人", "非法人", "十五个工作", "书面", "限期"} <= under
    assert samples.D in struck and samples.N1 in under  # deleted and added articles whole
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs}
    assert fonts == {"宋体"}


def test_unchanged_shown_in_full(tmp_path):
    from docx import Document as Docx

    old, new = tmp_path / "a.pdf", tmp_path / "b.pdf"
    old.write_bytes(samples.old_pdf())
    new.write_bytes(samples.new_pdf())
    args = [str(old), str(new), "--json", str(tmp_path / "c.json")]
    call_command("compare_drafts", *args, "--docx", str(tmp_path / "f.docx"), stdout=io.StringIO())
    call_command(
        "compare_drafts",
        *args,
        "--docx",
        str(tmp_path / "s.docx"),
        "--unchanged",
        "show",
        stdout=io.StringIO(),
    )

    def text(name):
        return "\n".join(
            c.text for row in Docx(str(tmp_path / name)).tables[0].rows for c in row.cells
        )

    assert samples.L not in text("f.docx") and "第六条至第七条 未修改" in text("f.docx")
    assert samples.L in text("s.docx") and "未修改" not in text("s.docx")


def test_a_report_is_refused_with_the_reason(tmp_path):
    old, report = tmp_path / "a.pdf", tmp_path / "report.pdf"
    old.write_bytes(samples.old_pdf())
    report.write_bytes(samples.report_pdf())
    with pytest.raises(CommandError, match="not a draft"):
        call_command("compare_drafts", str(old), str(report), "--json", str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()
