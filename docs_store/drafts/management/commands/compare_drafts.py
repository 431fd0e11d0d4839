"""``manage.py compare_drafts OLD.pdf NEW.pdf --json OUT.json [--pdf OUT.pdf] [--docx OUT.docx]``.

Reads both PDFs as the server reads an upload (``extract``, ``structure``), compares them
(``compare``) and writes the comparison's JSON and, if asked, the 修改对照表. A file
with no articles is refused with the reason (exit status 1), never written as a table
without changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docs_store.drafts import table
from docs_store.drafts.compare import compare
from docs_store.drafts.extract import pdf_pages
from docs_store.drafts.structure import NO_TEXT, read_draft


class Command(BaseCommand):
    help = "Compare two versions of a draft article by article (修改对照)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("old", type=Path, help="the earlier version (PDF)")
        parser.add_argument("new", type=Path, help="the revised version (PDF)")
        parser.add_argument("--json", type=Path, required=True, help="where to write the JSON")
        parser.add_argument("--pdf", type=Path, help="also write the table as PDF")
        parser.add_argument("--docx", type=Path, help="also write the table as DOCX")
        parser.add_argument(
            "--unchanged",
            choices=table.UNCHANGED,
            default="fold",
            help="unchanged articles folded into one line (default) or shown in full",
        )

    def handle(self, *args, **opts) -> None:
        drafts = []
        for path in (opts["old"], opts["new"]):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                parsed = read_draft(pdf_pages(path))
            except Exception as exc:  # pdfium's refusal of a damaged file
                raise CommandError(f"{path}: the PDF could not be read ({exc})") from exc
            if not parsed.is_draft:
                why = (
                    "it has no text (a scan?)"
                    if parsed.reason == NO_TEXT
                    else "no articles (第…条) were found: it is not a draft"
                )
                raise CommandError(f"{path}: cannot be compared, {why}")
            drafts.append(parsed)
        old, new = drafts
        result = compare(old.articles, new.articles)
        opts["json"].write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        data = {
            **result,
            "title": new.title or old.title,
            "old": {"title": opts["old"].name},
            "new": {"title": opts["new"].name},
        }
        if opts["pdf"]:
            opts["pdf"].write_bytes(table.table_pdf(data, unchanged=opts["unchanged"]))
        if opts["docx"]:
            opts["docx"].write_bytes(table.table_docx(data, unchanged=opts["unchanged"]))
        c = result["counts"]
        self.stdout.write(
            f"{result['old_articles']} → {result['new_articles']} articles: "
            f"{c['modified']} modified, {c['added']} added, {c['deleted']} deleted, "
            f"{c['moved']} moved, {c['unchanged']} unchanged "
            f"(aligned {result['aligned_share']:.0%})"
        )
        if result["low_alignment"]:
            self.stderr.write("warning: almost nothing aligns; these may be two different drafts")
