"""Pages put markup on screen only through lit-html templates (frontend/static/yiting/
render.js), which escape every value: no file listed here assigns markup from a string.

Every page module and template is covered (a new one joins by existing); nothing is
allowlisted inside a covered file.
"""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static" / "yiting"

ROOT = Path(__file__).resolve().parents[2]
# every page module: Yiting's own (frontend/static/yiting) and the apps' (briefs, …);
# the vendored library and render.js, which wraps it, are the one place markup is made
COVERED = sorted(
    str(p.relative_to(ROOT))
    for p in [*STATIC.rglob("*.js"), *ROOT.glob("meeting/**/static/**/*.js")]
    if p.name != "render.js"
)
# every template of the pages (their inline scripts, if any)
COVERED_TEMPLATES = sorted(
    str(p.relative_to(ROOT))
    for p in [
        *(ROOT / "frontend" / "templates").rglob("*.html"),
        *ROOT.glob("meeting/**/templates/**/*.html"),
    ]
)

# an assignment (=, +=) to innerHTML/outerHTML, or a call of insertAdjacentHTML /
# document.write / createContextualFragment: each turns a string into markup
MARKUP_FROM_STRING = re.compile(
    r"\.(?:innerHTML|outerHTML)\s*\+?=(?!=)|insertAdjacentHTML|document\.write|createContextualFragment"
)


@pytest.mark.parametrize("name", COVERED)
def test_no_markup_from_strings(name):
    text = (ROOT / name).read_text()
    hits = [
        f"{name}:{n}: {line.strip()}"
        for n, line in enumerate(text.splitlines(), start=1)
        if MARKUP_FROM_STRING.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("name", COVERED)
def test_no_hand_escaping(name):
    """escapeHtml was the rule everyone had to remember; templates escape on their own."""
    assert "escapeHtml" not in (ROOT / name).read_text()


@pytest.mark.parametrize("name", COVERED_TEMPLATES)
def test_no_markup_from_strings_in_templates(name):
    text = (ROOT / name).read_text()
    assert not MARKUP_FROM_STRING.search(text), name


def test_the_check_can_fail():
    assert MARKUP_FROM_STRING.search("el.innerHTML = `<b>${x}</b>`;")
    assert MARKUP_FROM_STRING.search("select.innerHTML += opt;")
    assert MARKUP_FROM_STRING.search('el.insertAdjacentHTML("beforeend", s)')
    assert not MARKUP_FROM_STRING.search("if (el.innerHTML === '') {}")


def test_covered_files_exist():
    assert len(COVERED) > 15 and len(COVERED_TEMPLATES) > 20
    assert all((ROOT / name).is_file() for name in COVERED)
    assert all((ROOT / name).is_file() for name in COVERED_TEMPLATES)
