"""The vendored rendering library is whole: every module it imports is shipped, its licence
and version are beside it, and the unsafe (markup-from-string) directives are not."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "frontend" / "static"
VENDOR = ROOT / "vendor" / "lit-html"
IMPORT = re.compile(r"""(?:from|import)\s*["']([^"']+)["']""")


def _imports(path: Path) -> list[Path]:
    return [
        (path.parent / spec).resolve()
        for spec in IMPORT.findall(path.read_text())
        if spec.startswith(".")
    ]


def test_every_import_of_the_render_module_is_shipped():
    seen: set[Path] = set()
    todo = [ROOT / "yiting" / "render.js"]
    while todo:
        path = todo.pop()
        assert path.is_file(), f"imported but not shipped: {path}"
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_imports(path))
    assert VENDOR / "lit-html.js" in seen


def test_licence_version_and_no_unsafe_directives():
    assert (
        "BSD" in (VENDOR / "LICENSE").read_text()
        or "Redistribution" in (VENDOR / "LICENSE").read_text()
    )
    assert "3.3.3" in (VENDOR / "VENDOR.md").read_text()
    assert 'LIT_HTML_VERSION = "3.3.3"' in (ROOT / "yiting" / "render.js").read_text()
    assert not list(VENDOR.rglob("unsafe-*.js"))
    assert not [p for p in VENDOR.rglob("*.js") if "sourceMappingURL" in p.read_text()]


def test_no_page_module_uses_unsafe_html():
    offenders = [p for p in (ROOT / "yiting").rglob("*.js") if "unsafeHTML" in p.read_text()]
    assert offenders == []
