"""Pages put markup on screen only through lit-html templates (frontend/static/yiting/
render.js), which escape every value: no file listed here assigns markup from a string.

The list names each file it covers, so the tablet's modules (documents/reader.js,
search.js, ink.js, pages/tablet.js and the new tablet modules) join it as they are
converted; nothing is allowlisted inside a covered file.
"""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static" / "yiting"

COVERED = [
    "core.js",
    "labels.js",
    "time.js",
    "errors.js",
    "pages/console.js",
    "pages/display.js",
    "panels/vote.js",
    "panels/floor.js",
    "panels/recording.js",
    "panels/documents.js",
    "documents/console.js",
]
TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates" / "frontend"
# the console's, the wall's and the review's templates (their inline scripts, if any)
COVERED_TEMPLATES = [
    "console.html",
    "console_index.html",
    "display.html",
    "review.html",
    "panels/console_documents.html",
    "panels/console_floor.html",
    "panels/console_recording.html",
    "panels/console_vote.html",
    "panels/display_floor.html",
    "panels/display_vote.html",
    "panels/review_clips.html",
]

# an assignment (=, +=) to innerHTML/outerHTML, or a call of insertAdjacentHTML /
# document.write / createContextualFragment: each turns a string into markup
MARKUP_FROM_STRING = re.compile(
    r"\.(?:innerHTML|outerHTML)\s*\+?=(?!=)|insertAdjacentHTML|document\.write|createContextualFragment"
)


@pytest.mark.parametrize("name", COVERED)
def test_no_markup_from_strings(name):
    text = (STATIC / name).read_text()
    hits = [
        f"{name}:{n}: {line.strip()}"
        for n, line in enumerate(text.splitlines(), start=1)
        if MARKUP_FROM_STRING.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("name", COVERED)
def test_no_hand_escaping(name):
    """escapeHtml was the rule everyone had to remember; templates escape on their own."""
    assert "escapeHtml" not in (STATIC / name).read_text()


@pytest.mark.parametrize("name", COVERED_TEMPLATES)
def test_no_markup_from_strings_in_templates(name):
    text = (TEMPLATES / name).read_text()
    assert not MARKUP_FROM_STRING.search(text), name


def test_the_check_can_fail():
    assert MARKUP_FROM_STRING.search("el.innerHTML = `<b>${x}</b>`;")
    assert MARKUP_FROM_STRING.search("select.innerHTML += opt;")
    assert MARKUP_FROM_STRING.search('el.insertAdjacentHTML("beforeend", s)')
    assert not MARKUP_FROM_STRING.search("if (el.innerHTML === '') {}")


def test_covered_files_exist():
    assert all((STATIC / name).is_file() for name in COVERED)
    assert all((TEMPLATES / name).is_file() for name in COVERED_TEMPLATES)
