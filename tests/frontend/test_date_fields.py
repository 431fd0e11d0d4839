"""Dates are typed year-month-day on every page, whatever the browser's own language.

Chromium draws ``<input type=date|datetime-local|time>`` in the browser's locale (an
English browser shows "mm/dd/yyyy" on a Chinese page), so no template uses them: dates
are text fields with a Chinese 年-月-日 placeholder, and the forms read what they show."""

import re
from pathlib import Path

from meeting.proceedings.forms import AuditFilterForm

ROOT = Path(__file__).resolve().parents[2]
NATIVE = re.compile(r"""type=["']?(date|datetime-local|time|month|week)\b""")
TEMPLATES = sorted(
    [
        *(ROOT / "frontend" / "templates").rglob("*.html"),
        *ROOT.glob("meeting/**/templates/**/*.html"),
    ]
)


def test_no_template_uses_the_browsers_date_widget():
    hits = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in TEMPLATES
        for m in NATIVE.finditer(p.read_text())
    ]
    assert len(TEMPLATES) > 20 and hits == []


def test_the_audit_filter_reads_the_typed_form():
    form = AuditFilterForm({"since": "2026-11-24 15:00", "until": "2026-11-25"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["since"].strftime("%Y-%m-%d %H:%M") == "2026-11-24 15:00"
