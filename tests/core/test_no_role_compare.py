"""No file outside the rulebook compares a role: every decision by role is ``core.policy``'s.

Python by its syntax tree: a comparison (``==``, ``!=``, ``in``, ``not in``) with a
``Role.X`` member, with a collection literal of role values, or of a role value with an
expression that names a role (``m.role == "clerk"``, ``role in ("member", "chair")``).
Templates and the pages' JavaScript by their text: ``role ==`` in a template tag, a role
value compared with ``=== "clerk"`` or listed in an array in a script.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "jobs", "docs_store", "media", "meeting", "realtime", "frontend", "deploy")
RULEBOOK = {ROOT / "core" / "policy.py", ROOT / "core" / "roles.py"}
VALUES = {str(r.value) for r in Role}
NAMES = {r.name for r in Role}


def _is_role_member(node: ast.AST) -> bool:
    """``Role.CLERK`` (or ``models.Role.CLERK``)."""
    if not (isinstance(node, ast.Attribute) and node.attr in NAMES):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id == "Role") or (
        isinstance(owner, ast.Attribute) and owner.attr == "Role"
    )


def _is_value(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in VALUES


def _collection(node: ast.AST) -> list[ast.AST]:
    """The elements of a literal collection, also inside ``LIVE + ("staff",)``."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return list(node.elts)
    if isinstance(node, ast.BinOp):
        return _collection(node.left) + _collection(node.right)
    return []


def _names_a_role(node: ast.AST) -> bool:
    return "role" in ast.unparse(node).lower()


def role_comparisons(tree: ast.AST) -> list[ast.Compare]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        members = [e for s in sides for e in [s, *_collection(s)]]
        member = any(_is_role_member(e) for e in members)
        listed = any(sum(map(_is_value, _collection(s))) >= 2 for s in sides)
        named = any(_is_value(e) for e in members) and any(_names_a_role(s) for s in sides)
        if member or listed or named:
            found.append(node)
    return found


def _production_files() -> list[Path]:
    out = []
    for pkg in PACKAGES:
        for p in sorted((ROOT / pkg).rglob("*.py")):
            if "migrations" not in p.parts and p not in RULEBOOK:
                out.append(p)
    return out


def test_the_detector_finds_each_form_of_a_role_comparison():
    src = """
a = m.role == Role.CLERK
b = reader.role != "member"
c = memo[key] in ("member", "chair")
d = role in LIVE + ("staff",)
e = name == "member"  # a query parameter's name, not a role
f = x in models.Role.CHAIR, y
"""
    hits = [ast.unparse(n) for n in role_comparisons(ast.parse(src))]
    assert hits == [
        "m.role == Role.CLERK",
        "reader.role != 'member'",
        "memo[key] in ('member', 'chair')",
        "role in LIVE + ('staff',)",
        "x in models.Role.CHAIR",
    ]


def test_no_production_module_compares_a_role_outside_the_rulebook():
    hits = []
    for path in _production_files():
        for node in role_comparisons(ast.parse(path.read_text(encoding="utf-8"))):
            hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert hits == [], "ask core.policy instead:\n" + "\n".join(hits)


TEMPLATE_ROLE = re.compile(r"{%\s*(?:if|elif)\b[^%]*\brole\s*(?:==|!=|\bin\b)")
SCRIPT_ROLE = re.compile(
    r"""role\s*[!=]==?\s*["'](%s)["']|["'](%s)["']\s*,\s*["'](%s)["']"""
    % (("|".join(sorted(VALUES)),) * 3)
)


def test_no_template_decides_by_role():
    hits = []
    for path in sorted(ROOT.glob("*/**/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TEMPLATE_ROLE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == [], "use the page's `may` (core.policy.answers):\n" + "\n".join(hits)


def test_no_script_decides_by_role():
    hits = []
    for path in sorted((ROOT / "frontend" / "static" / "yiting").rglob("*.js")):
        if "vendor" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SCRIPT_ROLE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == [], "use ctx.may (the snapshot's you.may):\n" + "\n".join(hits)
